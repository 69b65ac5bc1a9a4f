//! Delivery suite: the scheduler and sender roles against real PostgreSQL, Redis and local
//! SMTP/HTTP peers. Conditions are awaited with deadlines, never fixed sleeps.

#[path = "../support/mod.rs"]
mod support;

mod abandoned;
mod cancel_while_sending;
mod channels;
mod cluster;
mod digests;
mod failures;
mod fallback;
mod horizon;
mod metrics;
mod recipients;
mod reconcile;
mod redis_loss;
mod retention;
mod shards;
mod steps;
mod stored_templates;
mod templates;
mod timing;

use chime::config::Role;
use support::TestApp;

pub const ALL_ROLES: [Role; 4] = [Role::Api, Role::Worker, Role::Scheduler, Role::Sender];

/// An app with every role, fast retries and webhooks to 127.0.0.1 allowed.
pub async fn delivery_app(customize: impl FnOnce(&mut chime::config::Settings)) -> TestApp {
    TestApp::spawn_with(&ALL_ROLES, |s| {
        s.channels.webhook_allow_private = true;
        s.sender.retry_schedule = vec![
            std::time::Duration::from_millis(300),
            std::time::Duration::from_millis(300),
        ];
        s.channels.http_timeout = std::time::Duration::from_secs(2);
        // The least the configuration accepts for this HTTP timeout, plus one second.
        s.sender.visibility_timeout =
            s.send_guard() + chime::config::VISIBILITY_MARGIN + std::time::Duration::from_secs(1);
        customize(s);
    })
    .await
}

pub fn at_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::milliseconds(ms)
}

pub async fn notification(app: &TestApp, id: &str) -> serde_json::Value {
    let (s, n) = app
        .get(&format!("/api/v1/notifications/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200, "{n}");
    n
}

pub async fn wait_for_status(app: &TestApp, id: &str, status: &str) -> serde_json::Value {
    support::wait_until(
        &format!("{id} to be {status}"),
        std::time::Duration::from_secs(20),
        || async {
            let n = notification(app, id).await;
            (n["status"] == status).then_some(n)
        },
    )
    .await
}
