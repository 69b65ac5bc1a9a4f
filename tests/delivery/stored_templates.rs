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
        s.channels.smtp_url = Some(chime::config::Secret::new(url));
        s.channels.smtp_from = "billing@example.com".into();
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

#[tokio::test]
async fn a_rule_naming_a_template_makes_notifications_that_render_it() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| {
        s.channels.smtp_url = Some(chime::config::Secret::new(url));
        s.channels.smtp_from = "billing@example.com".into();
    })
    .await;
    let (s, t) = app
        .post(
            "/api/v1/templates",
            &app.admin_key,
            &json!({"name": "invoice-due", "subject": "Invoice {{ number }}",
                "body": "Please pay invoice {{ number }}.", "html": "<p>Invoice <b>{{ number }}</b></p>"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let (s, r) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &json!({"event_type": "invoice.due", "channel": "email", "recipient_path": "/email",
                "target_date_path": "/due", "lead_times": ["PT0S"], "template": "invoice-due"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let due = at_ms(500);
    let (s, e) = app
        .post(
            "/api/v1/events",
            &app.admin_key,
            &json!({"type": "invoice.due", "payload": {"email": "ada@example.com",
                "due": due.to_rfc3339(), "number": "INV-7"}}),
        )
        .await;
    assert!(s == 202 || s == 200, "{s} {e}");
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await.unwrap();
    assert_eq!(mails[0].header("Subject").as_deref(), Some("Invoice INV-7"));
    assert!(
        mails[0].body().contains("Please pay invoice INV-7."),
        "{}",
        mails[0].data
    );
    assert!(
        mails[0].body().contains("<p>Invoice <b>INV-7</b></p>"),
        "{}",
        mails[0].data
    );
    let (_, event) = app
        .get(
            &format!("/api/v1/events/{}", e["id"].as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    let id = event["notification_ids"][0].as_str().unwrap().to_owned();
    let n = wait_for_status(&app, &id, "sent").await;
    assert_eq!(n["template"], "invoice-due", "{n}");
}
