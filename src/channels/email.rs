//! E-mail over SMTP (lettre).
//!
//! The transport comes from a URL: `smtp://host:port` (plain, for a local catcher),
//! `smtp://user:pass@host?tls=required` (STARTTLS) or `smtps://user:pass@host` (implicit TLS).
//! Messages are MIME (`MIME-Version: 1.0`): a `text/plain` body, or, when the notification has
//! an HTML template, `multipart/alternative` with the plain text first and the HTML second
//! (clients show the last part they can display).
//!
//! The `Message-ID` is `<{notification_id}@{domain}>`, with the domain configured
//! (`CHIME_SMTP_MESSAGE_ID_DOMAIN`) or taken from the sender address, so a retried send carries
//! the same id and receiving systems can drop the duplicate.
//!
//! Without an SMTP URL the channel logs recipient and subject (never the body) instead.

use std::time::Duration;

pub use crate::domain::is_fully_qualified_domain;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{summarize_text, Channel, Delivered, OutboundMessage, SendError};

pub struct EmailChannel {
    smtp: Option<Smtp>,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of every `Message-ID`.
    message_id_domain: String,
    /// Bound of a whole send (connect, EHLO, TLS, AUTH, MAIL, RCPT, DATA), like an HTTP
    /// request's: the transport's own timeout applies to each command separately.
    timeout: Duration,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("EmailChannel");
        // The transport holds credentials; show the sender only.
        match &self.smtp {
            Some(smtp) => s
                .field("from", &smtp.from.to_string())
                .finish_non_exhaustive(),
            None => s.field("mode", &"log").finish(),
        }
    }
}

/// The `Message-ID` of every attempt of a notification.
pub fn message_id(notification_id: uuid::Uuid, domain: &str) -> String {
    format!("<{notification_id}@{domain}>")
}

impl EmailChannel {
    /// A channel sending through the SMTP server at `url` as `from`; `timeout` bounds a whole
    /// send, and so each SMTP command.
    pub fn smtp(url: &str, from: &str, timeout: Duration) -> anyhow::Result<Self> {
        // lettre's URL errors do not echo the URL, which may contain a password.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("invalid SMTP sender address {from:?}: {e}"))?;
        let message_id_domain = from.email.domain().to_owned();
        Ok(EmailChannel {
            smtp: Some(Smtp {
                transport,
                from,
                message_id_domain,
                timeout,
            }),
        })
    }

    /// Uses `domain` (a fully qualified host name) in every `Message-ID` instead of the sender
    /// address's domain; `None` keeps that default.
    pub fn with_message_id_domain(mut self, domain: Option<&str>) -> anyhow::Result<Self> {
        if let (Some(smtp), Some(domain)) = (self.smtp.as_mut(), domain) {
            if !is_fully_qualified_domain(domain) {
                anyhow::bail!("invalid Message-ID domain {domain:?}: expected a fully qualified host name like mail.example.com");
            }
            smtp.message_id_domain = domain.to_owned();
        }
        Ok(self)
    }

    /// A channel that logs each message instead of sending it.
    pub fn log_only() -> Self {
        EmailChannel { smtp: None }
    }

    pub fn is_log_only(&self) -> bool {
        self.smtp.is_none()
    }
}

fn build_message(smtp: &Smtp, msg: &OutboundMessage) -> Result<Message, SendError> {
    let to = msg
        .recipient
        .parse::<Mailbox>()
        .map_err(|e| SendError::permanent(format!("invalid recipient address: {e}")))?;
    let mut builder = Message::builder()
        .from(smtp.from.clone())
        .to(to)
        .message_id(Some(message_id(
            msg.notification_id,
            &smtp.message_id_domain,
        )));
    if let Some(subject) = &msg.subject {
        builder = builder.subject(subject);
    }
    if let Some(url) = &msg.list_unsubscribe {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost);
    }
    // Both set `MIME-Version: 1.0` and pick a transfer encoding per part.
    let built = match &msg.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            msg.body.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(msg.body.clone())),
    };
    built.map_err(|e| SendError::permanent(format!("cannot build the e-mail: {e}")))
}

/// `List-Unsubscribe: <https://…>` (RFC 2369), the link a mail client's unsubscribe button uses.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link takes a POST and
/// unsubscribes at once, with no page to confirm on.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

fn summary(response: &Response) -> String {
    let text = response.message().collect::<Vec<_>>().join(" ");
    summarize_text(&format!("{} {text}", response.code()), 200)
}

/// SMTP 5xx → permanent; 4xx, connection, TLS and timeout failures → transient.
fn classify(error: lettre::transport::smtp::Error) -> SendError {
    let reason = summarize_text(&format!("SMTP {error}"), 500);
    if error.is_permanent() {
        SendError::permanent(reason)
    } else {
        SendError::transient(reason)
    }
}

