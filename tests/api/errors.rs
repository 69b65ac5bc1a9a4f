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

#[tokio::test]
async fn a_lost_database_is_a_503_with_retry_after() {
    let app = TestApp::spawn().await;
    // Kill every connection and forbid new ones to this test's database.
    {
        use diesel::prelude::*;
        let mut admin =
            diesel::PgConnection::establish(&format!("{}/postgres", crate::support::PG_SERVER))
                .unwrap();
        diesel::sql_query(format!(
            "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
            app.db.name
        ))
        .execute(&mut admin)
        .unwrap();
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
            app.db.name
        ))
        .execute(&mut admin)
        .unwrap();
    }
    let resp = app
        .client
        .get(app.url("/api/v1/notifications"))
        .bearer_auth("chk_some_key_that_is_not_cached_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().get("retry-after").is_some());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    {
        use diesel::prelude::*;
        let mut admin =
            diesel::PgConnection::establish(&format!("{}/postgres", crate::support::PG_SERVER))
                .unwrap();
        diesel::sql_query(format!(
            "ALTER DATABASE {} WITH ALLOW_CONNECTIONS true",
            app.db.name
        ))
        .execute(&mut admin)
        .unwrap();
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
