use crate::support::{assert_error, TestApp};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

fn in_days(d: i64) -> String {
    (Utc::now() + Duration::days(d)).to_rfc3339()
}

fn email_body() -> Value {
    json!({
        "channel": "email",
        "recipient": "ada@example.com",
        "subject": "Your card expires soon",
        "body": "Hi {{name}}, your card ends soon.",
        "data": {"name": "Ada"},
        "target_date": in_days(10),
        "lead_time": "P3D",
        "group_key": "invoice-123",
    })
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn create_computes_send_at_from_target_and_lead_time() {
    let app = TestApp::spawn().await;
    let (status, n) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["status"], "scheduled");
    assert_eq!(n["channel"], "email");
    assert_eq!(n["attempts"], 0);
    assert_eq!(n["max_attempts"], 8, "retry schedule length + 1");
    assert_eq!(
        time(&n["target_date"]) - time(&n["send_at"]),
        Duration::days(3)
    );
    assert_eq!(
        n["expires_at"], n["target_date"],
        "expiry defaults to the target date"
    );
    for field in [
        "id",
        "created_at",
        "updated_at",
        "sent_at",
        "cancelled_at",
        "event_id",
        "series_id",
        "last_error",
        "timezone",
        "cron",
    ] {
        assert!(n.get(field).is_some(), "response lacks {field}");
    }
    assert!(n["send_at"].as_str().unwrap().ends_with('Z'));

    let (status, fetched) = app
        .get(
            &format!("/api/v1/notifications/{}", n["id"].as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["id"], n["id"]);
    assert_eq!(fetched["data"]["name"], "Ada");
}

#[tokio::test]
async fn local_times_are_read_in_the_time_zone() {
    let app = TestApp::spawn().await;
    let (status, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                    "send_at": "2030-07-01T09:00:00", "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["send_at"], "2030-07-01T07:00:00Z");
    assert_eq!(n["timezone"], "Europe/Berlin");
}

#[tokio::test]
async fn idempotency_key_in_body_or_header_returns_the_first_notification() {
    let app = TestApp::spawn().await;
    let mut body = email_body();
    body["idempotency_key"] = json!("inv-123-reminder-1");
    let (s1, first) = app
        .post("/api/v1/notifications", &app.admin_key, &body)
        .await;
    let (s2, second) = app
        .post("/api/v1/notifications", &app.admin_key, &body)
        .await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(first["id"], second["id"]);

    let resp = app
        .client
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(&app.admin_key)
        .header("Idempotency-Key", "hdr-1")
        .json(&email_body())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let a: Value = resp.json().await.unwrap();
    let resp = app
        .client
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(&app.admin_key)
        .header("Idempotency-Key", "hdr-1")
        .json(&email_body())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    let (_, list) = app.get("/api/v1/notifications", &app.admin_key).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "repeats create nothing"
    );
}

#[tokio::test]
async fn every_validation_error_names_its_field() {
    let app = TestApp::spawn().await;
    let base = email_body();
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"channel": "pigeon"}), 422, "channel"),
        (json!({"channel": 5}), 400, "channel"),
        (json!({"recipient": "not-an-email"}), 422, "recipient"),
        (json!({"lead_time": "3 days"}), 422, "lead_time"),
        (json!({"lead_time": "P1M"}), 422, "lead_time"),
        (json!({"timezone": "Mars/Base"}), 422, "timezone"),
        (json!({"target_date": "tomorrow"}), 422, "target_date"),
        (json!({"send_at": in_days(1)}), 422, "send_at"),
        (json!({"expires_at": in_days(1)}), 422, "expires_at"),
        (json!({"body": "Hi {{ name"}), 422, "body"),
        (json!({"subject": "{% if %}"}), 422, "subject"),
        (json!({"data": [1, 2]}), 400, "data"),
        (json!({"max_attempts": 0}), 422, "max_attempts"),
        (json!({"max_attempts": "five"}), 400, "max_attempts"),
        (json!({"group_key": ""}), 422, "group_key"),
        (json!({"cron": "every day"}), 422, "cron"),
        (json!({"surprise": true}), 400, "surprise"),
    ];
    for (patch, status, field) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, b) = app
            .post("/api/v1/notifications", &app.admin_key, &body)
            .await;
        assert_error(s, &b, status, Some(field));
    }
    // Wrong recipient type per channel.
    let (s, b) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "12345", "body": "x", "send_at": in_days(1)}),
        )
        .await;
    assert_error(s, &b, 422, Some("recipient"));
    let (s, b) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": "ftp://x.example", "send_at": in_days(1)}),
        )
        .await;
    assert_error(s, &b, 422, Some("recipient"));
    // Missing time entirely, and a target already past.
    let (s, b) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "x"}),
        )
        .await;
    assert_error(s, &b, 422, Some("send_at"));
    let (s, b) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "sms", "recipient": "+14155550123", "body": "x", "target_date": in_days(-1)}))
        .await;
    assert_error(s, &b, 422, Some("target_date"));
    let (s, b) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "sms", "recipient": "+14155550123", "body": "", "send_at": in_days(1)}))
        .await;
    assert_error(s, &b, 422, Some("body"));
    // Recurring: the cron expression sets the times, and ends_at must leave room for a fire.
    let weekly =
        json!({"channel": "sms", "recipient": "+14155550123", "body": "x", "cron": "0 9 * * MON"});
    for (extra, field) in [
        (json!({"expires_at": in_days(30)}), "expires_at"),
        (json!({"send_at": in_days(1)}), "send_at"),
        (
            json!({"ends_at": (Utc::now() + Duration::minutes(1)).to_rfc3339(), "cron": "0 9 1 1 *"}),
            "ends_at",
        ),
        (json!({"ends_at": in_days(30), "cron": null}), "ends_at"),
    ] {
        let mut body = weekly.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, b) = app
            .post("/api/v1/notifications", &app.admin_key, &body)
            .await;
        assert_error(s, &b, 422, Some(field));
    }
    // Nothing was written by any of the above.
    let (_, list) = app.get("/api/v1/notifications", &app.admin_key).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn webhook_urls_into_private_networks_are_refused() {
    let app = TestApp::spawn().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        // IPv6 forms that embed 127.0.0.1: IPv4-translated, 6to4, Teredo, NAT64 local-use.
        "http://[::ffff:0:7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[64:ff9b:1::7f00:1]/",
    ] {
        let (s, b) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({"channel": "webhook", "recipient": url, "send_at": in_days(1)}),
            )
            .await;
        assert_error(s, &b, 422, Some("recipient"));
    }
}

