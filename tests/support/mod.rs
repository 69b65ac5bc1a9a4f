//! Shared test harness: every test gets its own database (copied from a migrated template), its
//! own Redis key prefix and its own port, so tests run in parallel against the real services.
#![allow(dead_code)]

use chime::config::{Role, Settings};
use chime::startup::{Application, BuildOptions};
use diesel::prelude::*;
use diesel::PgConnection;
use serde_json::Value;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The PostgreSQL server the tests use: `DATABASE_URL` from the environment (its database name
/// is ignored; each test makes its own), else the local server.
pub fn pg_server() -> url::Url {
    let raw = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    url::Url::parse(&raw).expect("DATABASE_URL must be a postgres:// URL")
}

/// The URL of database `db` on the test server. Without TLS unless `DATABASE_URL` asks for it:
/// on loopback it buys nothing, and libpq's OpenSSL clean-up at process exit can crash a test
/// binary whose pools are still opening connections.
pub fn pg_url(db: &str) -> String {
    let mut url = pg_server();
    url.set_path(db);
    if !url.query_pairs().any(|(k, _)| k == "sslmode") {
        url.query_pairs_mut().append_pair("sslmode", "disable");
    }
    url.into()
}

/// The Redis server the tests use: `REDIS_URL` when the tests were built, else the local one.
/// Every test works under its own key prefix, so a shared server is fine.
pub const REDIS_URL: &str = match option_env!("REDIS_URL") {
    Some(url) => url,
    None => "redis://127.0.0.1:6379",
};

fn template_name() -> String {
    // The template is rebuilt whenever a migration changes.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    for path in entries {
        path.to_string_lossy().hash(&mut hasher);
        std::fs::read(&path).unwrap_or_default().hash(&mut hasher);
    }
    format!("chime_tpl_{:x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn admin_conn() -> PgConnection {
    PgConnection::establish(&pg_url("postgres"))
        .expect("PostgreSQL must be running on 127.0.0.1:5432")
}

/// Migrates the template once per migration set; an advisory lock serialises test processes.
fn ensure_template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = template_name();
        let mut conn = admin_conn();
        diesel::sql_query("SELECT pg_advisory_lock(7262)")
            .execute(&mut conn)
            .unwrap();
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result(&mut conn)
        .unwrap();
        if exists.n == 0 {
            let building = format!("{name}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut conn)
                .unwrap();
            chime::db::setup::run_migrations(&pg_url(&building)).unwrap();
            // Renamed only once complete, so a crash never leaves a half-built template behind.
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn)
                .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(7262)")
            .execute(&mut conn)
            .unwrap();
        name
    })
}

/// A fresh database copied from the template; dropped again by [`TestDb`]'s `Drop`.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub fn create() -> TestDb {
        let template = ensure_template();
        let name = format!("chime_test_{}", Uuid::new_v4().simple());
        let mut conn = admin_conn();
        let mut last = None;
        // CREATE DATABASE … TEMPLATE fails while another session is briefly connected to it.
        for _ in 0..50 {
            match diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut conn)
            {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        if let Some(e) = last {
            panic!("cannot create test database: {e}");
        }
        TestDb {
            url: pg_url(&name),
            name,
        }
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let mut conn = admin_conn();
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn);
    }
}

/// Deletes every key of a prefix when dropped.
pub struct TestPrefix(pub String);

impl TestPrefix {
    pub fn new() -> TestPrefix {
        TestPrefix(format!("test-{}", Uuid::new_v4().simple()))
    }
}

pub fn redis_delete_prefix(prefix: &str) {
    if let Ok(client) = redis::Client::open(REDIS_URL) {
        if let Ok(mut conn) = client.get_connection() {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(chime::schedule::Keys::pattern(prefix))
                .query(&mut conn)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
            }
        }
    }
}

impl Drop for TestPrefix {
    fn drop(&mut self) {
        redis_delete_prefix(&self.0);
    }
}

