use crate::support::{assert_error, TestApp};
use serde_json::{json, Value};

fn create(extra: Value) -> Value {
    let mut body = json!({
        "recipient_id": "cust_42", "category": "billing", "channel": "email",
        "subject": "Invoice", "body": "Your invoice", "send_at": "2099-01-01T00:00:00Z",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn fallback_channels_are_checked_when_the_notification_is_created() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &key,
            &json!({"email": "ada@example.com", "phone": "+14155550123"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");

    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"fallback": ["sms"]})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["fallback"], json!(["sms"]));
    assert_eq!(n["channel_index"], 0);

    let cases = [
        (json!({"fallback": ["fax"]}), "fallback[0]"),
        (json!({"fallback": ["sms", "sms"]}), "fallback[1]"),
        (json!({"fallback": ["email"]}), "fallback[0]"),
        // No webhook URL on the recipient.
        (json!({"fallback": ["webhook"]}), "fallback[0]"),
        (json!({"fallback": ["sms", "webhook", "email"]}), "fallback"),
        (
            json!({"fallback": ["sms"], "cron": "0 9 * * *", "send_at": null}),
            "fallback",
        ),
    ];
    for (extra, field) in cases {
        let (s, r) = app
            .post("/api/v1/notifications", &key, &create(extra.clone()))
            .await;
        assert_error(s, &r, 422, Some(field));
    }
    // A wrong JSON type is a malformed request, as for every field.
    let (s, r) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"fallback": "sms"})),
        )
        .await;
    assert_error(s, &r, 400, Some("fallback"));
    // Fallback channels use the recipient's addresses: a raw address has none.
    let (s, r) = app
        .post(
            "/api/v1/notifications",
            &key,
            &json!({"channel": "email", "recipient": "ada@example.com", "subject": "Hi",
                    "body": "Hi", "fallback": ["sms"], "send_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_error(s, &r, 422, Some("fallback"));
}

#[tokio::test]
async fn digests_are_checked_when_the_notification_is_created() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &key,
            &json!({"email": "ada@example.com", "phone": "+14155550123"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"digest": {"key": "billing-daily", "window": "PT60M"}})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["digest"]["key"], "billing-daily");
    assert_eq!(n["digest"]["window"], "PT1H");
    assert!(n["digest"]["release_at"].is_null());
    assert!(n["digest_of"].is_null());

    let cases = [
        (
            json!({"digest": {"key": "k", "window": "P8D"}}),
            "digest.window",
        ),
        (
            json!({"digest": {"key": "k", "window": "PT0S"}}),
            "digest.window",
        ),
        (
            json!({"digest": {"key": "k", "window": "soon"}}),
            "digest.window",
        ),
        (json!({"digest": {"key": "k"}}), "digest.window"),
        (json!({"digest": {"window": "PT1H"}}), "digest.key"),
        (
            json!({"digest": {"key": "k", "window": "PT1H", "body": "{% for %}"}}),
            "digest.body",
        ),
        (
            json!({"digest": {"key": "k", "window": "PT1H"}, "fallback": ["sms"]}),
            "fallback",
        ),
        (
            json!({"digest": {"key": "k", "window": "PT1H"}, "cron": "0 9 * * *", "send_at": null}),
            "digest",
        ),
    ];
    for (extra, field) in cases {
        let (s, r) = app
            .post("/api/v1/notifications", &key, &create(extra.clone()))
            .await;
        assert_error(s, &r, 422, Some(field));
    }
    let (s, r) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"digest": {"key": "k", "window": "PT1H", "colour": "red"}})),
        )
        .await;
    assert_error(s, &r, 400, Some("digest.colour"));
    // A digest gathers one recipient's notifications: a raw address has none.
    let (s, r) = app
        .post(
            "/api/v1/notifications",
            &key,
            &json!({"channel": "email", "recipient": "ada@example.com", "subject": "Hi",
                    "body": "Hi", "digest": {"key": "k", "window": "PT1H"},
                    "send_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_error(s, &r, 422, Some("digest"));
}

fn rule(extra: Value) -> Value {
    let mut body = json!({
        "event_type": "invoice.due", "recipient_id_path": "/customer", "category": "billing",
        "target_date_path": "/due", "lead_times": ["P1D"], "subject": "Invoice", "body": "Due",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn a_rule_naming_a_recipient_keeps_its_fallback_channels() {
    let app = TestApp::spawn().await;
    let (s, r) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &rule(json!({"channel": "email", "fallback": ["sms", "webhook"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["fallback"], json!(["sms", "webhook"]));
    let id = r["id"].as_str().unwrap();
    let (s, got) = app
        .get(&format!("/api/v1/rules/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["fallback"], json!(["sms", "webhook"]));

    // Replacing the rule without one clears it; a rule without one shows an empty list.
    let (s, r) = app
        .put(
            &format!("/api/v1/rules/{id}"),
            &app.admin_key,
            &rule(json!({})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["fallback"], json!([]));
    let (s, list) = app.get("/api/v1/rules", &app.admin_key).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"][0]["fallback"], json!([]));
}

#[tokio::test]
async fn a_rules_fallback_is_checked_when_the_rule_is_written() {
    let app = TestApp::spawn().await;
    let raw_address = json!({
        "event_type": "invoice.due", "channel": "email", "recipient_path": "/email",
        "target_date_path": "/due", "lead_times": ["P1D"], "body": "Due", "fallback": ["sms"],
    });
    let bad = [
        (raw_address, "fallback"),
        (
            rule(json!({"fallback": ["sms", "email", "webhook"]})),
            "fallback",
        ),
        (rule(json!({"fallback": ["fax"]})), "fallback[0]"),
        (rule(json!({"fallback": ["sms", "sms"]})), "fallback[1]"),
        (
            rule(json!({"channel": "email", "fallback": ["email"]})),
            "fallback[0]",
        ),
    ];
    for (body, field) in bad {
        let (s, b) = app.post("/api/v1/rules", &app.admin_key, &body).await;
        assert_error(s, &b, 422, Some(field));
    }
    // A wrong JSON type is a 400, as everywhere.
    let (s, b) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &rule(json!({"fallback": "sms"})),
        )
        .await;
    assert_error(s, &b, 400, Some("fallback"));
    // Nothing was half-written.
    let (s, list) = app.get("/api/v1/rules", &app.admin_key).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"], json!([]), "{list}");
}
