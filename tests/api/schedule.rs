//! The schedule ZSET follows every create, reschedule and cancel.

use crate::support::TestApp;
use chime::schedule::{score_ms, Member};
use serde_json::json;
use uuid::Uuid;

fn score(app: &TestApp, id: Uuid, version: i32) -> Option<i64> {
    let mut conn = app.redis();
    let s: Option<f64> = redis::cmd("ZSCORE")
        .arg(&app.keys().schedule)
        .arg(Member::new(id, version).to_bytes().as_slice())
        .query(&mut conn)
        .unwrap();
    s.map(|s| s as i64)
}

fn card(app: &TestApp) -> usize {
    let mut conn = app.redis();
    redis::cmd("ZCARD")
        .arg(&app.keys().schedule)
        .query(&mut conn)
        .unwrap()
}

#[tokio::test]
async fn create_reschedule_and_cancel_move_the_schedule_entry() {
    let app = TestApp::spawn().await;
    let at = chrono::Utc::now() + chrono::Duration::days(2);
    let (s, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": at.to_rfc3339()}))
        .await;
    assert_eq!(s, 201);
    let id: Uuid = n["id"].as_str().unwrap().parse().unwrap();
    // The stored send_at (microseconds), rounded up to the millisecond.
    let stored = |n: &serde_json::Value| score_ms(n["send_at"].as_str().unwrap().parse().unwrap());
    assert_eq!(
        score(&app, id, 1),
        Some(stored(&n)),
        "scheduled at send_at in ms"
    );

    let later = at + chrono::Duration::hours(5);
    let (s, n) = app
        .patch(
            &format!("/api/v1/notifications/{id}"),
            &app.admin_key,
            &json!({"send_at": later.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(score(&app, id, 1), None, "old entry removed");
    assert_eq!(score(&app, id, 2), Some(stored(&n)));
    assert_eq!(card(&app), 1);

    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(card(&app), 0, "cancel removes it");
}
