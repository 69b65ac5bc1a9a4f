//! Stored templates at send time: the latest version when the message is rendered, unless a
//! version is pinned.

use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{SmtpPeer, SmtpReply};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_template_change_reaches_sends_not_yet_rendered_unless_pinned() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| {
        s.smtp_url = Some(chime::config::Secret::new(url));
        s.smtp_from = "billing@example.com".into();
    })
    .await;
    let (s, t) = app
        .post(
            "/api/v1/templates",
            &app.admin_key,
            &json!({"name": "card-expiring",
            "subject": "v1 card {{ last4 }}", "body": "v1 body {{ name }}"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");

    // Due far enough ahead that the new version is stored before either is rendered.
    let send_at = at_ms(1_500);
    let mut ids = Vec::new();
    for (recipient, pin) in [
        ("latest@example.com", None),
        ("pinned@example.com", Some(1)),
    ] {
        let mut req = json!({"channel": "email", "recipient": recipient, "template": "card-expiring",
            "data": {"name": "Ada", "last4": "4242"}, "send_at": send_at.to_rfc3339()});
        if let Some(v) = pin {
            req["template_version"] = json!(v);
        }
        let (s, n) = app
            .post("/api/v1/notifications", &app.admin_key, &req)
            .await;
        assert_eq!(s, 201, "{n}");
        ids.push(n["id"].as_str().unwrap().to_owned());
    }
    let (s, v2) = app
        .put(
            "/api/v1/templates/card-expiring",
            &app.admin_key,
            &json!({
            "subject": "v2 card {{ last4 }}", "body": "v2 body {{ name }}",
            "html": "<p>v2 {{ name }}</p>"}),
        )
        .await;
    assert_eq!((s, &v2["version"]), (200, &json!(2)), "{v2}");
    assert!(
        chrono::Utc::now() < send_at,
        "the new version must be stored before the send"
    );

    let mails = smtp.wait_for(2, Duration::from_secs(15)).await.unwrap();
    for id in &ids {
        wait_for_status(&app, id, "sent").await;
    }
    let to = |addr: &str| {
        mails
            .iter()
            .find(|m| m.rcpt_to == [addr.to_owned()])
            .unwrap()
            .clone()
    };
    let latest = to("latest@example.com");
    assert_eq!(latest.header("Subject").as_deref(), Some("v2 card 4242"));
    assert!(latest.body().contains("v2 body Ada"), "{}", latest.data);
    assert!(latest.body().contains("<p>v2 Ada</p>"), "{}", latest.data);
    let pinned = to("pinned@example.com");
    assert_eq!(pinned.header("Subject").as_deref(), Some("v1 card 4242"));
    assert!(pinned.body().contains("v1 body Ada"), "{}", pinned.data);
    assert!(!pinned.data.contains("text/html"), "{}", pinned.data);
}
