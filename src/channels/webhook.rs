//! Signed webhooks (Standard Webhooks).
//!
//! Each delivery is a `POST` of
//!
//! ```json
//! {"id": "<notification id>", "type": "notification", "timestamp": "<RFC 3339>",
//!  "data": {"name": "Ada", "body": "Hi Ada", "subject": "…"}}
//! ```
//!
//! `data` is the notification's `data` object with the rendered text added under `body` (and
//! `subject`, when the notification has one), so a receiver gets the message without rendering
//! the template itself. These two keys are reserved: they replace keys of the same name in the
//! notification's data. Data that is not an object is kept under `value`.
//!
//! Headers: `webhook-id` (the notification id, identical on every retry so receivers can
//! deduplicate), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`
//! (see [`super::signing`]). For a grace period after the tenant's secret was rotated, the
//! header carries two signatures, by the new and by the previous secret.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Map, Value};

use super::address_guard::{is_forbidden_ip, ForbiddenAddress, GuardedResolver};
use super::http::{classify_response, classify_transport_error};
use super::{signing, Channel, Delivered, OutboundMessage, SendError};

pub struct WebhookChannel {
    client: reqwest::Client,
    allow_private: bool,
}

impl std::fmt::Debug for WebhookChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookChannel")
            .field("allow_private", &self.allow_private)
            .finish_non_exhaustive()
    }
}

impl WebhookChannel {
    /// `allow_private` lifts the address guard (local development, tests); `timeout` bounds
    /// each request from connect to the end of the response.
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        // Host names are checked by the client's resolver on the addresses it connects to,
        // which closes the DNS-rebinding gap of "resolve, check, then connect again".
        let guard = (!allow_private).then_some(GuardedResolver);
        Ok(WebhookChannel {
            client: super::http::client(timeout, guard)?,
            allow_private,
        })
    }

    fn target(&self, recipient: &str) -> Result<url::Url, SendError> {
        let url = url::Url::parse(recipient)
            .map_err(|e| SendError::permanent(format!("invalid webhook URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SendError::permanent(format!(
                "webhook URL scheme must be http or https, not {}",
                url.scheme()
            )));
        }
        if !self.allow_private {
            // IP literals never reach the resolver, so they are checked here.
            let literal: Option<IpAddr> = match url.host() {
                Some(url::Host::Ipv4(ip)) => Some(ip.into()),
                Some(url::Host::Ipv6(ip)) => Some(ip.into()),
                Some(url::Host::Domain(_)) => None,
                None => return Err(SendError::permanent("webhook URL has no host")),
            };
            if let Some(ip) = literal.filter(|ip| is_forbidden_ip(*ip)) {
                let refusal = ForbiddenAddress {
                    host: ip.to_string(),
                    ip,
                };
                return Err(SendError::permanent(format!(
                    "webhook URL refused: {refusal}"
                )));
            }
        }
        Ok(url)
    }
}

/// The JSON body of a webhook delivery (see the module documentation).
pub fn payload(msg: &OutboundMessage, timestamp: DateTime<Utc>) -> Value {
    let mut data = match &msg.data {
        Value::Object(map) => map.clone(),
        Value::Null => Map::new(),
        other => Map::from_iter([("value".to_owned(), other.clone())]),
    };
    data.insert("body".to_owned(), Value::String(msg.body.clone()));
    if let Some(subject) = &msg.subject {
        data.insert("subject".to_owned(), Value::String(subject.clone()));
    }
    json!({
        "id": msg.notification_id,
        "type": "notification",
        "timestamp": timestamp.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": data,
    })
}

