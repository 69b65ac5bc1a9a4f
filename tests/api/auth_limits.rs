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
        s.login_max_failures = 1_000_000;
        s.login_max_failures_per_address = 1_000_000;
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
