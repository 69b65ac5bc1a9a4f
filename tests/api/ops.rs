use crate::support::TestApp;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["postgres"], "ok");
    assert_eq!(body["redis"], "ok");
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("chime_build_info{version="));
}

#[tokio::test]
async fn readiness_fails_when_redis_is_unreachable() {
    // A private Redis for this test only, so stopping it disturbs nobody else.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server must be installed");
    let url = format!("redis://127.0.0.1:{port}");
    crate::support::wait_until("private redis", std::time::Duration::from_secs(10), || {
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
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.redis.url = chime::config::Secret::new(url.clone())
    })
    .await;
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();
    let resp = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().get("retry-after").is_some());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["redis"], "down");
    assert_eq!(body["checks"]["postgres"], "ok");
    // PostgreSQL is the truth: a create still succeeds (the reconciler schedules it later), and
    // promptly rather than after every Redis retry.
    let started = std::time::Instant::now();
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &serde_json::json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                                "send_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let (s, _) = app
        .get(
            &format!("/api/v1/notifications/{}", n["id"].as_str().unwrap()),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn openapi_document_is_served() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/notifications"].is_object());
}

#[tokio::test]
async fn processes_without_the_api_serve_only_operations_endpoints() {
    let app = TestApp::spawn_with(
        &[chime::config::Role::Sender, chime::config::Role::Scheduler],
        |s| {
            s.api.ops_addr = Some("127.0.0.1:0".parse().unwrap());
        },
    )
    .await;
    for path in ["/healthz", "/readyz", "/metrics"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let (s, _) = app.get("/api/v1/notifications", &app.admin_key).await;
    assert_eq!(s, 404, "no API on an operations listener");
}

#[tokio::test]
async fn with_an_ops_address_metrics_leave_the_api_port() {
    use chime::startup::{Application, BuildOptions};
    let db = crate::support::TestDb::create();
    let prefix = crate::support::TestPrefix::new();
    let mut settings = crate::support::test_settings(&db, &prefix);
    settings.api.ops_addr = Some("127.0.0.1:0".parse().unwrap());
    let app = Application::build(
        settings,
        &[chime::config::Role::Api],
        BuildOptions::default(),
    )
    .await
    .expect("application builds");
    let api = format!("http://127.0.0.1:{}", app.port().unwrap());
    let ops = format!("http://127.0.0.1:{}", app.ops_port().unwrap());
    assert_ne!(api, ops);
    let stop = app.shutdown_token();
    let task = tokio::spawn(app.run_until_cancelled());
    let client = reqwest::Client::new();
    let status = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        status(format!("{api}/metrics")).await,
        404,
        "not on the API port"
    );
    let text = client
        .get(format!("{ops}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("chime_build_info{version="), "{text}");
    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            status(format!("{api}{path}")).await,
            200,
            "{path} on the API port"
        );
        assert_eq!(
            status(format!("{ops}{path}")).await,
            200,
            "{path} on the ops port"
        );
    }
    assert_eq!(status(format!("{ops}/api/v1/notifications")).await, 404);
    stop.cancel();
    let result = tokio::time::timeout(std::time::Duration::from_secs(40), task)
        .await
        .expect("stops")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    // The ops listener stopped with the rest.
    assert!(client.get(format!("{ops}/healthz")).send().await.is_err());
}
