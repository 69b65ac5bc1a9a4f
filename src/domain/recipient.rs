use super::{ChannelKind, EmailAddress, PhoneNumber, WebhookUrl};

/// Where a notification goes; the variant always matches its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Email(EmailAddress),
    Phone(PhoneNumber),
    Webhook(WebhookUrl),
}

impl Recipient {
    pub fn parse(channel: ChannelKind, input: &str) -> Result<Recipient, String> {
        Ok(match channel {
            ChannelKind::Email => Recipient::Email(EmailAddress::parse(input)?),
            ChannelKind::Sms => Recipient::Phone(PhoneNumber::parse(input)?),
            ChannelKind::Webhook => Recipient::Webhook(WebhookUrl::parse(input)?),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Recipient::Email(e) => e.as_str(),
            Recipient::Phone(p) => p.as_str(),
            Recipient::Webhook(w) => w.as_str(),
        }
    }
}