impl Channel for EmailChannel {
    #[tracing::instrument(skip_all, fields(notification_id = %msg.notification_id))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivered, SendError> {
        let Some(smtp) = &self.smtp else {
            // The whole rendered message, so a template can be checked without a mail server.
            tracing::info!(
                recipient = %msg.recipient,
                subject = msg.subject.as_deref().unwrap_or(""),
                body = %msg.body,
                "SMTP not configured; logging the e-mail instead of sending it"
            );
            return Ok(Delivered::logged());
        };
        let email = build_message(smtp, msg)?;
        match tokio::time::timeout(smtp.timeout, smtp.transport.send(email)).await {
            Ok(Ok(response)) => Ok(Delivered::new(summary(&response))),
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(SendError::transient(format!(
                "SMTP send did not finish within {}",
                crate::telemetry::human_duration(smtp.timeout)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::test_peers::{SmtpPeer, SmtpReply};

    const WAIT: Duration = Duration::from_secs(10);

    fn message() -> OutboundMessage {
        OutboundMessage {
            notification_id: uuid::Uuid::new_v4(),
            attempt: 1,
            recipient: "Ada Lovelace <ada@example.com>".into(),
            subject: Some("Your card expires soon".into()),
            body: "Hi Ada,\n\nyour card ends on 2026-12-01.\n.\nBye".into(),
            html: None,
            data: serde_json::Value::Null,
            webhook_secret: String::new(),
            previous_webhook_secret: None,
            list_unsubscribe: None,
        }
    }

    fn channel(peer: &SmtpPeer) -> EmailChannel {
        EmailChannel::smtp(
            &peer.url,
            "Chime <chime@example.com>",
            Duration::from_secs(5),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn sends_with_a_message_id_derived_from_the_notification() {
        let peer = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
        let msg = message();

        let delivered = channel(&peer).send(&msg).await.unwrap();
        assert!(
            delivered.summary.starts_with("250"),
            "{}",
            delivered.summary
        );

        let mails = peer.wait_for(1, WAIT).await.unwrap();
        let mail = &mails[0];
        assert!(mail.accepted);
        assert_eq!(mail.mail_from, "chime@example.com");
        assert_eq!(mail.rcpt_to, vec!["ada@example.com".to_owned()]);
        let expected_id = format!("<{}@example.com>", msg.notification_id);
        assert_eq!(
            mail.header("Message-ID").as_deref(),
            Some(expected_id.as_str())
        );
        assert_eq!(
            mail.header("subject").as_deref(),
            Some("Your card expires soon")
        );
        assert!(mail.header("To").unwrap().contains("ada@example.com"));
        assert_eq!(mail.header("MIME-Version").as_deref(), Some("1.0"));
        assert!(
            mail.header("Content-Type")
                .is_some_and(|t| t.starts_with("text/plain")),
            "{mail:?}"
        );
        // Dot-stuffing round-trips the lone "." line; the MIME part and SMTP each end the data
        // with a line break.
        assert_eq!(
            mail.body().replace("\r\n", "\n"),
            "Hi Ada,\n\nyour card ends on 2026-12-01.\n.\nBye\n\n"
        );
    }

    #[tokio::test]
    async fn a_send_to_a_recipient_carries_one_click_unsubscribe_headers() {
        let peer = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
        let mut msg = message();
        msg.list_unsubscribe = Some("https://chime.example.com/unsubscribe/abc.def".into());
        channel(&peer).send(&msg).await.unwrap();
        let mails = peer.wait_for(1, WAIT).await.unwrap();
        assert_eq!(
            mails[0].header("List-Unsubscribe").as_deref(),
            Some("<https://chime.example.com/unsubscribe/abc.def>")
        );
        assert_eq!(
            mails[0].header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
    }

    #[tokio::test]
    async fn a_retry_keeps_the_message_id() {
        let peer = SmtpPeer::start_sequence(vec![SmtpReply::RejectData(451), SmtpReply::Accept])
            .await
            .unwrap();
        let channel = channel(&peer);
        let msg = message();
        assert!(channel.send(&msg).await.unwrap_err().is_transient());
        channel.send(&msg).await.unwrap();
        let mails = peer.wait_for(2, WAIT).await.unwrap();
        assert!(!mails[0].accepted && mails[1].accepted);
        assert_eq!(mails[0].header("message-id"), mails[1].header("message-id"));
    }

    #[tokio::test]
    async fn an_html_template_adds_an_alternative_part() {
        let peer = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
        let mut msg = message();
        msg.html = Some("<p>Hi <b>Ada</b>, your card ends on 2026-12-01.</p>".into());
        channel(&peer).send(&msg).await.unwrap();
        let mails = peer.wait_for(1, WAIT).await.unwrap();
        let mail = &mails[0];
        assert_eq!(mail.header("MIME-Version").as_deref(), Some("1.0"));
        let content_type = mail.header("Content-Type").unwrap();
        assert!(
            content_type.starts_with("multipart/alternative"),
            "{content_type}"
        );
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .unwrap()
            .trim_matches('"')
            .to_owned();
        let parts: Vec<&str> = mail
            .body()
            .split(&format!("--{boundary}"))
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "--")
            .collect();
        assert_eq!(parts.len(), 2, "{}", mail.body());
        // Plain text first, HTML last: clients show the last part they can display.
        assert!(parts[0]
            .to_ascii_lowercase()
            .contains("content-type: text/plain"));
        assert!(
            parts[0].contains("your card ends on 2026-12-01."),
            "{}",
            parts[0]
        );
        assert!(parts[1]
            .to_ascii_lowercase()
            .contains("content-type: text/html"));
        assert!(parts[1].contains("<b>Ada</b>"), "{}", parts[1]);
    }

    #[tokio::test]
    async fn the_message_id_domain_is_configurable() {
        let peer = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
        let channel = channel(&peer)
            .with_message_id_domain(Some("mail.chime.example.org"))
            .unwrap();
        let msg = message();
        channel.send(&msg).await.unwrap();
        let mails = peer.wait_for(1, WAIT).await.unwrap();
        assert_eq!(
            mails[0].header("Message-ID"),
            Some(format!("<{}@mail.chime.example.org>", msg.notification_id))
        );
        for bad in ["chime", "exa mple.com", "-a.example.com", "a..b", ""] {
            let err = EmailChannel::smtp(&peer.url, "a@b.example", Duration::from_secs(1))
                .unwrap()
                .with_message_id_domain(Some(bad))
                .unwrap_err();
            assert!(
                err.to_string().contains("Message-ID domain"),
                "{bad}: {err}"
            );
        }
        assert!(is_fully_qualified_domain("example.com"));
    }

    #[tokio::test]
    async fn smtp_replies_are_classified() {
        let cases = [
            (SmtpReply::RejectRcpt(451), true),
            (SmtpReply::RejectRcpt(550), false),
            (SmtpReply::RejectData(452), true),
            (SmtpReply::RejectData(554), false),
        ];
        for (reply, transient) in cases {
            let peer = SmtpPeer::start(reply).await.unwrap();
            let err = channel(&peer).send(&message()).await.unwrap_err();
            assert_eq!(err.is_transient(), transient, "{reply:?}: {err}");
            assert!(err.reason().starts_with("SMTP "), "{err}");
        }
    }

    #[tokio::test]
    async fn an_unreachable_server_is_transient() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let channel = EmailChannel::smtp(
            &format!("smtp://127.0.0.1:{port}"),
            "chime@example.com",
            Duration::from_secs(5),
        )
        .unwrap();
        assert!(channel.send(&message()).await.unwrap_err().is_transient());
    }

    /// A server that answers every command, but each only after `delay`.
    async fn slow_smtp_server(delay: Duration) -> std::io::Result<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        tokio::spawn(async move {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            let mut in_data = false;
            tokio::time::sleep(delay).await;
            if writer.write_all(b"220 slow ESMTP\r\n").await.is_err() {
                return;
            }
            while let Ok(Some(line)) = lines.next_line().await {
                let answer: &[u8] = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    b"250 queued\r\n"
                } else if line.eq_ignore_ascii_case("DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if line.eq_ignore_ascii_case("QUIT") {
                    b"221 bye\r\n"
                } else {
                    b"250 OK\r\n"
                };
                tokio::time::sleep(delay).await;
                if writer.write_all(answer).await.is_err() {
                    return;
                }
            }
        });
        Ok(port)
    }

    #[tokio::test]
    async fn a_whole_send_is_bounded_not_only_each_command() {
        // Every answer comes well within the timeout, but the conversation as a whole does not.
        let delay = Duration::from_millis(250);
        let port = slow_smtp_server(delay).await.unwrap();
        let channel = EmailChannel::smtp(
            &format!("smtp://127.0.0.1:{port}"),
            "chime@example.com",
            delay * 3,
        )
        .unwrap();
        let err = channel.send(&message()).await.unwrap_err();
        assert!(err.is_transient(), "{err}");
        assert!(err.reason().contains("did not finish"), "{err}");
    }

    #[tokio::test]
    async fn an_invalid_recipient_is_permanent_and_not_sent() {
        let peer = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
        let mut msg = message();
        msg.recipient = "not an address".into();
        let err = channel(&peer).send(&msg).await.unwrap_err();
        assert!(!err.is_transient());
        assert!(err.reason().contains("recipient"), "{err}");
        assert!(peer.messages().is_empty());
    }

    #[tokio::test]
    async fn without_smtp_messages_are_logged() {
        let channel = EmailChannel::log_only();
        assert!(channel.is_log_only());
        assert_eq!(channel.send(&message()).await.unwrap().summary, "logged");
    }

    #[test]
    fn configuration_errors_are_reported() {
        let timeout = Duration::from_secs(1);
        assert!(EmailChannel::smtp("http://example.com", "a@b.c", timeout).is_err());
        assert!(EmailChannel::smtp("not a url", "a@b.c", timeout).is_err());
        let err = EmailChannel::smtp("smtp://127.0.0.1:25", "nobody", timeout).unwrap_err();
        assert!(err.to_string().contains("sender"), "{err}");
        for url in [
            "smtps://user:pa%20ss@mail.example.com",
            "smtp://mail.example.com:587?tls=required",
        ] {
            EmailChannel::smtp(url, "a@b.c", timeout).unwrap();
        }
    }
}
