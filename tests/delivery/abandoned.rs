//! Sends whose outcome was never recorded: they end, rather than being sent on every takeover.

use crate::support::TestApp;
use crate::{at_ms, delivery_app, notification, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::db::notifications as q;
use chime::db::schema::notifications::dsl as n;
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

async fn create(app: &TestApp, url: &str, max_attempts: i32) -> Uuid {
    let (s, body) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": url, "send_at": at_ms(3_600_000).to_rfc3339(),
                    "max_attempts": max_attempts}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_str().unwrap().parse().unwrap()
}

/// As a sender leaves a row it claimed an hour ago and never finished.
fn abandon(app: &TestApp, id: Uuid, attempts: i32) {
    diesel::update(n::notifications.find(id))
        .set((
            n::status.eq("sending"),
            n::claimed_at.eq(chrono::Utc::now() - chrono::Duration::hours(1)),
            n::attempts.eq(attempts),
        ))
        .execute(&mut app.db.conn())
        .unwrap();
}

#[tokio::test]
async fn a_claim_ends_a_row_whose_last_attempt_was_abandoned() {
    // No sender: the claims below are the only ones.
    let mut app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.channels.webhook_allow_private = true
    })
    .await;
    app.leaves_work("plays claims in flight that no sender finishes");
    let url = |path: &str| format!("http://127.0.0.1:9{path}");
    let exhausted = create(&app, &url("/exhausted"), 2).await;
    let retried = create(&app, &url("/retried"), 2).await;
    let in_flight = create(&app, &url("/in-flight"), 2).await;
    abandon(&app, exhausted, 2);
    abandon(&app, retried, 1);
    let mut conn = app.db.conn();
    diesel::update(n::notifications.find(in_flight))
        .set((
            n::status.eq("sending"),
            n::claimed_at.eq(chrono::Utc::now()),
            n::attempts.eq(2),
        ))
        .execute(&mut conn)
        .unwrap();

    let cutoff = chrono::Utc::now() - chrono::Duration::minutes(1);
    let claims = q::claim_many(
        &mut conn,
        &[(exhausted, 1), (retried, 1), (in_flight, 1)],
        cutoff,
    )
    .unwrap();
    let ids =
        |rows: &[chime::db::models::Notification]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(&claims.claimed), vec![retried]);
    assert_eq!(claims.claimed[0].attempts, 2);
    assert_eq!(ids(&claims.exhausted), vec![exhausted]);

    let row = notification(&app, &exhausted.to_string()).await;
    assert_eq!(row["status"], "dead", "{row}");
    assert_eq!(row["attempts"], 2, "{row}");
    assert!(
        row["last_error"].as_str().unwrap().starts_with("abandoned"),
        "{row}"
    );
    // Not taken again, at its old version or its new one.
    let again = q::claim_many(&mut conn, &[(exhausted, 1), (exhausted, 2)], cutoff).unwrap();
    assert!(again.claimed.is_empty() && again.exhausted.is_empty());
    // Still being sent by a live sender: left alone.
    let row = notification(&app, &in_flight.to_string()).await;
    assert_eq!(row["status"], "sending", "{row}");
}

#[tokio::test]
async fn an_abandoned_last_attempt_goes_dead_and_is_not_sent_again() {
    let app =
        delivery_app(|s| s.scheduler.reconcile_interval = std::time::Duration::from_millis(300))
            .await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let exhausted = create(&app, &peer.url_for("/exhausted"), 2).await;
    let retried = create(&app, &peer.url_for("/retried"), 2).await;
    abandon(&app, exhausted, 2);
    abandon(&app, retried, 1);
    // The reconciler finds both; the one with an attempt left is sent.
    wait_for_status(&app, &retried.to_string(), "sent").await;
    let row = wait_for_status(&app, &exhausted.to_string(), "dead").await;
    assert!(
        row["last_error"].as_str().unwrap().contains("abandoned"),
        "{row}"
    );
    let paths: Vec<String> = peer.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/retried"]);
    // The transition is on record.
    use chime::db::schema::audit_log::dsl as a;
    let audited: i64 = a::audit_log
        .filter(a::subject_id.eq(exhausted))
        .filter(a::action.eq("notification.abandoned"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn an_outcome_whose_record_fails_still_ends_the_notification() {
    // Its series fires every second.
    let app = delivery_app(|s| s.limits.min_series_interval = std::time::Duration::ZERO).await;
    // Every attempt row is refused, as a record that can never be written would be.
    diesel::sql_query(
        "CREATE FUNCTION refuse_attempts() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'attempt rows refused by the test'; END $$",
    )
    .execute(&mut app.db.conn())
    .unwrap();
    diesel::sql_query(
        "CREATE TRIGGER refuse_attempts BEFORE INSERT ON delivery_attempts \
         FOR EACH ROW EXECUTE FUNCTION refuse_attempts()",
    )
    .execute(&mut app.db.conn())
    .unwrap();
    let ok = HttpPeer::start(Responder::always(200)).await.unwrap();
    let bad = HttpPeer::start(Responder::always(400)).await.unwrap();
    let mut ids = Vec::new();
    for url in [ok.url_for("/ok"), bad.url_for("/bad")] {
        let (s, body) = app
            .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": url, "send_at": at_ms(200).to_rfc3339()}))
            .await;
        assert_eq!(s, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    // A recurring series still moves on to its next occurrence.
    let (s, series) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": ok.url_for("/tick"), "cron": "* * * * * *"}),
        )
        .await;
    assert_eq!(s, 201, "{series}");
    wait_for_status(&app, &ids[0], "sent").await;
    let row = wait_for_status(&app, &ids[1], "dead").await;
    assert!(row["last_error"].as_str().unwrap().contains("400"), "{row}");
    crate::support::wait_until(
        "two occurrences",
        std::time::Duration::from_secs(15),
        || async {
            let ticks = ok.requests().iter().filter(|r| r.path == "/tick").count();
            (ticks >= 2).then_some(())
        },
    )
    .await;
    let (s, _) = app
        .post(
            &format!(
                "/api/v1/series/{}/cancel",
                series["series_id"].as_str().unwrap()
            ),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    // Both final: neither can be claimed, so neither is sent again.
    assert_eq!(ok.requests().iter().filter(|r| r.path == "/ok").count(), 1);
    assert_eq!(bad.requests().len(), 1);
}
