//! `POST /notifications/batch` and `POST /events/batch`.

use crate::support::{assert_error, wait_until, TestApp};
use chime::config::Role;
use chime::domain::AccessRole;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use redis::Commands;
use serde_json::{json, Value};
use std::time::{Duration as StdDuration, Instant};

fn in_days(d: i64) -> String {
    (Utc::now() + Duration::days(d)).to_rfc3339()
}

fn sms(key: Option<&str>) -> Value {
    let mut item = json!({
        "channel": "sms",
        "recipient": "+14155550123",
        "body": "Your code is ready",
        "send_at": in_days(1),
    });
    if let Some(k) = key {
        item["idempotency_key"] = json!(k);
    }
    item
}

fn batch(items: Vec<Value>) -> Value {
    json!({ "items": items })
}

fn notification_rows(app: &TestApp) -> i64 {
    use chime::db::schema::notifications::dsl as n;
    n::notifications
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

fn scheduled_in_redis(app: &TestApp) -> i64 {
    app.redis().zcard(app.keys().schedule).unwrap()
}

fn id(item: &Value, kind: &str) -> String {
    item[kind]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_batch_of_mixed_channels_is_created_in_order_and_scheduled() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let items = vec![
        json!({"channel": "email", "recipient": "ada@example.com", "subject": "Hi {{name}}",
               "body": "Your card ends soon.", "data": {"name": "Ada"},
               "target_date": in_days(10), "lead_time": "P3D"}),
        sms(None),
        json!({"channel": "webhook", "recipient": "http://127.0.0.1:9/hook",
               "data": {"order": 7}, "send_at": in_days(2), "group_key": "order-7"}),
        json!({"channel": "sms", "recipient": "+14155550124", "body": "Daily",
               "cron": "0 9 * * *"}),
    ];
    let (status, body) = app
        .post("/api/v1/notifications/batch", &app.admin_key, &batch(items))
        .await;
    assert_eq!(status, 201, "{body}");
    let out = body["items"].as_array().unwrap();
    assert_eq!(out.len(), 4);
    let channels: Vec<&str> = out
        .iter()
        .map(|i| i["notification"]["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["email", "sms", "webhook", "sms"]);
    assert!(out.iter().all(|i| i["created"] == true), "{body}");
    assert_eq!(out[0]["notification"]["recipient"], "ada@example.com");
    assert_eq!(out[2]["notification"]["group_key"], "order-7");
    assert!(out[3]["notification"]["series_id"].is_string(), "{body}");
    for item in out {
        let (status, n) = app
            .get(
                &format!("/api/v1/notifications/{}", id(item, "notification")),
                &app.admin_key,
            )
            .await;
        assert_eq!(status, 200, "{n}");
        assert_eq!(n["status"], "scheduled");
    }
    assert_eq!(notification_rows(&app), 4);
    assert_eq!(scheduled_in_redis(&app), 4, "one schedule entry per item");
    let audited: i64 = {
        use chime::db::schema::audit_log::dsl as a;
        a::audit_log
            .filter(a::action.eq("notification.created"))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(audited, 4);
}

#[tokio::test]
async fn bad_items_are_all_listed_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let too_long = "x".repeat(2_000);
    let items = vec![
        sms(Some("ok-0")),
        json!({"channel": "sms", "recipient": "not a number", "body": "Hi", "send_at": in_days(1)}),
        sms(None),
        json!({"channel": "email", "recipient": "ada@example.com", "body": "Hi"}),
        json!({"channel": "sms", "recipient": "+14155550123", "body": "{{ s }}",
               "data": {"s": too_long}, "send_at": in_days(1)}),
        json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
               "send_at": in_days(1), "colour": "red"}),
        json!("not an object"),
    ];
    let (status, body) = app
        .post("/api/v1/notifications/batch", &app.admin_key, &batch(items))
        .await;
    assert_error(status, &body, 422, Some("items"));
    assert_eq!(body["error"]["code"], "validation_failed");
    let listed: Vec<(u64, Value)> = body["error"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert!(i["message"].is_string(), "{i}");
            (i["index"].as_u64().unwrap(), i["field"].clone())
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (1, json!("recipient")),
            (3, json!("send_at")),
            (4, json!("body")),
            (5, json!("colour")),
            (6, Value::Null),
        ],
        "{body}"
    );

    // Items that parse but fail the render check are listed the same way.
    let items = vec![
        sms(None),
        json!({"channel": "sms", "recipient": "+14155550123", "body": "{{ s }}",
               "data": {"s": too_long}, "send_at": in_days(1)}),
    ];
    let (status, body) = app
        .post("/api/v1/notifications/batch", &app.admin_key, &batch(items))
        .await;
    assert_error(status, &body, 422, Some("items"));
    assert_eq!(body["error"]["items"][0]["index"], 1, "{body}");
    assert_eq!(body["error"]["items"][0]["field"], "body", "{body}");
    assert_eq!(body["error"]["items"].as_array().unwrap().len(), 1);

    assert_eq!(notification_rows(&app), 0, "a bad batch creates nothing");
    assert_eq!(scheduled_in_redis(&app), 0);
}

