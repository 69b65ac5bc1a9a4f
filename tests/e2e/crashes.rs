use crate::processes::{free_port, Chime};
use crate::support::{redis_delete_prefix, wait_until, TestDb, TestPrefix, ADMIN_KEY, REDIS_URL};
use chime::channels::test_peers::{HttpPeer, PeerResponse, Responder};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

fn leader_token(prefix: &TestPrefix) -> Option<String> {
    let mut conn = redis::Client::open(REDIS_URL).ok()?.get_connection().ok()?;
    redis::cmd("GET")
        .arg(chime::schedule::Keys::new(&prefix.0).leader)
        .query(&mut conn)
        .ok()?
}

async fn create_batch(
    client: &reqwest::Client,
    api: &str,
    peer: &HttpPeer,
    from: usize,
    n: usize,
    base: DateTime<Utc>,
    spread_ms: i64,
) -> Vec<(String, String, DateTime<Utc>)> {
    let mut created = Vec::new();
    for i in from..from + n {
        let send_at =
            base + chrono::Duration::milliseconds(spread_ms * (i - from) as i64 / n as i64);
        let path = format!("/n/{i}");
        let resp = client
            .post(format!("{api}/api/v1/notifications"))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"channel": "webhook", "recipient": peer.url_for(&path), "send_at": send_at.to_rfc3339(),
                          "idempotency_key": format!("e2e-{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: serde_json::Value = resp.json().await.unwrap();
        let parsed: DateTime<Utc> = body["send_at"].as_str().unwrap().parse().unwrap();
        created.push((body["id"].as_str().unwrap().to_string(), path, parsed));
    }
    created
}

/// Kill the leader scheduler and a busy sender while 200 reminders fall due, then delete every
/// Redis key of the prefix while 50 more wait: none lost, none early, none sent under two ids.
#[tokio::test]
async fn nothing_is_lost_duplicated_or_early_through_crashes_and_a_redis_wipe() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let port = free_port();
    let api_url = format!("http://127.0.0.1:{port}");
    let _api = Chime::start(
        "api",
        &db,
        &prefix,
        &[("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))],
    );
    let client = reqwest::Client::new();
    wait_until("the API to be ready", Duration::from_secs(30), || {
        let client = client.clone();
        let url = format!("{api_url}/readyz");
        async move {
            client
                .get(url)
                .send()
                .await
                .ok()
                .filter(|r| r.status() == 200)
                .map(|_| ())
        }
    })
    .await;
    let mut scheduler_a = Chime::start("scheduler", &db, &prefix, &[]);
    let token_a = wait_until("scheduler A to lead", Duration::from_secs(20), || async {
        leader_token(&prefix)
    })
    .await;
    let _scheduler_b = Chime::start("scheduler", &db, &prefix, &[]);
    let mut sender_1 = Chime::start("sender", &db, &prefix, &[]);
    let _sender_2 = Chime::start("sender", &db, &prefix, &[]);

    // Each send takes a while, so sender 1 is busy (entries in flight) when it is killed.
    let peer = HttpPeer::start(Responder::script(vec![
        PeerResponse::new(200).delay(Duration::from_millis(150))
    ]))
    .await
    .unwrap();
    let base = Utc::now() + chrono::Duration::seconds(3);
    let mut created = create_batch(&client, &api_url, &peer, 0, 200, base, 4000).await;

    wait_until(
        "the first reminders to arrive",
        Duration::from_secs(30),
        || async { (peer.requests().len() >= 20).then_some(()) },
    )
    .await;
    assert_eq!(
        leader_token(&prefix).as_deref(),
        Some(token_a.as_str()),
        "scheduler A still leads when it is killed"
    );
    let killed_at = Instant::now();
    scheduler_a.kill();
    sender_1.kill();
    let takeover = wait_until(
        "scheduler B to take over",
        Duration::from_secs(15),
        || async {
            leader_token(&prefix)
                .filter(|t| *t != token_a)
                .map(|_| killed_at.elapsed())
        },
    )
    .await;
    println!("failover: standby leads {takeover:?} after the leader was killed");
    // The killed leader's lock expires within its TTL and the standby tries every 150 ms; the
    // rest of the margin is for a loaded machine. This checks liveness: chime-bench measures
    // failover time.
    let ttl = chime::config::Settings::defaults().scheduler.leader_ttl;
    assert!(
        takeover < ttl + Duration::from_secs(2),
        "takeover took {takeover:?} with a lock TTL of {ttl:?}"
    );

    wait_until("most of the first 200", Duration::from_secs(60), || async {
        (peer.requests().len() >= 150).then_some(())
    })
    .await;
    let more_at = Utc::now() + chrono::Duration::seconds(3);
    created.extend(create_batch(&client, &api_url, &peer, 200, 50, more_at, 1000).await);
    redis_delete_prefix(&prefix.0);

    let expected: HashSet<String> = created.iter().map(|(id, _, _)| id.clone()).collect();
    wait_until("all 250 to arrive", Duration::from_secs(90), || async {
        let ids: HashSet<String> = peer
            .requests()
            .iter()
            .filter_map(|r| r.header("webhook-id").map(str::to_string))
            .collect();
        (ids.len() >= expected.len()).then_some(())
    })
    .await;

    let by_path: HashMap<&str, (&str, DateTime<Utc>)> = created
        .iter()
        .map(|(id, path, at)| (path.as_str(), (id.as_str(), *at)))
        .collect();
    let requests = peer.requests();
    let mut ids_per_path: HashMap<String, HashSet<String>> = HashMap::new();
    for r in &requests {
        let (id, send_at) = by_path[r.path.as_str()];
        let wid = r.header("webhook-id").unwrap().to_string();
        assert_eq!(wid, id, "webhook-id is the notification id");
        assert!(
            r.received_at >= send_at,
            "{} arrived early: {} < {}",
            r.path,
            r.received_at,
            send_at
        );
        ids_per_path.entry(r.path.clone()).or_default().insert(wid);
    }
    assert_eq!(ids_per_path.len(), 250, "none lost");
    assert!(
        ids_per_path.values().all(|ids| ids.len() == 1),
        "never under two ids"
    );
    let repeats = requests.len() - 250;
    println!("deliveries: {} for 250 notifications ({repeats} repeated with the same webhook-id after a crash)", requests.len());

    // PostgreSQL agrees: all sent.
    use chime::db::schema::notifications::dsl as n;
    use diesel::prelude::*;
    let sent = wait_until("all rows to be sent", Duration::from_secs(30), || async {
        let count: i64 = n::notifications
            .filter(n::status.eq("sent"))
            .count()
            .get_result(&mut db.conn())
            .ok()?;
        (count == 250).then_some(count)
    })
    .await;
    assert_eq!(sent, 250);
}

/// SIGTERM drains and exits cleanly, releasing the scheduler lock for a standby at once.
#[tokio::test]
async fn sigterm_exits_cleanly_and_releases_leadership() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let port = free_port();
    let mut chime = Chime::start(
        "api,worker,scheduler,sender",
        &db,
        &prefix,
        &[("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))],
    );
    wait_until("a leader", Duration::from_secs(30), || async {
        leader_token(&prefix)
    })
    .await;
    let status = chime
        .terminate(Duration::from_secs(40))
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert_eq!(
        leader_token(&prefix),
        None,
        "the lock was released, not left to expire"
    );
}
