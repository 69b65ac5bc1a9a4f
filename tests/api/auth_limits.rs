//! Login throttling, the password-hashing bound and the shared rate limit, with real Redis.

use crate::support::TestApp;
use chime::config::Role;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn create_user(app: &TestApp, email: &str, password: &str, role: &str) -> String {
    let (s, u) = app
        .post(
            "/api/v1/users",
            &app.admin_key,
            &json!({"email": email, "password": password, "role": role}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    u["id"].as_str().unwrap().to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// 48 clients post wrong passwords as fast as they can while another client makes ordinary
/// requests: that client must never see a 503, and its latency stays low. The login limits are
/// raised so that every attempt costs a hash, as it would from many addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_flood_does_not_starve_other_requests() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.auth.login_max_failures = 1_000_000;
        s.auth.login_max_failures_per_address = 1_000_000;
    })
    .await;
    create_user(&app, "victim@example.com", "the right password", "member").await;
    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicUsize::new(0));
    let mut flood = Vec::new();
    for i in 0..48 {
        let client = reqwest::Client::new();
        let url = app.url("/api/v1/auth/login");
        let stop = stop.clone();
        let logins = logins.clone();
        flood.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let email = if i % 2 == 0 {
                    "victim@example.com".to_string()
                } else {
                    format!("nobody{i}@example.com")
                };
                let resp = client
                    .post(&url)
                    .json(&json!({"email": email, "password": format!("wrong password {i}")}))
                    .send()
                    .await;
                if let Ok(r) = resp {
                    statuses.push(r.status().as_u16());
                    logins.fetch_add(1, Ordering::Relaxed);
                }
            }
            statuses
        }));
    }
    // Let the flood build up before measuring.
    crate::support::wait_until("the flood to start", Duration::from_secs(60), || {
        let n = logins.load(Ordering::Relaxed);
        async move { (n >= 48).then_some(()) }
    })
    .await;
    let mut latencies = Vec::new();
    let mut unavailable = 0;
    let mut other = Vec::new();
    let measure_until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < measure_until {
        let started = Instant::now();
        let (s, b) = app
            .get("/api/v1/notifications?limit=5", &app.admin_key)
            .await;
        latencies.push(started.elapsed());
        match s {
            200 => {}
            503 => unavailable += 1,
            _ => other.push(format!("{s} {b}")),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut login_statuses = std::collections::BTreeMap::new();
    for task in flood {
        for s in task.await.unwrap() {
            *login_statuses.entry(s).or_insert(0usize) += 1;
        }
    }
    latencies.sort();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    println!(
        "login flood: other client made {} requests, {} were 503, p50 {:?}, p99 {:?}, max {:?}; login answers {:?}",
        latencies.len(),
        unavailable,
        p50,
        p99,
        latencies.last().unwrap(),
        login_statuses
    );
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert_eq!(
        unavailable, 0,
        "ordinary requests got 503 during a login flood"
    );
    assert!(
        latencies.len() >= 20,
        "only {} requests in 8 s",
        latencies.len()
    );
    // Generous: the machine running the tests may be busy.
    assert!(p99 < Duration::from_secs(1), "p99 {p99:?}");
}

/// A second API process on the same database and Redis prefix.
pub struct Replica {
    pub address: String,
    shutdown: tokio_util::sync::CancellationToken,
}

impl Replica {
    pub async fn of(app: &TestApp) -> Replica {
        let built = chime::startup::Application::build(
            app.settings.clone(),
            &[Role::Api],
            chime::startup::BuildOptions { migrate: false },
        )
        .await
        .expect("replica builds");
        let address = format!("http://127.0.0.1:{}", built.port().unwrap());
        let shutdown = built.shutdown_token();
        tokio::spawn(built.run_until_cancelled());
        Replica { address, shutdown }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn login_at(
    client: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
) -> (u16, Option<u64>, serde_json::Value) {
    let resp = client.post(url).json(&body).send().await.unwrap();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (status, body) = crate::support::split(resp).await;
    (status, retry_after, body)
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_across_replicas() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.auth.login_max_failures = 3;
        s.auth.login_window = Duration::from_secs(120);
    })
    .await;
    create_user(&app, "ada@example.com", "the right password", "member").await;
    create_user(&app, "bob@example.com", "the right password", "member").await;
    let replica = Replica::of(&app).await;
    let here = app.url("/api/v1/auth/login");
    let there = replica.url("/api/v1/auth/login");
    let wrong = json!({"email": "ada@example.com", "password": "wrong password"});
    // Three failures, spread over both processes, use up the account's allowance …
    for url in [&here, &there, &here] {
        let (s, _, b) = login_at(&app.client, url, wrong.clone()).await;
        assert_eq!(s, 401, "{b}");
    }
    // … so the next attempt is refused on either, even with the right password.
    for url in [&there, &here] {
        let (s, retry_after, b) = login_at(
            &app.client,
            url,
            json!({"email": "ada@example.com", "password": "the right password"}),
        )
        .await;
        crate::support::assert_error(s, &b, 429, None);
        let secs = retry_after.expect("Retry-After on a 429");
        assert!((1..=120).contains(&secs), "Retry-After {secs}");
    }
    // Another account is not affected, and a success forgives its failures.
    let bob = json!({"email": "bob@example.com", "password": "wrong password"});
    for _ in 0..2 {
        let (s, _, _) = login_at(&app.client, &there, bob.clone()).await;
        assert_eq!(s, 401);
    }
    let good = json!({"email": "bob@example.com", "password": "the right password"});
    let (s, _, b) = login_at(&app.client, &here, good.clone()).await;
    assert_eq!(s, 200, "{b}");
    for _ in 0..3 {
        let (s, _, _) = login_at(&app.client, &there, bob.clone()).await;
        assert_eq!(s, 401);
    }
    // The counts live in Redis under the app's prefix, and expire.
    let mut redis = app.redis();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{{{}}}:login:*", app.prefix.0))
        .query(&mut redis)
        .unwrap();
    assert!(!keys.is_empty());
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut redis).unwrap();
        assert!(ttl > 0 && ttl <= 120_000, "{key} has TTL {ttl}");
    }
}

