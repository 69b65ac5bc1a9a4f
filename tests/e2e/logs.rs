//! What the real `chime` binary logs: one `info` line per delivery outcome with its fields at
//! the top level of JSON lines, no colour codes when output is not a terminal, and e-mails
//! logged with their rendered body when no SMTP server is configured.

use crate::processes::free_port;
use crate::support::{wait_until, TestDb, TestPrefix, ADMIN_KEY, REDIS_URL};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A `chime serve` whose stdout and stderr (pipes, not a terminal) are collected line by line.
struct Logged {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    api: String,
}

impl Logged {
    fn start(db: &TestDb, prefix: &TestPrefix, format: &str) -> Logged {
        Logged::start_with_filter(db, prefix, format, "info")
    }

    fn start_with_filter(db: &TestDb, prefix: &TestPrefix, format: &str, filter: &str) -> Logged {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_chime"))
            .args(["serve", "--roles", "api,worker,scheduler,sender"])
            .env("DATABASE_URL", &db.url)
            .env("REDIS_URL", REDIS_URL)
            .env("CHIME_REDIS_PREFIX", &prefix.0)
            .env("CHIME_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
            .env("CHIME_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("CHIME_HTTP_TIMEOUT", "2s")
            .env("CHIME_VISIBILITY_TIMEOUT", "10s")
            .env("CHIME_RETRY_SCHEDULE", "300ms,300ms,1s")
            .env("CHIME_LOG_FORMAT", format)
            .env("RUST_LOG", filter)
            .env_remove("CHIME_SMTP_URL")
            .env_remove("CHIME_SMS_URL")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the chime binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Logged {
            child,
            lines,
            api: format!("http://127.0.0.1:{port}"),
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    async fn ready(&self, client: &reqwest::Client) {
        wait_until("the API to be ready", Duration::from_secs(30), || async {
            let resp = client
                .get(format!("{}/readyz", self.api))
                .send()
                .await
                .ok()?;
            (resp.status() == 200).then_some(())
        })
        .await;
    }

    async fn create(&self, client: &reqwest::Client, body: Value) -> String {
        let resp = client
            .post(format!("{}/api/v1/notifications", self.api))
            .bearer_auth(ADMIN_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let n: Value = resp.json().await.unwrap();
        n["id"].as_str().unwrap().to_string()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn soon() -> String {
    (chrono::Utc::now() + chrono::Duration::milliseconds(300)).to_rfc3339()
}

#[tokio::test]
async fn a_delivered_webhook_logs_one_json_info_line_with_top_level_fields_and_is_counted() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let chime = Logged::start(&db, &prefix, "json");
    let client = reqwest::Client::new();
    chime.ready(&client).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let id = chime
        .create(
            &client,
            json!({"channel": "webhook", "recipient": peer.url_for("/hook"), "send_at": soon()}),
        )
        .await;
    let flaky = HttpPeer::start(Responder::sequence([500, 200]))
        .await
        .unwrap();
    let retried = chime
        .create(
            &client,
            json!({"channel": "webhook", "recipient": flaky.url_for("/flaky"), "send_at": soon()}),
        )
        .await;
    let outcome_lines = |lines: &[String], id: &str| -> Vec<Value> {
        lines
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["notification_id"] == id && v.get("outcome").is_some())
            .collect()
    };
    // Both sent: lines written just after the sends (the outcomes' records) have time to arrive.
    for id in [&id, &retried] {
        wait_until(
            "the notification to be sent",
            Duration::from_secs(30),
            || async {
                let resp = client
                    .get(format!("{}/api/v1/notifications/{id}", chime.api))
                    .bearer_auth(ADMIN_KEY)
                    .send()
                    .await
                    .ok()?;
                let n: Value = resp.json().await.ok()?;
                (n["status"] == "sent").then_some(())
            },
        )
        .await;
    }
    let lines = chime.lines();
    let retry_lines = outcome_lines(&lines, &retried);
    let outcomes: Vec<_> = retry_lines
        .iter()
        .map(|l| (l["outcome"].as_str(), l["attempt"].as_i64()))
        .collect();
    assert_eq!(
        outcomes,
        [(Some("retry"), Some(1)), (Some("sent"), Some(2))],
        "{retry_lines:#?}"
    );
    let retry = &retry_lines[0];
    assert_eq!(retry["level"], "INFO", "{retry}");
    assert!(
        retry["error"].as_str().is_some_and(|e| e.contains("500")),
        "{retry}"
    );
    assert!(
        retry["retry_in"]
            .as_str()
            .is_some_and(|d| d.ends_with("ms") || d.ends_with('s')),
        "{retry}"
    );
    // This process alone counts: exact values.
    let metrics = client
        .get(format!("{}/metrics", chime.api))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "chime_sends_total{channel=\"webhook\",outcome=\"sent\"} 2",
        "chime_sends_total{channel=\"webhook\",outcome=\"retry\"} 1",
        "chime_sends_total{channel=\"webhook\",outcome=\"dead\"} 0",
        "chime_delivery_lag_seconds_count{channel=\"webhook\"} 3",
        "chime_scheduler_leader 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in\n{metrics}"
        );
    }
    let found = outcome_lines(&lines, &id);
    assert_eq!(found.len(), 1, "one outcome line: {found:#?}");
    let line = &found[0];
    assert_eq!(line["level"], "INFO", "{line}");
    assert_eq!(line["outcome"], "sent", "{line}");
    assert_eq!(line["channel"], "webhook", "{line}");
    assert_eq!(line["attempt"], 1, "{line}");
    assert!(line["lag_ms"].is_u64(), "lag_ms at the top level: {line}");
    assert!(line.get("fields").is_none(), "fields are flattened: {line}");
    assert!(
        line["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("chime")),
        "{line}"
    );
    let took = line["took"].as_str().unwrap_or_default();
    assert!(
        took.ends_with("ms") || took.ends_with('s'),
        "took for people: {line}"
    );
    let ts = line["timestamp"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok(),
        "RFC 3339 timestamp: {line}"
    );
    // Every line is JSON with a target, and none prints Rust `Debug` values.
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"));
        assert!(v["target"].is_string(), "no target: {l}");
        for debug in ["Some(", "None", "Duration {", "secs:"] {
            assert!(!l.contains(debug), "Rust Debug output in {l}");
        }
    }
}

#[tokio::test]
async fn pretty_logs_have_no_colour_off_a_terminal_and_show_a_logged_email() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let chime = Logged::start(&db, &prefix, "pretty");
    let client = reqwest::Client::new();
    chime.ready(&client).await;
    let id = chime
        .create(
            &client,
            json!({"channel": "email", "recipient": "ada@example.com",
                   "subject": "Hello {{ name }}", "body": "Your code is {{ code }}, {{ name }}.",
                   "data": {"name": "Ada", "code": "X-42"}, "send_at": soon()}),
        )
        .await;
    let text = wait_until("the logged e-mail", Duration::from_secs(30), || async {
        let text = chime.lines().join("\n");
        (text.contains("Your code is X-42, Ada.") && text.contains(&id)).then_some(text)
    })
    .await;
    assert!(text.contains("Hello Ada"), "{text}");
    assert!(text.contains("chime started"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "escape codes off a terminal:\n{text:?}"
    );
}

#[tokio::test]
async fn each_request_logs_its_id_route_status_and_latency_and_answers_with_the_id() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let chime =
        Logged::start_with_filter(&db, &prefix, "json", "info,chime::api::request_span=debug");
    let client = reqwest::Client::new();
    chime.ready(&client).await;
    let id = chime
        .create(
            &client,
            json!({"channel": "webhook", "recipient": "https://example.com/hook",
                   "send_at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    let resp = client
        .get(format!("{}/api/v1/notifications/{id}", chime.api))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let request_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("the response carries X-Request-Id")
        .to_string();
    let missing = client
        .get(format!("{}/no/such/route", chime.api))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let missing_id = missing
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a 404 carries X-Request-Id too")
        .to_string();
    assert_ne!(request_id, missing_id);
    let line_for = |request_id: &str| {
        chime
            .lines()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["request_id"] == request_id && v["message"] == "request")
    };
    let found = wait_until("the request line", Duration::from_secs(30), || async {
        Some((line_for(&request_id)?, line_for(&missing_id)?))
    })
    .await;
    let (line, missing_line) = found;
    assert_eq!(line["level"], "DEBUG", "{line}");
    assert_eq!(line["method"], "GET", "{line}");
    // The route template, not the path with the id in it.
    assert_eq!(line["route"], "/api/v1/notifications/{id}", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert!(
        line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{line}"
    );
    assert_eq!(missing_line["status"], 404, "{missing_line}");
    assert_eq!(missing_line["route"], "unmatched", "{missing_line}");
}
