use crate::support::{assert_error, TestApp};
use crate::{drain, get_event, post_event, redis_int, worker_ctx};
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn posting_an_event_stores_it_and_queues_its_id() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the queued entry is what is under test");
    let member = app.member_key().await;
    let (status, body) = app
        .post(
            "/api/v1/events",
            &member,
            &json!({"type": "card.expiring", "payload": {"email": "ada@example.com", "name": "Ada"}}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "received");
    assert!(body["id"].is_string());

    let event = get_event(&app, &body["id"]).await;
    assert_eq!(event["type"], "card.expiring");
    assert_eq!(event["payload"]["name"], "Ada");
    assert_eq!(event["status"], "received");
    assert_eq!(event["error"], serde_json::Value::Null);
    assert_eq!(event["notification_ids"], json!([]));
    assert_eq!(event["processed_at"], serde_json::Value::Null);
    assert!(event["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(redis_int(&app, "XLEN", &app.keys().events), 1);
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_first_event() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the events API's answers are under test");
    let body = json!({"type": "card.expiring", "payload": {"n": 1}, "idempotency_key": "evt-991"});
    let (status, first) = app.post("/api/v1/events", &app.admin_key, &body).await;
    assert_eq!(status, 202, "{first}");
    let again = json!({"type": "card.expiring", "payload": {"n": 2}, "idempotency_key": "evt-991"});
    let (status, second) = app.post("/api/v1/events", &app.admin_key, &again).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["id"], first["id"]);
    assert_eq!(
        second["payload"]["n"], 1,
        "the first event is returned unchanged"
    );
    assert_eq!(
        redis_int(&app, "XLEN", &app.keys().events),
        1,
        "queued once"
    );

    // The header works the same way.
    let send = |payload| {
        app.client
            .post(app.url("/api/v1/events"))
            .bearer_auth(&app.admin_key)
            .header("Idempotency-Key", "evt-hdr")
            .json(&json!({"type": "x", "payload": payload}))
            .send()
    };
    let r1 = crate::support::split(send(json!({})).await.unwrap()).await;
    let r2 = crate::support::split(send(json!({})).await.unwrap()).await;
    assert_eq!((r1.0, r2.0), (202, 200));
    assert_eq!(r1.1["id"], r2.1["id"]);

    let resp = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&app.admin_key)
        .header("Idempotency-Key", "a")
        .json(&json!({"type": "x", "payload": {}, "idempotency_key": "b"}))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::split(resp).await;
    assert_error(status, &body, 422, Some("idempotency_key"));
}

