//! Shards on one Redis: entries spread by id, every shard delivers, schedulers share the shards'
//! leadership fairly and take over a dead one's.

use crate::support::{wait_until, TestApp};
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::config::Role;
use chime::startup::{Application, BuildOptions};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Which process (the token before the shard number) holds each shard's lock.
fn leaders(app: &TestApp) -> Vec<Option<String>> {
    let mut conn = app.redis();
    app.shard_keys()
        .iter()
        .map(|k| {
            redis::cmd("GET")
                .arg(&k.leader)
                .query::<Option<String>>(&mut conn)
                .unwrap()
                .and_then(|t| t.rsplit_once('-').map(|(process, _)| process.to_string()))
        })
        .collect()
}

fn per_process(leaders: &[Option<String>]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for l in leaders.iter().flatten() {
        *out.entry(l.clone()).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn reminders_spread_over_the_shards_and_each_arrives_once_on_time() {
    let app = delivery_app(|s| s.scheduler.shards = 4).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let send_at = at_ms(3_000);
    let items: Vec<_> = (0..40)
        .map(|i| {
            json!({"channel": "webhook", "recipient": peer.url_for(&format!("/{i}")),
                        "send_at": send_at.to_rfc3339()})
        })
        .collect();
    let (s, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &json!({"items": items}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let mut conn = app.redis();
    let cards: Vec<usize> = app
        .shard_keys()
        .iter()
        .map(|k| {
            redis::cmd("ZCARD")
                .arg(&k.schedule)
                .query(&mut conn)
                .unwrap()
        })
        .collect();
    assert_eq!(cards.iter().sum::<usize>(), 40, "{cards:?}");
    assert!(
        cards.iter().all(|c| *c > 0),
        "every shard holds some: {cards:?}"
    );
    let unsharded: usize = redis::cmd("EXISTS")
        .arg(&app.keys().schedule)
        .query(&mut conn)
        .unwrap();
    assert_eq!(unsharded, 0, "nothing under the unsharded key");

    let got = peer.wait_for(40, Duration::from_secs(20)).await.unwrap();
    let paths: HashSet<String> = got.iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 40, "each once");
    for r in &got {
        assert!(r.received_at >= send_at, "early: {}", r.received_at);
        assert!(r.received_at - send_at < chrono::Duration::seconds(2));
    }
    for item in body["items"].as_array().unwrap() {
        let id = item["notification"]["id"].as_str().unwrap();
        let n = wait_for_status(&app, id, "sent").await;
        assert_eq!(n["attempts"], 1);
    }
    assert_eq!(peer.requests().len(), 40, "no duplicates");
}

#[tokio::test]
async fn schedulers_share_the_shards_and_take_over_a_dead_ones() {
    let app = TestApp::spawn_with(&[Role::Api, Role::Scheduler], |s| {
        s.scheduler.shards = 12;
        s.scheduler.leader_ttl = Duration::from_secs(1);
    })
    .await;
    let mut others = Vec::new();
    for _ in 0..2 {
        let built = Application::build(
            app.settings.clone(),
            &[Role::Scheduler],
            BuildOptions::default(),
        )
        .await
        .expect("a second scheduler builds");
        others.push(tokio::spawn(built.run_until_cancelled()));
    }
    let shares = wait_until("4 shards each", Duration::from_secs(30), || async {
        let shares = per_process(&leaders(&app));
        (shares.len() == 3 && shares.values().all(|n| *n == 4)).then_some(shares)
    })
    .await;
    assert_eq!(shares.values().sum::<usize>(), 12);

    // One dies without releasing anything: its locks run out and the others take them.
    let dead = others.pop().unwrap();
    dead.abort();
    let _ = dead.await;
    let died = std::time::Instant::now();
    let shares = wait_until("6 shards each", Duration::from_secs(30), || async {
        let l = leaders(&app);
        let shares = per_process(&l);
        (l.iter().all(Option::is_some) && shares.len() == 2 && shares.values().all(|n| *n == 6))
            .then_some(shares)
    })
    .await;
    let took = died.elapsed();
    assert_eq!(shares.values().sum::<usize>(), 12);
    // Within the lock TTL (1 s), a heartbeat period and the standby's retry interval.
    assert!(took < Duration::from_secs(3), "took over in {took:?}");
    eprintln!("shards taken over {took:?} after the scheduler died");
    for o in others {
        o.abort();
    }
}

#[tokio::test]
async fn a_shard_whose_keys_are_lost_is_rebuilt_and_delivers() {
    let app = delivery_app(|s| s.scheduler.shards = 4).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let shards = app.shard_keys();
    let mut conn = app.redis();
    wait_until("the first full pass", Duration::from_secs(20), || {
        let done = shards.iter().all(|k| {
            redis::cmd("GET")
                .arg(&k.reconciled)
                .query::<Option<String>>(&mut conn)
                .unwrap()
                .is_some_and(|v| v.starts_with("done"))
        });
        async move { done.then_some(()) }
    })
    .await;
    let send_at = at_ms(4_000);
    let items: Vec<_> = (0..24)
        .map(|i| {
            json!({"channel": "webhook", "recipient": peer.url_for(&format!("/{i}")),
                        "send_at": send_at.to_rfc3339()})
        })
        .collect();
    let (s, body) = app
        .post(
            "/api/v1/notifications/batch",
            &app.admin_key,
            &json!({"items": items}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    // What a flush of the node holding shard 2 does: every key of that shard is gone.
    let lost = &shards[2];
    let had: usize = redis::cmd("ZCARD")
        .arg(&lost.schedule)
        .query(&mut conn)
        .unwrap();
    assert!(had > 0, "shard 2 holds some of the reminders");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{{{}:2}}:*", app.prefix.0))
        .query(&mut conn)
        .unwrap();
    assert!(
        keys.contains(&lost.schedule) && keys.contains(&lost.reconciled),
        "{keys:?}"
    );
    let _: () = redis::cmd("DEL").arg(&keys).query(&mut conn).unwrap();

    let got = peer.wait_for(24, Duration::from_secs(20)).await.unwrap();
    let paths: HashSet<String> = got.iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 24, "each once");
    for r in &got {
        assert!(r.received_at >= send_at, "early: {}", r.received_at);
    }
    for item in body["items"].as_array().unwrap() {
        let id = item["notification"]["id"].as_str().unwrap();
        wait_for_status(&app, id, "sent").await;
    }
    assert_eq!(peer.requests().len(), 24, "no duplicates");
}
