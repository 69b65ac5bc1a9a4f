use crate::support::redis_delete_prefix;
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::json;
use std::collections::HashMap;

#[tokio::test]
async fn a_flushed_redis_is_rebuilt_from_postgres() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, n) = app
            .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for(&format!("/n{i}")), "send_at": at_ms(2000).to_rfc3339()}))
            .await;
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    // Everything Chime keeps in Redis disappears.
    redis_delete_prefix(&app.prefix.0);
    for id in &ids {
        wait_for_status(&app, id, "sent").await;
    }
    // A duplicate would come after the first delivery; one due later than all of them having
    // arrived shows the scheduler and the sender have been past them.
    let (_, sentinel) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/sentinel"), "send_at": at_ms(500).to_rfc3339()}))
        .await;
    let sentinel_id = sentinel["id"].as_str().unwrap().to_string();
    wait_for_status(&app, &sentinel_id, "sent").await;
    let requests = peer.requests();
    let mut arrivals: HashMap<String, usize> = HashMap::new();
    for r in &requests {
        *arrivals
            .entry(r.header("webhook-id").unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(requests.len(), 6, "{arrivals:?}");
    for id in ids.iter().chain([&sentinel_id]) {
        assert_eq!(arrivals.get(id), Some(&1), "{id} in {arrivals:?}");
    }
}

/// A schedule write lost with the process that was to make it (killed between its commit and
/// its Redis write) costs seconds, not a periodic reconcile.
#[tokio::test]
async fn a_lost_schedule_write_is_made_good_within_seconds() {
    let app = delivery_app(|s| {
        s.scheduler.reconcile_interval = std::time::Duration::from_secs(600);
    })
    .await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let keys = app.keys();
    // The leader's first full pass is over, so nothing but the sweep can put the entry back.
    crate::support::wait_until(
        "the first reconcile",
        std::time::Duration::from_secs(20),
        || async {
            let marker: Option<String> = redis::cmd("GET")
                .arg(&keys.reconciled)
                .query(&mut app.redis())
                .ok()?;
            marker.filter(|m| m.starts_with("done")).map(|_| ())
        },
    )
    .await;
    let (status, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/n"), "send_at": at_ms(1000).to_rfc3339()}))
        .await;
    assert_eq!(status, 201, "{n}");
    let _: () = redis::cmd("DEL")
        .arg(&keys.schedule)
        .query(&mut app.redis())
        .unwrap();
    let due: chrono::DateTime<chrono::Utc> = n["send_at"].as_str().unwrap().parse().unwrap();
    let bound = app.settings.sender.visibility_timeout + app.settings.scheduler.leader_ttl;
    let arrived = crate::support::wait_until(
        "the lost reminder",
        bound + std::time::Duration::from_secs(5),
        || async { peer.requests().first().map(|r| r.received_at) },
    )
    .await;
    let late = (arrived - due).to_std().unwrap_or_default();
    println!("lost schedule write: delivered {late:?} after due");
    assert!(
        late <= chime::schedule::reconciler::OVERDUE_GRACE + std::time::Duration::from_secs(3),
        "{late:?} late"
    );
}

/// A rebuild puts a row whose send is in flight into the schedule at the moment its claim
/// expires: Redis lost the ready entry another sender would have taken over.
#[tokio::test]
async fn a_rebuild_schedules_a_send_in_flight_at_its_claim_expiry() {
    use chime::db::schema::notifications::dsl as n;
    use diesel::prelude::*;
    let mut app = crate::support::TestApp::spawn_with(
        &[chime::config::Role::Api, chime::config::Role::Scheduler],
        |s| {
            s.scheduler.reconcile_interval = std::time::Duration::from_secs(600);
            s.channels.webhook_allow_private = true;
        },
    )
    .await;
    app.leaves_work("plays a sender that died with its claim");
    let (status, body) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": "http://127.0.0.1:9/hook", "send_at": at_ms(600_000).to_rfc3339()}))
        .await;
    assert_eq!(status, 201, "{body}");
    let id: uuid::Uuid = body["id"].as_str().unwrap().parse().unwrap();
    // As a sender that claimed it and then died leaves it.
    let (version, claimed_at): (i32, Option<chrono::DateTime<chrono::Utc>>) =
        diesel::update(n::notifications.find(id))
            .set((n::status.eq("sending"), n::claimed_at.eq(diesel::dsl::now)))
            .returning((n::version, n::claimed_at))
            .get_result(&mut app.db.conn())
            .unwrap();
    redis_delete_prefix(&app.prefix.0);

    let member = chime::schedule::Member::new(id, version).to_bytes();
    let keys = app.keys();
    // Well before the claim expires (60 s): what puts expired claims back can't be the cause.
    let score = crate::support::wait_until(
        "the rebuild to schedule the send in flight",
        std::time::Duration::from_secs(20),
        || async {
            redis::cmd("ZSCORE")
                .arg(&keys.schedule)
                .arg(member.as_slice())
                .query::<Option<f64>>(&mut app.redis())
                .ok()
                .flatten()
        },
    )
    .await as i64;
    let expiry = claimed_at.unwrap()
        + chrono::Duration::from_std(app.settings.sender.visibility_timeout).unwrap();
    let after = score - expiry.timestamp_millis();
    assert!(
        (0..=1_000).contains(&after),
        "scheduled {after} ms after the claim expires"
    );
}

/// With no sender reading, due entries wait in the ready stream: the sweep re-queues a row that
/// is older than that backlog and in no queue, never one that is waiting in it.
#[tokio::test]
async fn the_overdue_sweep_leaves_a_backlog_alone() {
    use chime::schedule::Member;
    let mut app = crate::support::TestApp::spawn_with(
        &[chime::config::Role::Api, chime::config::Role::Scheduler],
        |s| {
            s.scheduler.reconcile_interval = std::time::Duration::from_secs(600);
            s.channels.webhook_allow_private = true;
        },
    )
    .await;
    app.leaves_work("no sender runs: due entries wait in the ready stream");
    let keys = app.keys();
    crate::support::wait_until(
        "the first reconcile",
        std::time::Duration::from_secs(20),
        || async {
            let marker: Option<String> = redis::cmd("GET")
                .arg(&keys.reconciled)
                .query(&mut app.redis())
                .ok()?;
            marker.filter(|m| m.starts_with("done")).map(|_| ())
        },
    )
    .await;
    let app = &app;
    let create = |ms: i64| {
        let body = json!({"channel": "webhook", "recipient": "http://127.0.0.1:9/hook", "send_at": at_ms(ms).to_rfc3339()});
        async move {
            let (status, n) = app
                .post("/api/v1/notifications", &app.admin_key, &body)
                .await;
            assert_eq!(status, 201, "{n}");
            let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
            let due: chrono::DateTime<chrono::Utc> =
                n["send_at"].as_str().unwrap().parse().unwrap();
            (id, due)
        }
    };
    // Lost: its schedule entry is gone before it is promoted.
    let (lost, _) = create(500).await;
    let _: () = redis::cmd("DEL")
        .arg(&keys.schedule)
        .query(&mut app.redis())
        .unwrap();
    // Waiting: promoted, then left in the stream by the absent senders.
    let (waiting, waiting_due) = create(1000).await;

    let ready_ids = || -> Vec<uuid::Uuid> {
        let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(&keys.ready)
            .arg("-")
            .arg("+")
            .query(&mut app.redis())
            .unwrap_or_default();
        reply
            .ids
            .iter()
            .filter_map(|e| e.get::<Vec<u8>>("n"))
            .filter_map(|b| Member::from_bytes(&b))
            .map(|m| m.id)
            .collect()
    };
    crate::support::wait_until(
        "the lost row to be re-queued",
        std::time::Duration::from_secs(20),
        || async { ready_ids().contains(&lost).then_some(()) },
    )
    .await;
    // Long enough for the sweep to have re-queued the waiting row several times over, were it
    // blind to the backlog (it is overdue by 2 s at `waiting_due` + 2 s).
    let observe_until = waiting_due + chrono::Duration::seconds(5);
    while chrono::Utc::now() < observe_until {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut ids = ready_ids();
    ids.sort();
    let mut expected = vec![lost, waiting];
    expected.sort();
    assert_eq!(ids, expected, "each once in the ready stream");
}