pub fn test_settings(db: &TestDb, prefix: &TestPrefix) -> Settings {
    let mut s = Settings::defaults();
    s.database.url = chime::config::Secret::new(db.url.clone());
    s.redis.url = chime::config::Secret::new(REDIS_URL);
    s.redis.prefix = prefix.0.clone();
    s.api.listen_addr = "127.0.0.1:0".parse().unwrap();
    s.auth.bootstrap_admin_key = Some(chime::config::Secret::new(ADMIN_KEY));
    s.auth.jwt_secret = Some(chime::config::Secret::new(
        "test-jwt-secret-that-is-long-enough-000",
    ));
    s.database.pool_size = 8;
    s
}

pub const ADMIN_KEY: &str = "chk_test_admin_key_0123456789abcdef";

/// A running `chime` application (in this process) with a client.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub admin_key: String,
    pub settings: Settings,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Why this test may end with work left behind; `None` checks that it does not.
    leaves_work: Option<&'static str>,
    runtime: Option<tokio::runtime::Runtime>,
    // Dropped last: the application must stop before its database goes.
    pub prefix: TestPrefix,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[Role::Api], |_| {}).await
    }

    pub async fn spawn_with(roles: &[Role], customize: impl FnOnce(&mut Settings)) -> TestApp {
        let db = TestDb::create();
        let prefix = TestPrefix::new();
        let mut settings = test_settings(&db, &prefix);
        customize(&mut settings);
        // The application runs on a runtime of its own, so that it keeps working while the
        // test's runtime is blocked in `Drop`, waiting for the work the test left to finish.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-app")
            .enable_all()
            .build()
            .expect("a runtime for the application");
        let (built_settings, roles) = (settings.clone(), roles.to_vec());
        let app = runtime
            .spawn(async move {
                Application::build(built_settings, &roles, BuildOptions::default()).await
            })
            .await
            .expect("the build task")
            .expect("application builds");
        let port = app.port().unwrap_or(0);
        let shutdown = app.shutdown_token();
        let task = runtime.spawn(app.run_until_cancelled());
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            admin_key: ADMIN_KEY.into(),
            settings,
            shutdown,
            task: Some(task),
            leaves_work: None,
            runtime: Some(runtime),
            prefix,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// One authenticated request; the status and the body (JSON, or the text as a string).
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(key);
        if let Some(body) = body {
            req = req.json(body);
        }
        split(req.send().await.expect("request")).await
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        self.request(reqwest::Method::POST, path, key, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        self.request(reqwest::Method::PATCH, path, key, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        self.request(reqwest::Method::PUT, path, key, Some(body))
            .await
    }

    pub async fn get(&self, path: &str, key: &str) -> (u16, Value) {
        self.request(reqwest::Method::GET, path, key, None).await
    }

    pub async fn delete(&self, path: &str, key: &str) -> (u16, Value) {
        self.request(reqwest::Method::DELETE, path, key, None).await
    }

    /// An API key of a new tenant (for isolation tests) or of the default tenant.
    pub fn new_tenant_key(&self, tenant: &str, role: chime::domain::AccessRole) -> String {
        let mut conn = self.db.conn();
        let t = chime::db::tenants::ensure(&mut conn, tenant).unwrap();
        let key = chime::db::api_keys::generate_key();
        chime::db::api_keys::create(&mut conn, t.id, "test", &key, role).unwrap();
        key
    }

    pub async fn member_key(&self) -> String {
        let (status, body) = self
            .post(
                "/api/v1/api-keys",
                &self.admin_key,
                &serde_json::json!({"name": "member", "role": "member"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["key"].as_str().unwrap().to_string()
    }

    pub async fn webhook_secret(&self) -> String {
        let (status, body) = self.get("/api/v1/tenant", &self.admin_key).await;
        assert_eq!(status, 200, "{body}");
        body["webhook_secret"].as_str().unwrap().to_string()
    }

    pub fn redis(&self) -> redis::Connection {
        redis::Client::open(REDIS_URL)
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn keys(&self) -> chime::schedule::Keys {
        chime::schedule::Keys::new(&self.prefix.0)
    }

    /// Each shard's keys (one shard: the same as [`Self::keys`]).
    pub fn shard_keys(&self) -> Vec<chime::schedule::Keys> {
        let n = self.settings.scheduler.shards;
        (0..n)
            .map(|i| chime::schedule::Keys::shard(&self.prefix.0, i, n))
            .collect()
    }

    /// A role context on this app's database and key prefix, to step a role by hand.
    pub async fn role_context(&self) -> chime::startup::RoleContext {
        let redis = redis::Client::open(REDIS_URL).unwrap();
        let conn = redis::aio::ConnectionManager::new(redis.clone())
            .await
            .unwrap();
        chime::startup::RoleContext {
            settings: std::sync::Arc::new(self.settings.clone()),
            pool: chime::db::build_pool(&self.db.url, 4),
            schedule: chime::schedule::Schedule::sharded(
                conn,
                &self.prefix.0,
                self.settings.scheduler.shards,
            ),
            redis: redis.into(),
        }
    }

    /// Lets this test end with work left behind (ready entries, `sending` rows, `received`
    /// events), which the harness otherwise fails; `why` says why it is deliberate.
    pub fn leaves_work(&mut self, why: &'static str) {
        assert!(
            !why.trim().is_empty(),
            "say why the test leaves work behind"
        );
        self.leaves_work = Some(why);
    }

    /// The work still to do: ready entries not acknowledged, notifications in `sending`,
    /// events still `received`. Empty when the test drained everything it started.
    pub fn work_left(&self) -> Vec<String> {
        let mut left = Vec::new();
        let mut redis = self.redis();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(chime::schedule::Keys::pattern(&self.prefix.0))
            .query(&mut redis)
            .expect("KEYS");
        for key in keys.iter().filter(|k| k.ends_with(":ready")) {
            let entries: i64 = redis::cmd("XLEN").arg(key).query(&mut redis).expect("XLEN");
            if entries > 0 {
                left.push(format!("{entries} ready entries not acknowledged in {key}"));
            }
        }
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db.conn();
        for (what, sql) in [
            (
                "notifications in sending",
                "SELECT count(*) AS n FROM notifications WHERE status = 'sending'",
            ),
            (
                "events still received",
                "SELECT count(*) AS n FROM events WHERE status = 'received'",
            ),
        ] {
            let count: Count = diesel::sql_query(sql)
                .get_result(&mut conn)
                .expect("count work left");
            if count.n > 0 {
                left.push(format!("{} {what}", count.n));
            }
        }
        left
    }

    /// Fails the test now if it left work behind (see [`TestApp::work_left`]). The harness makes
    /// the same check when the app is dropped, after letting the work in flight finish, unless
    /// [`TestApp::leaves_work`] said why not.
    pub fn assert_drained(&self) {
        let left = self.work_left();
        assert!(
            left.is_empty(),
            "the test left work behind: {}; wait for it to finish, or call leaves_work(why)",
            left.join(", ")
        );
    }

    /// Waits (up to `timeout`) until the running roles have finished the test's work.
    pub async fn wait_drained(&self, timeout: Duration) {
        wait_until("the work to be drained", timeout, || async {
            self.work_left().is_empty().then_some(())
        })
        .await
    }

    /// Stops the application and waits for it to finish its in-flight work.
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(40), task).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Checked while the roles still run: what is in flight gets a moment to finish.
        if self.leaves_work.is_none() && !std::thread::panicking() {
            let deadline = Instant::now() + DRAIN_GRACE;
            while !self.work_left().is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let left = self.work_left();
            if !left.is_empty() {
                self.stop_now();
                panic!(
                    "the test left work behind: {}; wait for it to finish, or call leaves_work(why)",
                    left.join(", ")
                );
            }
        }
        self.stop_now();
    }
}

/// How long a dropped app may take to finish the work still in flight.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

impl TestApp {
    fn stop_now(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub async fn split(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Polls `check` until it returns `Some`, failing the test at the deadline.
pub async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts the JSON error shape and that it names `field`.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, field: Option<&str>) {
    assert_eq!(status, expected_status, "unexpected status, body: {body}");
    assert!(body["error"]["code"].is_string(), "no error code in {body}");
    assert!(
        body["error"]["message"].is_string(),
        "no error message in {body}"
    );
    if let Some(f) = field {
        assert_eq!(body["error"]["field"], f, "wrong field in {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(f),
            "message does not name {f}: {body}"
        );
    }
}

/// A local Redis Cluster of three masters on free ports, in a temporary directory; the servers
/// are killed when it is dropped.
pub struct RedisCluster {
    pub ports: Vec<u16>,
    children: Vec<std::process::Child>,
    dir: std::path::PathBuf,
}

impl RedisCluster {
    pub fn start() -> RedisCluster {
        let dir = std::env::temp_dir().join(format!("chime-cluster-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let ports: Vec<u16> = (0..3)
            .map(|_| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .and_then(|l| l.local_addr())
                    .expect("a free port")
                    .port()
            })
            .collect();
        let mut cluster = RedisCluster {
            ports: ports.clone(),
            children: Vec::new(),
            dir: dir.clone(),
        };
        for port in &ports {
            let child = std::process::Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--cluster-enabled", "yes"])
                .arg("--cluster-config-file")
                .arg(dir.join(format!("nodes-{port}.conf")))
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&dir)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("redis-server is installed");
            cluster.children.push(child);
        }
        for port in &ports {
            wait_blocking("a cluster node to answer", Duration::from_secs(10), || {
                cluster.node(*port).is_some()
            });
        }
        let status = std::process::Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("redis-cli is installed");
        assert!(status.success(), "redis-cli --cluster create failed");
        for port in &ports {
            wait_blocking("cluster_state:ok", Duration::from_secs(20), || {
                cluster.node(*port).is_some_and(|mut c| {
                    redis::cmd("CLUSTER")
                        .arg("INFO")
                        .query::<String>(&mut c)
                        .is_ok_and(|info| info.contains("cluster_state:ok"))
                })
            });
        }
        cluster
    }

    /// `REDIS_URL` for Chime: the seed nodes, comma-separated.
    pub fn url(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A plain connection to one node (its own keys only).
    pub fn node(&self, port: u16) -> Option<redis::Connection> {
        let mut conn = redis::Client::open(format!("redis://127.0.0.1:{port}"))
            .ok()?
            .get_connection()
            .ok()?;
        let _: String = redis::cmd("PING").query(&mut conn).ok()?;
        Some(conn)
    }

    /// A connection that follows the cluster's redirections.
    pub fn conn(&self) -> redis::cluster::ClusterConnection {
        let nodes: Vec<String> = self
            .ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect();
        redis::cluster::ClusterClient::new(nodes)
            .and_then(|c| c.get_connection())
            .expect("a cluster connection")
    }

    /// The port of the node that holds `key`.
    pub fn node_of(&self, key: &str) -> u16 {
        let mut conn = self.node(self.ports[0]).expect("a node");
        let slot: i64 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query(&mut conn)
            .expect("CLUSTER KEYSLOT");
        let slots: Vec<redis::Value> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query(&mut conn)
            .expect("CLUSTER SLOTS");
        for range in slots {
            let (start, end, master): (i64, i64, (String, i64)) = match range {
                redis::Value::Array(items) if items.len() >= 3 => (
                    redis::from_redis_value(&items[0]).unwrap(),
                    redis::from_redis_value(&items[1]).unwrap(),
                    match &items[2] {
                        redis::Value::Array(node) => (
                            redis::from_redis_value(&node[0]).unwrap(),
                            redis::from_redis_value(&node[1]).unwrap(),
                        ),
                        _ => continue,
                    },
                ),
                _ => continue,
            };
            if (start..=end).contains(&slot) {
                return master.1 as u16;
            }
        }
        panic!("no node holds slot {slot}");
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn wait_blocking(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
