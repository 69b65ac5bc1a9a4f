use crate::card_rule;
use crate::support::{assert_error, TestApp};
use serde_json::{json, Value};

fn with(field: &str, value: Value) -> Value {
    let mut rule = card_rule();
    rule[field] = value;
    rule
}

fn without(field: &str) -> Value {
    let mut rule = card_rule();
    rule.as_object_mut().unwrap().remove(field);
    rule
}

#[tokio::test]
async fn rules_can_be_created_read_listed_replaced_and_deleted() {
    let app = TestApp::spawn().await;
    let (status, rule) = app
        .post("/api/v1/rules", &app.admin_key, &card_rule())
        .await;
    assert_eq!(status, 201, "{rule}");
    assert_eq!(rule["event_type"], "card.expiring");
    assert_eq!(rule["channel"], "email");
    assert_eq!(rule["recipient_path"], "/email");
    assert_eq!(rule["timezone_path"], "/tz");
    assert_eq!(rule["lead_times"], json!(["P7D", "P1D"]));
    assert_eq!(rule["subject"], "Your card expires soon");
    let path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());

    let (status, got) = app.get(&path, &app.admin_key).await;
    assert_eq!((status, &got), (200, &rule));
    let (_, list) = app.get("/api/v1/rules", &app.admin_key).await;
    assert_eq!(list["items"], json!([rule]));

    let mut replacement = card_rule();
    replacement["lead_times"] = json!(["PT90M"]);
    replacement["channel"] = json!("webhook");
    replacement["recipient_path"] = json!("/hook");
    replacement.as_object_mut().unwrap().remove("timezone_path");
    replacement["body"] = json!("");
    let (status, replaced) = app.put(&path, &app.admin_key, &replacement).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["id"], rule["id"]);
    assert_eq!(
        replaced["lead_times"],
        json!(["PT1H30M"]),
        "stored in canonical form"
    );
    assert_eq!(replaced["channel"], "webhook");
    assert_eq!(
        replaced["timezone_path"],
        Value::Null,
        "a replace clears omitted fields"
    );

    let (status, _) = app.delete(&path, &app.admin_key).await;
    assert_eq!(status, 204);
    let (status, body) = app.get(&path, &app.admin_key).await;
    assert_error(status, &body, 404, None);
    let (status, body) = app.delete(&path, &app.admin_key).await;
    assert_error(status, &body, 404, None);
    let (status, body) = app.put(&path, &app.admin_key, &card_rule()).await;
    assert_error(status, &body, 404, None);
}

#[tokio::test]
async fn one_rule_per_event_type() {
    let app = TestApp::spawn().await;
    let (status, _) = app
        .post("/api/v1/rules", &app.admin_key, &card_rule())
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .post("/api/v1/rules", &app.admin_key, &card_rule())
        .await;
    assert_error(status, &body, 409, None);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("card.expiring"));

    let (status, other) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &with("event_type", json!("invoice.due")),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let path = format!("/api/v1/rules/{}", other["id"].as_str().unwrap());
    let (status, body) = app.put(&path, &app.admin_key, &card_rule()).await;
    assert_error(status, &body, 409, None);

    // Another tenant has its own namespace of event types.
    let tenant = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    let (status, _) = app.post("/api/v1/rules", &tenant, &card_rule()).await;
    assert_eq!(status, 201);
    let (status, body) = app.get(&path, &tenant).await;
    assert_error(status, &body, 404, None);
}

#[tokio::test]
async fn invalid_rules_are_rejected_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (without("event_type"), 422, "event_type"),
        (
            with("event_type", json!("card expiring")),
            422,
            "event_type",
        ),
        (with("channel", json!("fax")), 422, "channel"),
        (without("channel"), 422, "channel"),
        (
            with("recipient_path", json!("email")),
            422,
            "recipient_path",
        ),
        (without("recipient_path"), 422, "recipient_path"),
        (
            with("target_date_path", json!("target_date")),
            422,
            "target_date_path",
        ),
        (without("target_date_path"), 422, "target_date_path"),
        (with("timezone_path", json!("/tz~2")), 422, "timezone_path"),
        (without("lead_times"), 422, "lead_times"),
        (with("lead_times", json!([])), 422, "lead_times"),
        (with("lead_times", json!("P1D")), 400, "lead_times"),
        (with("lead_times", json!(["P1D", 3])), 400, "lead_times"),
        (
            with("lead_times", json!(["P1D", "P1M"])),
            422,
            "lead_times[1]",
        ),
        (with("lead_times", json!(["soon"])), 422, "lead_times[0]"),
        (
            with("lead_times", json!(["P1D", "PT24H"])),
            422,
            "lead_times[1]",
        ),
        (with("subject", json!("{{ oops")), 422, "subject"),
        (with("body", json!("{% if %}")), 422, "body"),
        (with("body", json!("")), 422, "body"),
        (with("recipient_path", json!(5)), 400, "recipient_path"),
        (with("unknown", json!(true)), 400, "unknown"),
    ];
    for (body, status, field) in cases {
        let (got, resp) = app.post("/api/v1/rules", &app.admin_key, &body).await;
        assert_error(got, &resp, status, Some(field));
    }
    let (_, list) = app.get("/api/v1/rules", &app.admin_key).await;
    assert_eq!(list["items"], json!([]), "nothing was stored");

    let (_, rule) = app
        .post("/api/v1/rules", &app.admin_key, &card_rule())
        .await;
    let path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());
    let (status, body) = app
        .put(
            &path,
            &app.admin_key,
            &with("lead_times", json!(["P1D", "-P1D"])),
        )
        .await;
    assert_error(status, &body, 422, Some("lead_times[1]"));
    let (_, unchanged) = app.get(&path, &app.admin_key).await;
    assert_eq!(unchanged, rule);
}

#[tokio::test]
async fn rules_are_for_admins_only() {
    let app = TestApp::spawn().await;
    let member = app.member_key().await;
    let (_, rule) = app
        .post("/api/v1/rules", &app.admin_key, &card_rule())
        .await;
    let path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());
    let (status, body) = app.post("/api/v1/rules", &member, &card_rule()).await;
    assert_error(status, &body, 403, None);
    let (status, body) = app.get("/api/v1/rules", &member).await;
    assert_error(status, &body, 403, None);
    let (status, body) = app.get(&path, &member).await;
    assert_error(status, &body, 403, None);
    let (status, body) = app.put(&path, &member, &card_rule()).await;
    assert_error(status, &body, 403, None);
    let (status, body) = app.delete(&path, &member).await;
    assert_error(status, &body, 403, None);
    let (status, _) = app.get(&path, &app.admin_key).await;
    assert_eq!(status, 200, "still there");
    let resp = app
        .client
        .get(app.url("/api/v1/rules"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}
