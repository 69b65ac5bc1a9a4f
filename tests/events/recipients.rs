use crate::support::{assert_error, TestApp};
use crate::{drain, get_event, post_event, worker_ctx};
use serde_json::{json, Value};

async fn notification(app: &TestApp, id: &Value) -> Value {
    let (s, n) = app
        .get(
            &format!("/api/v1/notifications/{}", id.as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{n}");
    n
}

async fn ada(app: &TestApp) {
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({
            "email": "ada@example.com", "phone": "+14155550123", "preferred_channel": "sms",
            "preferences": {"marketing": {"sms": false}}}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
}

#[tokio::test]
async fn a_rule_naming_a_recipient_takes_its_channel_from_their_preferences() {
    let app = TestApp::spawn().await;
    ada(&app).await;
    let rule = json!({
        "event_type": "promo.starts", "recipient_id_path": "/customer", "category": "marketing",
        "target_date_path": "/starts", "lead_times": ["P1D"], "subject": "Soon", "body": "Hi"});
    let (s, r) = app.post("/api/v1/rules", &app.admin_key, &rule).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(
        (&r["recipient_id_path"], &r["category"], &r["channel"]),
        (&json!("/customer"), &json!("marketing"), &Value::Null)
    );

    let ctx = worker_ctx(&app).await;
    let ok = post_event(
        &app,
        &app.admin_key,
        "promo.starts",
        json!({"customer": "cust_42", "starts": "2099-01-02T09:00:00Z"}),
    )
    .await;
    let unknown = post_event(
        &app,
        &app.admin_key,
        "promo.starts",
        json!({"customer": "cust_7", "starts": "2099-01-02T09:00:00Z"}),
    )
    .await;
    drain(&ctx).await;
    let event = get_event(&app, &ok["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    let n = notification(&app, &event["notification_ids"][0]).await;
    // Opted out of marketing by SMS, the preferred channel: e-mail.
    assert_eq!(
        (
            &n["channel"],
            &n["recipient"],
            &n["recipient_id"],
            &n["category"]
        ),
        (
            &json!("email"),
            &json!("ada@example.com"),
            &json!("cust_42"),
            &json!("marketing")
        )
    );
    let event = get_event(&app, &unknown["id"]).await;
    assert_eq!(event["status"], "failed", "{event}");
    assert!(
        event["error"]
            .as_str()
            .unwrap()
            .starts_with("payload.customer: no recipient 'cust_7'"),
        "{event}"
    );

    let bad = [
        (json!({"recipient_id_path": "/customer"}), "category"),
        (
            json!({"recipient_id_path": "/customer", "category": "x", "recipient_path": "/email"}),
            "recipient_path",
        ),
        (
            json!({"recipient_path": "/email", "channel": "email", "category": "x"}),
            "category",
        ),
        (json!({"recipient_path": "/email"}), "channel"),
    ];
    for (fields, field) in bad {
        let mut body = json!({"event_type": "other.thing", "target_date_path": "/at", "lead_times": ["P1D"], "body": "b"});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, b) = app.post("/api/v1/rules", &app.admin_key, &body).await;
        assert_error(s, &b, 422, Some(field));
    }
}

#[tokio::test]
async fn a_rules_fallback_is_copied_onto_its_notifications_without_the_chosen_channel() {
    let app = TestApp::spawn().await;
    ada(&app).await;
    // Ada has no webhook, and her channel for billing is SMS (preferred): both are left out.
    let rule = json!({
        "event_type": "invoice.due", "recipient_id_path": "/customer", "category": "billing",
        "target_date_path": "/due", "lead_times": ["P2D", "P1D"], "body": "Due",
        "fallback": ["webhook", "email"]});
    let (s, r) = app.post("/api/v1/rules", &app.admin_key, &rule).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["fallback"], json!(["webhook", "email"]));

    let ctx = worker_ctx(&app).await;
    let ev = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"customer": "cust_42", "due": "2099-01-05T09:00:00Z"}),
    )
    .await;
    drain(&ctx).await;
    let event = get_event(&app, &ev["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    let ids = event["notification_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 2, "{event}");
    for id in ids {
        let n = notification(&app, id).await;
        assert_eq!(n["channel"], "sms", "{n}");
        assert_eq!(n["fallback"], json!(["email"]), "{n}");
        assert_eq!(n["channel_index"], 0, "{n}");
    }

    // When the chosen channel is the one listed, it is not tried twice.
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com", "phone": "+14155550123", "preferred_channel": "email"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let ev = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"customer": "cust_42", "due": "2099-02-05T09:00:00Z"}),
    )
    .await;
    drain(&ctx).await;
    let event = get_event(&app, &ev["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    let n = notification(&app, &event["notification_ids"][0]).await;
    assert_eq!(
        (&n["channel"], &n["fallback"]),
        (&json!("email"), &json!([])),
        "{n}"
    );
}

#[tokio::test]
async fn the_built_in_handler_sends_to_payload_recipient_id_about_payload_category() {
    let app = TestApp::spawn().await;
    ada(&app).await;
    let ctx = worker_ctx(&app).await;
    let ok = post_event(&app, &app.admin_key, "invoice.due", json!({"recipient_id": "cust_42", "category": "billing", "target_date": "2099-01-02T09:00:00Z"})).await;
    let no_category = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"recipient_id": "cust_42", "target_date": "2099-01-02T09:00:00Z"}),
    )
    .await;
    drain(&ctx).await;
    let event = get_event(&app, &ok["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    assert_eq!(event["notification_ids"].as_array().unwrap().len(), 1);
    let n = notification(&app, &event["notification_ids"][0]).await;
    assert_eq!(
        (&n["channel"], &n["recipient"], &n["category"]),
        (&json!("sms"), &json!("+14155550123"), &json!("billing"))
    );
    let event = get_event(&app, &no_category["id"]).await;
    assert_eq!(
        (&event["status"], &event["error"]),
        (&json!("failed"), &json!("payload.category is missing"))
    );
}