#[tokio::test]
async fn invalid_events_are_rejected_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"payload": {}}), 422, "type"),
        (json!({"type": "card expiring", "payload": {}}), 422, "type"),
        (json!({"type": "x".repeat(201), "payload": {}}), 422, "type"),
        (json!({"type": 5, "payload": {}}), 400, "type"),
        (json!({"type": "card.expiring"}), 422, "payload"),
        (
            json!({"type": "card.expiring", "payload": [1]}),
            400,
            "payload",
        ),
        (
            json!({"type": "card.expiring", "payload": {}, "idempotency_key": ""}),
            422,
            "idempotency_key",
        ),
        (
            json!({"type": "card.expiring", "payload": {}, "extra": 1}),
            400,
            "extra",
        ),
    ];
    for (body, status, field) in cases {
        let (got, resp) = app.post("/api/v1/events", &app.admin_key, &body).await;
        assert_error(got, &resp, status, Some(field));
    }
    let (_, list) = app.get("/api/v1/events", &app.admin_key).await;
    assert_eq!(list["items"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn events_are_listed_newest_first_with_filters_and_cursors() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the events API's answers are under test");
    let mut a_ids = Vec::new();
    for i in 0..3 {
        let e = post_event(&app, &app.admin_key, "type.a", json!({"i": i})).await;
        a_ids.push(e["id"].clone());
    }
    for i in 0..2 {
        post_event(&app, &app.admin_key, "type.b", json!({"i": i})).await;
    }
    let (status, page1) = app
        .get("/api/v1/events?type=type.a&limit=2", &app.admin_key)
        .await;
    assert_eq!(status, 200, "{page1}");
    let items = page1["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], a_ids[2]);
    assert_eq!(items[1]["id"], a_ids[1]);
    assert!(items[0]["notification_ids"].is_array());
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .get(
            &format!("/api/v1/events?type=type.a&limit=2&cursor={cursor}"),
            &app.admin_key,
        )
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["id"], a_ids[0]);
    assert_eq!(page2["next_cursor"], serde_json::Value::Null);

    let (_, received) = app
        .get("/api/v1/events?status=received", &app.admin_key)
        .await;
    assert_eq!(received["items"].as_array().unwrap().len(), 5);
    let (_, failed) = app
        .get("/api/v1/events?status=failed", &app.admin_key)
        .await;
    assert_eq!(failed["items"], json!([]));

    let (status, body) = app.get("/api/v1/events?status=done", &app.admin_key).await;
    assert_error(status, &body, 422, Some("status"));
    let (status, body) = app.get("/api/v1/events?limit=0", &app.admin_key).await;
    assert_error(status, &body, 422, Some("limit"));
    let (status, body) = app.get("/api/v1/events?kind=a", &app.admin_key).await;
    assert_error(status, &body, 400, Some("kind"));
    let (status, body) = app.get("/api/v1/events?cursor=nope", &app.admin_key).await;
    assert_error(status, &body, 400, Some("cursor"));
}

#[tokio::test]
async fn events_of_other_tenants_are_not_found() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the events API's answers are under test");
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    let e = post_event(&app, &app.admin_key, "x", json!({})).await;
    let path = format!("/api/v1/events/{}", e["id"].as_str().unwrap());
    let (status, body) = app.get(&path, &other).await;
    assert_error(status, &body, 404, None);
    let (status, body) = app
        .post(&format!("{path}/cancel"), &other, &json!({}))
        .await;
    assert_error(status, &body, 404, None);
    let (_, list) = app.get("/api/v1/events", &other).await;
    assert_eq!(list["items"], json!([]));
    let (status, body) = app.get("/api/v1/events/not-a-uuid", &app.admin_key).await;
    assert_error(status, &body, 404, None);
}

