//! `cargo run --release --bin chime-bench [-- --ingest N --deliver N --window-secs S
//!   --retention-rows N --workloads ingest,delivery,failover,idle]`
//!
//! Measures the targets of DESIGN.md on this machine against the local PostgreSQL and Redis and
//! prints the figures (nothing is asserted): API ingest rate and latency, delivery lag from
//! `send_at` to a local webhook sink, Redis memory per scheduled reminder, scheduler failover
//! time and the idle memory of a `chime` process. Traffic goes to 127.0.0.1 only.

use chime::channels::test_peers::{HttpPeer, Responder};
use chime::config::{Role, Secret, Settings};
use chime::db::models::NewNotification;
use chime::startup::{Application, BuildOptions};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use uuid::Uuid;

const PG: &str = "postgres://postgres@127.0.0.1:5432";
/// Loopback needs no TLS, and without it libpq's OpenSSL clean-up cannot crash the exit.
const NO_TLS: &str = "?sslmode=disable";
const REDIS: &str = "redis://127.0.0.1:6379";
const ADMIN_KEY: &str = "chk_bench_admin_key_0123456789abcdef";

struct Args {
    ingest: usize,
    deliver: usize,
    window: Duration,
    concurrency: usize,
    /// Old finished rows that retention purges while the delivery window runs.
    retention_rows: usize,
    workloads: Vec<String>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        ingest: 20_000,
        deliver: 20_000,
        window: Duration::from_secs(10),
        concurrency: 64,
        retention_rows: 0,
        workloads: ["ingest", "delivery", "failover", "idle"]
            .map(String::from)
            .to_vec(),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--ingest" => a.ingest = value.parse()?,
            "--deliver" => a.deliver = value.parse()?,
            "--window-secs" => a.window = Duration::from_secs(value.parse()?),
            "--concurrency" => a.concurrency = value.parse()?,
            "--retention-rows" => a.retention_rows = value.parse()?,
            "--workloads" => a.workloads = value.split(',').map(String::from).collect(),
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

struct Scratch {
    db: String,
    prefix: String,
}

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let db = format!("chime_bench_{}", Uuid::new_v4().simple());
        Ok(Scratch {
            db,
            prefix: format!("bench-{}", Uuid::new_v4().simple()),
        })
    }
    fn url(&self) -> String {
        format!("{PG}/{}{NO_TLS}", self.db)
    }
    fn settings(&self) -> Settings {
        let mut s = Settings::defaults();
        s.database.url = Secret::new(self.url());
        s.redis.url = Secret::new(REDIS);
        s.redis.prefix = self.prefix.clone();
        s.api.listen_addr = "127.0.0.1:0".parse().expect("address");
        s.auth.bootstrap_admin_key = Some(Secret::new(ADMIN_KEY));
        s.channels.webhook_allow_private = true;
        s.database.pool_size = 32;
        s.sender.concurrency = 128;
        s
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&format!("{PG}/postgres{NO_TLS}")) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db))
                .execute(&mut conn);
        }
        if let Ok(mut conn) = redis::Client::open(REDIS).and_then(|c| c.get_connection()) {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(chime::schedule::Keys::pattern(&self.prefix))
                .query(&mut conn)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
            }
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    println!(
        "chime-bench on {} cores (PostgreSQL, Redis, chime and the load generator share them)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let run = |w: &str| args.workloads.iter().any(|x| x == w);
    if run("ingest") {
        ingest(&args).await?;
    }
    if run("delivery") {
        delivery(&args).await?;
    }
    if run("failover") {
        failover().await?;
    }
    if run("idle") {
        idle_memory().await?;
    }
    Ok(())
}

