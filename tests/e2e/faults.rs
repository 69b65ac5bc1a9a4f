//! One fault at a time, against real processes and a private Redis: no accepted reminder is
//! later than the visibility timeout + the leader TTL + 2 s. The periodic reconcile is set far
//! beyond that bound, so it can't be what delivers on time.

use crate::private_redis::PrivateRedis;
use crate::processes::{free_port, Chime};
use crate::support::{wait_until, TestDb, TestPrefix, ADMIN_KEY};
use chime::channels::test_peers::{HttpPeer, PeerResponse, RecordedRequest, Responder};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::time::Duration;

const VISIBILITY: Duration = Duration::from_secs(10);
const LEADER_TTL: Duration = Duration::from_secs(1);

fn bound() -> chrono::Duration {
    chrono::Duration::from_std(VISIBILITY + LEADER_TTL + Duration::from_secs(2)).unwrap()
}

struct Cluster {
    redis: PrivateRedis,
    db: TestDb,
    prefix: TestPrefix,
    api_url: String,
    client: reqwest::Client,
    processes: Vec<Chime>,
}

impl Cluster {
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("REDIS_URL", self.redis.url()),
            (
                "CHIME_VISIBILITY_TIMEOUT",
                format!("{}s", VISIBILITY.as_secs()),
            ),
            ("CHIME_LEADER_TTL", format!("{}ms", LEADER_TTL.as_millis())),
            ("CHIME_RECONCILE_INTERVAL", "120s".into()),
        ]
    }

    /// An API process, and the given roles in one process each.
    async fn start(roles: &[&str]) -> Cluster {
        let port = free_port();
        let mut cluster = Cluster {
            redis: PrivateRedis::start(),
            db: TestDb::create(),
            prefix: TestPrefix::new(),
            api_url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            processes: Vec::new(),
        };
        let mut env = cluster.env();
        env.push(("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}")));
        cluster.spawn_with("api", &env);
        let client = cluster.client.clone();
        let url = format!("{}/readyz", cluster.api_url);
        wait_until("the API to be ready", Duration::from_secs(30), || {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let r = client.get(url).send().await.ok()?;
                (r.status() == 200).then_some(())
            }
        })
        .await;
        for roles in roles {
            cluster.spawn(roles);
        }
        cluster.wait_for_leader().await;
        cluster
    }

    fn spawn(&mut self, roles: &str) -> usize {
        let env = self.env();
        self.spawn_with(roles, &env)
    }

    fn spawn_with(&mut self, roles: &str, env: &[(&'static str, String)]) -> usize {
        self.processes
            .push(Chime::start(roles, &self.db, &self.prefix, env));
        self.processes.len() - 1
    }

    fn leader_token(&self) -> Option<String> {
        redis::cmd("GET")
            .arg(chime::schedule::Keys::new(&self.prefix.0).leader)
            .query(&mut self.redis.conn())
            .ok()?
    }

    async fn wait_for_leader(&self) -> String {
        wait_until("a scheduler leader", Duration::from_secs(30), || async {
            self.leader_token()
        })
        .await
    }

    /// A webhook to `peer` at `path`, due at `send_at`; its id and the send_at it was given.
    async fn create(&self, peer: &HttpPeer, path: &str, send_at: DateTime<Utc>) -> DateTime<Utc> {
        let resp = self
            .client
            .post(format!("{}/api/v1/notifications", self.api_url))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"channel": "webhook", "recipient": peer.url_for(path), "send_at": send_at.to_rfc3339()}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: serde_json::Value = resp.json().await.unwrap();
        body["send_at"].as_str().unwrap().parse().unwrap()
    }
}

/// The `n`-th request (0-based) to `path`, waiting up to `timeout` for it.
async fn nth_request(peer: &HttpPeer, path: &str, n: usize, timeout: Duration) -> RecordedRequest {
    wait_until(&format!("request {n} to {path}"), timeout, || async {
        peer.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .nth(n)
    })
    .await
}

fn assert_within_bound(what: &str, due: DateTime<Utc>, arrived: DateTime<Utc>) {
    let late = arrived - due;
    println!(
        "{what}: {} ms late (bound {} ms)",
        late.num_milliseconds(),
        bound().num_milliseconds()
    );
    assert!(arrived >= due, "{what} arrived early");
    assert!(late <= bound(), "{what} was {late} late");
}

/// Where nothing had to be taken over, a reminder is on time: well under the 2 s after which
/// the leader's sweep would re-queue it anyway.
fn assert_on_time(what: &str, due: DateTime<Utc>, arrived: DateTime<Utc>) {
    assert_within_bound(what, due, arrived);
    let late = arrived - due;
    assert!(
        late < chrono::Duration::seconds(1),
        "{what} was {late} late"
    );
}

/// How long a test waits for a delivery due at `due` before it is certainly too late.
fn patience(due: DateTime<Utc>) -> Duration {
    ((due - Utc::now()) + bound()).to_std().unwrap_or_default() + Duration::from_secs(5)
}