#[tokio::test]
async fn cancelling_an_event_cancels_its_pending_notifications() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let target = (Utc::now() + Duration::days(10)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"email": "ada@example.com", "phone": "+14155550123", "target_date": target, "lead_time": "P1D"}),
    )
    .await;
    assert_eq!(drain(&ctx).await, 1);
    let event = get_event(&app, &e["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    let ids = event["notification_ids"].as_array().unwrap().clone();
    assert_eq!(ids.len(), 2);
    assert_eq!(redis_int(&app, "ZCARD", &app.keys().schedule), 2);

    let path = format!("/api/v1/events/{}/cancel", e["id"].as_str().unwrap());
    let (status, body) = app.post(&path, &app.admin_key, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cancelled"], 2);
    for id in &ids {
        let (_, n) = app
            .get(
                &format!("/api/v1/notifications/{}", id.as_str().unwrap()),
                &app.admin_key,
            )
            .await;
        assert_eq!(n["status"], "cancelled");
    }
    assert_eq!(
        redis_int(&app, "ZCARD", &app.keys().schedule),
        0,
        "unscheduled"
    );
    let (status, body) = app.post(&path, &app.admin_key, &json!({})).await;
    assert_eq!((status, body["cancelled"].clone()), (200, json!(0)));
}

#[tokio::test]
async fn cancelling_an_event_before_it_is_handled_stops_it() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let target = (Utc::now() + Duration::days(10)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    let path = format!("/api/v1/events/{}/cancel", e["id"].as_str().unwrap());
    let (status, body) = app.post(&path, &app.admin_key, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ignored");
    assert_eq!(drain(&ctx).await, 1, "the queued entry is consumed");
    let event = get_event(&app, &e["id"]).await;
    assert_eq!(event["status"], "ignored");
    assert_eq!(event["notification_ids"], json!([]));
}

async fn post_raw(app: &TestApp, path: &str, body: &str) -> (u16, serde_json::Value) {
    let resp = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.admin_key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    crate::support::split(resp).await
}

#[tokio::test]
async fn numbers_that_would_not_read_back_are_refused_and_the_list_stays_readable() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("no worker runs: the events API's answers are under test");
    for (payload, field) in [
        (r#"{"x": 1.7976931348623157e+308}"#, "payload.x"),
        (r#"{"x": 1e308}"#, "payload.x"),
        (r#"{"x": 5e-324}"#, "payload.x"),
        (
            r#"{"big": [1, 123456789012345678901234567890]}"#,
            "payload.big[1]",
        ),
        (r#"{"x": {"y": -99999999999999999999}}"#, "payload.x.y"),
    ] {
        let (status, body) = post_raw(
            &app,
            "/api/v1/events",
            &format!(r#"{{"type": "big.num", "payload": {payload}}}"#),
        )
        .await;
        assert_error(status, &body, 422, Some(field));
        let (status, body) = post_raw(
            &app,
            "/api/v1/notifications",
            &format!(
                r#"{{"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": "2099-01-01T00:00:00Z", "data": {payload}}}"#
            ),
        )
        .await;
        assert_error(
            status,
            &body,
            422,
            Some(&field.replacen("payload", "data", 1)),
        );
    }
    let (status, body) = app.get("/api/v1/events", &app.admin_key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"], json!([]), "nothing refused was stored");

    // What is accepted comes back bit for bit: these lost their last bit, or failed outright,
    // when read back from PostgreSQL's plain decimals with serde_json's default parser.
    let accepted = [
        ("a", "0.1"),
        ("b", "0.30000000000000004"),
        ("c", "4.152721812400268e-10"),
        ("d", "9.323881744254473e+19"),
        ("e", "6.02214076e23"),
        ("f", "1.5e-7"),
        ("g", "1e19"),
        ("h", "18446744073709551615"),
        ("i", "-9223372036854775808"),
        ("j", "-0.0"),
        ("k", "3.4028234663852886e38"),
    ];
    let fields: Vec<String> = accepted
        .iter()
        .map(|(k, v)| format!(r#""{k}": {v}"#))
        .collect();
    let (status, body) = post_raw(
        &app,
        "/api/v1/events",
        &format!(
            r#"{{"type": "big.num", "payload": {{{}}}}}"#,
            fields.join(", ")
        ),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let (status, list) = app.get("/api/v1/events", &app.admin_key).await;
    assert_eq!(status, 200, "{list}");
    let event = get_event(&app, &body["id"]).await;
    for stored in [&event["payload"], &list["items"][0]["payload"]] {
        for (k, v) in accepted {
            let sent: f64 = v.parse().unwrap();
            let back = stored[k].as_f64().unwrap_or(f64::NAN);
            // -0.0 is kept as 0 (PostgreSQL has no negative zero), equal as a number.
            assert!(back == sent, "{k}: sent {v}, read back {}", stored[k]);
        }
        assert_eq!(stored["h"].as_u64(), Some(u64::MAX));
        assert_eq!(stored["i"].as_i64(), Some(i64::MIN));
    }

    // Deep nesting within the parser's limit is stored and read back; past it, a 400.
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let (status, body) = post_raw(
        &app,
        "/api/v1/events",
        &format!(r#"{{"type": "deep", "payload": {{"x": {}}}}}"#, nested(120)),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    get_event(&app, &body["id"]).await;
    let (status, body) = post_raw(
        &app,
        "/api/v1/events",
        &format!(r#"{{"type": "deep", "payload": {{"x": {}}}}}"#, nested(200)),
    )
    .await;
    assert_error(status, &body, 400, None);
    let (status, body) = app.get("/api/v1/events", &app.admin_key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_event_stored_before_the_check_reads_back() {
    // Rows like this were stored while the check did not exist; reading them used to fail.
    let app = TestApp::spawn().await;
    use diesel::prelude::*;
    diesel::sql_query(
        "INSERT INTO events (id, tenant_id, event_type, payload, status) \
         SELECT gen_random_uuid(), id, 'big.num', '{\"x\": 1.7976931348623157e308, \"y\": 4.152721812400268e-10}', 'processed' \
         FROM tenants",
    )
    .execute(&mut app.db.conn())
    .unwrap();
    let (status, list) = app.get("/api/v1/events", &app.admin_key).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["payload"]["x"].as_f64(), Some(f64::MAX));
    assert_eq!(
        list["items"][0]["payload"]["y"].as_f64(),
        Some(4.152721812400268e-10)
    );
}