#[tokio::test]
async fn failed_logins_are_throttled_per_client_address() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.auth.login_max_failures_per_address = 4;
    })
    .await;
    create_user(&app, "ada@example.com", "the right password", "member").await;
    let url = app.url("/api/v1/auth/login");
    // Four different accounts, each tried once: under every per-account limit.
    for i in 0..4 {
        let (s, _, b) = login_at(
            &app.client,
            &url,
            json!({"email": format!("guess{i}@example.com"), "password": "wrong password"}),
        )
        .await;
        assert_eq!(s, 401, "{b}");
    }
    let (s, retry_after, b) = login_at(
        &app.client,
        &url,
        json!({"email": "ada@example.com", "password": "the right password"}),
    )
    .await;
    crate::support::assert_error(s, &b, 429, None);
    assert!(retry_after.is_some_and(|s| s >= 1));
}

/// An unknown address is checked against a dummy hash, so it takes as long as a wrong password.
#[tokio::test]
async fn an_unknown_email_costs_as_much_as_a_known_one() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.auth.login_max_failures = 1_000;
        s.auth.login_max_failures_per_address = 1_000;
    })
    .await;
    create_user(&app, "ada@example.com", "the right password", "member").await;
    let url = app.url("/api/v1/auth/login");
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..5 {
        for (email, into) in [
            ("ada@example.com".to_string(), &mut known),
            (format!("nobody{i}@example.com"), &mut unknown),
        ] {
            let started = Instant::now();
            let (s, _, _) = login_at(
                &app.client,
                &url,
                json!({"email": email, "password": "wrong password"}),
            )
            .await;
            assert_eq!(s, 401);
            into.push(started.elapsed());
        }
    }
    // An unknown tenant is no faster either.
    let started = Instant::now();
    let (s, _, _) = login_at(
        &app.client,
        &url,
        json!({"tenant": "no-such-tenant", "email": "ada@example.com", "password": "wrong password"}),
    )
    .await;
    assert_eq!(s, 401);
    unknown.push(started.elapsed());
    known.sort();
    unknown.sort();
    let (k, u) = (known[known.len() / 2], unknown[unknown.len() / 2]);
    println!("login median: known address {k:?}, unknown address {u:?}");
    // Without the dummy hash an unknown address answers in a few milliseconds.
    assert!(u * 3 > k, "unknown {u:?} vs known {k:?}");
}

async fn get_at(client: &reqwest::Client, url: &str, key: &str) -> (u16, Option<u64>) {
    let resp = client.get(url).bearer_auth(key).send().await.unwrap();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (resp.status().as_u16(), retry_after)
}

