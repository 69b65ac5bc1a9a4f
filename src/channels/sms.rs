//! SMS through a Twilio-compatible HTTP API:
//! `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with form fields `To`, `From`, `Body`
//! and HTTP basic auth (account SID, auth token). Responses are classified like webhooks; the
//! message `sid` of an accepted message is kept with the delivery attempt. With a status
//! callback URL configured, each message asks the provider to report its fate there
//! (`StatusCallback`); those reports are signed as [`twilio_signature`] describes.
//!
//! Without a provider the channel logs the recipient instead of sending (development).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::http::{classify_response_keeping_body, classify_transport_error};
use super::{Channel, Delivered, OutboundMessage, SendError};

type HmacSha1 = Hmac<Sha1>;

/// Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the auth
/// token, over the full URL the provider requested followed by every form parameter as
/// name + value, sorted by name (then value).
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    BASE64.encode(twilio_mac(auth_token, url, params).finalize().into_bytes())
}

fn twilio_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// Whether `signature` (the `X-Twilio-Signature` header) signs this request; compared in
/// constant time.
pub fn verify_twilio_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let Ok(tag) = BASE64.decode(signature.trim()) else {
        return false;
    };
    twilio_mac(auth_token, url, params)
        .verify_slice(&tag)
        .is_ok()
}

/// The `sid` of a provider's JSON answer to a send.
fn message_sid(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let sid = value.get("sid")?.as_str()?.trim();
    (!sid.is_empty() && sid.len() <= 64).then(|| sid.to_owned())
}

pub struct SmsChannel {
    provider: Option<Provider>,
}

struct Provider {
    client: reqwest::Client,
    endpoint: url::Url,
    account_sid: String,
    auth_token: String,
    from: String,
    status_callback: Option<String>,
}

impl std::fmt::Debug for SmsChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("SmsChannel");
        match &self.provider {
            Some(p) => s
                .field("endpoint", &p.endpoint.as_str())
                .field("from", &p.from)
                .finish_non_exhaustive(),
            None => s.field("mode", &"log").finish(),
        }
    }
}

impl SmsChannel {
    /// A channel that sends through the provider at `base_url` (e.g. `https://api.twilio.com`).
    pub fn twilio(
        base_url: &str,
        account_sid: &str,
        auth_token: &str,
        from: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let mut endpoint = url::Url::parse(base_url)
            .map_err(|e| anyhow::anyhow!("invalid SMS provider URL: {e}"))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            anyhow::bail!("invalid SMS provider URL: the scheme must be http or https");
        }
        // Segments are appended (and the SID percent-encoded) rather than formatted into a
        // string, so a base URL with or without a path or trailing slash both work.
        endpoint
            .path_segments_mut()
            .map_err(|()| anyhow::anyhow!("invalid SMS provider URL: it cannot have a path"))?
            .pop_if_empty()
            .extend(["2010-04-01", "Accounts", account_sid, "Messages.json"]);
        Ok(SmsChannel {
            provider: Some(Provider {
                client: super::http::client(timeout, None)?,
                endpoint,
                account_sid: account_sid.to_owned(),
                auth_token: auth_token.to_owned(),
                from: from.to_owned(),
                status_callback: None,
            }),
        })
    }

    /// Asks the provider to report each message's status to `url` (`StatusCallback`).
    pub fn with_status_callback(mut self, url: Option<&str>) -> Self {
        if let Some(provider) = self.provider.as_mut() {
            provider.status_callback = url.map(str::to_owned);
        }
        self
    }

    /// A channel that logs each message instead of sending it.
    pub fn log_only() -> Self {
        SmsChannel { provider: None }
    }

    pub fn is_log_only(&self) -> bool {
        self.provider.is_none()
    }
}

