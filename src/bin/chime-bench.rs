//! `chime-bench`: measures the performance targets of the design on this machine, against the
//! local PostgreSQL and Redis, with `chime` running as a process of its own and deliveries
//! counted by `chime-bench-receiver`, a webhook consumer in another process. Nothing is
//! asserted; the figures are printed, and the last line of stdout is one JSON object holding
//! them (`null` for what was not measured). Run `chime-bench --help` for the workloads.
//! Traffic goes to 127.0.0.1 only.

use chime::config::{Role, Secret, Settings};
use chime::startup::{Application, BuildOptions};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use uuid::Uuid;

const PG: &str = "postgres://postgres@127.0.0.1:5432";
/// Loopback needs no TLS, and without it libpq's OpenSSL clean-up cannot crash the exit.
const NO_TLS: &str = "?sslmode=disable";
const REDIS: &str = "redis://127.0.0.1:6379";
const ADMIN_KEY: &str = "chk_bench_admin_key_0123456789abcdef";
const BATCH: usize = 1000;

const HELP: &str = "\
chime-bench: measures Chime on this machine (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379)

usage: chime-bench [--quick] [--workloads LIST] [options]

Workloads (run in the order given; default ingest,batch,delivery,failover,idle):
  ingest       single creates over HTTP: throughput and p99 at --concurrency, then one
               sequential client's p50; Redis bytes per scheduled reminder
  batch        POST /notifications/batch with 1,000 items per request: notifications/s
  delivery     --deliver reminders (2,000) due within --window-secs (10), --runs times (1) on
               one chime process: lag from send_at to arrival at the receiver, lost, twice, early
  delivery20k  the same with 20,000 due within the window
  delivery50k  the same with 50,000 due within the window
  horizon      Redis memory (used_memory of a private redis-server) per reminder due beyond the
               horizon (spread over 30 days) and per reminder inside it; sets
               CHIME_SCHEDULE_HORIZON=1h
  shards       a burst of --burst reminders due at one instant with CHIME_SCHEDULE_SHARDS=1 and
               =4, on a private redis-server and on a local 3-master Redis Cluster:
               deliveries/s of each
  failover     two `chime serve --roles api,scheduler`; the leader is killed (SIGKILL): seconds
               until the standby holds the lock
  idle         resident memory of an idle `chime serve` (all roles)

Options:
  --quick               small sizes; the default workloads finish within a minute
  --workloads LIST      comma-separated workloads (see above), or `all`
  --ingest N            single creates (default 20000; quick 2000)
  --sequential N        sequential single creates for the p50 (default 1000; quick 300)
  --batch N             notifications created through the batch endpoint (default 100000;
                        quick 10000)
  --deliver N           reminders of the `delivery` workload (default 2000)
  --burst N             reminders due at one instant in the `shards` workload (default 10000;
                        quick 2000)
  --window-secs S       the delivery window (default 10)
  --runs N              consecutive runs of the `delivery` workload (default 1)
  --far N               reminders beyond the horizon (default 1000000; quick 20000)
  --concurrency N       concurrent clients of `ingest` (default 64)
  --retention-rows N    old finished rows that retention purges while `delivery` runs (default 0)
  --chime PATH          the chime binary (default: next to chime-bench)
  --receiver PATH       the receiver binary (default: chime-bench-receiver next to chime-bench)
  --pg-log FILE         PostgreSQL's server log (readable here): the delivery workloads turn on
                        log_statement for their own database and count the statements per send
  -h, --help            this text

Build: cargo build --release --features test-peers --bin chime --bin chime-bench --bin chime-bench-receiver
";

const ALL: [&str; 9] = [
    "ingest",
    "batch",
    "delivery",
    "delivery20k",
    "delivery50k",
    "horizon",
    "shards",
    "failover",
    "idle",
];

struct Args {
    ingest: usize,
    sequential: usize,
    batch: usize,
    deliver: usize,
    burst: usize,
    window: Duration,
    runs: usize,
    far: usize,
    concurrency: usize,
    retention_rows: usize,
    workloads: Vec<String>,
    chime: PathBuf,
    receiver: PathBuf,
    /// PostgreSQL's log, to count the statements of each send.
    pg_log: Option<PathBuf>,
}

