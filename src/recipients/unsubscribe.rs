//! One-click unsubscribe links (RFC 8058): a token per recipient, category and channel, signed
//! with HMAC-SHA256 under the server's secret, so the link needs no login and cannot be forged
//! or edited to unsubscribe someone else.

use crate::config::Settings;
use crate::domain::Category;
use crate::domain::ChannelKind;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Token layout version, the first byte of the signed payload.
const VERSION: u8 = 1;
/// Keeps these MACs apart from anything else the same secret might sign.
const CONTEXT: &[u8] = b"chime-unsubscribe\0";

/// What an unsubscribe link opts out of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub tenant_id: Uuid,
    /// The recipient's internal id: a recipient deleted and created again is a new one.
    pub recipient: Uuid,
    pub category: Category,
    pub channel: ChannelKind,
}

/// Makes and checks unsubscribe links.
#[derive(Clone)]
pub struct Unsubscribe {
    base_url: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for Unsubscribe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unsubscribe")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn channel_byte(c: ChannelKind) -> u8 {
    match c {
        ChannelKind::Email => 0,
        ChannelKind::Sms => 1,
        ChannelKind::Webhook => 2,
    }
}

impl Unsubscribe {
    pub fn new(base_url: &str, secret: &str) -> Unsubscribe {
        Unsubscribe {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key: secret.as_bytes().to_vec(),
        }
    }

    /// Links are made only when both the public URL and the secret are configured.
    pub fn from_settings(s: &Settings) -> Option<Unsubscribe> {
        let base = s.api.public_url.as_ref()?;
        let secret = s.api.unsubscribe_secret.as_ref()?;
        Some(Unsubscribe::new(base, secret.expose()))
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(CONTEXT);
        mac.update(payload);
        mac
    }

    pub fn token(&self, sub: &Subscription) -> String {
        let mut payload = Vec::with_capacity(34 + sub.category.as_str().len());
        payload.push(VERSION);
        payload.extend_from_slice(sub.tenant_id.as_bytes());
        payload.extend_from_slice(sub.recipient.as_bytes());
        payload.push(channel_byte(sub.channel));
        payload.extend_from_slice(sub.category.as_str().as_bytes());
        let sig = self.mac(&payload).finalize().into_bytes();
        format!("{}.{}", B64.encode(&payload), B64.encode(sig))
    }

    /// The link a `List-Unsubscribe` header carries.
    pub fn url(&self, sub: &Subscription) -> String {
        format!("{}/unsubscribe/{}", self.base_url, self.token(sub))
    }

    /// The subscription a token stands for; `None` unless its signature is ours (compared in
    /// constant time).
    pub fn verify(&self, token: &str) -> Option<Subscription> {
        let (payload, sig) = token.split_once('.')?;
        let payload = B64.decode(payload).ok()?;
        let sig = B64.decode(sig).ok()?;
        self.mac(&payload).verify_slice(&sig).ok()?;
        if payload.len() < 35 || payload[0] != VERSION {
            return None;
        }
        let tenant_id = Uuid::from_slice(&payload[1..17]).ok()?;
        let recipient = Uuid::from_slice(&payload[17..33]).ok()?;
        let channel = match payload[33] {
            0 => ChannelKind::Email,
            1 => ChannelKind::Sms,
            2 => ChannelKind::Webhook,
            _ => return None,
        };
        let category = Category::parse(std::str::from_utf8(&payload[34..]).ok()?).ok()?;
        Some(Subscription {
            tenant_id,
            recipient,
            category,
            channel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub() -> Subscription {
        Subscription {
            tenant_id: Uuid::new_v4(),
            recipient: Uuid::new_v4(),
            category: Category::parse("billing").unwrap(),
            channel: ChannelKind::Email,
        }
    }

    #[test]
    fn a_token_round_trips_and_any_change_is_refused() {
        let u = Unsubscribe::new(
            "https://chime.example.com/",
            "s3cret-s3cret-s3cret-s3cret-s3cret",
        );
        let s = sub();
        let token = u.token(&s);
        assert_eq!(u.verify(&token), Some(s.clone()));
        assert!(u
            .url(&s)
            .starts_with("https://chime.example.com/unsubscribe/"));
        // Another category with the old signature.
        let mut other = s.clone();
        other.category = Category::parse("marketing").unwrap();
        let forged = format!(
            "{}.{}",
            u.token(&other).split_once('.').unwrap().0,
            token.split_once('.').unwrap().1
        );
        assert_eq!(u.verify(&forged), None);
        // One flipped character anywhere.
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed != token {
                assert_eq!(u.verify(&changed), None, "position {i}");
            }
        }
        let elsewhere = Unsubscribe::new(
            "https://chime.example.com",
            "another-secret-another-secret-00",
        );
        assert_eq!(elsewhere.verify(&token), None);
        assert_eq!(u.verify("garbage"), None);
        assert_eq!(u.verify(""), None);
    }
}
