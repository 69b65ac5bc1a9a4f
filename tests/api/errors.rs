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
    let app =
        TestApp::spawn_with(&[chime::config::Role::Api], |s| s.api.rate_limit = Some(2)).await;
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

/// Every string leaf of a JSON value with its path as the API names it (`data.note`,
/// `lead_times[0]`).
fn string_paths(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(_) => out.push(prefix.to_string()),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                string_paths(v, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                string_paths(v, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The same value with a NUL appended to the string at `path`.
fn with_nul(value: &serde_json::Value, path: &str) -> serde_json::Value {
    let mut out = value.clone();
    let mut at = &mut out;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        at = &mut at[key];
        if let Some(i) = index {
            at = &mut at[i];
        }
    }
    let s = format!("{}\u{0}", at.as_str().unwrap());
    *at = json!(s);
    out
}

#[tokio::test]
async fn a_nul_character_anywhere_is_a_client_error_naming_the_field() {
    let app = TestApp::spawn().await;
    let key = app.admin_key.clone();
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &key,
            &json!({"channel": "email", "recipient": "ada@example.com", "body": "Hi", "send_at": later}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let notification = format!("/api/v1/notifications/{}", n["id"].as_str().unwrap());
    let rule = json!({"event_type": "card.expiring", "channel": "email", "recipient_path": "/email",
        "target_date_path": "/target_date", "timezone_path": "/tz", "lead_times": ["P7D", "P1D"],
        "subject": "Soon", "body": "Hi {{ name }}"});
    let (s, r) = app.post("/api/v1/rules", &key, &rule).await;
    assert_eq!(s, 201, "{r}");
    let rule_path = format!("/api/v1/rules/{}", r["id"].as_str().unwrap());
    let post = reqwest::Method::POST;
    let table: Vec<(reqwest::Method, String, serde_json::Value)> = vec![
        (
            post.clone(),
            "/api/v1/notifications".into(),
            json!({
            "channel": "email", "recipient": "ada@example.com", "subject": "S", "body": "B",
            "data": {"note": "n", "list": ["x"]}, "target_date": later, "lead_time": "P1D",
            "timezone": "Europe/Berlin", "group_key": "g", "idempotency_key": "i"}),
        ),
        (
            post.clone(),
            "/api/v1/notifications".into(),
            json!({
            "channel": "webhook", "recipient": "https://example.com/hook", "cron": "0 9 * * *"}),
        ),
        (
            reqwest::Method::PATCH,
            notification.clone(),
            json!({
            "recipient": "bob@example.com", "subject": "S", "body": "B", "data": {"note": "n"},
            "send_at": later, "timezone": "UTC"}),
        ),
        (
            post.clone(),
            "/api/v1/notifications/cancel".into(),
            json!({"group_key": "g"}),
        ),
        (
            post.clone(),
            "/api/v1/cron/preview".into(),
            json!({
            "cron": "0 9 * * *", "timezone": "UTC", "after": "2027-01-01T00:00:00Z"}),
        ),
        (
            post.clone(),
            "/api/v1/events".into(),
            json!({
            "type": "card.expiring", "payload": {"email": "ada@example.com", "nested": {"name": "Ada"}},
            "idempotency_key": "e"}),
        ),
        (post.clone(), "/api/v1/rules".into(), rule.clone()),
        (reqwest::Method::PUT, rule_path.clone(), rule.clone()),
        (
            post.clone(),
            "/api/v1/api-keys".into(),
            json!({"name": "k", "role": "member"}),
        ),
        (
            post.clone(),
            "/api/v1/users".into(),
            json!({
            "email": "new@example.com", "password": "long enough password", "role": "member"}),
        ),
        (
            post.clone(),
            "/api/v1/auth/login".into(),
            json!({
            "email": "nobody@example.com", "password": "whatever it is"}),
        ),
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (method, path, body) in &table {
        let mut fields = Vec::new();
        string_paths(body, "", &mut fields);
        for field in fields {
            let bad = with_nul(body, &field);
            let (status, resp) = app.request(method.clone(), path, &key, Some(&bad)).await;
            if !(status == 400 || status == 422) || resp["error"]["field"] != json!(field) {
                failures.push(format!(
                    "{method} {path} with NUL in {field}: {status} {resp}"
                ));
            }
            checked += 1;
        }
        // A NUL in a key is refused too.
        let mut keyed = body.clone();
        keyed["a\u{0}b"] = json!(1);
        let (status, resp) = app.request(method.clone(), path, &key, Some(&keyed)).await;
        if !(status == 400 || status == 422) {
            failures.push(format!(
                "{method} {path} with NUL in a key: {status} {resp}"
            ));
        }
        checked += 1;
    }
    // Unauthenticated login too.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "a\u{0}@example.com", "password": "x"}))
        .send()
        .await
        .unwrap();
    let (status, resp) = crate::support::split(resp).await;
    if status != 422 || resp["error"]["field"] != "email" {
        failures.push(format!("unauthenticated login: {status} {resp}"));
    }
    // Query parameters reach SQL as text too.
    for (path, param) in [
        ("/api/v1/notifications?group_key=a%00b", "group_key"),
        ("/api/v1/notifications?status=%00", "status"),
        ("/api/v1/notifications?channel=%00", "channel"),
        ("/api/v1/notifications?cursor=%00", "cursor"),
        ("/api/v1/dead-letters?group_key=%00", "group_key"),
        ("/api/v1/events?type=a%00", "type"),
        ("/api/v1/events?status=%00", "status"),
    ] {
        let (status, resp) = app.get(path, &key).await;
        if status != 422 || resp["error"]["field"] != param {
            failures.push(format!("GET {path}: {status} {resp}"));
        }
        checked += 1;
    }
    let (status, resp) = app.get("/api/v1/notifications?a%00b=1", &key).await;
    if !(status == 400 || status == 422) {
        failures.push(format!("NUL in a parameter name: {status} {resp}"));
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases failed: {failures:#?}",
        failures.len()
    );
    assert!(checked > 50, "{checked} cases");
    // Nothing was stored along the way: only the two rows made above exist.
    let (_, list) = app.get("/api/v1/notifications", &key).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test]
async fn a_long_offending_value_is_echoed_only_in_part() {
    let app = TestApp::spawn().await;
    let long = format!("{}@example.com", "a".repeat(900_000));
    let (status, body) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "email", "recipient": long, "body": "Hi",
                    "send_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_error(status, &body, 422, Some("recipient"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.chars().count() <= 300,
        "{} characters",
        message.len()
    );
    // An unknown field name is input too.
    let name = "f".repeat(10_000);
    let mut req = json!({"channel": "sms"});
    req[&name] = json!(1);
    let (status, body) = app.post("/api/v1/cron/preview", &app.admin_key, &req).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/cron/preview",
            &app.admin_key,
            &json!({"cron": "0 9 * * *", name.clone(): 1}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body.to_string().len() < 800,
        "{} bytes",
        body.to_string().len()
    );
}

#[tokio::test]
async fn an_unsupported_method_is_a_405_with_allow() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let listed: std::collections::BTreeSet<String> = ops
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| ["get", "put", "post", "patch", "delete"].contains(&m.as_str()))
            .map(|m| m.to_ascii_uppercase())
            .collect();
        let url = path.replace("{id}", &id);
        for method in ["GET", "PUT", "POST", "PATCH", "DELETE"] {
            if listed.contains(method) {
                // And every listed method is served (an empty body is refused, not routed away).
                let resp = app
                    .client
                    .request(method.parse().unwrap(), app.url(&url))
                    .bearer_auth(&app.admin_key)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                assert_ne!(
                    resp.status(),
                    405,
                    "{method} {url} is in the OpenAPI document"
                );
                continue;
            }
            let resp = app
                .client
                .request(method.parse().unwrap(), app.url(&url))
                .bearer_auth(&app.admin_key)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 405, "{method} {url}");
            let allow: std::collections::BTreeSet<String> = resp
                .headers()
                .get("allow")
                .unwrap_or_else(|| panic!("no Allow on {method} {url}"))
                .to_str()
                .unwrap()
                .split(',')
                .map(|m| m.trim().to_string())
                .collect();
            assert_eq!(allow, listed, "{method} {url}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "method_not_allowed");
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
}

/// Log lines of this test binary, for tests that check what a failure logs.
fn captured_logs() -> &'static std::sync::Mutex<Vec<u8>> {
    static LOGS: std::sync::OnceLock<std::sync::Mutex<Vec<u8>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        struct Capture;
        impl std::io::Write for Capture {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if let Ok(mut logs) = captured_logs().lock() {
                    logs.extend_from_slice(buf);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(|| Capture)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this binary");
        std::sync::Mutex::new(Vec::new())
    })
}

#[tokio::test]
async fn a_500_logs_its_whole_cause() {
    let _ = captured_logs();
    let app = TestApp::spawn().await;
    use diesel::prelude::*;
    diesel::sql_query("ALTER TABLE rules RENAME TO rules_gone_for_this_test")
        .execute(&mut app.db.conn())
        .unwrap();
    let (status, body) = app.get("/api/v1/rules", &app.admin_key).await;
    assert_error(status, &body, 500, None);
    assert!(
        !body.to_string().contains("rules"),
        "no cause in the body: {body}"
    );
    crate::support::wait_until(
        "the log line",
        std::time::Duration::from_secs(10),
        || async {
            let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).to_string();
            logs.lines()
                .any(|l| l.contains("request failed"))
                .then_some(())
                .filter(|_| logs.contains("relation \"rules\" does not exist"))
        },
    )
    .await;
}