#[tokio::test]
async fn list_filters_and_pages_newest_first() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = email_body();
        body["group_key"] = json!(if i % 2 == 0 { "even" } else { "odd" });
        body["channel"] = json!(if i == 4 { "sms" } else { "email" });
        body["recipient"] = json!(if i == 4 {
            "+14155550123"
        } else {
            "ada@example.com"
        });
        let (s, n) = app
            .post("/api/v1/notifications", &app.admin_key, &body)
            .await;
        assert_eq!(s, 201, "{n}");
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/notifications?limit=2&cursor={c}"),
            None => "/api/v1/notifications?limit=2".to_string(),
        };
        let (s, page) = app.get(&path, &app.admin_key).await;
        assert_eq!(s, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, every item exactly once");

    let (_, odd) = app
        .get("/api/v1/notifications?group_key=odd", &app.admin_key)
        .await;
    assert_eq!(odd["items"].as_array().unwrap().len(), 2);
    let (_, sms) = app
        .get("/api/v1/notifications?channel=sms", &app.admin_key)
        .await;
    assert_eq!(sms["items"].as_array().unwrap().len(), 1);
    let (_, sched) = app
        .get("/api/v1/notifications?status=scheduled", &app.admin_key)
        .await;
    assert_eq!(sched["items"].as_array().unwrap().len(), 5);
    let (_, sent) = app
        .get("/api/v1/notifications?status=sent", &app.admin_key)
        .await;
    assert_eq!(sent["items"].as_array().unwrap().len(), 0);

    for (path, field) in [
        ("/api/v1/notifications?limit=501", "limit"),
        ("/api/v1/notifications?limit=0", "limit"),
        ("/api/v1/notifications?status=lost", "status"),
        ("/api/v1/notifications?channel=fax", "channel"),
        ("/api/v1/notifications?event_id=nope", "event_id"),
    ] {
        let (s, b) = app.get(path, &app.admin_key).await;
        assert_error(s, &b, 422, Some(field));
    }
    let (s, b) = app
        .get("/api/v1/notifications?cursor=garbage", &app.admin_key)
        .await;
    assert_error(s, &b, 400, Some("cursor"));
    let (s, b) = app
        .get("/api/v1/notifications?limit=ten", &app.admin_key)
        .await;
    assert_error(s, &b, 400, Some("limit"));
    let (s, b) = app
        .get("/api/v1/notifications?colour=red", &app.admin_key)
        .await;
    assert_error(s, &b, 400, Some("colour"));
}

