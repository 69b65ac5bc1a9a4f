//! On a real local Redis Cluster (three masters): shards spread over the nodes, deliver, fail
//! over between schedulers and are rebuilt after a node loses its data.

use crate::support::{wait_until, RedisCluster, TestApp};
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::config::Role;
use chime::startup::{Application, BuildOptions};
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const SHARDS: usize = 4;

async fn cluster_app(cluster: &RedisCluster) -> TestApp {
    let url = cluster.url();
    delivery_app(move |s| {
        s.redis.cluster = true;
        s.redis.url = chime::config::Secret::new(url);
        s.scheduler.shards = SHARDS;
        s.scheduler.leader_ttl = Duration::from_secs(1);
    })
    .await
}

/// Creates `n` webhooks due at `send_at`; their ids.
async fn create(
    app: &TestApp,
    peer: &HttpPeer,
    n: usize,
    send_at: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let items: Vec<_> = (0..n)
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
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["notification"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every reminder arrived exactly once, never early, and ended `sent`.
async fn assert_delivered_once(
    app: &TestApp,
    peer: &HttpPeer,
    ids: &[String],
    send_at: chrono::DateTime<chrono::Utc>,
    within: chrono::Duration,
) {
    let got = peer
        .wait_for(ids.len(), Duration::from_secs(30))
        .await
        .unwrap();
    let paths: HashSet<String> = got.iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), ids.len(), "each once");
    for r in &got {
        assert!(r.received_at >= send_at, "early: {}", r.received_at);
        let lag = r.received_at - send_at;
        assert!(lag < within, "lag {lag}");
    }
    for id in ids {
        wait_for_status(app, id, "sent").await;
    }
    assert_eq!(peer.requests().len(), ids.len(), "no duplicates");
}

fn leaders(cluster: &RedisCluster, app: &TestApp) -> Vec<Option<String>> {
    let mut conn = cluster.conn();
    app.shard_keys()
        .iter()
        .map(|k| {
            redis::cmd("GET")
                .arg(&k.leader)
                .query::<Option<String>>(&mut conn)
                .unwrap()
                .and_then(|t| t.rsplit_once('-').map(|(p, _)| p.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn shards_spread_over_the_nodes_and_deliver_on_time() {
    let cluster = RedisCluster::start();
    let app = cluster_app(&cluster).await;
    let nodes: HashSet<u16> = app
        .shard_keys()
        .iter()
        .map(|k| cluster.node_of(&k.schedule))
        .collect();
    assert!(nodes.len() >= 2, "the shards share one node: {nodes:?}");
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let send_at = at_ms(3_000);
    let ids = create(&app, &peer, 40, send_at).await;
    let mut conn = cluster.conn();
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
    assert!(cards.iter().all(|c| *c > 0), "{cards:?}");
    assert_delivered_once(&app, &peer, &ids, send_at, chrono::Duration::seconds(2)).await;
}

#[tokio::test]
async fn a_dead_schedulers_shards_are_taken_over_and_nothing_is_lost_or_doubled() {
    let cluster = RedisCluster::start();
    let app = cluster_app(&cluster).await;
    let second = Application::build(
        app.settings.clone(),
        &[Role::Scheduler],
        BuildOptions::default(),
    )
    .await
    .expect("a second scheduler builds");
    let second = tokio::spawn(second.run_until_cancelled());
    wait_until("two shards each", Duration::from_secs(30), || async {
        let l = leaders(&cluster, &app);
        let processes: HashSet<_> = l.iter().flatten().collect();
        (l.iter().all(Option::is_some) && processes.len() == 2).then_some(())
    })
    .await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let send_at = at_ms(1_500);
    let ids = create(&app, &peer, 30, send_at).await;

    // Killed without releasing its locks or withdrawing its heartbeat.
    second.abort();
    let _ = second.await;
    let died = Instant::now();
    wait_until(
        "one process leading every shard",
        Duration::from_secs(30),
        || async {
            let l = leaders(&cluster, &app);
            let processes: HashSet<_> = l.iter().flatten().collect();
            (l.iter().all(Option::is_some) && processes.len() == 1).then_some(())
        },
    )
    .await;
    let took = died.elapsed();
    eprintln!("cluster failover: every shard led again {took:?} after the kill");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    // No single fault makes a reminder later than the lock TTL plus 2 s.
    assert_delivered_once(&app, &peer, &ids, send_at, chrono::Duration::seconds(4)).await;
}

#[tokio::test]
async fn a_flushed_node_is_rebuilt_and_its_shards_deliver() {
    let cluster = RedisCluster::start();
    let app = cluster_app(&cluster).await;
    let shards = app.shard_keys();
    let mut conn = cluster.conn();
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
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let send_at = at_ms(4_000);
    let ids = create(&app, &peer, 30, send_at).await;
    let port = cluster.node_of(&shards[2].schedule);
    let mut node = cluster.node(port).expect("the node of shard 2");
    let had: usize = redis::cmd("ZCARD")
        .arg(&shards[2].schedule)
        .query(&mut node)
        .unwrap();
    assert!(had > 0, "shard 2 holds some of the reminders");
    let _: () = redis::cmd("FLUSHALL").query(&mut node).unwrap();
    assert_delivered_once(&app, &peer, &ids, send_at, chrono::Duration::seconds(3)).await;
}
