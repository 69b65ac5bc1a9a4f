//! Stored templates: versions, preview, and references from notifications and rules.

use crate::support::{assert_error, TestApp};
use serde_json::{json, Value};

fn later() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()
}

async fn create(app: &TestApp, body: Value) -> Value {
    let (s, t) = app.post("/api/v1/templates", &app.admin_key, &body).await;
    assert_eq!(s, 201, "{t}");
    t
}

#[tokio::test]
async fn a_change_is_a_new_version_and_every_version_stays_readable() {
    let app = TestApp::spawn().await;
    let v1 = create(
        &app,
        json!({"name": "card-expiring", "subject": "Card ending {{ last4 }}",
        "body": "Hi {{ name }}", "html": "<p>Hi {{ name }}</p>"}),
    )
    .await;
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["html"], "<p>Hi {{ name }}</p>");
    assert_eq!(v1["digest"], Value::Null);

    let (s, e) = app
        .post(
            "/api/v1/templates",
            &app.admin_key,
            &json!({"name": "card-expiring", "body": "again"}),
        )
        .await;
    assert_error(s, &e, 409, None);

    let (s, v2) = app
        .put("/api/v1/templates/card-expiring", &app.admin_key,
            &json!({"body": "Hello {{ name }}", "digest": "{% for i in items %}{{ i.body }}\n{% endfor %}"}))
        .await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["subject"], Value::Null);

    let (s, latest) = app
        .get("/api/v1/templates/card-expiring", &app.admin_key)
        .await;
    assert_eq!(
        (s, &latest["version"], &latest["body"]),
        (200, &json!(2), &json!("Hello {{ name }}"))
    );
    let (s, first) = app
        .get("/api/v1/templates/card-expiring?version=1", &app.admin_key)
        .await;
    assert_eq!((s, &first["body"]), (200, &json!("Hi {{ name }}")));
    let (s, versions) = app
        .get("/api/v1/templates/card-expiring/versions", &app.admin_key)
        .await;
    assert_eq!(s, 200, "{versions}");
    let numbers: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);

    create(&app, json!({"name": "another", "body": "x"})).await;
    let (s, list) = app.get("/api/v1/templates", &app.admin_key).await;
    assert_eq!(s, 200, "{list}");
    let names: Vec<(String, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [("another".to_owned(), 1), ("card-expiring".to_owned(), 2)]
    );

    for path in [
        "/api/v1/templates/nope",
        "/api/v1/templates/card-expiring?version=9",
        "/api/v1/templates/nope/versions",
    ] {
        let (s, e) = app.get(path, &app.admin_key).await;
        assert_error(s, &e, 404, None);
    }
    let (s, e) = app
        .put(
            "/api/v1/templates/nope",
            &app.admin_key,
            &json!({"body": "x"}),
        )
        .await;
    assert_error(s, &e, 404, None);

    // Other tenants see none of it.
    let other = app.new_tenant_key("elsewhere", chime::domain::AccessRole::Admin);
    let (s, _) = app.get("/api/v1/templates/card-expiring", &other).await;
    assert_eq!(s, 404);
    let (_, list) = app.get("/api/v1/templates", &other).await;
    assert_eq!(list["items"], json!([]));

    // Members read and preview, admins write.
    let member = app.member_key().await;
    let (s, _) = app.get("/api/v1/templates/card-expiring", &member).await;
    assert_eq!(s, 200);
    let (s, _) = app
        .put(
            "/api/v1/templates/card-expiring",
            &member,
            &json!({"body": "x"}),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn template_text_is_checked_when_saved() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (json!({"body": "x"}), "name"),
        (json!({"name": "bad name!", "body": "x"}), "name"),
        (json!({"name": "t"}), "body"),
        (json!({"name": "t", "body": "{{ oops"}), "body"),
        (
            json!({"name": "t", "body": "x", "subject": "{% if %}"}),
            "subject",
        ),
        (
            json!({"name": "t", "body": "x", "html": "<p>{{ a | }}</p>"}),
            "html",
        ),
        (
            json!({"name": "t", "body": "x", "digest": "{% for %}"}),
            "digest",
        ),
    ] {
        let (s, e) = app.post("/api/v1/templates", &app.admin_key, &body).await;
        assert_error(s, &e, 422, Some(field));
    }
    let (s, e) = app
        .post(
            "/api/v1/templates",
            &app.admin_key,
            &json!({"name": "t", "body": "x", "colour": "red"}),
        )
        .await;
    assert_error(s, &e, 400, Some("colour"));
    let (_, list) = app.get("/api/v1/templates", &app.admin_key).await;
    assert_eq!(list["items"], json!([]), "nothing half-written");
}

