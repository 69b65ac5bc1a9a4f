//! The horizon: Redis holds only what falls due soon; the leader loads the rest from PostgreSQL
//! ahead of time, and nothing is missed when a create races the loader.

use crate::support::{wait_until, TestApp};
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::schedule::horizon::Loader;
use chime::schedule::{score_ms, Member};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

fn score(conn: &mut redis::Connection, app: &TestApp, id: Uuid, version: i32) -> Option<i64> {
    let s: Option<f64> = redis::cmd("ZSCORE")
        .arg(&app.keys().schedule)
        .arg(Member::new(id, version).to_bytes().as_slice())
        .query(conn)
        .expect("ZSCORE");
    s.map(|s| s as i64)
}

fn mark(conn: &mut redis::Connection, app: &TestApp, field: &str) -> Option<i64> {
    redis::cmd("HGET")
        .arg(&app.keys().horizon)
        .arg(field)
        .query::<Option<i64>>(conn)
        .expect("HGET")
}

async fn create_sms(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> (Uuid, i64) {
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                    "send_at": at.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().unwrap().parse().unwrap();
    let stored: chrono::DateTime<chrono::Utc> = n["send_at"].as_str().unwrap().parse().unwrap();
    (id, score_ms(stored))
}

#[tokio::test]
async fn a_reminder_past_the_horizon_lives_only_in_postgresql_until_the_loader_reaches_it() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.scheduler.horizon = Duration::from_secs(3600);
    })
    .await;
    let ctx = app.role_context().await;
    let loader = Loader::new();
    let mut conn = app.redis();

    // Before any pass there is no edge: everything goes to Redis, as it always did.
    let (early, early_score) = create_sms(&app, at_ms(3 * 86_400_000)).await;
    assert_eq!(score(&mut conn, &app, early, 1), Some(early_score));

    let first = loader.pass(&ctx, false).await.expect("a pass");
    assert!(first.recorded);
    assert_eq!(mark(&mut conn, &app, "edge"), Some(first.edge_ms));
    assert_eq!(mark(&mut conn, &app, "loaded"), Some(first.edge_ms));
    assert_eq!(
        score(&mut conn, &app, early, 1),
        None,
        "an entry past the edge, written without one, is dropped (PostgreSQL has it)"
    );

    let (near, near_score) = create_sms(&app, at_ms(10 * 60_000)).await;
    let (far, far_score) = create_sms(&app, at_ms(2 * 86_400_000)).await;
    assert_eq!(score(&mut conn, &app, near, 1), Some(near_score), "within");
    assert_eq!(score(&mut conn, &app, far, 1), None, "beyond: not in Redis");

    // A reschedule from inside the horizon to beyond it removes the entry.
    let (s, moved) = app
        .patch(
            &format!("/api/v1/notifications/{near}"),
            &app.admin_key,
            &json!({"send_at": at_ms(5 * 86_400_000).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(score(&mut conn, &app, near, 1), None);
    assert_eq!(score(&mut conn, &app, near, 2), None);

    // A day and a half later (as the loader sees it), the far one is within the horizon.
    let later = chrono::Utc::now() + chrono::Duration::hours(47);
    let pass = loader.pass_at(&ctx, later, false).await.expect("a pass");
    assert_eq!(pass.rows, 1, "only what came within the horizon is read");
    assert_eq!(score(&mut conn, &app, far, 1), Some(far_score));
    assert_eq!(score(&mut conn, &app, near, 2), None, "still beyond");
    // Idempotent: the same pass again reads nothing new, and a rebuild re-adds without harm.
    assert_eq!(loader.pass_at(&ctx, later, false).await.unwrap().rows, 0);
    let rebuilt = loader.pass_at(&ctx, later, true).await.unwrap();
    assert_eq!(rebuilt.rows, 1);
    let card: usize = redis::cmd("ZCARD")
        .arg(&app.keys().schedule)
        .query(&mut conn)
        .unwrap();
    assert_eq!(card, 1);

    // Three days on, everything is in; the first one too.
    let pass = loader
        .pass_at(
            &ctx,
            chrono::Utc::now() + chrono::Duration::hours(24 * 5),
            false,
        )
        .await
        .unwrap();
    assert_eq!(pass.rows, 2);
    assert_eq!(score(&mut conn, &app, early, 1), Some(early_score));
    assert!(score(&mut conn, &app, near, 2).is_some());
}

#[tokio::test]
async fn the_loader_reads_a_large_range_in_bounded_pages() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.scheduler.horizon = Duration::from_secs(3600);
    })
    .await;
    let ctx = app.role_context().await;
    let loader = Loader::new();
    loader.pass(&ctx, false).await.unwrap();
    let n = chime::schedule::horizon::PAGE as usize * 2 + 17;
    // Rows all due at the same instant: the keyset's id order must carry the pages.
    let at = at_ms(3 * 3_600_000);
    let items: Vec<_> = (0..n)
        .map(|_| json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": at.to_rfc3339()}))
        .collect();
    for chunk in items.chunks(1000) {
        let (s, body) = app
            .post(
                "/api/v1/notifications/batch",
                &app.admin_key,
                &json!({"items": chunk}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
    }
    let mut conn = app.redis();
    let card = |conn: &mut redis::Connection| -> usize {
        redis::cmd("ZCARD")
            .arg(&app.keys().schedule)
            .query(conn)
            .unwrap()
    };
    assert_eq!(card(&mut conn), 0, "a batch beyond the horizon stays out");
    let pass = loader
        .pass_at(&ctx, chrono::Utc::now() + chrono::Duration::hours(3), false)
        .await
        .unwrap();
    assert_eq!(pass.rows, n);
    assert_eq!(pass.pages, 3);
    assert_eq!(card(&mut conn), n, "every row once");
}

/// Creates land just past the edge while the loader keeps raising it: every row due before what
/// the loader recorded as loaded must be in Redis, whatever the interleaving.
#[tokio::test]
async fn a_create_racing_the_loader_at_the_edge_is_never_missed() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.scheduler.horizon = Duration::from_secs(2);
    })
    .await;
    let ctx = app.role_context().await;
    let loader = Loader::new();
    loader.pass(&ctx, false).await.unwrap();

    let stop = tokio_util::sync::CancellationToken::new();
    let passes = {
        let stop = stop.clone();
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let loader = Loader::new();
            let mut passes = 0;
            while !stop.is_cancelled() {
                loader.pass(&ctx, false).await.expect("a pass");
                passes += 1;
                tokio::task::yield_now().await;
            }
            passes
        })
    };
    let mut created: HashMap<Uuid, i64> = HashMap::new();
    let mut writers = Vec::new();
    for w in 0..4 {
        let app_url = app.url("/api/v1/notifications");
        let key = app.admin_key.clone();
        let client = app.client.clone();
        let keys = app.keys();
        writers.push(tokio::spawn(async move {
            let mut conn = redis::Client::open(crate::support::REDIS_URL)
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap();
            let mut made = Vec::new();
            for i in 0..120 {
                let edge: i64 = redis::cmd("HGET")
                    .arg(&keys.horizon)
                    .arg("edge")
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                // Just past the edge as this writer last saw it: the loader is about to pass it.
                let at = chrono::DateTime::from_timestamp_millis(edge + (i % 7) + w).unwrap()
                    + chrono::Duration::microseconds(300);
                let resp = client
                    .post(&app_url)
                    .bearer_auth(&key)
                    .json(
                        &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                                  "send_at": at.to_rfc3339()}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status().as_u16(), 201);
                let n: serde_json::Value = resp.json().await.unwrap();
                let stored: chrono::DateTime<chrono::Utc> =
                    n["send_at"].as_str().unwrap().parse().unwrap();
                made.push((
                    n["id"].as_str().unwrap().parse::<Uuid>().unwrap(),
                    score_ms(stored),
                ));
            }
            made
        }));
    }
    for w in writers {
        created.extend(w.await.unwrap());
    }
    stop.cancel();
    let passes = passes.await.unwrap();
    assert!(passes > 10, "the loader passed only {passes} times");

    let mut conn = app.redis();
    let loaded = mark(&mut conn, &app, "loaded").expect("a loaded mark");
    let mut covered = 0;
    for (id, s) in &created {
        if *s < loaded {
            covered += 1;
            assert_eq!(
                score(&mut conn, &app, *id, 1),
                Some(*s),
                "{id} due at {s} is before the loaded mark {loaded} but not in Redis"
            );
        }
    }
    assert!(
        covered > created.len() / 2,
        "too few rows fell within the loaded range ({covered} of {})",
        created.len()
    );
    // The rest come in with the next pass once they are within the horizon.
    let later = chrono::Utc::now() + chrono::Duration::seconds(10);
    loader.pass_at(&ctx, later, false).await.unwrap();
    for (id, s) in &created {
        assert_eq!(
            score(&mut conn, &app, *id, 1),
            Some(*s),
            "{id} never loaded"
        );
    }
}

#[tokio::test]
async fn a_reminder_created_past_the_horizon_is_delivered_on_time() {
    let app = delivery_app(|s| s.scheduler.horizon = Duration::from_secs(2)).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let mut conn = app.redis();
    wait_until("the first horizon pass", Duration::from_secs(20), || {
        let edge = mark(&mut conn, &app, "edge");
        async move { edge }
    })
    .await;
    let send_at = at_ms(5_000);
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": peer.url_for("/later"),
                    "send_at": send_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let id: Uuid = n["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(score(&mut conn, &app, id, 1), None, "beyond the horizon");
    let got = peer.wait_for(1, Duration::from_secs(20)).await.unwrap();
    assert!(got[0].received_at >= send_at, "early");
    let lag = got[0].received_at - send_at;
    assert!(lag < chrono::Duration::milliseconds(1500), "lag {lag}");
    wait_for_status(&app, &id.to_string(), "sent").await;
}