impl Channel for SmsChannel {
    #[tracing::instrument(skip_all, fields(notification_id = %msg.notification_id))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivered, SendError> {
        let Some(provider) = &self.provider else {
            // The whole rendered text, so a template can be checked without a provider; with a
            // provider configured, bodies (customer content) stay out of logs.
            tracing::info!(
                recipient = %msg.recipient,
                body = %msg.body,
                "SMS provider not configured; logging the message instead of sending it"
            );
            return Ok(Delivered::logged());
        };
        let mut form = vec![
            ("To", msg.recipient.as_str()),
            ("From", provider.from.as_str()),
            ("Body", msg.body.as_str()),
        ];
        if let Some(url) = &provider.status_callback {
            form.push(("StatusCallback", url.as_str()));
        }
        let response = provider
            .client
            .post(provider.endpoint.clone())
            .basic_auth(&provider.account_sid, Some(&provider.auth_token))
            .form(&form)
            .send()
            .await
            .map_err(classify_transport_error)?;
        let (result, body) = classify_response_keeping_body(response).await;
        result.map(|mut delivered| {
            delivered.provider_message_id = message_sid(&body);
            delivered
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::test_peers::{HttpPeer, PeerResponse, Responder};

    const WAIT: Duration = Duration::from_secs(10);

    fn message() -> OutboundMessage {
        OutboundMessage {
            notification_id: uuid::Uuid::new_v4(),
            attempt: 1,
            recipient: "+4915112345678".into(),
            subject: None,
            body: "Your code: 42 & more = fun".into(),
            html: None,
            data: serde_json::Value::Null,
            webhook_secret: String::new(),
            previous_webhook_secret: None,
            list_unsubscribe: None,
        }
    }

    fn form_fields(body: &[u8]) -> Vec<(String, String)> {
        url::form_urlencoded::parse(body).into_owned().collect()
    }

    #[tokio::test]
    async fn posts_the_twilio_form_with_basic_auth() {
        let peer = HttpPeer::start(Responder::script(vec![
            PeerResponse::new(201).body(r#"{"sid": "SM123", "status": "queued"}"#)
        ]))
        .await
        .unwrap();
        let channel = SmsChannel::twilio(
            &format!("{}/", peer.url),
            "AC0123",
            "s3cret",
            "+15550001111",
            Duration::from_secs(5),
        )
        .unwrap();
        let msg = message();

        let delivered = channel.send(&msg).await.unwrap();
        assert_eq!(
            delivered.summary,
            r#"HTTP 201: {"sid": "SM123", "status": "queued"}"#
        );
        assert_eq!(delivered.provider_message_id.as_deref(), Some("SM123"));

        let requests = peer.wait_for(1, WAIT).await.unwrap();
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/2010-04-01/Accounts/AC0123/Messages.json");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let expected_auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("AC0123:s3cret")
        );
        assert_eq!(
            request.header("authorization"),
            Some(expected_auth.as_str())
        );
        assert_eq!(
            form_fields(&request.body),
            vec![
                ("To".to_owned(), "+4915112345678".to_owned()),
                ("From".to_owned(), "+15550001111".to_owned()),
                ("Body".to_owned(), msg.body.clone()),
            ]
        );
    }

    #[tokio::test]
    async fn a_status_callback_url_is_sent_when_configured() {
        let peer = HttpPeer::start(Responder::always(201)).await.unwrap();
        let channel = SmsChannel::twilio(&peer.url, "AC1", "t", "+1555", Duration::from_secs(5))
            .unwrap()
            .with_status_callback(Some("https://chime.example.com/channels/sms/status"));
        let delivered = channel.send(&message()).await.unwrap();
        // An answer without a sid is still a success.
        assert_eq!(delivered.provider_message_id, None);
        let requests = peer.wait_for(1, WAIT).await.unwrap();
        assert!(form_fields(&requests[0].body).contains(&(
            "StatusCallback".to_owned(),
            "https://chime.example.com/channels/sms/status".to_owned()
        )));
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn twilio_signatures_match_the_documented_example() {
        // The example of Twilio's "Webhooks security" documentation.
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let signature = twilio_signature("12345", url, &p);
        assert_eq!(signature, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify_twilio_signature("12345", url, &p, &signature));
        // Order of the form does not matter; every byte of the URL, names and values does.
        let mut reversed = p.clone();
        reversed.reverse();
        assert!(verify_twilio_signature("12345", url, &reversed, &signature));
        assert!(!verify_twilio_signature("12346", url, &p, &signature));
        assert!(!verify_twilio_signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &p,
            &signature
        ));
        let mut tampered = p.clone();
        tampered[2].1 = "1235".into();
        assert!(!verify_twilio_signature(
            "12345", url, &tampered, &signature
        ));
        assert!(!verify_twilio_signature("12345", url, &p, "not base64!"));
        assert!(!verify_twilio_signature("12345", url, &p, ""));
    }

    #[tokio::test]
    async fn provider_errors_are_classified() {
        let peer = HttpPeer::start(Responder::script(vec![
            PeerResponse::new(503).header("retry-after", "30"),
            PeerResponse::new(400)
                .body(r#"{"code": 21211, "message": "Invalid 'To' Phone Number"}"#),
            PeerResponse::new(401),
        ]))
        .await
        .unwrap();
        let channel = SmsChannel::twilio(
            &peer.url,
            "AC1",
            "tok",
            "+15550001111",
            Duration::from_secs(5),
        )
        .unwrap();
        let msg = message();
        assert_eq!(
            channel.send(&msg).await.unwrap_err().retry_after(),
            Some(Duration::from_secs(30))
        );
        let err = channel.send(&msg).await.unwrap_err();
        assert!(
            !err.is_transient() && err.reason().contains("21211"),
            "{err}"
        );
        assert!(!channel.send(&msg).await.unwrap_err().is_transient());
    }

    #[tokio::test]
    async fn without_a_provider_messages_are_logged() {
        let channel = SmsChannel::log_only();
        assert!(channel.is_log_only());
        assert_eq!(channel.send(&message()).await.unwrap().summary, "logged");
    }

    #[test]
    fn endpoint_respects_a_base_path() {
        let channel = SmsChannel::twilio(
            "https://sms.example.com/proxy/",
            "AC 1",
            "t",
            "+1",
            Duration::from_secs(1),
        )
        .unwrap();
        let endpoint = channel.provider.map(|p| p.endpoint.to_string());
        assert_eq!(
            endpoint.as_deref(),
            Some("https://sms.example.com/proxy/2010-04-01/Accounts/AC%201/Messages.json")
        );
        assert!(SmsChannel::twilio("mailto:x@y", "a", "b", "c", Duration::from_secs(1)).is_err());
    }
}