#[tokio::test]
async fn preview_renders_sample_data_within_the_send_bounds() {
    let app = TestApp::spawn().await;
    create(
        &app,
        json!({"name": "welcome", "subject": "Welcome {{ name | upper }}",
        "body": "Hi {{ name }}", "html": "<p>{{ name }}</p>"}),
    )
    .await;
    let (s, p) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"data": {"name": "<Ada>"}}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["subject"], "Welcome <ADA>");
    assert_eq!(p["body"], "Hi <Ada>");
    assert_eq!(p["html"], "<p>&lt;Ada&gt;</p>");
    assert_eq!(p["version"], 1);
    let (s, p) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"channel": "sms"}),
        )
        .await;
    assert_eq!(
        (s, &p["html"]),
        (200, &Value::Null),
        "no HTML part outside e-mail"
    );
    assert_eq!(p["digest"], Value::Null);

    // A digest renders over the sample's `items`; its errors name `digest`.
    app.put(
        "/api/v1/templates/welcome",
        &app.admin_key,
        &json!({"body": "x",
        "digest": "{{ items | length }} reminders:{% for i in items %} {{ i.title }}{% endfor %}"}),
    )
    .await;
    let (s, p) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"data": {"items": [{"title": "card"}, {"title": "invoice"}]}}),
        )
        .await;
    assert_eq!(
        (s, &p["digest"]),
        (200, &json!("2 reminders: card invoice")),
        "{p}"
    );
    app.put(
        "/api/v1/templates/welcome",
        &app.admin_key,
        &json!({"body": "x", "digest": "{{ 1 // 0 }}"}),
    )
    .await;
    let (s, e) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(s, &e, 422, Some("digest"));

    // A body that runs out of render budget, one too long for an SMS, one that fails.
    app.put("/api/v1/templates/welcome", &app.admin_key,
        &json!({"body": "{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}"}))
        .await;
    let many: Vec<i32> = (0..200).collect();
    let (s, e) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"data": {"s": many}}),
        )
        .await;
    assert_error(s, &e, 422, Some("body"));
    assert!(
        e["error"]["message"].as_str().unwrap().contains("budget"),
        "{e}"
    );
    app.put(
        "/api/v1/templates/welcome",
        &app.admin_key,
        &json!({"body": "{{ 'x' * 2000 }}"}),
    )
    .await;
    let (s, e) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"channel": "sms"}),
        )
        .await;
    assert_error(s, &e, 422, Some("body"));
    let (s, _) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"channel": "email"}),
        )
        .await;
    assert_eq!(s, 200);
    app.put(
        "/api/v1/templates/welcome",
        &app.admin_key,
        &json!({"body": "x", "subject": "{{ 1 // 0 }}"}),
    )
    .await;
    let (s, e) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(s, &e, 422, Some("subject"));
    // An older version still previews.
    let (s, p) = app
        .post(
            "/api/v1/templates/welcome/preview",
            &app.admin_key,
            &json!({"version": 1, "data": {"name": "B"}}),
        )
        .await;
    assert_eq!((s, &p["body"]), (200, &json!("Hi B")));
    let (s, e) = app
        .post("/api/v1/templates/nope/preview", &app.admin_key, &json!({}))
        .await;
    assert_error(s, &e, 404, None);
}

