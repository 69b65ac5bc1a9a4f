//! `/metrics` from the API side: HTTP durations labelled by route template, the overdue gauges,
//! bounded statements behind the store gauges, and scrapes that still answer with Redis down.

use crate::support::{wait_until, TestApp};
use diesel::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(s, _)| *s == series)
        .and_then(|(_, v)| v.parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

fn sql(app: &TestApp, query: &str) {
    diesel::sql_query(query)
        .execute(&mut app.db.conn())
        .expect("sql");
}

async fn create_later(app: &TestApp) -> String {
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                    "send_at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    n["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn http_durations_are_labelled_by_route_template_never_by_raw_path() {
    let app = TestApp::spawn().await;
    let id = create_later(&app).await;
    let (s, _) = app
        .get(&format!("/api/v1/notifications/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200);
    let stray = uuid::Uuid::new_v4();
    let resp = app
        .client
        .get(app.url(&format!("/no-such-page/{stray}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let text = scrape(&app).await;
    let count = |route: &str, method: &str, status: u16| {
        value(
            &text,
            &format!(
                "chime_http_request_duration_seconds_count{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
        )
        .unwrap_or(0.0)
    };
    assert!(
        count("/api/v1/notifications/{id}", "GET", 200) >= 1.0,
        "{text}"
    );
    assert!(count("/api/v1/notifications", "POST", 201) >= 1.0, "{text}");
    assert!(count("unmatched", "GET", 404) >= 1.0, "{text}");
    assert!(!text.contains(&id), "a raw path leaked into a label");
    assert!(
        !text.contains(&stray.to_string()),
        "a raw path leaked into a label"
    );
}

#[tokio::test]
async fn the_overdue_gauges_see_a_late_reminder() {
    // No scheduler or sender runs: nothing will send it.
    let app = TestApp::spawn().await;
    let late = create_later(&app).await;
    let _on_time = create_later(&app).await;
    // Due 5 minutes ago, and one due 10 s ago, which is not overdue yet (30 s).
    sql(
        &app,
        &format!(
            "UPDATE notifications SET due_at = now() - interval '5 minutes' WHERE id = '{late}'"
        ),
    );
    let barely = create_later(&app).await;
    sql(
        &app,
        &format!(
            "UPDATE notifications SET due_at = now() - interval '10 seconds' WHERE id = '{barely}'"
        ),
    );
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "chime_overdue_notifications"),
        Some(1.0),
        "{text}"
    );
    let oldest = value(&text, "chime_oldest_overdue_seconds").unwrap();
    assert!((299.0..400.0).contains(&oldest), "oldest overdue {oldest}s");
    assert_eq!(value(&text, "chime_dead_letters"), Some(0.0), "{text}");
    assert_eq!(value(&text, "chime_events_backlog"), Some(0.0), "{text}");
    // Three created; nothing promoted them.
    assert_eq!(value(&text, "chime_schedule_size"), Some(3.0), "{text}");
    assert_eq!(value(&text, "chime_ready_queue_depth"), Some(0.0), "{text}");
    assert_eq!(value(&text, "chime_ready_pending"), Some(0.0), "{text}");
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

#[tokio::test]
async fn the_store_gauges_are_bounded_index_scans() {
    let mut app = TestApp::spawn().await;
    app.leaves_work(
        "inserts rows by SQL, events waiting among them, to measure the gauges' query plan",
    );
    // 60,000 rows: sent, scheduled in the past and future, dead; events handled and waiting.
    sql(
        &app,
        "INSERT INTO notifications (id, tenant_id, status, channel, recipient, body, send_at, \
         due_at, max_attempts, created_at) \
         SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), \
         CASE WHEN i % 20 = 0 THEN 'dead' WHEN i % 4 = 0 THEN 'scheduled' ELSE 'sent' END, \
         'sms', '+14155550123', 'hi', now() + (i - 30000) * interval '14 seconds', \
         now() + (i - 30000) * interval '14 seconds', 8, now() FROM generate_series(1, 60000) i",
    );
    sql(
        &app,
        "INSERT INTO events (id, tenant_id, event_type, payload, status, created_at) \
         SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), 'x', '{}', \
         CASE WHEN i % 10 = 0 THEN 'received' ELSE 'processed' END, now() \
         FROM generate_series(1, 20000) i",
    );
    sql(&app, "VACUUM ANALYZE");
    let statement = chime::db::stats::STORE_GAUGES_SQL
        .replace("$1", "now() - interval '30 seconds'")
        .replace("$2", "100000");
    let mut conn = app.db.conn();
    let plan: Vec<Line> = diesel::sql_query(format!("EXPLAIN (ANALYZE, COSTS OFF) {statement}"))
        .load::<Line>(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    let plan: String = plan.into_iter().map(|l| l.line + "\n").collect();
    assert!(!plan.contains("Seq Scan"), "{plan}");
    // Events waiting are found by either of their partial indexes (`events_…received_idx`), and
    // overdue rows by either partial index over pending rows by due time.
    for indexes in [
        &[
            "notifications_pending_idx",
            "notifications_scheduled_due_idx",
        ][..],
        &["notifications_dead_idx"],
        &["received_idx on events"],
    ] {
        assert!(
            indexes.iter().any(|index| plan.contains(index)),
            "none of {indexes:?} used:\n{plan}"
        );
    }
    // And through the endpoint: 6,000 overdue (every 4th of the past half, less every 20th).
    let started = Instant::now();
    let text = scrape(&app).await;
    let took = started.elapsed();
    println!("scrape over 60,000 notifications and 20,000 events: {took:?}\n{plan}");
    assert_eq!(value(&text, "chime_dead_letters"), Some(3000.0), "{text}");
    assert_eq!(value(&text, "chime_events_backlog"), Some(2000.0), "{text}");
    assert_eq!(
        value(&text, "chime_overdue_notifications"),
        Some(6000.0),
        "{text}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn a_scrape_answers_promptly_with_the_last_values_while_redis_is_down() {
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
    wait_until("private redis", Duration::from_secs(10), || {
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
    create_later(&app).await;
    let text = scrape(&app).await;
    assert_eq!(value(&text, "chime_schedule_size"), Some(1.0), "{text}");
    server.kill().unwrap();
    server.wait().unwrap();
    // Past the gauges' cache, so the next scrape asks Redis again and gets no answer.
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut scrapes = 0;
    while Instant::now() < deadline || scrapes < 2 {
        let started = Instant::now();
        let text = scrape(&app).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "scrape took {took:?}");
        assert_eq!(
            value(&text, "chime_schedule_size"),
            Some(1.0),
            "the last value is kept:\n{text}"
        );
        assert_eq!(value(&text, "chime_overdue_notifications"), Some(0.0));
        scrapes += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn set_connections_allowed(db: &str, allowed: bool) {
    let mut admin = diesel::PgConnection::establish(&crate::support::pg_url("postgres"))
        .expect("admin connection");
    sql_on(
        &mut admin,
        &format!("ALTER DATABASE {db} WITH ALLOW_CONNECTIONS {allowed}"),
    );
    if !allowed {
        sql_on(
            &mut admin,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
            ),
        );
    }
}

fn sql_on(conn: &mut diesel::PgConnection, query: &str) {
    diesel::sql_query(query).execute(conn).expect("sql");
}

#[tokio::test]
async fn a_scrape_answers_promptly_with_the_last_values_while_postgres_is_away() {
    let app = TestApp::spawn().await;
    let late = create_later(&app).await;
    sql(
        &app,
        &format!(
            "UPDATE notifications SET due_at = now() - interval '5 minutes' WHERE id = '{late}'"
        ),
    );
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "chime_overdue_notifications"),
        Some(1.0),
        "{text}"
    );
    // Only this test's database refuses connections; the server itself stays up.
    set_connections_allowed(&app.db.name, false);
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut scrapes = 0;
    while Instant::now() < deadline || scrapes < 2 {
        let started = Instant::now();
        let text = scrape(&app).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "scrape took {took:?}");
        assert_eq!(
            value(&text, "chime_overdue_notifications"),
            Some(1.0),
            "the last value is kept:\n{text}"
        );
        assert_eq!(value(&text, "chime_schedule_size"), Some(1.0), "{text}");
        scrapes += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    set_connections_allowed(&app.db.name, true);
}
