use crate::support::TestApp;
use crate::{at_ms, delivery_app, notification, wait_for_status};
use chime::channels::test_peers::{SmtpPeer, SmtpReply};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

async fn app_with(smtp: &SmtpPeer) -> TestApp {
    let url = smtp.url.clone();
    let app = delivery_app(|s| {
        s.channels.smtp_url = Some(chime::config::Secret::new(url));
        s.channels.smtp_from = "billing@example.com".into();
    })
    .await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    app
}

/// Three notifications of one digest key, due half a second apart, with a window of `window`.
/// Returns the ids and the first one's due time.
async fn three(app: &TestApp, window: &str) -> (Vec<String>, chrono::DateTime<chrono::Utc>) {
    let mut ids = Vec::new();
    let first_due = at_ms(500);
    for (i, subject) in ["A", "B", "C"].iter().enumerate() {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({
                    "recipient_id": "cust_42", "category": "billing",
                    "subject": subject, "body": "Invoice {{n}}", "data": {"n": i + 1},
                    "send_at": (first_due + chrono::Duration::milliseconds(300 * i as i64)).to_rfc3339(),
                    "digest": {
                        "key": "billing-daily", "window": window,
                        "subject": "{{ count }} billing updates",
                        "body": "{% for item in items %}[{{ item.subject }}: {{ item.body }}]{% endfor %}"
                    }}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        assert_eq!(n["digest"]["key"], "billing-daily");
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    (ids, first_due)
}

/// Waits until every id is `sent` and returns the rows.
async fn all_sent(app: &TestApp, ids: &[String]) -> Vec<Value> {
    let mut rows = Vec::new();
    for id in ids {
        rows.push(wait_for_status(app, id, "sent").await);
    }
    rows
}

#[tokio::test]
async fn a_digest_of_three_goes_out_as_one_message() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let app = app_with(&smtp).await;
    let (ids, first_due) = three(&app, "PT2S").await;

    let mails = smtp.wait_for(1, WAIT).await.unwrap();
    let rows = all_sent(&app, &ids).await;
    let mails_now = smtp.messages();
    assert_eq!(mails_now.len(), 1, "one message for the three");
    assert_eq!(mails[0].header("Subject").unwrap(), "3 billing updates");
    let body = mails[0].body().to_string();
    assert!(
        body.contains("[A: Invoice 1][B: Invoice 2][C: Invoice 3]"),
        "{body}"
    );
    // The window opened when the first fell due: not sent before it closed.
    assert!(
        mails[0].received_at >= first_due + chrono::Duration::seconds(2),
        "sent at {} before the window closed",
        mails[0].received_at
    );
    // Each points at the notification whose send carried them.
    let carrier = rows[0]["digest_of"].as_str().unwrap().to_string();
    assert!(ids.contains(&carrier));
    assert!(rows.iter().all(|r| r["digest_of"] == carrier.as_str()));
}

#[tokio::test]
async fn one_cancelled_before_the_release_is_left_out_of_the_digest() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let app = app_with(&smtp).await;
    let (ids, _) = three(&app, "PT3S").await;

    // All three fell due and wait for the release.
    crate::support::wait_until("all three to wait for the release", WAIT, || async {
        for id in &ids {
            let n = notification(&app, id).await;
            if n["status"] != "scheduled" || n["digest"]["release_at"].is_null() {
                return None;
            }
        }
        Some(())
    })
    .await;
    let (s, r) = app
        .post(
            &format!("/api/v1/notifications/{}/cancel", ids[1]),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");

    let mails = smtp.wait_for(1, WAIT).await.unwrap();
    let kept = all_sent(&app, &[ids[0].clone(), ids[2].clone()]).await;
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(mails[0].header("Subject").unwrap(), "2 billing updates");
    let body = mails[0].body().to_string();
    assert!(body.contains("[A: Invoice 1][C: Invoice 3]"), "{body}");
    assert_eq!(kept[0]["digest_of"], kept[1]["digest_of"]);
    let cancelled = notification(&app, &ids[1]).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["digest_of"].is_null());
}

#[tokio::test]
async fn a_digest_renders_the_stored_templates_digest_text() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let app = app_with(&smtp).await;
    let (s, t) = app
        .post(
            "/api/v1/templates",
            &app.admin_key,
            &json!({"name": "invoice", "subject": "Invoice {{ n }}", "body": "Amount {{ amount }}",
                    "digest": "{{ count }} invoices:{% for item in items %} {{ item.data.n }}={{ item.body }};{% endfor %}"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let first_due = at_ms(500);
    let mut ids = Vec::new();
    for i in 0..2 {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({
                    "recipient_id": "cust_42", "category": "billing", "template": "invoice",
                    "data": {"n": i + 1, "amount": (i + 1) * 10},
                    "send_at": (first_due + chrono::Duration::milliseconds(200 * i)).to_rfc3339(),
                    "digest": {"key": "invoices", "window": "PT1S"}}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    let mails = smtp.wait_for(1, WAIT).await.unwrap();
    all_sent(&app, &ids).await;
    assert_eq!(smtp.messages().len(), 1);
    // Without a digest subject, the carrier's own subject.
    assert_eq!(mails[0].header("Subject").unwrap(), "Invoice 1");
    let body = mails[0].body().to_string();
    assert!(
        body.contains("2 invoices: 1=Amount 10; 2=Amount 20;"),
        "{body}"
    );
}
