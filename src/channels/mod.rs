//! Delivery channels: e-mail (SMTP), SMS (Twilio-compatible HTTP) and signed webhooks.
//!
//! Every channel implements [`Channel`]: it takes one [`OutboundMessage`] (already rendered)
//! and either reports [`Delivered`] or a classified [`SendError`]. The classification is the
//! contract with the sender: [`SendError::Transient`] is retried with backoff (honouring
//! `retry_after` when the provider gave one), [`SendError::Permanent`] goes to the dead letters
//! at once. Nothing here knows about Redis, PostgreSQL or retry schedules.
//!
//! Retries carry the same idempotency key to the provider: the SMTP `Message-ID` and the
//! webhook `webhook-id` are both derived from the notification id.

pub mod address_guard;
pub mod email;
mod http;
pub mod signing;
pub mod sms;
pub mod template;
#[doc(hidden)]
#[cfg(any(test, feature = "test-peers"))]
pub mod test_peers;
pub mod webhook;

use std::fmt;
use std::time::Duration;

pub use crate::domain::{ChannelKind, UnknownChannel};
pub use email::EmailChannel;
pub use sms::SmsChannel;
pub use webhook::WebhookChannel;

/// One delivery attempt of one notification, with its text already rendered.
#[derive(Clone)]
pub struct OutboundMessage {
    pub notification_id: uuid::Uuid,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// E-mail address, E.164 phone number or webhook URL, depending on the channel.
    pub recipient: String,
    /// E-mail only.
    pub subject: Option<String>,
    /// The rendered body.
    pub body: String,
    /// E-mail only: the rendered HTML alternative of the body.
    pub html: Option<String>,
    /// The notification's template data; also the webhook payload's `data`.
    pub data: serde_json::Value,
    /// The tenant's `whsec_<base64>` webhook signing secret.
    pub webhook_secret: String,
    /// The tenant's secret before its last rotation, while it still signs (the grace period).
    pub previous_webhook_secret: Option<String>,
    /// E-mail only: the one-click unsubscribe URL (RFC 8058) of a send to a recipient.
    pub list_unsubscribe: Option<String>,
}

// Hand-written so the body and the signing secret never reach a log line through `{:?}`.
impl fmt::Debug for OutboundMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundMessage")
            .field("notification_id", &self.notification_id)
            .field("attempt", &self.attempt)
            .field("recipient", &self.recipient)
            .field("subject", &self.subject)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field(
                "html",
                &self.html.as_ref().map(|h| format!("<{} bytes>", h.len())),
            )
            .field("webhook_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Why a send failed, classified for the retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: the provider is busy or down, the network failed, the request timed out.
    #[error("{reason}")]
    Transient {
        reason: String,
        /// The provider's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help: bad address, rejected by the provider, refused URL.
    #[error("{reason}")]
    Permanent { reason: String },
}

impl SendError {
    pub fn transient(reason: impl Into<String>) -> Self {
        SendError::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        SendError::Permanent {
            reason: reason.into(),
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient { .. })
    }

    pub fn reason(&self) -> &str {
        match self {
            SendError::Transient { reason, .. } | SendError::Permanent { reason } => reason,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::Transient { retry_after, .. } => *retry_after,
            SendError::Permanent { .. } => None,
        }
    }
}

/// A successful hand-over to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// A short summary of the provider's answer ("HTTP 200", "250 OK queued", "logged"),
    /// stored with the delivery attempt.
    pub summary: String,
    /// The provider's id of the message (an SMS `sid`), which its status reports quote.
    pub provider_message_id: Option<String>,
}

impl Delivered {
    pub(crate) fn new(summary: impl Into<String>) -> Self {
        Delivered {
            summary: summary.into(),
            provider_message_id: None,
        }
    }

    pub(crate) fn logged() -> Self {
        Delivered::new("logged")
    }
}

/// A way to deliver a message.
pub trait Channel: Send + Sync {
    fn send(
        &self,
        msg: &OutboundMessage,
    ) -> impl std::future::Future<Output = Result<Delivered, SendError>> + Send;
}

/// What the channels need from the service configuration.
#[derive(Clone)]
pub struct ChannelsConfig {
    /// `smtp://host:port` (plain, local development), `smtp://host?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (implicit TLS). `None` logs e-mails instead of sending them.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// The domain of every `Message-ID` (`<notification id@domain>`); `None` takes the domain
    /// of `smtp_from`.
    pub message_id_domain: Option<String>,
    /// Base URL of a Twilio-compatible API. `None` logs SMS instead of sending them.
    pub sms_url: Option<String>,
    pub sms_account_sid: Option<String>,
    pub sms_auth_token: Option<String>,
    pub sms_from: Option<String>,
    /// The public URL of `POST /channels/sms/status`, sent to the provider as `StatusCallback`.
    pub sms_status_callback_url: Option<String>,
    /// Allow webhook URLs that resolve to loopback, private or otherwise internal addresses.
    pub webhook_allow_private: bool,
    /// Upper bound for one provider call (HTTP request, or each SMTP command).
    pub http_timeout: Duration,
}

// The SMTP URL may hold a password and the SMS token is a credential: neither may print.
impl fmt::Debug for ChannelsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelsConfig")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("smtp_from", &self.smtp_from)
            .field("message_id_domain", &self.message_id_domain)
            .field("sms_url", &self.sms_url)
            .field("sms_account_sid", &self.sms_account_sid)
            .field(
                "sms_auth_token",
                &self.sms_auth_token.as_ref().map(|_| "<set>"),
            )
            .field("sms_from", &self.sms_from)
            .field("sms_status_callback_url", &self.sms_status_callback_url)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field("http_timeout", &self.http_timeout)
            .finish()
    }
}