#[tokio::test]
async fn notifications_and_rules_name_templates_that_exist() {
    let app = TestApp::spawn().await;
    create(
        &app,
        json!({"name": "reminder", "subject": "Due {{ what }}", "body": "Pay {{ what }}"}),
    )
    .await;

    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "email", "recipient": "ada@example.com",
            "template": "reminder", "data": {"what": "invoice 7"}, "send_at": later()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(
        (&n["template"], &n["template_version"], &n["body"]),
        (&json!("reminder"), &Value::Null, &json!(""))
    );
    let (s, pinned) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123",
            "template": "reminder", "template_version": 1, "send_at": later()}),
        )
        .await;
    assert_eq!(
        (s, &pinned["template_version"]),
        (201, &json!(1)),
        "{pinned}"
    );

    for (body, field) in [
        (json!({"template": "missing"}), "template"),
        (
            json!({"template": "reminder", "template_version": 2}),
            "template_version",
        ),
        (
            json!({"template_version": 1, "body": "x"}),
            "template_version",
        ),
        (json!({"template": "reminder", "body": "x"}), "body"),
        (json!({"template": "reminder", "subject": "x"}), "subject"),
    ] {
        let mut req =
            json!({"channel": "email", "recipient": "ada@example.com", "send_at": later()});
        req.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let (s, e) = app
            .post("/api/v1/notifications", &app.admin_key, &req)
            .await;
        assert_error(s, &e, 422, Some(field));
    }
    // The template renders against the notification's data within the send bounds.
    create(&app, json!({"name": "huge", "body": "{{ text * 100 }}"})).await;
    let (s, e) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123",
            "template": "huge", "data": {"text": "0123456789abcdef0123"}, "send_at": later()}),
        )
        .await;
    assert_error(s, &e, 422, Some("template"));
    // A batch item is checked the same way.
    let (s, e) = app
        .post("/api/v1/notifications/batch", &app.admin_key, &json!({"items": [
            {"channel": "email", "recipient": "ada@example.com", "template": "reminder", "send_at": later()},
            {"channel": "email", "recipient": "ada@example.com", "template": "missing", "send_at": later()}]}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        e["error"]["items"],
        json!([{"index": 1, "field": "template", "message": "no template named \"missing\""}])
    );

    // The timeline shows the message as the sender would render it now.
    let (s, timeline) = app
        .get(
            &format!(
                "/api/v1/notifications/{}/timeline",
                n["id"].as_str().unwrap()
            ),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{timeline}");
    assert_eq!(
        timeline["rendered"]["subject"], "Due invoice 7",
        "{timeline}"
    );
    assert_eq!(timeline["rendered"]["body"], "Pay invoice 7", "{timeline}");

    // A templated notification's text is the template's.
    let (s, e) = app
        .patch(
            &format!("/api/v1/notifications/{}", n["id"].as_str().unwrap()),
            &app.admin_key,
            &json!({"body": "x"}),
        )
        .await;
    assert_error(s, &e, 422, Some("body"));

    let rule = json!({"event_type": "invoice.due", "channel": "email", "recipient_path": "/email",
        "target_date_path": "/due", "lead_times": ["P1D"], "template": "nope"});
    let (s, e) = app.post("/api/v1/rules", &app.admin_key, &rule).await;
    assert_error(s, &e, 422, Some("template"));
    let mut rule = rule;
    rule["template"] = json!("reminder");
    let (s, r) = app.post("/api/v1/rules", &app.admin_key, &rule).await;
    assert_eq!((s, &r["template"]), (201, &json!("reminder")), "{r}");

    // In use by pending notifications and a rule: not deleted.
    let (s, e) = app
        .delete("/api/v1/templates/reminder", &app.admin_key)
        .await;
    assert_error(s, &e, 409, None);
    let (s, _) = app.get("/api/v1/templates/reminder", &app.admin_key).await;
    assert_eq!(s, 200);
    let (s, _) = app.delete("/api/v1/templates/huge", &app.admin_key).await;
    assert_eq!(s, 204);
    let (s, _) = app.get("/api/v1/templates/huge", &app.admin_key).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn patch_changes_or_clears_an_html_part() {
    let app = TestApp::spawn().await;
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "email", "recipient": "ada@example.com", "body": "Hi",
                "html": "<p>Hi</p>", "send_at": later()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let path = format!("/api/v1/notifications/{}", n["id"].as_str().unwrap());
    let (s, e) = app
        .patch(&path, &app.admin_key, &json!({"html": "<p>{{ oops</p>"}))
        .await;
    assert_error(s, &e, 422, Some("html"));
    let (s, n) = app
        .patch(&path, &app.admin_key, &json!({"html": "<p>Hello</p>"}))
        .await;
    assert_eq!((s, &n["html"]), (200, &json!("<p>Hello</p>")), "{n}");
    let (s, n) = app
        .patch(&path, &app.admin_key, &json!({"html": null}))
        .await;
    assert_eq!((s, &n["html"]), (200, &Value::Null), "{n}");

    let (_, sms) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": later()}),
        )
        .await;
    let (s, e) = app
        .patch(
            &format!("/api/v1/notifications/{}", sms["id"].as_str().unwrap()),
            &app.admin_key,
            &json!({"html": "<p>x</p>"}),
        )
        .await;
    assert_error(s, &e, 422, Some("html"));
}
