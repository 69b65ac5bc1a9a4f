use crate::support::{assert_error, TestApp};
use serde_json::json;

#[tokio::test]
async fn actix_errors_use_the_json_error_shape() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    // Malformed JSON.
    let resp = app
        .client
        .post(app.url("/api/v1/notifications"))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body("{\"channel\": ")
        .send()
        .await
        .unwrap();
    let (s, b) = crate::support::split(resp).await;
    assert_error(s, &b, 400, None);
    // Not an object.
    let (s, b) = app.post("/api/v1/notifications", key, &json!([1, 2])).await;
    assert_error(s, &b, 400, None);
    // Unknown route, with and without auth.
    let (s, b) = app.get("/api/v1/nothing-here", key).await;
    assert_error(s, &b, 404, None);
    let resp = app.client.get(app.url("/nope")).send().await.unwrap();
    let (s, b) = crate::support::split(resp).await;
    assert_error(s, &b, 404, None);
    // Wrong method.
    let resp = app
        .client
        .delete(app.url("/api/v1/notifications"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let (s, b) = crate::support::split(resp).await;
    assert_error(s, &b, 405, None);
    // Body over 1 MiB.
    let big = json!({"channel": "sms", "body": "x".repeat(2 * 1024 * 1024)});
    let (s, b) = app.post("/api/v1/notifications", key, &big).await;
    assert_error(s, &b, 413, None);
}

fn set_connections_allowed(db: &str, allowed: bool) {
    use diesel::prelude::*;
    let mut admin = diesel::PgConnection::establish(&crate::support::pg_url("postgres"))
        .expect("admin connection");
    diesel::sql_query(format!(
        "ALTER DATABASE {db} WITH ALLOW_CONNECTIONS {allowed}"
    ))
    .execute(&mut admin)
    .expect("alter database");
    if !allowed {
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
        ))
        .execute(&mut admin)
        .expect("terminate backends");
    }
}

#[tokio::test]
async fn a_lost_database_is_a_503_with_retry_after_and_recovers() {
    let app = TestApp::spawn().await;
    // Fill the pool with live connections first, so the outage leaves dead ones behind in it.
    for _ in 0..8 {
        let (s, b) = app.get("/api/v1/notifications", &app.admin_key).await;
        assert_eq!(s, 200, "{b}");
    }
    set_connections_allowed(&app.db.name, false);
    // Every request during the outage is a 503 with Retry-After, never a 500 from a pooled
    // connection that died. (Each waits out the pool's connection timeout, so only a few.)
    for i in 0..3 {
        let token = format!("chk_some_key_that_is_not_cached_{i:04}");
        let resp = app
            .client
            .get(app.url("/api/v1/notifications"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 503, "request {i}");
        assert!(resp.headers().get("retry-after").is_some());
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable");
    }
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    set_connections_allowed(&app.db.name, true);
    // Once PostgreSQL is back, requests succeed again without a restart: dead connections are
    // not handed out again.
    crate::support::wait_until(
        "the API to recover",
        std::time::Duration::from_secs(15),
        || async {
            let (s, _) = app.get("/api/v1/notifications", &app.admin_key).await;
            (s == 200).then_some(())
        },
    )
    .await;
    for i in 0..20 {
        let (s, b) = app.get("/api/v1/notifications", &app.admin_key).await;
        assert_eq!(s, 200, "request {i} after recovery: {b}");
    }
}

#[tokio::test]
async fn a_tenant_over_its_rate_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| s.rate_limit = Some(2)).await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let resp = app
            .client
            .get(app.url("/api/v1/notifications"))
            .bearer_auth(&app.admin_key)
            .send()
            .await
            .unwrap();
        if resp.status() == 429 {
            assert!(resp.headers().get("retry-after").is_some());
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
            statuses.push(429);
        } else {
            statuses.push(resp.status().as_u16());
        }
    }
    assert!(statuses.iter().take(2).all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    // Other tenants are not affected.
    let other = app.new_tenant_key("quiet", chime::domain::AccessRole::Member);
    let (s, _) = app.get("/api/v1/notifications", &other).await;
    assert_eq!(s, 200);
}
