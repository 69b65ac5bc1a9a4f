use crate::support::{assert_error, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};

async fn start_series(app: &TestApp, key: &str) -> Value {
    let (status, n) = app
        .post(
            "/api/v1/notifications",
            key,
            &json!({
                "channel": "email",
                "recipient": "ada@example.com",
                "subject": "Weekly",
                "body": "Standup",
                "cron": "0 9 * * MON",
                "timezone": "Europe/Berlin",
            }),
        )
        .await;
    assert_eq!(status, 201, "{n}");
    assert!(n["series_id"].is_string(), "{n}");
    n
}

fn series_path(n: &Value) -> String {
    format!("/api/v1/series/{}", n["series_id"].as_str().unwrap())
}

#[tokio::test]
async fn a_series_shows_its_occurrences() {
    let app = TestApp::spawn().await;
    let member = app.member_key().await;
    let first = start_series(&app, &member).await;
    let (status, series) = app.get(&series_path(&first), &member).await;
    assert_eq!(status, 200, "{series}");
    assert_eq!(series["id"], first["series_id"]);
    assert_eq!(series["cron"], "0 9 * * MON");
    assert_eq!(series["timezone"], "Europe/Berlin");
    assert_eq!(series["status"], "active");
    assert_eq!(series["ends_at"], Value::Null);
    assert_eq!(series["occurrences"].as_array().unwrap().len(), 1);
    assert_eq!(series["occurrences"][0]["id"], first["id"]);

    // Cancelling one occurrence leaves the series running with the next one.
    let (status, _) = app
        .post(
            &format!(
                "/api/v1/notifications/{}/cancel",
                first["id"].as_str().unwrap()
            ),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, series) = app.get(&series_path(&first), &member).await;
    assert_eq!(series["status"], "active");
    let occurrences = series["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 2);
    assert_eq!(occurrences[0]["status"], "scheduled", "newest first");
    assert_eq!(occurrences[1]["status"], "cancelled");
}

#[tokio::test]
async fn cancelling_a_series_cancels_its_pending_occurrence() {
    let app = TestApp::spawn().await;
    let first = start_series(&app, &app.admin_key).await;
    let schedule = app.keys().schedule;
    assert_eq!(crate::redis_int(&app, "ZCARD", &schedule), 1);
    let path = format!("{}/cancel", series_path(&first));
    let (status, body) = app.post(&path, &app.admin_key, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancelled"], 1);
    assert_eq!(body["occurrences"][0]["status"], "cancelled");
    assert_eq!(crate::redis_int(&app, "ZCARD", &schedule), 0, "unscheduled");
    let (_, n) = app
        .get(
            &format!("/api/v1/notifications/{}", first["id"].as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    assert_eq!(n["status"], "cancelled");

    // Again: a no-op.
    let (status, body) = app.post(&path, &app.admin_key, &json!({})).await;
    assert_eq!((status, body["cancelled"].clone()), (200, json!(0)));
    let (_, series) = app.get(&series_path(&first), &app.admin_key).await;
    assert_eq!(
        series["occurrences"].as_array().unwrap().len(),
        1,
        "no new occurrence"
    );
}

#[tokio::test]
async fn an_ended_series_cannot_be_cancelled() {
    let app = TestApp::spawn().await;
    let first = start_series(&app, &app.admin_key).await;
    let mut conn = app.db.conn();
    diesel::sql_query(format!(
        "UPDATE series SET status = 'ended' WHERE id = '{}'",
        first["series_id"].as_str().unwrap()
    ))
    .execute(&mut conn)
    .unwrap();
    let (status, body) = app
        .post(
            &format!("{}/cancel", series_path(&first)),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, None);
}

#[tokio::test]
async fn series_of_other_tenants_are_not_found() {
    let app = TestApp::spawn().await;
    let first = start_series(&app, &app.admin_key).await;
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    let (status, body) = app.get(&series_path(&first), &other).await;
    assert_error(status, &body, 404, None);
    let (status, body) = app
        .post(
            &format!("{}/cancel", series_path(&first)),
            &other,
            &json!({}),
        )
        .await;
    assert_error(status, &body, 404, None);
    let (_, series) = app.get(&series_path(&first), &app.admin_key).await;
    assert_eq!(series["status"], "active");
    let (status, body) = app
        .get(
            &format!("/api/v1/series/{}", uuid::Uuid::new_v4()),
            &app.admin_key,
        )
        .await;
    assert_error(status, &body, 404, None);
}

#[tokio::test]
async fn cancelling_by_group_key_leaves_the_series_running() {
    let app = TestApp::spawn().await;
    let (status, first) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "email", "recipient": "ada@example.com", "subject": "Weekly",
                    "body": "Standup", "cron": "0 9 * * MON", "group_key": "standup"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, body) = app
        .post(
            "/api/v1/notifications/cancel",
            &app.admin_key,
            &json!({"group_key": "standup"}),
        )
        .await;
    assert_eq!(
        (status, body["cancelled"].clone()),
        (200, json!(1)),
        "{body}"
    );
    let (_, series) = app.get(&series_path(&first), &app.admin_key).await;
    assert_eq!(series["status"], "active");
    let occurrences = series["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 2, "{series}");
    assert_eq!(occurrences[0]["status"], "scheduled");
    assert_eq!(occurrences[1]["id"], first["id"]);
    assert_eq!(occurrences[1]["status"], "cancelled");
    let schedule = app.keys().schedule;
    assert_eq!(
        crate::redis_int(&app, "ZCARD", &schedule),
        1,
        "next one scheduled"
    );
}

#[tokio::test]
async fn a_dead_occurrence_is_replayed_only_once_its_series_has_nothing_pending() {
    let app = TestApp::spawn().await;
    let first = start_series(&app, &app.admin_key).await;
    let first_id = first["id"].as_str().unwrap();
    // The occurrence dies (here: forced), and its series has moved on to the next one.
    let (status, _) = app
        .post(
            &format!("/api/v1/notifications/{first_id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let mut conn = app.db.conn();
    diesel::sql_query(format!(
        "UPDATE notifications SET status = 'dead', cancelled_at = NULL WHERE id = '{first_id}'"
    ))
    .execute(&mut conn)
    .unwrap();
    let replay = format!("/api/v1/notifications/{first_id}/replay");
    let (status, body) = app.post(&replay, &app.admin_key, &json!({})).await;
    assert_error(status, &body, 409, None);
    let (_, n) = app
        .get(&format!("/api/v1/notifications/{first_id}"), &app.admin_key)
        .await;
    assert_eq!(n["status"], "dead", "unchanged");
    // With the series cancelled nothing else is pending, and the replay goes through.
    let (status, _) = app
        .post(
            &format!("{}/cancel", series_path(&first)),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.post(&replay, &app.admin_key, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "scheduled");
}

#[tokio::test]
async fn a_series_never_has_two_pending_occurrences() {
    let app = TestApp::spawn().await;
    let first = start_series(&app, &app.admin_key).await;
    let id: uuid::Uuid = first["id"].as_str().unwrap().parse().unwrap();
    let series_id: uuid::Uuid = first["series_id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.db.conn();
    let row: chime::db::models::Notification = chime::db::schema::notifications::table
        .find(id)
        .select(chime::db::models::Notification::as_select())
        .first(&mut conn)
        .unwrap();
    // A second advance while the first occurrence is still pending (as two racing finishers
    // would do) creates nothing.
    for _ in 0..2 {
        let next = chime::lifecycle::series::advance(&mut conn, series_id, &row).unwrap();
        assert!(next.is_none(), "{next:?}");
    }
    let (_, series) = app.get(&series_path(&first), &app.admin_key).await;
    assert_eq!(series["occurrences"].as_array().unwrap().len(), 1);
}

fn series_body(cron: &str) -> Value {
    json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "cron": cron})
}

#[tokio::test]
async fn active_series_are_capped_per_tenant() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.limits.max_active_series = Some(2)
    })
    .await;
    let key = app.admin_key.clone();
    let mut first = Value::Null;
    for i in 0..2 {
        let (status, n) = app
            .post("/api/v1/notifications", &key, &series_body("0 9 * * *"))
            .await;
        assert_eq!(status, 201, "series {i}: {n}");
        first = n;
    }
    let (status, body) = app
        .post("/api/v1/notifications", &key, &series_body("0 9 * * *"))
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "limit_exceeded");
    assert_eq!(body["error"]["limit"], "CHIME_MAX_ACTIVE_SERIES");
    // Nothing of the refused create is left behind.
    use chime::db::schema::series::dsl as s;
    let rows: i64 = s::series.count().get_result(&mut app.db.conn()).unwrap();
    assert_eq!(rows, 2);
    // One-off notifications are not series.
    let (status, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                    "send_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(status, 201, "{n}");
    // Another tenant has its own count.
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    let (status, n) = app
        .post("/api/v1/notifications", &other, &series_body("0 9 * * *"))
        .await;
    assert_eq!(status, 201, "{n}");
    // Cancelling a series makes room.
    let (status, _) = app
        .post(&format!("{}/cancel", series_path(&first)), &key, &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, n) = app
        .post("/api/v1/notifications", &key, &series_body("0 9 * * *"))
        .await;
    assert_eq!(status, 201, "{n}");
}

#[tokio::test]
async fn racing_creates_never_pass_the_pending_cap() {
    const CAP: u64 = 5;
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.limits.max_pending_notifications = Some(CAP)
    })
    .await;
    let send_at = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let body =
        json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": send_at});
    let results = futures_util::future::join_all(
        (0..24).map(|_| app.post("/api/v1/notifications", &app.admin_key, &body)),
    )
    .await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    for (status, body) in &results {
        assert!(*status == 201 || *status == 429, "{status} {body}");
        if *status == 429 {
            assert_eq!(body["error"]["limit"], "CHIME_MAX_PENDING_NOTIFICATIONS");
        }
    }
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    assert_eq!(created as u64, CAP, "{statuses:?}");
    use chime::db::schema::notifications::dsl as n;
    let pending: i64 = n::notifications
        .filter(n::status.eq("scheduled"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(pending as u64, CAP);
    // An idempotent repeat of a created one still answers with it, cap or not.
    let keyed = json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                       "send_at": send_at, "idempotency_key": "k1"});
    let (status, _) = app
        .post(
            &format!(
                "/api/v1/notifications/{}/cancel",
                results.iter().find(|(s, _)| *s == 201).unwrap().1["id"]
                    .as_str()
                    .unwrap()
            ),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, first) = app
        .post("/api/v1/notifications", &app.admin_key, &keyed)
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = app
        .post("/api/v1/notifications", &app.admin_key, &keyed)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], first["id"]);
}
