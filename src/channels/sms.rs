//! SMS through a Twilio-compatible HTTP API:
//! `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with form fields `To`, `From`, `Body`
//! and HTTP basic auth (account SID, auth token). Responses are classified like webhooks.
//!
//! Without a provider the channel logs the recipient instead of sending (development).

use std::time::Duration;

use super::http::{classify_response, classify_transport_error};
use super::{Channel, Delivered, OutboundMessage, SendError};

pub struct SmsChannel {
    provider: Option<Provider>,
}

struct Provider {
    client: reqwest::Client,
    endpoint: url::Url,
    account_sid: String,
    auth_token: String,
    from: String,
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
            }),
        })
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
        let form = [
            ("To", msg.recipient.as_str()),
            ("From", provider.from.as_str()),
            ("Body", msg.body.as_str()),
        ];
        let response = provider
            .client
            .post(provider.endpoint.clone())
            .basic_auth(&provider.account_sid, Some(&provider.auth_token))
            .form(&form)
            .send()
            .await
            .map_err(classify_transport_error)?;
        classify_response(response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::test_peers::{HttpPeer, PeerResponse, Responder};
    use base64::Engine as _;

    const WAIT: Duration = Duration::from_secs(10);

    fn message() -> OutboundMessage {
        OutboundMessage {
            notification_id: uuid::Uuid::new_v4(),
            attempt: 1,
            recipient: "+4915112345678".into(),
            subject: None,
            body: "Your code: 42 & more = fun".into(),
            data: serde_json::Value::Null,
            webhook_secret: String::new(),
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