impl Channel for WebhookChannel {
    #[tracing::instrument(skip_all, fields(notification_id = %msg.notification_id))]
    async fn send(&self, msg: &OutboundMessage) -> Result<Delivered, SendError> {
        let url = self.target(&msg.recipient)?;
        let now = Utc::now();
        let msg_id = msg.notification_id.to_string();
        // Sign exactly the bytes that are sent.
        let body = serde_json::to_vec(&payload(msg, now))
            .map_err(|e| SendError::permanent(format!("cannot encode the payload: {e}")))?;
        let mut secrets = vec![msg.webhook_secret.as_str()];
        secrets.extend(msg.previous_webhook_secret.as_deref());
        let signature = signing::sign_with_each(&secrets, &msg_id, now.timestamp(), &body)
            .map_err(|e| SendError::permanent(format!("cannot sign the webhook: {e}")))?;

        let response = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", now.timestamp().to_string())
            .header("webhook-signature", signature)
            .body(body)
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

    const WAIT: Duration = Duration::from_secs(10);

    fn message(url: &str) -> OutboundMessage {
        OutboundMessage {
            notification_id: uuid::Uuid::new_v4(),
            attempt: 1,
            recipient: url.to_owned(),
            subject: Some("Card expiring".into()),
            body: "Hi Ada, your card ends soon.".into(),
            html: None,
            data: json!({"name": "Ada", "card": {"last4": "4242"}}),
            webhook_secret: signing::new_webhook_secret(),
            previous_webhook_secret: None,
            list_unsubscribe: None,
        }
    }

    fn channel() -> WebhookChannel {
        WebhookChannel::new(true, Duration::from_secs(5)).unwrap()
    }

    #[tokio::test]
    async fn delivers_a_signed_payload() {
        let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
        let msg = message(&peer.url_for("/hooks/chime?k=1"));

        let delivered = channel().send(&msg).await.unwrap();
        assert_eq!(delivered.summary, "HTTP 200");

        let requests = peer.wait_for(1, WAIT).await.unwrap();
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/hooks/chime?k=1");
        assert_eq!(request.header("content-type"), Some("application/json"));
        let id = request.header("webhook-id").unwrap();
        assert_eq!(id, msg.notification_id.to_string());
        let timestamp: i64 = request
            .header("webhook-timestamp")
            .unwrap()
            .parse()
            .unwrap();
        assert!((Utc::now().timestamp() - timestamp).abs() < 60);
        signing::verify(
            &msg.webhook_secret,
            id,
            timestamp,
            &request.body,
            request.header("webhook-signature").unwrap(),
        )
        .unwrap();

        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["id"], json!(msg.notification_id));
        assert_eq!(body["type"], "notification");
        let sent_at = DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).unwrap();
        assert_eq!(sent_at.timestamp(), timestamp);
        assert_eq!(
            body["data"],
            json!({"name": "Ada", "card": {"last4": "4242"}, "body": msg.body, "subject": "Card expiring"})
        );
    }

    #[tokio::test]
    async fn a_previous_secret_adds_a_second_signature() {
        let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
        let mut msg = message(&peer.url);
        let previous = signing::new_webhook_secret();
        msg.previous_webhook_secret = Some(previous.clone());
        channel().send(&msg).await.unwrap();
        let requests = peer.wait_for(1, WAIT).await.unwrap();
        let request = &requests[0];
        let header = request.header("webhook-signature").unwrap();
        assert_eq!(header.split(' ').count(), 2, "{header}");
        let id = request.header("webhook-id").unwrap();
        let ts: i64 = request
            .header("webhook-timestamp")
            .unwrap()
            .parse()
            .unwrap();
        for secret in [&msg.webhook_secret, &previous] {
            signing::verify(secret, id, ts, &request.body, header).unwrap();
        }
    }

    #[tokio::test]
    async fn a_retry_keeps_the_webhook_id() {
        let peer = HttpPeer::start(Responder::sequence([503, 200]))
            .await
            .unwrap();
        let msg = message(&peer.url);
        let channel = channel();
        assert!(channel.send(&msg).await.unwrap_err().is_transient());
        channel.send(&msg).await.unwrap();
        let requests = peer.wait_for(2, WAIT).await.unwrap();
        assert_eq!(
            requests[0].header("webhook-id"),
            requests[1].header("webhook-id")
        );
    }

    #[tokio::test]
    async fn responses_are_classified() {
        let peer = HttpPeer::start(Responder::script(vec![
            PeerResponse::new(500).body("database down"),
            PeerResponse::new(429).header("retry-after", "7"),
            PeerResponse::new(408),
            PeerResponse::new(400).body("{\"error\": \"unknown hook\"}"),
            PeerResponse::new(410),
            PeerResponse::new(302).header("location", "http://127.0.0.1:1/"),
            PeerResponse::new(204),
        ]))
        .await
        .unwrap();
        let channel = channel();
        let msg = message(&peer.url);

        assert_eq!(
            channel.send(&msg).await,
            Err(SendError::Transient {
                reason: "HTTP 500: database down".into(),
                retry_after: None
            })
        );
        assert_eq!(
            channel.send(&msg).await,
            Err(SendError::Transient {
                reason: "HTTP 429".into(),
                retry_after: Some(Duration::from_secs(7))
            })
        );
        assert!(channel.send(&msg).await.unwrap_err().is_transient());
        assert_eq!(
            channel.send(&msg).await,
            Err(SendError::permanent(
                "HTTP 400: {\"error\": \"unknown hook\"}"
            ))
        );
        assert_eq!(
            channel.send(&msg).await,
            Err(SendError::permanent("HTTP 410"))
        );
        // Redirects are not followed: the peer sees one request, not two.
        assert_eq!(
            channel.send(&msg).await,
            Err(SendError::permanent("HTTP 302"))
        );
        assert_eq!(channel.send(&msg).await.unwrap().summary, "HTTP 204");
        assert_eq!(peer.wait_for(7, WAIT).await.unwrap().len(), 7);
    }

    #[tokio::test]
    async fn long_response_bodies_are_cut_in_the_summary() {
        let peer = HttpPeer::start(Responder::script(vec![
            PeerResponse::new(200).body("x".repeat(10_000))
        ]))
        .await
        .unwrap();
        let delivered = channel().send(&message(&peer.url)).await.unwrap();
        assert_eq!(delivered.summary, format!("HTTP 200: {}", "x".repeat(200)));
    }

    #[tokio::test]
    async fn a_slow_receiver_is_a_transient_timeout() {
        let peer = HttpPeer::start(Responder::script(vec![
            PeerResponse::new(200).delay(Duration::from_secs(30))
        ]))
        .await
        .unwrap();
        let channel = WebhookChannel::new(true, Duration::from_millis(300)).unwrap();
        let err = channel.send(&message(&peer.url)).await.unwrap_err();
        assert!(err.is_transient(), "{err}");
        assert!(err.reason().contains("timed out"), "{err}");
    }

    #[tokio::test]
    async fn a_closed_port_is_transient() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = channel()
            .send(&message(&format!("http://127.0.0.1:{port}/")))
            .await
            .unwrap_err();
        assert!(err.is_transient(), "{err}");
    }

    #[tokio::test]
    async fn private_addresses_are_refused_without_a_request() {
        let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
        let guarded = WebhookChannel::new(false, Duration::from_secs(5)).unwrap();
        let port = peer.addr.port();
        for url in [
            peer.url.clone(),
            format!("http://localhost:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
        ] {
            let err = guarded.send(&message(&url)).await.unwrap_err();
            assert!(!err.is_transient(), "{url}: {err}");
            assert!(err.reason().contains("not public"), "{url}: {err}");
        }
        assert!(peer.requests().is_empty());
    }

    #[tokio::test]
    async fn bad_urls_and_secrets_are_permanent() {
        let channel = channel();
        for recipient in ["not a url", "ftp://example.com/hook", "file:///etc/passwd"] {
            let err = channel.send(&message(recipient)).await.unwrap_err();
            assert!(!err.is_transient(), "{recipient}: {err}");
        }
        let mut msg = message("http://127.0.0.1:9/");
        msg.webhook_secret = "whsec_???".into();
        let err = channel.send(&msg).await.unwrap_err();
        assert!(
            !err.is_transient() && err.reason().contains("secret"),
            "{err}"
        );
    }

    #[test]
    fn payload_data_shapes() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut msg = message("http://example.com/");
        msg.subject = None;
        msg.data = Value::Null;
        let body = payload(&msg, now);
        assert_eq!(body["timestamp"], "2026-12-01T09:00:00Z");
        assert_eq!(body["data"], json!({"body": msg.body}));

        msg.data = json!([1, 2]);
        assert_eq!(
            payload(&msg, now)["data"],
            json!({"value": [1, 2], "body": msg.body})
        );

        msg.data = json!({"body": "from data"});
        assert_eq!(payload(&msg, now)["data"], json!({"body": msg.body}));
    }
}
