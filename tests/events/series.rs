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
        let next = chime::events::series::advance(&mut conn, series_id, &row).unwrap();
        assert!(next.is_none(), "{next:?}");
    }
    let (_, series) = app.get(&series_path(&first), &app.admin_key).await;
    assert_eq!(series["occurrences"].as_array().unwrap().len(), 1);
}