/// All channels, built once at start-up and shared by the sender workers.
#[derive(Debug)]
pub struct Channels {
    pub email: EmailChannel,
    pub sms: SmsChannel,
    pub webhook: WebhookChannel,
}

impl Channels {
    /// Builds every channel; fails on configuration that can never work (an unparsable SMTP
    /// URL or sender, an SMS URL without credentials) so a bad deployment stops at boot.
    pub fn from_config(cfg: &ChannelsConfig) -> anyhow::Result<Channels> {
        let email = match &cfg.smtp_url {
            Some(url) => EmailChannel::smtp(url, &cfg.smtp_from, cfg.http_timeout)?
                .with_message_id_domain(cfg.message_id_domain.as_deref())?,
            None => EmailChannel::log_only(),
        };
        let sms = match &cfg.sms_url {
            Some(url) => {
                let required = |value: &Option<String>, name: &str| {
                    value.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
                        anyhow::anyhow!("an SMS provider URL is set but {name} is not")
                    })
                };
                SmsChannel::twilio(
                    url,
                    &required(&cfg.sms_account_sid, "the account SID")?,
                    &required(&cfg.sms_auth_token, "the auth token")?,
                    &required(&cfg.sms_from, "the sender number")?,
                    cfg.http_timeout,
                )?
                .with_status_callback(cfg.sms_status_callback_url.as_deref())
            }
            None => SmsChannel::log_only(),
        };
        let webhook = WebhookChannel::new(cfg.webhook_allow_private, cfg.http_timeout)?;
        Ok(Channels {
            email,
            sms,
            webhook,
        })
    }

    /// Sends `msg` through the channel of `kind`.
    #[tracing::instrument(
        skip_all,
        fields(notification_id = %msg.notification_id, attempt = msg.attempt, channel = kind.as_str())
    )]
    pub async fn send(
        &self,
        kind: ChannelKind,
        msg: &OutboundMessage,
    ) -> Result<Delivered, SendError> {
        let result = match kind {
            ChannelKind::Email => self.email.send(msg).await,
            ChannelKind::Sms => self.sms.send(msg).await,
            ChannelKind::Webhook => self.webhook.send(msg).await,
        };
        match &result {
            Ok(delivered) => tracing::debug!(summary = %delivered.summary, "delivered"),
            // The sender logs each outcome at `info`; this is the channel's view of a failure.
            Err(e) => tracing::debug!(error = %e, transient = e.is_transient(), "delivery failed"),
        }
        result
    }
}

/// Shortens provider text for storage: at most `max` characters, control characters (newlines
/// in SMTP replies, HTML bodies) folded to single spaces.
pub(crate) fn summarize_text(text: &str, max: usize) -> String {
    let folded = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let short: String = folded.chars().take(max).collect();
    short.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_error_displays_its_reason() {
        let e = SendError::Transient {
            reason: "HTTP 503".into(),
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(e.to_string(), "HTTP 503");
        assert!(e.is_transient());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let e = SendError::permanent("HTTP 400");
        assert_eq!(e.to_string(), "HTTP 400");
        assert!(!e.is_transient());
        assert_eq!(e.retry_after(), None);
    }

    #[test]
    fn debug_output_hides_body_and_secrets() {
        let msg = OutboundMessage {
            notification_id: uuid::Uuid::nil(),
            attempt: 1,
            recipient: "ada@example.com".into(),
            subject: None,
            body: "the secret body".into(),
            html: Some("<p>the secret body</p>".into()),
            data: serde_json::Value::Null,
            webhook_secret: "whsec_c2VjcmV0".into(),
            previous_webhook_secret: Some("whsec_b2xk".into()),
            list_unsubscribe: None,
        };
        let printed = format!("{msg:?}");
        assert!(!printed.contains("secret body"), "{printed}");
        assert!(!printed.contains("whsec_"), "{printed}");
        assert!(!printed.contains("b2xk"), "{printed}");

        let cfg = ChannelsConfig {
            smtp_url: Some("smtps://user:hunter2@mail.example.com".into()),
            smtp_from: "chime@example.com".into(),
            message_id_domain: None,
            sms_url: None,
            sms_account_sid: None,
            sms_auth_token: Some("tok3n".into()),
            sms_from: None,
            sms_status_callback_url: None,
            webhook_allow_private: false,
            http_timeout: Duration::from_secs(10),
        };
        let printed = format!("{cfg:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("tok3n"),
            "{printed}"
        );
    }

    #[test]
    fn summaries_are_short_and_on_one_line() {
        assert_eq!(
            summarize_text("  250 2.0.0\r\n OK  queued ", 200),
            "250 2.0.0 OK queued"
        );
        assert_eq!(summarize_text("abcdef", 3), "abc");
        assert_eq!(summarize_text("ab cd", 3), "ab");
        assert_eq!(summarize_text("éééé", 2), "éé");
    }

    #[test]
    fn sms_url_without_credentials_is_a_boot_error() {
        let cfg = ChannelsConfig {
            smtp_url: None,
            smtp_from: "chime@example.com".into(),
            message_id_domain: None,
            sms_url: Some("http://127.0.0.1:9".into()),
            sms_account_sid: Some("AC1".into()),
            sms_auth_token: None,
            sms_from: Some("+15550001111".into()),
            sms_status_callback_url: None,
            webhook_allow_private: false,
            http_timeout: Duration::from_secs(10),
        };
        let err = Channels::from_config(&cfg).unwrap_err();
        assert!(err.to_string().contains("auth token"), "{err}");
    }
}
