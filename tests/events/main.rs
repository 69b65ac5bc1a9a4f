//! Events suite: the events, rules, cron-preview and series endpoints, and the event-handler
//! worker stepped deterministically, against the real PostgreSQL and Redis.

#[path = "../support/mod.rs"]
mod support;

mod cron;
mod e2e;
mod events;
mod recipients;
mod rules;
mod series;
mod worker;

use chime::startup::RoleContext;
use serde_json::{json, Value};
use support::TestApp;

/// A role context on the test's database and key prefix, to step the worker by hand.
pub async fn worker_ctx(app: &TestApp) -> RoleContext {
    app.role_context().await
}

/// Handles every queued event, as one worker would.
pub async fn drain(ctx: &RoleContext) -> usize {
    chime::events::worker::try_execute_once(ctx, "test-worker")
        .await
        .unwrap()
}

pub fn card_rule() -> Value {
    json!({
        "event_type": "card.expiring",
        "channel": "email",
        "recipient_path": "/email",
        "target_date_path": "/target_date",
        "timezone_path": "/tz",
        "lead_times": ["P7D", "P1D"],
        "subject": "Your card expires soon",
        "body": "Hi {{ name }}, your card ends on {{ target_date }}.",
    })
}

pub async fn post_event(app: &TestApp, key: &str, event_type: &str, payload: Value) -> Value {
    let (status, body) = app
        .post(
            "/api/v1/events",
            key,
            &json!({"type": event_type, "payload": payload}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    body
}

pub async fn get_event(app: &TestApp, id: &Value) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/events/{}", id.as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub fn redis_int(app: &TestApp, cmd: &str, key: &str) -> i64 {
    let mut conn = app.redis();
    redis::cmd(cmd).arg(key).query(&mut conn).unwrap()
}