fn parse_args(argv: &[String]) -> anyhow::Result<Option<Args>> {
    let quick = argv.iter().any(|a| a == "--quick");
    let sibling = |name: &str| -> anyhow::Result<PathBuf> {
        Ok(std::env::current_exe()?.with_file_name(name))
    };
    let mut a = Args {
        ingest: if quick { 2_000 } else { 20_000 },
        sequential: if quick { 300 } else { 1_000 },
        batch: if quick { 10_000 } else { 100_000 },
        deliver: 2_000,
        burst: if quick { 2_000 } else { 10_000 },
        window: Duration::from_secs(10),
        runs: 1,
        far: if quick { 20_000 } else { 1_000_000 },
        concurrency: 64,
        retention_rows: 0,
        workloads: ["ingest", "batch", "delivery", "failover", "idle"]
            .map(String::from)
            .to_vec(),
        chime: sibling("chime")?,
        receiver: sibling("chime-bench-receiver")?,
        pg_log: None,
    };
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--quick" => continue,
            _ => {}
        }
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value (see --help)"))?;
        let number = || -> anyhow::Result<usize> {
            value
                .parse()
                .map_err(|_| anyhow::anyhow!("{flag}: expected a number, got {value:?}"))
        };
        match flag.as_str() {
            "--ingest" => a.ingest = number()?,
            "--sequential" => a.sequential = number()?,
            "--batch" => a.batch = number()?,
            "--deliver" => a.deliver = number()?.max(1),
            "--burst" => a.burst = number()?.max(1),
            "--window-secs" => a.window = Duration::from_secs(number()? as u64),
            "--runs" => a.runs = number()?.max(1),
            "--far" => a.far = number()?.max(1),
            "--concurrency" => a.concurrency = number()?.max(1),
            "--retention-rows" => a.retention_rows = number()?,
            "--chime" => a.chime = PathBuf::from(value),
            "--receiver" => a.receiver = PathBuf::from(value),
            "--pg-log" => a.pg_log = Some(PathBuf::from(value)),
            "--workloads" => {
                a.workloads = if value == "all" {
                    ALL.map(String::from).to_vec()
                } else {
                    value.split(',').map(|w| w.trim().to_string()).collect()
                };
                if let Some(bad) = a.workloads.iter().find(|w| !ALL.contains(&w.as_str())) {
                    anyhow::bail!("--workloads: unknown workload {bad:?} (see --help)");
                }
            }
            other => anyhow::bail!("unknown flag {other} (see --help)"),
        }
    }
    Ok(Some(a))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// A figure for the JSON line: finite numbers rounded to 0.1, anything else `null`.
fn num(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 10.0).round() / 10.0)
    } else {
        Value::Null
    }
}

/// The keys every JSON line has, `null` until measured.
const KEYS: [&str; 13] = [
    "ingest_per_s",
    "ingest_p99_ms",
    "batch_ingest_per_s",
    "delivered",
    "lost",
    "duplicates",
    "early",
    "lag_p50_ms",
    "lag_p99_ms",
    "redis_bytes_per_reminder",
    "redis_bytes_per_far_reminder",
    "idle_rss_mb",
    "failover_s",
];

/// A database of its own and a Redis key prefix of its own; both removed on drop.
struct Scratch {
    db: String,
    prefix: String,
    redis: String,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch::on(REDIS)
    }
    fn on(redis: &str) -> Scratch {
        Scratch {
            db: format!("chime_bench_{}", Uuid::new_v4().simple()),
            prefix: format!("bench-{}", Uuid::new_v4().simple()),
            redis: redis.to_string(),
        }
    }
    fn url(&self) -> String {
        format!("{PG}/{}{NO_TLS}", self.db)
    }
    fn settings(&self) -> Settings {
        let mut s = Settings::defaults();
        s.database.url = Secret::new(self.url());
        s.redis.url = Secret::new(self.redis.clone());
        s.redis.prefix = self.prefix.clone();
        s.api.listen_addr = "127.0.0.1:0".parse().expect("address");
        s.auth.bootstrap_admin_key = Some(Secret::new(ADMIN_KEY));
        s.channels.webhook_allow_private = true;
        s
    }
}

impl Scratch {
    /// Creates the database with every statement of its sessions logged.
    fn log_statements(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::establish(&format!("{PG}/postgres{NO_TLS}"))?;
        diesel::sql_query(format!("CREATE DATABASE {}", self.db)).execute(&mut conn)?;
        diesel::sql_query(format!(
            "ALTER DATABASE {} SET log_statement = 'all'",
            self.db
        ))
        .execute(&mut conn)?;
        Ok(())
    }
}

/// Statements the server log holds from byte `from` on, of the given backends, by kind (the
/// statement's first words), most frequent first.
fn count_statements(
    log: &Path,
    from: u64,
    backends: &HashMap<u32, Duration>,
) -> anyhow::Result<Vec<(String, usize)>> {
    use std::io::{Read, Seek};
    let mut f = std::fs::File::open(log)?;
    f.seek(std::io::SeekFrom::Start(from))?;
    let mut text = String::new();
    f.read_to_string(&mut text)?;
    let tags: Vec<String> = backends.keys().map(|p| format!("[{p}]")).collect();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        if !tags.iter().any(|t| line.contains(t.as_str())) {
            continue;
        }
        // "LOG:  statement: BEGIN" or "LOG:  execute <unnamed>: UPDATE …" or "execute s3: …".
        let Some(stmt) = line
            .split_once("LOG:  statement: ")
            .map(|(_, s)| s)
            .or_else(|| {
                line.split_once("LOG:  execute ")
                    .and_then(|(_, s)| s.split_once(": "))
                    .map(|(_, s)| s)
            })
        else {
            continue;
        };
        let kind: String = stmt
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        *kinds.entry(kind).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = kinds.into_iter().collect();
    v.sort_by_key(|k| std::cmp::Reverse(k.1));
    Ok(v)
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&format!("{PG}/postgres{NO_TLS}")) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db))
                .execute(&mut conn);
        }
        if let Ok(mut conn) =
            redis::Client::open(self.redis.as_str()).and_then(|c| c.get_connection())
        {
            for pattern in [
                format!("*{{{}}}*", self.prefix),
                format!("*{{{}:*", self.prefix),
            ] {
                let keys: Vec<String> = redis::cmd("KEYS")
                    .arg(pattern)
                    .query(&mut conn)
                    .unwrap_or_default();
                if !keys.is_empty() {
                    let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
                }
            }
        }
    }
}