async fn ingest(args: &Args) -> anyhow::Result<()> {
    let scratch = Scratch::new()?;
    let app = Application::build(scratch.settings(), &[Role::Api], BuildOptions::default()).await?;
    let port = app.port().unwrap_or(0);
    let token = app.shutdown_token();
    let server = tokio::spawn(app.run_until_cancelled());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let url = format!("http://127.0.0.1:{port}/api/v1/notifications");
    let send_at = (Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let sem = Arc::new(Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut handles = Vec::with_capacity(args.ingest);
    for i in 0..args.ingest {
        let permit = sem.clone().acquire_owned().await?;
        let client = client.clone();
        let url = url.clone();
        let body = serde_json::json!({"channel": "webhook", "recipient": "https://hooks.example.com/x", "send_at": send_at, "data": {"i": i}});
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = client
                .post(&url)
                .bearer_auth(ADMIN_KEY)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16() == 201)
                .unwrap_or(false);
            drop(permit);
            (ok, t.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut lat = Vec::with_capacity(args.ingest);
    let mut failed = 0;
    for h in handles {
        let (ok, ms) = h.await?;
        if !ok {
            failed += 1;
        }
        lat.push(ms);
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "ingest: {} notifications over HTTP in {:.2}s = {:.0}/s (concurrency {}), latency p50 {:.1} ms, p99 {:.1} ms, failed {}",
        args.ingest,
        elapsed,
        args.ingest as f64 / elapsed,
        args.concurrency,
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        failed
    );
    let mut conn = redis::Client::open(REDIS)?
        .get_multiplexed_async_connection()
        .await?;
    let key = chime::schedule::Keys::new(&scratch.prefix).schedule;
    let bytes: i64 = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&key)
        .arg("SAMPLES")
        .arg(0)
        .query_async(&mut conn)
        .await?;
    let card: i64 = redis::cmd("ZCARD").arg(&key).query_async(&mut conn).await?;
    println!(
        "redis: {} bytes for {} scheduled reminders = {:.0} bytes each",
        bytes,
        card,
        bytes as f64 / card.max(1) as f64
    );
    token.cancel();
    let _ = server.await;
    Ok(())
}

async fn delivery(args: &Args) -> anyhow::Result<()> {
    let scratch = Scratch::new()?;
    let app = Application::build(
        scratch.settings(),
        &[Role::Api, Role::Scheduler, Role::Sender],
        BuildOptions::default(),
    )
    .await?;
    let token = app.shutdown_token();
    let ctx = app.context.clone();
    let server = tokio::spawn(app.run_until_cancelled());
    let peer = HttpPeer::start(Responder::always(200)).await?;
    let url = peer.url_for("/sink");
    let tenant_id = {
        let url = scratch.url();
        tokio::task::spawn_blocking(move || -> anyhow::Result<Uuid> {
            let mut conn = PgConnection::establish(&url)?;
            Ok(chime::db::tenants::ensure(&mut conn, chime::db::setup::DEFAULT_TENANT)?.id)
        })
        .await??
    };
    if args.retention_rows > 0 {
        let db_url = scratch.url();
        let old = args.retention_rows as i64;
        let began = Instant::now();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = PgConnection::establish(&db_url)?;
            diesel::sql_query(
                "INSERT INTO notifications (id, tenant_id, status, channel, recipient, send_at, \
                   due_at, max_attempts, created_at, updated_at, sent_at) \
                 SELECT gen_random_uuid(), $1, 'sent', 'webhook', 'https://example.com/h', \
                   now() - interval '45 days', now() - interval '45 days', 3, \
                   now() - interval '60 days', now() - interval '45 days', now() - interval '45 days' \
                 FROM generate_series(1, $2)",
            )
            .bind::<diesel::sql_types::Uuid, _>(tenant_id)
            .bind::<diesel::sql_types::BigInt, _>(old)
            .execute(&mut conn)?;
            diesel::sql_query("VACUUM ANALYZE notifications").execute(&mut conn)?;
            Ok(())
        })
        .await??;
        println!(
            "retention: {} old finished rows written in {:.1} s; purged while the window runs",
            args.retention_rows,
            began.elapsed().as_secs_f64()
        );
    }
    // Rows are written straight into PostgreSQL (ingest is measured above); the window starts
    // once they are all in place.
    let start = Utc::now()
        + chrono::Duration::seconds(3)
        + chrono::Duration::milliseconds(args.deliver as i64 / 10);
    let window_ms = args.window.as_millis() as i64;
    let n = args.deliver;
    let rows: Vec<NewNotification> = (0..n)
        .map(|i| {
            let at = start + chrono::Duration::milliseconds(window_ms * i as i64 / n as i64);
            NewNotification {
                id: Uuid::new_v4(),
                tenant_id,
                status: "scheduled".into(),
                channel: "webhook".into(),
                recipient: url.clone(),
                subject: None,
                body: String::new(),
                html: None,
                template: None,
                template_version: None,
                data: serde_json::json!({"i": i}),
                target_date: None,
                lead_time: None,
                send_at: at,
                due_at: at,
                timezone: None,
                cron: None,
                series_id: None,
                expires_at: None,
                group_key: None,
                max_attempts: 8,
                event_id: None,
                event_slot: None,
                idempotency_key: None,
                recipient_id: None,
                category: None,
                urgent: false,
                fallback: Vec::new(),
                digest_key: None,
                digest_window: None,
                digest_subject: None,
                digest_body: None,
            }
        })
        .collect();
    let due: HashMap<String, DateTime<Utc>> =
        rows.iter().map(|r| (r.id.to_string(), r.send_at)).collect();
    let entries: Vec<(Uuid, i32, DateTime<Utc>)> =
        rows.iter().map(|r| (r.id, 1, r.send_at)).collect();
    let db_url = scratch.url();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = PgConnection::establish(&db_url)?;
        for chunk in rows.chunks(1000) {
            diesel::insert_into(chime::db::schema::notifications::table)
                .values(chunk)
                .execute(&mut conn)?;
        }
        Ok(())
    })
    .await??;
    for chunk in entries.chunks(1000) {
        ctx.schedule.put_many(chunk).await?;
    }
    let purge = (args.retention_rows > 0).then(|| {
        let ctx = ctx.clone();
        let opens_in = (start - Utc::now()).to_std().unwrap_or_default();
        tokio::spawn(async move {
            tokio::time::sleep(opens_in).await;
            let began = Instant::now();
            let pass = chime::schedule::retention::purge(
                &ctx,
                Duration::from_secs(30 * 86_400),
                &tokio_util::sync::CancellationToken::new(),
            )
            .await;
            (pass, began.elapsed())
        })
    });
    let ready_at = Utc::now();
    if ready_at > start {
        println!(
            "delivery: warning, set-up finished {} ms after the window opened",
            (ready_at - start).num_milliseconds()
        );
    }
    let got = peer
        .wait_for(n, args.window + Duration::from_secs(120))
        .await;
    let requests = match got {
        Ok(r) => r,
        Err(e) => {
            println!("delivery: {e}");
            peer.requests()
        }
    };
    let mut lags = Vec::with_capacity(requests.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut early = 0;
    for r in &requests {
        let Some(id) = r.header("webhook-id") else {
            continue;
        };
        *seen.entry(id.to_string()).or_default() += 1;
        if let Some(at) = due.get(id) {
            let lag = (r.received_at - *at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
            if lag < 0.0 {
                early += 1;
            }
            lags.push(lag);
        }
    }
    lags.sort_by(|a, b| a.total_cmp(b));
    let twice = seen.values().filter(|c| **c > 1).count();
    println!(
        "delivery: {} reminders due within {}s: delivered {}, lost {}, twice {}, early {}; lag from send_at p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        n,
        args.window.as_secs(),
        seen.len(),
        n - seen.len().min(n),
        twice,
        early,
        percentile(&lags, 50.0),
        percentile(&lags, 99.0),
        lags.last().copied().unwrap_or(f64::NAN)
    );
    if let Some(purge) = purge {
        match purge.await? {
            (Ok(pass), took) => println!(
                "retention: purged {} notifications in {:.1} s ({:.0} rows/s) from the window's start",
                pass.notifications,
                took.as_secs_f64(),
                pass.notifications as f64 / took.as_secs_f64()
            ),
            (Err(e), _) => println!("retention: purge failed: {e:#}"),
        }
    }
    token.cancel();
    let _ = server.await;
    Ok(())
}

async fn failover() -> anyhow::Result<()> {
    let scratch = Scratch::new()?;
    let leader = Application::build(
        scratch.settings(),
        &[Role::Scheduler],
        BuildOptions::default(),
    )
    .await?;
    let leader_task = tokio::spawn(leader.run_until_cancelled());
    let mut conn = redis::Client::open(REDIS)?
        .get_multiplexed_async_connection()
        .await?;
    let key = chime::schedule::Keys::new(&scratch.prefix).leader;
    let deadline = Instant::now() + Duration::from_secs(10);
    let first: String = loop {
        let t: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
        if let Some(t) = t {
            break t;
        }
        anyhow::ensure!(Instant::now() < deadline, "no leader elected");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let standby = Application::build(
        scratch.settings(),
        &[Role::Scheduler],
        BuildOptions { migrate: false },
    )
    .await?;
    let standby_token = standby.shutdown_token();
    let standby_task = tokio::spawn(standby.run_until_cancelled());
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Abort, not cancel: like a killed process, the leader releases nothing.
    leader_task.abort();
    let killed = Instant::now();
    loop {
        let t: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
        if t.as_ref().is_some_and(|t| *t != first) {
            break;
        }
        anyhow::ensure!(killed.elapsed() < Duration::from_secs(30), "no takeover");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "failover: standby leads {:.0} ms after the leader died (lock TTL 3 s)",
        killed.elapsed().as_secs_f64() * 1000.0
    );
    standby_token.cancel();
    let _ = standby_task.await;
    Ok(())
}

async fn idle_memory() -> anyhow::Result<()> {
    let exe = std::env::current_exe()?.with_file_name("chime");
    if !exe.exists() {
        println!(
            "idle memory: skipped ({} not built; run `cargo build --release` first)",
            exe.display()
        );
        return Ok(());
    }
    let scratch = Scratch::new()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = std::process::Command::new(&exe)
        .arg("serve")
        .env("DATABASE_URL", scratch.url())
        .env("REDIS_URL", REDIS)
        .env("CHIME_REDIS_PREFIX", &scratch.prefix)
        .env("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .spawn()?;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        anyhow::ensure!(Instant::now() < deadline, "chime did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or("VmRSS: ?")
        .trim_start_matches("VmRSS:")
        .trim()
        .to_string();
    println!("idle memory: `chime serve` (all roles) resident set {rss}");
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}