#[tokio::test]
async fn batch_sizes_outside_one_to_a_thousand_are_refused() {
    let app = TestApp::spawn().await;
    let item = json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                      "send_at": in_days(1)});
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![item.clone(); 1_001]),
        )
        .await;
    assert_error(status, &body, 422, Some("items"));
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![]),
        )
        .await;
    assert_error(status, &body, 422, Some("items"));
    let (status, body) = app
        .post("/api/v1/events/batch", &app.admin_key, &batch(vec![]))
        .await;
    assert_error(status, &body, 422, Some("items"));
    assert_eq!(notification_rows(&app), 0);

    // The largest batch goes through, in one request.
    let started = Instant::now();
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![item; 1_000]),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 1_000);
    assert_eq!(notification_rows(&app), 1_000);
    assert_eq!(scheduled_in_redis(&app), 1_000);
    eprintln!("1,000-item batch took {took:?}");
}

#[tokio::test]
async fn idempotency_keys_are_honoured_across_and_within_batches() {
    let mut app = TestApp::spawn().await;
    app.leaves_work(
        "no worker runs: the batch endpoint's answers are under test, not the events it queues",
    );
    let (status, first) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![sms(Some("a"))]),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let a = id(&first["items"][0], "notification");

    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![
                sms(Some("a")),
                sms(Some("b")),
                sms(Some("b")),
                sms(None),
            ]),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let out = body["items"].as_array().unwrap();
    let created: Vec<bool> = out.iter().map(|i| i["created"] == true).collect();
    assert_eq!(created, [false, true, false, true], "{body}");
    assert_eq!(
        id(&out[0], "notification"),
        a,
        "a stored key returns the original"
    );
    assert_eq!(
        id(&out[1], "notification"),
        id(&out[2], "notification"),
        "a key repeated in the batch returns its first item"
    );
    assert_eq!(notification_rows(&app), 3);
    assert_eq!(scheduled_in_redis(&app), 3);

    // Only repeats: nothing new, so 200.
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![sms(Some("b")), sms(Some("a"))]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(id(&body["items"][1], "notification"), a);
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["created"] == false));
    assert_eq!(notification_rows(&app), 3);

    // One header key cannot stand for many items.
    let resp = app
        .client
        .post(app.url("/api/v1/notifications/batch"))
        .bearer_auth(&app.admin_key)
        .header("Idempotency-Key", "c")
        .json(&batch(vec![sms(None)]))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::split(resp).await;
    assert_error(status, &body, 400, Some("Idempotency-Key"));
    assert_eq!(notification_rows(&app), 3);

    // A repeated cron item leaves no orphan series behind.
    let daily = json!({"channel": "sms", "recipient": "+14155550124", "body": "Daily",
                       "cron": "0 9 * * *", "idempotency_key": "daily"});
    for expected in [201, 200] {
        let (status, body) = app
            .post(
                "/api/v1/notifications/batch",
                &app.admin_key,
                &batch(vec![daily.clone(), daily.clone()]),
            )
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let series: i64 = {
        use chime::db::schema::series::dsl as s;
        s::series.count().get_result(&mut app.db.conn()).unwrap()
    };
    assert_eq!(series, 1);

    // Event keys work the same way.
    let event =
        |key: &str| json!({"type": "card.expiring", "payload": {"n": 1}, "idempotency_key": key});
    let (status, body) = app
        .post(
            "/api/v1/events/batch",
            &app.admin_key,
            &batch(vec![event("e1"), event("e1"), event("e2")]),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let out = body["items"].as_array().unwrap();
    let created: Vec<bool> = out.iter().map(|i| i["created"] == true).collect();
    assert_eq!(created, [true, false, true], "{body}");
    assert_eq!(id(&out[0], "event"), id(&out[1], "event"));
    let (status, body) = app
        .post(
            "/api/v1/events/batch",
            &app.admin_key,
            &batch(vec![event("e2")]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(id(&body["items"][0], "event"), id(&out[2], "event"));
}

#[tokio::test]
async fn batches_are_isolated_by_tenant() {
    let app = TestApp::spawn().await;
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (status, mine) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![sms(Some("shared"))]),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    let (status, theirs) = app
        .post(
            "/api/v1/notifications/batch",
            &other,
            &batch(vec![sms(Some("shared"))]),
        )
        .await;
    assert_eq!(
        status, 201,
        "the same key in another tenant is a new item: {theirs}"
    );
    assert_eq!(theirs["items"][0]["created"], true);
    let theirs_id = id(&theirs["items"][0], "notification");
    assert_ne!(id(&mine["items"][0], "notification"), theirs_id);
    let (status, body) = app
        .get(
            &format!("/api/v1/notifications/{theirs_id}"),
            &app.admin_key,
        )
        .await;
    assert_error(status, &body, 404, None);
    let (status, body) = app
        .get(&format!("/api/v1/notifications/{theirs_id}"), &other)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_batch_past_the_pending_cap_creates_nothing() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.limits.max_pending_notifications = Some(3)
    })
    .await;
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![sms(None), sms(None), sms(None), sms(None)]),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["limit"], "CHIME_MAX_PENDING_NOTIFICATIONS");
    assert_eq!(notification_rows(&app), 0);
    let (status, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &batch(vec![sms(None), sms(None), sms(None)]),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn an_event_batch_is_handled_by_the_worker() {
    let app = TestApp::spawn_with(&[Role::Api, Role::Worker], |_| {}).await;
    let rule = json!({
        "event_type": "card.expiring",
        "channel": "email",
        "recipient_path": "/email",
        "target_date_path": "/target_date",
        "lead_times": ["P7D", "P1D"],
        "subject": "Your card expires soon",
        "body": "Hi {{ name }}, your card ends on {{ target_date }}.",
    });
    let (status, body) = app.post("/api/v1/rules", &app.admin_key, &rule).await;
    assert_eq!(status, 201, "{body}");
    let items: Vec<Value> = (0..3)
        .map(|i| {
            json!({"type": "card.expiring", "payload": {
                "email": format!("user{i}@example.com"), "name": format!("User {i}"),
                "target_date": in_days(30),
            }})
        })
        .collect();
    let (status, body) = app
        .post("/api/v1/events/batch", &app.admin_key, &batch(items))
        .await;
    assert_eq!(status, 202, "{body}");
    let out = body["items"].as_array().unwrap();
    assert_eq!(out.len(), 3);
    for item in out {
        assert_eq!(item["created"], true);
        assert_eq!(item["event"]["status"], "received");
        let path = format!("/api/v1/events/{}", id(item, "event"));
        let event = wait_until(
            "the worker handles the event",
            StdDuration::from_secs(60),
            || {
                let app = &app;
                let path = path.clone();
                async move {
                    let (status, e) = app.get(&path, &app.admin_key).await;
                    assert_eq!(status, 200, "{e}");
                    (e["status"] != "received").then_some(e)
                }
            },
        )
        .await;
        assert_eq!(event["status"], "processed", "{event}");
        assert_eq!(event["notification_ids"].as_array().unwrap().len(), 2);
    }
    assert_eq!(notification_rows(&app), 6);

    // A bad event item is named and nothing is stored.
    let (status, body) = app
        .post(
            "/api/v1/events/batch",
            &app.admin_key,
            &batch(vec![
                json!({"type": "card.expiring", "payload": {}}),
                json!({"type": "card.expiring"}),
            ]),
        )
        .await;
    assert_error(status, &body, 422, Some("items"));
    assert_eq!(body["error"]["items"][0]["index"], 1);
    assert_eq!(body["error"]["items"][0]["field"], "payload");
    let events: i64 = {
        use chime::db::schema::events::dsl as e;
        e::events.count().get_result(&mut app.db.conn()).unwrap()
    };
    assert_eq!(events, 3);
}