/// A child process killed (and reaped) on drop.
struct Proc {
    child: Child,
    name: &'static str,
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    /// CPU time used so far, user + system.
    fn cpu(&self) -> Duration {
        cpu_of(self.pid())
    }
    /// Stops with SIGTERM, then SIGKILL after 10 s.
    fn stop(mut self) {
        // SAFETY: signals a child this process started and has not reaped.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("{} did not stop within 10 s; killed", self.name);
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a constant of the system.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// User + system CPU time of a process, from /proc (zero once it is gone).
fn cpu_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| f.get(*i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Duration::from_secs_f64(ticks as f64 / clock_ticks())
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Whether the chime binary knows a setting: every setting it reads is a string in it.
fn binary_knows(exe: &Path, setting: &str) -> bool {
    // grep is much faster than a byte-window scan of an unoptimised build.
    if let Ok(status) = Command::new("grep")
        .args(["-qaF", setting])
        .arg(exe)
        .status()
    {
        return status.success();
    }
    std::fs::read(exe)
        .map(|bytes| {
            bytes
                .windows(setting.len())
                .any(|w| w == setting.as_bytes())
        })
        .unwrap_or(false)
}

/// A `chime serve` process on its own port.
struct ChimeProc {
    proc: Proc,
    port: u16,
}

impl ChimeProc {
    async fn start(
        exe: &Path,
        scratch: &Scratch,
        roles: &str,
        env: &[(&str, String)],
    ) -> anyhow::Result<ChimeProc> {
        anyhow::ensure!(
            exe.exists(),
            "{} not found: build it (cargo build --release --features test-peers --bin chime) or pass --chime",
            exe.display()
        );
        let port = free_port()?;
        let log = std::env::temp_dir().join(format!("{}.log", scratch.prefix));
        let mut cmd = Command::new(exe);
        cmd.arg("serve")
            .arg("--roles")
            .arg(roles)
            .env("DATABASE_URL", scratch.url())
            .env("REDIS_URL", &scratch.redis)
            .env("CHIME_REDIS_PREFIX", &scratch.prefix)
            .env("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("CHIME_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
            .env("CHIME_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("CHIME_DB_POOL_SIZE", "32")
            .env("CHIME_SENDER_CONCURRENCY", "128")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let proc = Proc {
            child: cmd.spawn()?,
            name: "chime",
        };
        let mut me = ChimeProc { proc, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = client
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return Ok(me);
            }
            if let Ok(Some(status)) = me.proc.child.try_wait() {
                anyhow::bail!(
                    "chime exited ({status}) before it was ready; see {}",
                    log.display()
                );
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "chime not ready within 60 s; see {}",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    fn api(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/api/v1{path}", self.port)
    }
}

/// The webhook consumer in its own process.
struct Receiver {
    proc: Proc,
    base: String,
    client: reqwest::Client,
}

impl Receiver {
    fn start(exe: &Path) -> anyhow::Result<Receiver> {
        use std::io::BufRead;
        anyhow::ensure!(
            exe.exists(),
            "{} not found: build it (cargo build --release --features test-peers --bin chime-bench-receiver) or pass --receiver",
            exe.display()
        );
        let mut child = Command::new(exe)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let proc = Proc {
            child,
            name: "chime-bench-receiver",
        };
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .ok_or_else(|| anyhow::anyhow!("receiver said {line:?}"))?
            .to_string();
        Ok(Receiver {
            proc,
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
        })
    }
    fn url(&self) -> String {
        format!("{}/sink", self.base)
    }
    async fn count(&self) -> anyhow::Result<usize> {
        let text = self
            .client
            .get(format!("{}/count", self.base))
            .send()
            .await?
            .text()
            .await?;
        Ok(text.trim().parse()?)
    }
    async fn reset(&self) -> anyhow::Result<()> {
        self.client
            .post(format!("{}/reset", self.base))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
    /// `(webhook-id, arrival)` of every request so far.
    async fn arrivals(&self) -> anyhow::Result<Vec<(String, DateTime<Utc>)>> {
        let text = self
            .client
            .get(format!("{}/arrivals", self.base))
            .send()
            .await?
            .text()
            .await?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let (id, us) = l.split_once(' ')?;
                Some((
                    id.to_string(),
                    DateTime::from_timestamp_micros(us.parse().ok()?)?,
                ))
            })
            .collect())
    }
    /// Waits until `n` arrived; after `window_end`, gives up once nothing more arrived for 20 s,
    /// or 120 s after it.
    async fn wait_for(&self, n: usize, window_end: Instant) -> anyhow::Result<usize> {
        let mut last = (0, Instant::now());
        loop {
            let got = self.count().await?;
            if got >= n {
                return Ok(got);
            }
            if got != last.0 {
                last = (got, Instant::now());
            }
            let now = Instant::now();
            if now > window_end
                && (last.1.elapsed() > Duration::from_secs(20)
                    || now > window_end + Duration::from_secs(120))
            {
                return Ok(got);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// CPU time of the PostgreSQL backends serving one database, by pid (they live as long as the
/// pool's connections).
fn pg_backends_cpu(db: &str) -> HashMap<u32, Duration> {
    let Ok(mut conn) = PgConnection::establish(&format!("{PG}/postgres{NO_TLS}")) else {
        return HashMap::new();
    };
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let pids: Vec<Pid> = diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(db)
        .load(&mut conn)
        .unwrap_or_default();
    pids.into_iter()
        .map(|p| (p.pid as u32, cpu_of(p.pid as u32)))
        .collect()
}

fn cpu_delta(before: &HashMap<u32, Duration>, after: &HashMap<u32, Duration>) -> Duration {
    after
        .iter()
        .map(|(pid, t)| t.saturating_sub(before.get(pid).copied().unwrap_or_default()))
        .sum()
}

async fn redis_conn(url: &str) -> anyhow::Result<redis::aio::MultiplexedConnection> {
    Ok(redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await?)
}

/// Bytes of every key of a prefix (a shard's hash tag extends the prefix: `{p:0}`).
async fn prefix_bytes(url: &str, prefix: &str) -> anyhow::Result<i64> {
    let mut conn = redis_conn(url).await?;
    let mut total = 0;
    for pattern in [format!("*{{{prefix}}}*"), format!("*{{{prefix}:*")] {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(pattern)
            .query_async(&mut conn)
            .await?;
        for k in keys {
            let b: Option<i64> = redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(&k)
                .arg("SAMPLES")
                .arg(0)
                .query_async(&mut conn)
                .await?;
            total += b.unwrap_or(0);
        }
    }
    Ok(total)
}

async fn used_memory(url: &str) -> anyhow::Result<i64> {
    let mut conn = redis_conn(url).await?;
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut conn)
        .await?;
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no used_memory in INFO"))
}

/// A redis-server of the benchmark's own, without persistence, on a free port.
struct PrivateRedis {
    _proc: Proc,
    url: String,
}

impl PrivateRedis {
    async fn start() -> anyhow::Result<PrivateRedis> {
        let port = free_port()?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start redis-server: {e}"))?;
        let me = PrivateRedis {
            _proc: Proc {
                child,
                name: "redis-server",
            },
            url: format!("redis://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis_conn(&me.url).await.is_err() {
            anyhow::ensure!(Instant::now() < deadline, "private redis-server not up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(me)
    }

    /// Three masters joined into a Redis Cluster; the servers and the seed-node list.
    async fn cluster() -> anyhow::Result<(Vec<PrivateRedis>, String)> {
        let dir =
            std::env::temp_dir().join(format!("chime-bench-cluster-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let mut servers = Vec::new();
        for _ in 0..3 {
            let port = free_port()?;
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args([
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--cluster-enabled",
                    "yes",
                ])
                .arg("--cluster-config-file")
                .arg(dir.join(format!("nodes-{port}.conf")))
                .arg("--dir")
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| anyhow::anyhow!("cannot start redis-server: {e}"))?;
            servers.push(PrivateRedis {
                _proc: Proc {
                    child,
                    name: "redis-server",
                },
                url: format!("redis://127.0.0.1:{port}"),
            });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for s in &servers {
            while redis_conn(&s.url).await.is_err() {
                anyhow::ensure!(Instant::now() < deadline, "cluster node not up");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let status = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(
                servers
                    .iter()
                    .map(|s| s.url.trim_start_matches("redis://").to_string()),
            )
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "redis-cli --cluster create failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        for s in &servers {
            loop {
                let mut conn = redis_conn(&s.url).await?;
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut conn)
                    .await?;
                if info.contains("cluster_state:ok") {
                    break;
                }
                anyhow::ensure!(Instant::now() < deadline, "cluster not ok within 20 s");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let url = servers
            .iter()
            .map(|s| s.url.clone())
            .collect::<Vec<_>>()
            .join(",");
        Ok((servers, url))
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Creates webhook reminders through the batch endpoint, `concurrency` requests at a time;
/// returns the ids with their `send_at`, in the order of `times`.
async fn create_batch(
    api: &str,
    recipient: &str,
    times: &[DateTime<Utc>],
    concurrency: usize,
) -> anyhow::Result<Vec<(String, DateTime<Utc>)>> {
    let client = reqwest::Client::new();
    let sem = Arc::new(Semaphore::new(concurrency));
    let mut handles = Vec::new();
    for chunk in times.chunks(BATCH) {
        let permit = sem.clone().acquire_owned().await?;
        let items: Vec<Value> = chunk
            .iter()
            .map(|t| json!({"channel": "webhook", "recipient": recipient, "send_at": rfc3339(*t), "data": {}}))
            .collect();
        let (client, url, chunk) = (client.clone(), api.to_string(), chunk.to_vec());
        handles.push(tokio::spawn(async move {
            let res = client
                .post(&url)
                .bearer_auth(ADMIN_KEY)
                .json(&json!({ "items": items }))
                .send()
                .await?;
            drop(permit);
            let status = res.status();
            let body: Value = res.json().await?;
            anyhow::ensure!(status == 201, "batch create answered {status}: {body}");
            let created = body["items"]
                .as_array()
                .ok_or_else(|| anyhow::anyhow!("batch answer without items"))?;
            anyhow::ensure!(created.len() == chunk.len(), "batch answer short");
            Ok::<_, anyhow::Error>(
                created
                    .iter()
                    .zip(chunk)
                    .map(|(item, at)| {
                        let id = item["notification"]["id"]
                            .as_str()
                            .unwrap_or("")
                            .to_string();
                        (id, at)
                    })
                    .collect::<Vec<_>>(),
            )
        }));
    }
    let mut out = Vec::with_capacity(times.len());
    for h in handles {
        out.extend(h.await??);
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(args) = parse_args(&argv)? else {
        print!("{HELP}");
        return Ok(());
    };
    println!(
        "chime-bench on {} cores, load average {} (PostgreSQL, Redis, chime, the receiver and the load generator share them)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load_average()
    );
    let mut out: Map<String, Value> = KEYS.iter().map(|k| (k.to_string(), Value::Null)).collect();
    let mut totals = Totals::default();
    for w in &args.workloads {
        let began = Instant::now();
        let result = match w.as_str() {
            "ingest" => ingest(&args, &mut out).await,
            "batch" => batch(&args, &mut out).await,
            "delivery" => {
                delivery(
                    &args,
                    "delivery",
                    args.deliver,
                    args.runs,
                    &mut out,
                    &mut totals,
                )
                .await
            }
            "delivery20k" => delivery(&args, w, 20_000, 1, &mut out, &mut totals).await,
            "delivery50k" => delivery(&args, w, 50_000, 1, &mut out, &mut totals).await,
            "horizon" => horizon(&args, &mut out).await,
            "shards" => shards(&args, &mut out).await,
            "failover" => failover(&args, &mut out).await,
            "idle" => idle_memory(&args, &mut out).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            println!("{w}: failed: {e:#}");
            out.insert(format!("{w}_error"), json!(format!("{e:#}")));
        }
        println!(
            "{w}: took {:.1} s, load average now {}",
            began.elapsed().as_secs_f64(),
            load_average()
        );
    }
    if totals.runs > 0 {
        out.insert("delivered".into(), json!(totals.delivered));
        out.insert("lost".into(), json!(totals.lost));
        out.insert("duplicates".into(), json!(totals.duplicates));
        out.insert("early".into(), json!(totals.early));
    }
    out.insert("load_average".into(), json!(load_average()));
    println!("{}", Value::Object(out));
    Ok(())
}

#[derive(Default)]
struct Totals {
    runs: usize,
    delivered: usize,
    lost: usize,
    duplicates: usize,
    early: usize,
}

async fn ingest(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let scratch = Scratch::new();
    let chime = ChimeProc::start(&args.chime, &scratch, "api", &[]).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let url = chime.api("/notifications");
    // Inside any horizon, so every one is in the Redis schedule.
    let send_at = rfc3339(Utc::now() + chrono::Duration::minutes(30));
    let create = |i: usize| {
        let body = json!({"channel": "webhook", "recipient": "https://hooks.example.com/x", "send_at": send_at, "data": {"i": i}});
        let (client, url) = (client.clone(), url.clone());
        async move {
            let t = Instant::now();
            let ok = client
                .post(&url)
                .bearer_auth(ADMIN_KEY)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().as_u16() == 201);
            (ok, t.elapsed().as_secs_f64() * 1000.0)
        }
    };
    let sem = Arc::new(Semaphore::new(args.concurrency));
    let cpu0 = chime.proc.cpu();
    let started = Instant::now();
    let mut handles = Vec::with_capacity(args.ingest);
    for i in 0..args.ingest {
        let permit = sem.clone().acquire_owned().await?;
        let fut = create(i);
        handles.push(tokio::spawn(async move {
            let r = fut.await;
            drop(permit);
            r
        }));
    }
    let mut lat = Vec::with_capacity(args.ingest);
    let mut failed = 0;
    for h in handles {
        let (ok, ms) = h.await?;
        failed += usize::from(!ok);
        lat.push(ms);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = chime.proc.cpu().saturating_sub(cpu0);
    lat.sort_by(|a, b| a.total_cmp(b));
    let per_s = (args.ingest - failed) as f64 / elapsed;
    println!(
        "ingest: {} single creates in {:.2} s = {:.0}/s (concurrency {}), p50 {:.1} ms, p99 {:.1} ms, failed {}; chime CPU {:.2} ms per create",
        args.ingest,
        elapsed,
        per_s,
        args.concurrency,
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        failed,
        cpu.as_secs_f64() * 1000.0 / args.ingest.max(1) as f64
    );
    out.insert("ingest_per_s".into(), num(per_s));
    out.insert("ingest_p99_ms".into(), num(percentile(&lat, 99.0)));
    out.insert("ingest_failed".into(), json!(failed));

    let mut seq = Vec::with_capacity(args.sequential);
    let mut seq_failed = 0;
    for i in 0..args.sequential {
        let (ok, ms) = create(args.ingest + i).await;
        seq_failed += usize::from(!ok);
        seq.push(ms);
    }
    seq.sort_by(|a, b| a.total_cmp(b));
    println!(
        "ingest: one sequential client, {} creates: p50 {:.2} ms, p99 {:.2} ms, failed {}",
        args.sequential,
        percentile(&seq, 50.0),
        percentile(&seq, 99.0),
        seq_failed
    );
    out.insert("ingest_seq_p50_ms".into(), num(percentile(&seq, 50.0)));

    let bytes = prefix_bytes(&scratch.redis, &scratch.prefix).await?;
    let made = args.ingest + args.sequential - failed - seq_failed;
    let each = bytes as f64 / made.max(1) as f64;
    println!("redis: {bytes} bytes under the prefix for {made} scheduled reminders = {each:.0} bytes each");
    if out["redis_bytes_per_reminder"].is_null() {
        out.insert("redis_bytes_per_reminder".into(), num(each));
    }
    chime.proc.stop();
    Ok(())
}

async fn batch(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let scratch = Scratch::new();
    let chime = ChimeProc::start(&args.chime, &scratch, "api", &[]).await?;
    let base = Utc::now() + chrono::Duration::minutes(30);
    let times: Vec<DateTime<Utc>> = (0..args.batch)
        .map(|i| base + chrono::Duration::milliseconds(i as i64))
        .collect();
    let cpu0 = chime.proc.cpu();
    let started = Instant::now();
    let made = create_batch(
        &chime.api("/notifications/batch"),
        "https://hooks.example.com/x",
        &times,
        4,
    )
    .await?;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = chime.proc.cpu().saturating_sub(cpu0);
    let per_s = made.len() as f64 / elapsed;
    println!(
        "batch: {} notifications in batches of {BATCH} (4 requests at a time) in {:.2} s = {:.0}/s; chime CPU {:.3} ms per notification",
        made.len(),
        elapsed,
        per_s,
        cpu.as_secs_f64() * 1000.0 / made.len().max(1) as f64
    );
    out.insert("batch_ingest_per_s".into(), num(per_s));
    chime.proc.stop();
    Ok(())
}

/// What one delivery run found at the receiver.
struct RunResult {
    delivered: usize,
    lost: usize,
    duplicates: usize,
    early: usize,
    lags: Vec<f64>,
    /// From the earliest due time to the last arrival.
    span: Duration,
    /// CPU used from the end of the set-up to the last arrival: PostgreSQL's backends serving
    /// the database, chime, the receiver.
    cpu: (Duration, Duration, Duration),
    /// Statements PostgreSQL logged for the database over the same span, by kind.
    statements: Option<Vec<(String, usize)>>,
}

/// Creates `n` reminders due within `window` from a start far enough ahead for the set-up (or
/// all at one instant when `window` is zero), waits for their arrival and counts.
async fn deliver_once(
    chime: &ChimeProc,
    receiver: &Receiver,
    scratch: &Scratch,
    pg_log: Option<&Path>,
    n: usize,
    window: Duration,
) -> anyhow::Result<RunResult> {
    receiver.reset().await?;
    let start =
        Utc::now() + chrono::Duration::seconds(2) + chrono::Duration::milliseconds(n as i64 / 4);
    let window_ms = window.as_millis() as i64;
    let times: Vec<DateTime<Utc>> = (0..n)
        .map(|i| start + chrono::Duration::milliseconds(window_ms * i as i64 / n as i64))
        .collect();
    let created = create_batch(
        &chime.api("/notifications/batch"),
        &receiver.url(),
        &times,
        4,
    )
    .await?;
    let log_from = pg_log
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let cpu0 = (
        pg_backends_cpu(&scratch.db),
        chime.proc.cpu(),
        receiver.proc.cpu(),
    );
    let ready_at = Utc::now();
    if ready_at > start {
        println!(
            "  warning: set-up finished {} ms after the window opened",
            (ready_at - start).num_milliseconds()
        );
    }
    let due: HashMap<String, DateTime<Utc>> = created.into_iter().collect();
    let window_end = Instant::now() + (start - Utc::now()).to_std().unwrap_or_default() + window;
    receiver.wait_for(n, window_end).await?;
    let pg1 = pg_backends_cpu(&scratch.db);
    let cpu = (
        cpu_delta(&cpu0.0, &pg1),
        chime.proc.cpu().saturating_sub(cpu0.1),
        receiver.proc.cpu().saturating_sub(cpu0.2),
    );
    let statements = match (pg_log, log_from) {
        (Some(path), Some(from)) => Some(count_statements(path, from, &pg1)?),
        _ => None,
    };
    let arrivals = receiver.arrivals().await?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut lags = Vec::with_capacity(arrivals.len());
    let mut early = 0;
    let mut last = start;
    for (id, at) in &arrivals {
        *seen.entry(id.as_str()).or_default() += 1;
        if let Some(due_at) = due.get(id) {
            let lag = (*at - *due_at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
            early += usize::from(lag < 0.0);
            lags.push(lag);
            last = last.max(*at);
        }
    }
    lags.sort_by(|a, b| a.total_cmp(b));
    let delivered = due
        .keys()
        .filter(|id| seen.contains_key(id.as_str()))
        .count();
    Ok(RunResult {
        delivered,
        lost: n - delivered,
        duplicates: seen.values().filter(|c| **c > 1).count(),
        early,
        lags,
        span: (last - start).to_std().unwrap_or_default(),
        cpu,
        statements,
    })
}

async fn delivery(
    args: &Args,
    name: &str,
    n: usize,
    runs: usize,
    out: &mut Map<String, Value>,
    totals: &mut Totals,
) -> anyhow::Result<()> {
    let scratch = Scratch::new();
    if args.pg_log.is_some() {
        scratch.log_statements()?;
    }
    let receiver = Receiver::start(&args.receiver)?;
    let chime = ChimeProc::start(&args.chime, &scratch, "api,scheduler,sender", &[]).await?;
    let purge = if args.retention_rows > 0 && name == "delivery" {
        Some(old_rows(&scratch, args.retention_rows).await?)
    } else {
        None
    };
    let mut p99s = Vec::new();
    let mut all_lags = Vec::new();
    for run in 1..=runs {
        let purging = purge.as_ref().map(|ctx| {
            let ctx = ctx.clone();
            // From about when the window opens (see deliver_once).
            let opens_in = Duration::from_millis(2000 + n as u64 / 4);
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
        let r = deliver_once(
            &chime,
            &receiver,
            &scratch,
            args.pg_log.as_deref(),
            n,
            args.window,
        )
        .await?;
        let (pg, cpu, recv) = r.cpu;
        let per = |d: Duration| d.as_secs_f64() * 1000.0 / r.delivered.max(1) as f64;
        let (p50, p99) = (percentile(&r.lags, 50.0), percentile(&r.lags, 99.0));
        println!(
            "{name} run {run}/{runs}: {n} reminders due within {}s: delivered {}, lost {}, twice {}, early {}; lag from send_at p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            args.window.as_secs(),
            r.delivered,
            r.lost,
            r.duplicates,
            r.early,
            p50,
            p99,
            r.lags.last().copied().unwrap_or(f64::NAN)
        );
        println!(
            "  CPU per send: PostgreSQL backends {:.3} ms, chime {:.3} ms, receiver {:.3} ms",
            per(pg),
            per(cpu),
            per(recv),
        );
        if let Some(kinds) = &r.statements {
            let total: usize = kinds.iter().map(|(_, c)| c).sum();
            println!(
                "  PostgreSQL statements per send: {:.2} ({total} for {} sends)",
                total as f64 / r.delivered.max(1) as f64,
                r.delivered
            );
            for (kind, count) in kinds {
                println!(
                    "    {:>6.3}  {kind}",
                    *count as f64 / r.delivered.max(1) as f64
                );
            }
            out.insert(
                format!("{name}_pg_statements_per_send"),
                num(total as f64 / r.delivered.max(1) as f64),
            );
        }
        if let Some(p) = purging {
            match p.await? {
                (Ok(pass), took) => println!(
                    "  retention: purged {} notifications in {:.1} s during the run",
                    pass.notifications,
                    took.as_secs_f64()
                ),
                (Err(e), _) => println!("  retention: purge failed: {e:#}"),
            }
        }
        totals.runs += 1;
        totals.delivered += r.delivered;
        totals.lost += r.lost;
        totals.duplicates += r.duplicates;
        totals.early += r.early;
        p99s.push(p99);
        all_lags.extend(r.lags);
        out.insert(format!("{name}_pg_cpu_ms_per_send"), num(per(pg)));
        out.insert(format!("{name}_chime_cpu_ms_per_send"), num(per(cpu)));
    }
    all_lags.sort_by(|a, b| a.total_cmp(b));
    let worst = p99s.iter().copied().fold(f64::NAN, f64::max);
    if runs > 1 {
        println!(
            "{name}: p99 of each run {:?} ms; worst {worst:.1} ms",
            p99s.iter()
                .map(|p| (p * 10.0).round() / 10.0)
                .collect::<Vec<_>>()
        );
    }
    if name == "delivery" {
        out.insert("lag_p50_ms".into(), num(percentile(&all_lags, 50.0)));
        // The worst run's, as the target holds for each run.
        out.insert("lag_p99_ms".into(), num(worst));
        out.insert(
            "lag_p99_ms_runs".into(),
            json!(p99s.iter().map(|p| num(*p)).collect::<Vec<_>>()),
        );
    } else {
        out.insert(
            format!("{name}_lag_p50_ms"),
            num(percentile(&all_lags, 50.0)),
        );
        out.insert(format!("{name}_lag_p99_ms"), num(worst));
    }
    chime.proc.stop();
    receiver.proc.stop();
    Ok(())
}

/// Writes old finished rows for retention to purge and returns a context to purge them with.
async fn old_rows(scratch: &Scratch, rows: usize) -> anyhow::Result<chime::startup::RoleContext> {
    let app = Application::build(
        scratch.settings(),
        &[Role::Api],
        BuildOptions { migrate: false },
    )
    .await?;
    let ctx = app.context.clone();
    let url = scratch.url();
    let began = Instant::now();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = PgConnection::establish(&url)?;
        let tenant = chime::db::tenants::ensure(&mut conn, chime::db::setup::DEFAULT_TENANT)?.id;
        diesel::sql_query(
            "INSERT INTO notifications (id, tenant_id, status, channel, recipient, send_at, \
               due_at, max_attempts, created_at, updated_at, sent_at) \
             SELECT gen_random_uuid(), $1, 'sent', 'webhook', 'https://example.com/h', \
               now() - interval '45 days', now() - interval '45 days', 3, \
               now() - interval '60 days', now() - interval '45 days', now() - interval '45 days' \
             FROM generate_series(1, $2)",
        )
        .bind::<diesel::sql_types::Uuid, _>(tenant)
        .bind::<diesel::sql_types::BigInt, _>(rows as i64)
        .execute(&mut conn)?;
        diesel::sql_query("VACUUM ANALYZE notifications").execute(&mut conn)?;
        Ok(())
    })
    .await??;
    println!(
        "retention: {rows} old finished rows written in {:.1} s; purged while the run goes",
        began.elapsed().as_secs_f64()
    );
    Ok(ctx)
}

/// used_memory, once two readings a second apart agree within 1 KiB (lazy frees settle).
async fn settled_memory(url: &str) -> anyhow::Result<i64> {
    let mut last = used_memory(url).await?;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = used_memory(url).await?;
        if (now - last).abs() < 1024 {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

async fn horizon(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let supported = binary_knows(&args.chime, "CHIME_SCHEDULE_HORIZON");
    if !supported {
        println!("horizon: this chime build has no CHIME_SCHEDULE_HORIZON; measuring it as it is (every reminder in Redis)");
    }
    let redis = PrivateRedis::start().await?;
    let scratch = Scratch::on(&redis.url);
    let chime = ChimeProc::start(
        &args.chime,
        &scratch,
        "api,scheduler",
        &[("CHIME_SCHEDULE_HORIZON", "1h".into())],
    )
    .await?;
    let api = chime.api("/notifications/batch");
    let before = settled_memory(&redis.url).await?;
    // Beyond the horizon: from two hours ahead to thirty days ahead.
    let (from, span_ms) = (
        Utc::now() + chrono::Duration::hours(2),
        30 * 86_400_000i64 - 2 * 3_600_000,
    );
    let n = args.far;
    let far: Vec<DateTime<Utc>> = (0..n)
        .map(|i| from + chrono::Duration::milliseconds(span_ms * i as i64 / n as i64))
        .collect();
    let began = Instant::now();
    create_batch(&api, "https://hooks.example.com/x", &far, 4).await?;
    let took = began.elapsed().as_secs_f64();
    let after_far = settled_memory(&redis.url).await?;
    let far_each = (after_far - before) as f64 / n as f64;
    println!(
        "horizon: {n} reminders over 30 days (created in {took:.1} s): Redis used_memory +{} bytes = {far_each:.1} bytes each{}",
        after_far - before,
        if supported { "" } else { " (no horizon in this build)" }
    );
    // Inside the horizon: due in 10 to 50 minutes.
    let m = n.min(20_000);
    let near_from = Utc::now() + chrono::Duration::minutes(10);
    let near: Vec<DateTime<Utc>> = (0..m)
        .map(|i| near_from + chrono::Duration::milliseconds(2_400_000 * i as i64 / m as i64))
        .collect();
    create_batch(&api, "https://hooks.example.com/x", &near, 4).await?;
    let after_near = settled_memory(&redis.url).await?;
    let near_each = (after_near - after_far) as f64 / m as f64;
    println!(
        "horizon: {m} reminders due within the hour: +{} bytes = {near_each:.1} bytes each",
        after_near - after_far
    );
    out.insert("redis_bytes_per_far_reminder".into(), num(far_each));
    out.insert("redis_bytes_per_reminder".into(), num(near_each));
    out.insert("horizon_supported".into(), json!(supported));
    chime.proc.stop();
    Ok(())
}

async fn shards(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    if !binary_knows(&args.chime, "CHIME_SCHEDULE_SHARDS") {
        println!("shards: skipped: this chime build has no CHIME_SCHEDULE_SHARDS");
        return Ok(());
    }
    let receiver = Receiver::start(&args.receiver)?;
    // On one redis-server, then on a local Redis Cluster of three masters, where the shards'
    // hash tags spread the schedules over the nodes.
    for (on, shards) in [("one", 1), ("one", 4), ("cluster", 1), ("cluster", 4)] {
        let (_servers, url) = if on == "one" {
            let redis = PrivateRedis::start().await?;
            let url = redis.url.clone();
            (vec![redis], url)
        } else {
            PrivateRedis::cluster().await?
        };
        let scratch = Scratch::on(&url);
        let mut env = vec![("CHIME_SCHEDULE_SHARDS", shards.to_string())];
        if on == "cluster" {
            env.push(("CHIME_REDIS_CLUSTER", "true".to_string()));
        }
        let chime = ChimeProc::start(&args.chime, &scratch, "api,scheduler,sender", &env).await?;
        let r = deliver_once(
            &chime,
            &receiver,
            &scratch,
            None,
            args.burst,
            Duration::ZERO,
        )
        .await?;
        let per_s = r.delivered as f64 / r.span.as_secs_f64().max(0.001);
        let label = if on == "one" {
            "one redis-server"
        } else {
            "a 3-master Redis Cluster"
        };
        println!(
            "shards: {shards} on {label}: a burst of {} due at one instant: delivered {} in {:.2} s = {per_s:.0}/s, lost {}, twice {}, early {}, p99 {:.1} ms",
            args.burst,
            r.delivered,
            r.span.as_secs_f64(),
            r.lost,
            r.duplicates,
            r.early,
            percentile(&r.lags, 99.0)
        );
        let key = if on == "one" {
            format!("shards_{shards}_per_s")
        } else {
            format!("shards_cluster_{shards}_per_s")
        };
        out.insert(key, num(per_s));
        chime.proc.stop();
    }
    receiver.proc.stop();
    Ok(())
}

async fn failover(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let scratch = Scratch::new();
    let leader = ChimeProc::start(&args.chime, &scratch, "api,scheduler", &[]).await?;
    let mut conn = redis_conn(&scratch.redis).await?;
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
    let standby = ChimeProc::start(&args.chime, &scratch, "api,scheduler", &[]).await?;
    // SIGKILL: like a crashed process, the leader releases nothing.
    drop(leader);
    let killed = Instant::now();
    loop {
        let t: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
        if t.as_ref().is_some_and(|t| *t != first) {
            break;
        }
        anyhow::ensure!(
            killed.elapsed() < Duration::from_secs(30),
            "no takeover within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = killed.elapsed().as_secs_f64();
    println!(
        "failover: the standby leads {:.0} ms after the leader was killed (default lock TTL)",
        secs * 1000.0
    );
    out.insert("failover_s".into(), json!((secs * 100.0).round() / 100.0));
    standby.proc.stop();
    Ok(())
}

async fn idle_memory(args: &Args, out: &mut Map<String, Value>) -> anyhow::Result<()> {
    let scratch = Scratch::new();
    let chime = ChimeProc::start(&args.chime, &scratch, "api,worker,scheduler,sender", &[]).await?;
    // Idle means after start-up's work (migrations, the first reconcile) has settled.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss = rss_mb(chime.proc.pid());
    println!(
        "idle memory: `chime serve` (all roles) resident set {:.1} MB",
        rss.unwrap_or(f64::NAN)
    );
    out.insert("idle_rss_mb".into(), num(rss.unwrap_or(f64::NAN)));
    chime.proc.stop();
    Ok(())
}