/// Requests alternate between two processes; together they get the tenant's rate, not twice it.
#[tokio::test]
async fn the_tenant_rate_limit_holds_across_replicas() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.api.rate_limit = Some(5)).await;
    let replica = Replica::of(&app).await;
    let urls = [
        app.url("/api/v1/notifications?limit=1"),
        replica.url("/api/v1/notifications?limit=1"),
    ];
    let started = Instant::now();
    let mut ok = 0;
    let mut limited = 0;
    for i in 0..30 {
        match get_at(&app.client, &urls[i % 2], &app.admin_key).await {
            (200, _) => ok += 1,
            (429, retry_after) => {
                assert!(
                    retry_after.is_some_and(|s| s >= 1),
                    "429 without Retry-After"
                );
                limited += 1;
            }
            (s, _) => panic!("unexpected status {s}"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    // A burst of 5, then 5 per second; one more for rounding.
    let allowed = 5.0 + 5.0 * elapsed + 1.0;
    println!("tenant rate 5/s over 2 replicas: {ok} passed, {limited} limited in {elapsed:.3} s");
    assert!(f64::from(ok) <= allowed, "{ok} passed in {elapsed:.3} s");
    assert!(limited > 0);
}

/// A key's own rate applies on top of the tenant's, across processes; other keys are unaffected.
#[tokio::test]
async fn a_key_rate_limit_holds_across_replicas() {
    let app = TestApp::spawn().await;
    let (s, b) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"name": "batch", "role": "member", "rate_limit": 2}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["rate_limit"], 2);
    let slow = b["key"].as_str().unwrap().to_string();
    let (s, b) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"role": "member", "rate_limit": 0}),
        )
        .await;
    crate::support::assert_error(s, &b, 422, Some("rate_limit"));
    let replica = Replica::of(&app).await;
    let urls = [
        app.url("/api/v1/notifications?limit=1"),
        replica.url("/api/v1/notifications?limit=1"),
    ];
    let started = Instant::now();
    let mut ok = 0;
    for i in 0..12 {
        if get_at(&app.client, &urls[i % 2], &slow).await.0 == 200 {
            ok += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("key rate 2/s over 2 replicas: {ok} passed in {elapsed:.3} s");
    assert!(
        f64::from(ok) <= 2.0 + 2.0 * elapsed + 1.0,
        "{ok} passed in {elapsed:.3} s"
    );
    // The tenant has no limit: its other keys go on.
    for url in &urls {
        assert_eq!(get_at(&app.client, url, &app.admin_key).await.0, 200);
    }
    let (s, list) = app.get("/api/v1/api-keys", &app.admin_key).await;
    assert_eq!(s, 200);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["rate_limit"] == 2));
}

/// With Redis away the limits fail open: requests and logins still work, and the tenant rate is
/// then enforced by each process alone.
#[tokio::test]
async fn limits_fail_open_to_this_process_when_redis_is_away() {
    // A private Redis for this test only, so stopping it disturbs nobody else.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server must be installed");
    let url = format!("redis://127.0.0.1:{port}");
    crate::support::wait_until("private redis", Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            redis::Client::open(url)
                .ok()?
                .get_connection()
                .ok()
                .map(|_| ())
        }
    })
    .await;
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.redis.url = chime::config::Secret::new(url.clone());
        s.api.rate_limit = Some(3);
    })
    .await;
    create_user(&app, "ada@example.com", "the right password", "member").await;
    server.kill().unwrap();
    server.wait().unwrap();

    let started = Instant::now();
    let (s, _, b) = login_at(
        &app.client,
        &app.url("/api/v1/auth/login"),
        json!({"email": "ada@example.com", "password": "the right password"}),
    )
    .await;
    assert_eq!(s, 200, "login works without Redis: {b}");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            get_at(
                &app.client,
                &app.url("/api/v1/notifications"),
                &app.admin_key,
            )
            .await
            .0,
        );
    }
    let elapsed = started.elapsed();
    println!("without Redis: {statuses:?} in {elapsed:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    // Not every request waits for Redis to time out.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // The local bucket still holds the rate (3 a second, a few more as time passes).
    let ok = statuses.iter().filter(|s| **s == 200).count() as f64;
    assert!(
        ok <= 3.0 + 3.0 * elapsed.as_secs_f64() + 1.0,
        "{statuses:?} in {elapsed:?}"
    );
}
