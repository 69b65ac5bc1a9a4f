use crate::support::{assert_error, TestApp};
use serde_json::{json, Value};

fn ada() -> Value {
    json!({
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+14155550123",
        "timezone": "Europe/London",
        "locale": "en-GB",
        "preferred_channel": "email",
        "preferences": {"marketing": {"email": false}, "*": {"sms": true}},
        "quiet_hours": {"start": "21:00", "end": "08:00"}
    })
}

async fn put_recipient(app: &TestApp, key: &str, id: &str, body: &Value) -> Value {
    let (s, r) = app
        .put(&format!("/api/v1/recipients/{id}"), key, body)
        .await;
    assert!(s == 201 || s == 200, "{s} {r}");
    r
}

#[tokio::test]
async fn recipients_are_created_read_replaced_patched_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;

    let (s, r) = app.put("/api/v1/recipients/cust_42", &key, &ada()).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["id"], "cust_42");
    assert_eq!(r["email"], "ada@example.com");
    assert_eq!(r["preferences"]["marketing"]["email"], false);
    assert_eq!(r["quiet_hours"], json!({"start": "21:00", "end": "08:00"}));

    // A second PUT replaces the whole recipient: what it leaves out is cleared.
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &key,
            &json!({"id": "cust_42", "email": "ada@new.example.com"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["email"], "ada@new.example.com");
    assert_eq!(r["phone"], Value::Null);
    assert_eq!(r["preferences"], json!({}));

    // PATCH changes only what it names.
    let (s, r) = app
        .patch(
            "/api/v1/recipients/cust_42",
            &key,
            &json!({"phone": "+14155550999", "preferences": {"billing": {"sms": false}}}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["email"], "ada@new.example.com");
    assert_eq!(r["phone"], "+14155550999");
    assert_eq!(r["preferences"]["billing"]["sms"], false);

    let (s, got) = app.get("/api/v1/recipients/cust_42", &key).await;
    assert_eq!((s, &got), (200, &r));

    // POST creates, and refuses an id that exists.
    let (s, b) = app
        .post(
            "/api/v1/recipients",
            &key,
            &json!({"id": "cust_43", "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/recipients",
            &key,
            &json!({"id": "cust_43", "email": "bob@example.com"}),
        )
        .await;
    assert_error(s, &b, 409, None);

    // Newest first, paged with a cursor.
    for i in 0..3 {
        put_recipient(&app, &key, &format!("extra_{i}"), &json!({})).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/recipients?limit=2".to_string();
    loop {
        let (s, page) = app.get(&path, &key).await;
        assert_eq!(s, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/recipients?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["extra_2", "extra_1", "extra_0", "cust_43", "cust_42"]
    );

    let (s, _) = app.delete("/api/v1/recipients/cust_42", &key).await;
    assert_eq!(s, 204);
    let (s, b) = app.get("/api/v1/recipients/cust_42", &key).await;
    assert_error(s, &b, 404, None);
    let (s, b) = app.delete("/api/v1/recipients/cust_42", &key).await;
    assert_error(s, &b, 404, None);
}

#[tokio::test]
async fn bad_recipient_fields_are_named_and_change_nothing() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    let cases = [
        (json!({"email": "not-an-address"}), 422, "email"),
        (json!({"phone": "12"}), 422, "phone"),
        (
            json!({"webhook_url": "ftp://example.com"}),
            422,
            "webhook_url",
        ),
        (json!({"timezone": "Mars/Olympus"}), 422, "timezone"),
        (json!({"locale": "english please"}), 422, "locale"),
        (
            json!({"preferred_channel": "fax"}),
            422,
            "preferred_channel",
        ),
        (
            json!({"preferences": {"billing": {"fax": false}}}),
            422,
            "preferences.billing.fax",
        ),
        (
            json!({"preferences": {"billing": {"email": "no"}}}),
            422,
            "preferences.billing.email",
        ),
        (
            json!({"quiet_hours": {"start": "9pm", "end": "08:00"}}),
            422,
            "quiet_hours.start",
        ),
        (
            json!({"quiet_hours": {"start": "08:00", "end": "08:00"}}),
            422,
            "quiet_hours.end",
        ),
        (json!({"email": 42}), 400, "email"),
        (json!({"nickname": "Ada"}), 400, "nickname"),
        (json!({"id": "other"}), 422, "id"),
    ];
    for (body, status, field) in cases {
        let (s, b) = app.put("/api/v1/recipients/cust_1", &key, &body).await;
        assert_error(s, &b, status, Some(field));
    }
    let (s, b) = app.get("/api/v1/recipients/cust_1", &key).await;
    assert_error(s, &b, 404, None);
    let (s, b) = app
        .put("/api/v1/recipients/has%20space", &key, &json!({}))
        .await;
    assert_error(s, &b, 422, Some("id"));
}

#[tokio::test]
async fn a_batch_upserts_all_in_one_transaction_or_lists_every_bad_item() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    put_recipient(&app, &key, "cust_1", &json!({"email": "one@example.com"})).await;
    let (s, b) = app
        .post(
            "/api/v1/recipients/batch",
            &key,
            &json!({"items": [
                {"id": "cust_1", "email": "uno@example.com"},
                {"id": "cust_2", "email": "nope"},
                {"id": "cust_3", "quiet_hours": {"start": "x", "end": "08:00"}},
                {"id": "cust_1"},
                {"email": "noid@example.com"}
            ]}),
        )
        .await;
    assert_error(s, &b, 422, None);
    let items = b["error"]["items"].as_array().unwrap();
    let got: Vec<(u64, &str)> = items
        .iter()
        .map(|i| (i["index"].as_u64().unwrap(), i["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [(1, "email"), (2, "quiet_hours.start"), (3, "id"), (4, "id")]
    );
    // Nothing was written: the first item's change is not there either.
    let (_, r) = app.get("/api/v1/recipients/cust_1", &key).await;
    assert_eq!(r["email"], "one@example.com");

    let (s, b) = app
        .post(
            "/api/v1/recipients/batch",
            &key,
            &json!({"items": [
                {"id": "cust_1", "email": "uno@example.com"},
                {"id": "cust_2", "phone": "+14155550100"}
            ]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["items"][0]["created"], false);
    assert_eq!(b["items"][1]["created"], true);
    let (_, r) = app.get("/api/v1/recipients/cust_1", &key).await;
    assert_eq!(r["email"], "uno@example.com");
}

#[tokio::test]
async fn recipients_belong_to_their_tenant_and_defaults_need_an_admin() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    put_recipient(&app, &key, "cust_1", &json!({"email": "one@example.com"})).await;
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    let (s, b) = app.get("/api/v1/recipients/cust_1", &other).await;
    assert_error(s, &b, 404, None);
    let (s, b) = app
        .post("/api/v1/notifications", &other, &json!({"recipient_id": "cust_1", "category": "billing", "body": "x", "send_at": "2099-01-01T00:00:00Z"}))
        .await;
    assert_error(s, &b, 422, Some("recipient_id"));

    let defaults = json!({"preferences": {"marketing": {"email": false}}, "quiet_hours": {"start": "22:00", "end": "07:00"}});
    let (s, b) = app.put("/api/v1/recipient-defaults", &key, &defaults).await;
    assert_error(s, &b, 403, None);
    let (s, b) = app
        .put("/api/v1/recipient-defaults", &app.admin_key, &defaults)
        .await;
    assert_eq!((s, &b), (200, &defaults));
    let (s, b) = app.get("/api/v1/recipient-defaults", &key).await;
    assert_eq!((s, &b), (200, &defaults));
    let (s, b) = app
        .put(
            "/api/v1/recipient-defaults",
            &app.admin_key,
            &json!({"quiet_hours": {"start": "22:00"}}),
        )
        .await;
    assert_error(s, &b, 422, Some("quiet_hours.end"));
}

#[tokio::test]
async fn a_notification_to_a_recipient_takes_the_first_allowed_channel() {
    let app = TestApp::spawn().await;
    let key = app.member_key().await;
    put_recipient(
        &app,
        &key,
        "cust_42",
        &json!({"email": "ada@example.com", "phone": "+14155550123", "preferred_channel": "sms",
                "preferences": {"marketing": {"sms": false}}}),
    )
    .await;
    let create = |extra: Value| {
        let mut body = json!({"recipient_id": "cust_42", "body": "Hi {{ name }}", "subject": "Hello",
                              "send_at": "2099-01-01T09:00:00Z"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // The preferred channel.
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"category": "billing"})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(
        (
            &n["channel"],
            &n["recipient"],
            &n["recipient_id"],
            &n["category"],
            &n["urgent"]
        ),
        (
            &json!("sms"),
            &json!("+14155550123"),
            &json!("cust_42"),
            &json!("billing"),
            &json!(false)
        )
    );
    // Opted out of marketing by SMS: the next allowed one.
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"category": "marketing", "urgent": true})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(
        (&n["channel"], &n["recipient"]),
        (&json!("email"), &json!("ada@example.com"))
    );
    assert_eq!(n["urgent"], true);
    // Its address follows the recipient, not a PATCH.
    let (s, b) = app
        .patch(
            &format!("/api/v1/notifications/{}", n["id"].as_str().unwrap()),
            &key,
            &json!({"recipient": "x@example.com"}),
        )
        .await;
    assert_error(s, &b, 422, Some("recipient"));
    // An explicit list, in order.
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &create(json!({"category": "billing", "channels": ["webhook", "email"]})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["channel"], "email");

    let cases = [
        (
            json!({"category": "marketing", "channels": ["sms"]}),
            "channels",
        ),
        (
            json!({"category": "marketing", "channel": "sms"}),
            "channel",
        ),
        (
            json!({"category": "marketing", "channels": ["webhook"]}),
            "channels",
        ),
        (
            json!({"category": "billing", "recipient_id": "cust_7"}),
            "recipient_id",
        ),
        (json!({}), "category"),
        (json!({"category": "bad category"}), "category"),
        (
            json!({"category": "billing", "recipient": "ada@example.com"}),
            "recipient",
        ),
        (
            json!({"category": "billing", "channels": ["fax"]}),
            "channels[0]",
        ),
    ];
    for (extra, field) in cases {
        let (s, b) = app
            .post("/api/v1/notifications", &key, &create(extra))
            .await;
        assert_error(s, &b, 422, Some(field));
    }
    // A category without a recipient is a mistake, not ignored.
    let (s, b) = app
        .post("/api/v1/notifications", &key, &json!({"channel": "email", "recipient": "a@example.com", "body": "x", "category": "billing", "send_at": "2099-01-01T09:00:00Z"}))
        .await;
    assert_error(s, &b, 422, Some("category"));

    // Listed by recipient.
    let (s, page) = app
        .get("/api/v1/notifications?recipient_id=cust_42", &key)
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");

    // Opted out of every channel of a category: 422 naming the category.
    put_recipient(
        &app,
        &key,
        "cust_9",
        &json!({"email": "c@example.com", "preferences": {"news": {"email": false}}}),
    )
    .await;
    let (s, b) = app
        .post("/api/v1/notifications", &key, &json!({"recipient_id": "cust_9", "category": "news", "body": "x", "send_at": "2099-01-01T09:00:00Z"}))
        .await;
    assert_error(s, &b, 422, Some("category"));

    // In a batch, every item is resolved against one read of the recipients.
    let (s, b) = app
        .post(
            "/api/v1/notifications/batch",
            &key,
            &json!({"items": [
                create(json!({"category": "billing"})),
                create(json!({"category": "billing", "recipient_id": "nobody"}))
            ]}),
        )
        .await;
    assert_error(s, &b, 422, None);
    assert_eq!(b["error"]["items"][0]["index"], 1);
    assert_eq!(b["error"]["items"][0]["field"], "recipient_id");
}
