//! A reminder cancelled while it is being sent (the question `lifecycle`'s module doc answers):
//! before the claim the cancel wins and the stale entry is not claimed; after it the cancel is
//! refused and the send's outcome stands.

use crate::at_ms;
use crate::support::{assert_error, TestApp};
use chime::lifecycle::{claim, outcome};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

async fn create(app: &TestApp) -> (Uuid, i32) {
    let (s, body) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": "http://127.0.0.1:9/hook",
                    "send_at": at_ms(3_600_000).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_str().unwrap().parse().unwrap();
    use chime::db::schema::notifications::dsl as n;
    let version = n::notifications
        .find(id)
        .select(n::version)
        .first(&mut app.db.conn())
        .unwrap();
    (id, version)
}

fn status(app: &TestApp, id: Uuid) -> String {
    use chime::db::schema::notifications::dsl as n;
    n::notifications
        .find(id)
        .select(n::status)
        .first(&mut app.db.conn())
        .unwrap()
}

#[tokio::test]
async fn a_cancel_before_the_claim_wins_and_one_after_it_is_refused() {
    // No sender or scheduler: the claims below stand for the sender's.
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.channels.webhook_allow_private = true
    })
    .await;
    let cutoff = chrono::Utc::now() - chrono::Duration::minutes(1);

    // Cancelled first: the ready entry the sender would hold names the old version.
    let (early, version) = create(&app).await;
    let (s, body) = app
        .post(
            &format!("/api/v1/notifications/{early}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let mut conn = app.db.conn();
    let claimed = conn
        .transaction(|conn| claim::claim(conn, &[(early, version)], cutoff, None))
        .unwrap();
    assert!(claimed.rows.is_empty(), "a cancelled row is never claimed");
    assert!(claimed.exhausted.is_empty());
    assert_eq!(status(&app, early), "cancelled");

    // Claimed first: the cancel is refused while the send is under way, and the outcome stands.
    let (late, version) = create(&app).await;
    let claimed = conn
        .transaction(|conn| claim::claim(conn, &[(late, version)], cutoff, None))
        .unwrap();
    assert_eq!(claimed.rows.len(), 1, "the claim wins");
    assert_eq!(status(&app, late), "sending");
    let (s, body) = app
        .post(
            &format!("/api/v1/notifications/{late}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_error(s, &body, 409, None);
    assert!(
        body.to_string().contains("sending"),
        "the refusal says why: {body}"
    );
    let (row, _) = claimed.rows.into_iter().next().unwrap();
    let sent = outcome::Outcome::Sent {
        summary: "200".into(),
        provider_message_id: None,
    };
    let effect = conn
        .transaction(|conn| outcome::record_one(conn, &row.row, chrono::Utc::now(), &sent))
        .unwrap();
    assert!(effect.is_none());
    assert_eq!(status(&app, late), "sent");
}
