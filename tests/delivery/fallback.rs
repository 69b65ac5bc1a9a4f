use crate::support::TestApp;
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder, SmtpPeer, SmtpReply};
use diesel::prelude::*;
use serde_json::json;

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use chime::db::schema::audit_log::dsl as a;
    a::audit_log
        .filter(a::action.eq(action))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

/// An app whose e-mail goes to `smtp` and whose SMS go to `sms`.
async fn app_with(smtp: &SmtpPeer, sms: &HttpPeer) -> TestApp {
    let (smtp_url, sms_url) = (smtp.url.clone(), sms.url.clone());
    delivery_app(|s| {
        s.channels.smtp_url = Some(chime::config::Secret::new(smtp_url));
        s.channels.smtp_from = "billing@example.com".into();
        s.channels.sms_url = Some(sms_url.trim_end_matches('/').to_string());
        s.channels.sms_account_sid = Some("AC123".into());
        s.channels.sms_auth_token = Some(chime::config::Secret::new("token-xyz"));
        s.channels.sms_from = Some("+15005550006".into());
    })
    .await
}

async fn recipient_and_notification(app: &TestApp) -> String {
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com", "phone": "+14155550123"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
                "recipient_id": "cust_42", "category": "billing", "channel": "email",
                "fallback": ["sms"], "subject": "Invoice", "body": "Invoice {{n}} is due",
                "data": {"n": 7}, "send_at": at_ms(500).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["channel"], "email");
    assert_eq!(n["fallback"], json!(["sms"]));
    assert_eq!(n["channel_index"], 0);
    n["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_address_refused_by_smtp_falls_back_to_sms_once() {
    let smtp = SmtpPeer::start(SmtpReply::RejectRcpt(550)).await.unwrap();
    let sms = HttpPeer::start(Responder::always(201)).await.unwrap();
    let app = app_with(&smtp, &sms).await;
    let id = recipient_and_notification(&app).await;

    let n = wait_for_status(&app, &id, "sent").await;
    assert_eq!(n["channel"], "sms");
    assert_eq!(n["recipient"], "+14155550123");
    assert_eq!(n["channel_index"], 1);
    let texts = sms.requests();
    assert_eq!(texts.len(), 1, "one SMS, not more: {texts:?}");
    let form = texts[0].body_text();
    assert!(form.contains("To=%2B14155550123"), "{form}");
    assert!(form.contains("Invoice+7+is+due"), "{form}");
    // The refused address never got the message; the SMTP attempt was made exactly once.
    assert!(smtp.messages().is_empty());
    let (s, attempts) = app
        .get(
            &format!("/api/v1/notifications/{id}/attempts"),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{attempts}");
    let outcomes: Vec<&str> = attempts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.len(), 2, "{attempts}");
    assert!(outcomes.contains(&"permanent_failure"), "{attempts}");
    assert!(outcomes.contains(&"success"), "{attempts}");
    assert_eq!(audit_count(&app, "notification.fallback"), 1);
    // Counted as a fallback, not as a dead letter.
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("chime_sends_total{channel=\"email\",outcome=\"fallback\"}")),
        "no fallback count in {metrics}"
    );
}

#[tokio::test]
async fn when_the_fallback_fails_permanently_too_the_notification_ends_dead() {
    let smtp = SmtpPeer::start(SmtpReply::RejectRcpt(550)).await.unwrap();
    // Twilio answers 400 to a number it cannot text: permanent.
    let sms = HttpPeer::start(Responder::always(400)).await.unwrap();
    let app = app_with(&smtp, &sms).await;
    let id = recipient_and_notification(&app).await;

    let n = wait_for_status(&app, &id, "dead").await;
    assert_eq!(n["channel"], "sms");
    assert_eq!(n["channel_index"], 1);
    assert_eq!(sms.requests().len(), 1);
    assert_eq!(audit_count(&app, "notification.fallback"), 1);
}

#[tokio::test]
async fn a_fallback_channel_the_recipient_opted_out_of_is_suppressed() {
    let smtp = SmtpPeer::start(SmtpReply::RejectRcpt(550)).await.unwrap();
    let sms = HttpPeer::start(Responder::always(201)).await.unwrap();
    let app = app_with(&smtp, &sms).await;
    let id = recipient_and_notification(&app).await;
    let (s, r) = app
        .patch(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"preferences": {"billing": {"sms": false}}}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let n = wait_for_status(&app, &id, "suppressed").await;
    assert_eq!(n["channel"], "sms");
    assert!(sms.requests().is_empty());
}

#[tokio::test]
async fn a_notification_made_by_a_rule_falls_back_to_sms_once() {
    let smtp = SmtpPeer::start(SmtpReply::RejectRcpt(550)).await.unwrap();
    let sms = HttpPeer::start(Responder::always(201)).await.unwrap();
    let app = app_with(&smtp, &sms).await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com", "phone": "+14155550123"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &json!({
                "event_type": "invoice.due", "recipient_id_path": "/customer",
                "category": "billing", "channel": "email", "fallback": ["sms"],
                "target_date_path": "/due", "lead_times": ["PT1H"], "subject": "Invoice",
                "body": "Invoice {{n}} is due"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, ev) = app
        .post(
            "/api/v1/events",
            &app.admin_key,
            // Due in 1.5 s, an hour before the target date (after which it would expire).
            &json!({"type": "invoice.due", "payload": {
                "customer": "cust_42", "n": 7, "due": at_ms(3_601_500).to_rfc3339()}}),
        )
        .await;
    assert_eq!(s, 202, "{ev}");
    let event_id = ev["id"].as_str().unwrap().to_string();
    let event = crate::support::wait_until(
        "the event to be handled",
        std::time::Duration::from_secs(20),
        || async {
            let (s, e) = app
                .get(&format!("/api/v1/events/{event_id}"), &app.admin_key)
                .await;
            assert_eq!(s, 200, "{e}");
            (e["status"] != "received").then_some(e)
        },
    )
    .await;
    assert_eq!(event["status"], "processed", "{event}");
    let id = event["notification_ids"][0].as_str().unwrap().to_string();
    let n = wait_for_status(&app, &id, "sent").await;
    assert_eq!(n["channel"], "sms");
    assert_eq!(n["recipient"], "+14155550123");
    assert_eq!(n["channel_index"], 1);
    assert_eq!(n["fallback"], json!(["sms"]));
    let texts = sms.requests();
    assert_eq!(texts.len(), 1, "one SMS, not more: {texts:?}");
    assert!(texts[0].body_text().contains("Invoice+7+is+due"));
    assert!(smtp.messages().is_empty());
    assert_eq!(audit_count(&app, "notification.fallback"), 1);
}