/// The first write of the API after Redis restarted empty meets the dead connection; both
/// reminders created then still come on time.
#[tokio::test]
async fn reminders_created_after_redis_restarts_empty_are_on_time() {
    let mut cluster = Cluster::start(&["scheduler,sender"]).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    // Everything has used its connections before the restart.
    let due = cluster
        .create(
            &peer,
            "/warm",
            Utc::now() + chrono::Duration::milliseconds(500),
        )
        .await;
    nth_request(&peer, "/warm", 0, patience(due)).await;

    cluster.redis.restart_empty();
    // Part of the scenario: the rebuild has read PostgreSQL long before the next create.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let at = Utc::now() + chrono::Duration::seconds(3);
    let first = cluster.create(&peer, "/first", at).await;
    let second = cluster.create(&peer, "/second", at).await;
    let r1 = nth_request(&peer, "/first", 0, patience(first)).await;
    let r2 = nth_request(&peer, "/second", 0, patience(second)).await;
    assert_on_time("first create after the restart", first, r1.received_at);
    assert_on_time("second create after the restart", second, r2.received_at);
}

/// A sender whose first Redis write after an empty restart is the retry of a failed send: the
/// retry still comes on time.
#[tokio::test]
async fn a_retry_recorded_after_redis_restarts_empty_is_on_time() {
    let mut cluster = Cluster::start(&["scheduler", "sender"]).await;
    // Under CHIME_HTTP_TIMEOUT (2 s): the peer's 500 is what fails the attempt.
    let slow_failure = Duration::from_millis(1500);
    let peer = HttpPeer::start(Responder::script(vec![
        PeerResponse::new(500).delay(slow_failure),
        PeerResponse::new(200),
    ]))
    .await
    .unwrap();
    let due = cluster
        .create(
            &peer,
            "/n",
            Utc::now() + chrono::Duration::milliseconds(500),
        )
        .await;
    let first = nth_request(&peer, "/n", 0, patience(due)).await;
    // While the attempt is in flight.
    cluster.redis.restart_empty();
    // The first retry is due 300 ms (± 20 %) after the failure is recorded: no earlier than
    // `earliest`, and lateness counts from the latest it can be due.
    let earliest = first.received_at
        + chrono::Duration::from_std(slow_failure + Duration::from_millis(240)).unwrap();
    let retry_due = earliest + chrono::Duration::milliseconds(120);
    let second = nth_request(&peer, "/n", 1, patience(retry_due)).await;
    assert!(second.received_at >= earliest, "the retry came early");
    println!(
        "retry after the restart: {} ms after the latest it could be due",
        (second.received_at - retry_due).num_milliseconds()
    );
    assert_on_time(
        "retry after the restart",
        retry_due,
        second.received_at.max(retry_due),
    );
}

/// A sender killed mid-send, then Redis restarted empty: the ready entry another sender would
/// have taken over is gone, yet the reminder is sent once its claim expires.
#[tokio::test]
async fn a_send_abandoned_just_before_redis_restarts_empty_is_taken_over_in_time() {
    let mut cluster = Cluster::start(&["scheduler"]).await;
    let sender = cluster.spawn("sender");
    let peer = HttpPeer::start(Responder::script(vec![
        PeerResponse::new(200).delay(Duration::from_secs(60)),
        PeerResponse::new(200),
    ]))
    .await
    .unwrap();
    let due = cluster
        .create(
            &peer,
            "/n",
            Utc::now() + chrono::Duration::milliseconds(500),
        )
        .await;
    nth_request(&peer, "/n", 0, patience(due)).await;
    cluster.processes[sender].kill();
    cluster.redis.restart_empty();
    cluster.spawn("sender");
    let second = nth_request(&peer, "/n", 1, patience(due)).await;
    assert_within_bound("abandoned send after the restart", due, second.received_at);
}

/// The leader killed just before a reminder falls due: the standby takes over in time.
#[tokio::test]
async fn a_reminder_due_while_the_leader_is_killed_is_on_time() {
    let mut cluster = Cluster::start(&["scheduler", "sender"]).await;
    let leader = cluster.wait_for_leader().await;
    cluster.spawn("scheduler");
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let due = cluster
        .create(&peer, "/n", Utc::now() + chrono::Duration::seconds(2))
        .await;
    // The first scheduler process leads: it started first and nothing disturbed it.
    assert_eq!(cluster.leader_token().as_deref(), Some(leader.as_str()));
    // Killed just before the reminder falls due: the standby must take over to send it.
    let kill_at = (due - Utc::now() - chrono::Duration::milliseconds(100))
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(kill_at).await;
    cluster.processes[1].kill();
    let r = nth_request(&peer, "/n", 0, patience(due)).await;
    assert_within_bound("due while the leader was killed", due, r.received_at);
    assert_ne!(cluster.leader_token(), Some(leader), "the standby leads");
}