#[tokio::test]
async fn reschedule_moves_send_at_and_bumps_version() {
    let app = TestApp::spawn().await;
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    let path = format!("/api/v1/notifications/{}", n["id"].as_str().unwrap());
    let (s, moved) = app
        .patch(
            &path,
            &app.admin_key,
            &json!({"lead_time": "P1D", "subject": "Changed"}),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(
        time(&moved["target_date"]) - time(&moved["send_at"]),
        Duration::days(1)
    );
    assert_eq!(moved["subject"], "Changed");
    assert_eq!(moved["lead_time"], "P1D");

    let new_target = in_days(20);
    let (s, moved) = app
        .patch(&path, &app.admin_key, &json!({"target_date": new_target}))
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(
        time(&moved["target_date"]) - time(&moved["send_at"]),
        Duration::days(1)
    );

    let at = in_days(2);
    let (s, moved) = app
        .patch(&path, &app.admin_key, &json!({"send_at": at}))
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(
        time(&moved["send_at"]).timestamp_micros(),
        time(&json!(at)).timestamp_micros()
    );

    let (s, b) = app
        .patch(&path, &app.admin_key, &json!({"lead_time": "soon"}))
        .await;
    assert_error(s, &b, 422, Some("lead_time"));
    let (s, b) = app
        .patch(&path, &app.admin_key, &json!({"send_at": in_days(30)}))
        .await;
    assert_error(s, &b, 422, Some("target_date"));
    let (s, b) = app
        .patch(&path, &app.admin_key, &json!({"recipient": "nobody"}))
        .await;
    assert_error(s, &b, 422, Some("recipient"));
    let (s, b) = app
        .patch(&path, &app.admin_key, &json!({"channel": "sms"}))
        .await;
    assert_error(s, &b, 400, Some("channel"));
    for (change, field) in [
        (json!({"body": ""}), "body"),
        (json!({"body": null}), "body"),
        (json!({"data": null}), "data"),
    ] {
        let (s, b) = app.patch(&path, &app.admin_key, &change).await;
        assert_error(s, &b, 422, Some(field));
    }
    let (s, _) = app
        .patch(
            "/api/v1/notifications/00000000-0000-0000-0000-000000000000",
            &app.admin_key,
            &json!({"subject": "x"}),
        )
        .await;
    assert_eq!(s, 404);

    app.post(&format!("{path}/cancel"), &app.admin_key, &json!({}))
        .await;
    let (s, b) = app
        .patch(&path, &app.admin_key, &json!({"subject": "too late"}))
        .await;
    assert_error(s, &b, 409, None);
}

#[tokio::test]
async fn cancel_is_idempotent_and_refuses_sent_notifications() {
    let app = TestApp::spawn().await;
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    let id = n["id"].as_str().unwrap();
    let (s, c) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(c["status"], "cancelled");
    assert!(c["cancelled_at"].is_string());
    let (s, again) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        again["cancelled_at"], c["cancelled_at"],
        "a repeated cancel changes nothing"
    );

    // Mark another one sent directly in the database (the sender is not running here).
    let (_, sent) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    let sent_id: uuid::Uuid = sent["id"].as_str().unwrap().parse().unwrap();
    {
        use chime::db::schema::notifications::dsl as n;
        use diesel::prelude::*;
        let mut conn = app.db.conn();
        diesel::update(n::notifications.find(sent_id))
            .set((n::status.eq("sent"), n::sent_at.eq(Utc::now())))
            .execute(&mut conn)
            .unwrap();
    }
    let (s, b) = app
        .post(
            &format!("/api/v1/notifications/{sent_id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(s, &b, 409, None);
    let (s, _) = app
        .post(
            "/api/v1/notifications/not-a-uuid/cancel",
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn cancel_by_group_key_cancels_only_pending_of_that_group() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.post("/api/v1/notifications", &app.admin_key, &email_body())
            .await;
    }
    let mut other = email_body();
    other["group_key"] = json!("invoice-999");
    app.post("/api/v1/notifications", &app.admin_key, &other)
        .await;
    let (s, r) = app
        .post(
            "/api/v1/notifications/cancel",
            &app.admin_key,
            &json!({"group_key": "invoice-123"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancelled"], 3);
    let (_, r) = app
        .post(
            "/api/v1/notifications/cancel",
            &app.admin_key,
            &json!({"group_key": "invoice-123"}),
        )
        .await;
    assert_eq!(r["cancelled"], 0);
    let (_, left) = app
        .get("/api/v1/notifications?status=scheduled", &app.admin_key)
        .await;
    assert_eq!(left["items"].as_array().unwrap().len(), 1);
    let (s, b) = app
        .post("/api/v1/notifications/cancel", &app.admin_key, &json!({}))
        .await;
    assert_error(s, &b, 422, Some("group_key"));
}

#[tokio::test]
async fn attempts_list_is_empty_before_delivery_and_404_for_unknown() {
    let app = TestApp::spawn().await;
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    let (s, a) = app
        .get(
            &format!(
                "/api/v1/notifications/{}/attempts",
                n["id"].as_str().unwrap()
            ),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(a["items"], json!([]));
    let (s, b) = app
        .get(
            &format!("/api/v1/notifications/{}/attempts", uuid::Uuid::new_v4()),
            &app.admin_key,
        )
        .await;
    assert_error(s, &b, 404, None);
}

#[tokio::test]
async fn a_notification_being_sent_can_no_longer_change() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("plays a sender's claim that no sender finishes");
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &email_body())
        .await;
    let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
    // A sender has claimed it (the sender role is not running here).
    {
        use chime::db::schema::notifications::dsl as n;
        use diesel::prelude::*;
        let mut conn = app.db.conn();
        diesel::update(n::notifications.find(id))
            .set((n::status.eq("sending"), n::claimed_at.eq(Utc::now())))
            .execute(&mut conn)
            .unwrap();
    }
    let (s, b) = app
        .patch(
            &format!("/api/v1/notifications/{id}"),
            &app.admin_key,
            &json!({"lead_time": "P4D"}),
        )
        .await;
    assert_error(s, &b, 409, None);
    let (s, b) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(s, &b, 409, None);
    let (_, after) = app
        .get(&format!("/api/v1/notifications/{id}"), &app.admin_key)
        .await;
    assert_eq!(after["status"], "sending");
    assert_eq!(after["send_at"], n["send_at"]);
}
