//! Configuration → validated [`Settings`], grouped per subsystem.
//!
//! Sources, later ones winning: the defaults, the TOML file (`--config PATH`, else
//! `CHIME_CONFIG`, else `chime.toml` in the working directory when it exists), then the
//! environment. figment merges them and remembers where each value came from, so an invalid
//! value stops the process with a message naming its environment variable and its key in the
//! file (and the file, when it came from there). A key the file does not know is an error too:
//! a typo must not quietly fall back to a default. Secrets never print.
//!
//! Every setting is listed once, in [`KEYS`]: its key in the file and its environment variable.

use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A value that must never reach a log line or a `Debug` print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Api,
    Worker,
    Scheduler,
    Sender,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Api, Role::Worker, Role::Scheduler, Role::Sender];

    pub fn parse_list(list: &str) -> Result<Vec<Role>, String> {
        let mut roles = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let role = match name {
                "api" => Role::Api,
                "worker" => Role::Worker,
                "scheduler" => Role::Scheduler,
                "sender" => Role::Sender,
                other => {
                    return Err(format!(
                        "unknown role '{other}' (expected api, worker, scheduler, sender)"
                    ))
                }
            };
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Err("at least one role is required".into());
        }
        Ok(roles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Room past the channels' own timeouts, so that theirs fire first and say what timed out.
const SEND_GUARD_SLACK: Duration = Duration::from_secs(2);

/// Room between the longest send and its takeover by another sender: the claim before the send,
/// recording and acknowledging after it, and clock differences between hosts (`claimed_at` is
/// PostgreSQL's clock, the takeover cut-off the sender's).
pub const VISIBILITY_MARGIN: Duration = Duration::from_secs(5);

/// The longest a rotated-out webhook secret may keep signing.
pub const MAX_WEBHOOK_SECRET_GRACE: Duration = Duration::from_secs(30 * 86_400);

/// Default fuel of one render: MiniJinja instructions executed. A typical reminder uses a few
/// hundred; a loop over a few thousand items still fits.
pub const DEFAULT_RENDER_FUEL: u64 = 100_000;

/// The file read when neither `--config` nor `CHIME_CONFIG` names one, if it exists.
pub const DEFAULT_FILE: &str = "chime.toml";
/// The environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "CHIME_CONFIG";

/// Every setting: its key in the file and its environment variable (unchanged from the days
/// of environment-only configuration; deployments use them).
pub const KEYS: &[(&str, &str)] = &[
    ("log_format", "CHIME_LOG_FORMAT"),
    ("startup_timeout", "CHIME_STARTUP_TIMEOUT"),
    ("database.url", "DATABASE_URL"),
    ("database.pool_size", "CHIME_DB_POOL_SIZE"),
    ("redis.url", "REDIS_URL"),
    ("redis.prefix", "CHIME_REDIS_PREFIX"),
    ("redis.cluster", "CHIME_REDIS_CLUSTER"),
    ("api.listen_addr", "CHIME_LISTEN_ADDR"),
    ("api.ops_addr", "CHIME_OPS_ADDR"),
    ("api.rate_limit", "CHIME_RATE_LIMIT"),
    ("api.public_url", "CHIME_PUBLIC_URL"),
    ("api.unsubscribe_secret", "CHIME_UNSUBSCRIBE_SECRET"),
    ("auth.bootstrap_admin_key", "CHIME_BOOTSTRAP_ADMIN_KEY"),
    ("auth.jwt_secret", "CHIME_JWT_SECRET"),
    ("auth.allow_signup", "CHIME_ALLOW_SIGNUP"),
    ("auth.login_max_failures", "CHIME_LOGIN_MAX_FAILURES"),
    (
        "auth.login_max_failures_per_address",
        "CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS",
    ),
    ("auth.login_window", "CHIME_LOGIN_WINDOW"),
    (
        "auth.password_hash_concurrency",
        "CHIME_PASSWORD_HASH_CONCURRENCY",
    ),
    ("limits.min_series_interval", "CHIME_MIN_SERIES_INTERVAL"),
    ("limits.max_active_series", "CHIME_MAX_ACTIVE_SERIES"),
    (
        "limits.max_pending_notifications",
        "CHIME_MAX_PENDING_NOTIFICATIONS",
    ),
    ("scheduler.leader_ttl", "CHIME_LEADER_TTL"),
    ("scheduler.reconcile_interval", "CHIME_RECONCILE_INTERVAL"),
    ("scheduler.retention", "CHIME_RETENTION"),
    ("scheduler.horizon", "CHIME_SCHEDULE_HORIZON"),
    ("scheduler.shards", "CHIME_SCHEDULE_SHARDS"),
    ("sender.concurrency", "CHIME_SENDER_CONCURRENCY"),
    ("sender.visibility_timeout", "CHIME_VISIBILITY_TIMEOUT"),
    ("sender.retry_schedule", "CHIME_RETRY_SCHEDULE"),
    ("channels.http_timeout", "CHIME_HTTP_TIMEOUT"),
    (
        "channels.webhook_allow_private",
        "CHIME_WEBHOOK_ALLOW_PRIVATE",
    ),
    ("channels.render_fuel", "CHIME_RENDER_FUEL"),
    ("channels.smtp_url", "CHIME_SMTP_URL"),
    ("channels.smtp_from", "CHIME_SMTP_FROM"),
    ("channels.sms_url", "CHIME_SMS_URL"),
    ("channels.sms_account_sid", "CHIME_SMS_ACCOUNT_SID"),
    ("channels.sms_auth_token", "CHIME_SMS_AUTH_TOKEN"),
    ("channels.sms_from", "CHIME_SMS_FROM"),
    (
        "channels.smtp_message_id_domain",
        "CHIME_SMTP_MESSAGE_ID_DOMAIN",
    ),
    (
        "channels.sms_status_callback_url",
        "CHIME_SMS_STATUS_CALLBACK_URL",
    ),
    (
        "channels.webhook_secret_grace",
        "CHIME_WEBHOOK_SECRET_GRACE",
    ),
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub log_format: LogFormat,
    /// How long start-up waits for PostgreSQL and Redis before giving up.
    pub startup_timeout: Duration,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub api: ApiSettings,
    pub auth: AuthSettings,
    pub limits: LimitSettings,
    pub scheduler: SchedulerSettings,
    pub sender: SenderSettings,
    pub channels: ChannelSettings,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
}

#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: Secret,
    pub prefix: String,
    /// `url` lists the seed nodes of a Redis Cluster (comma-separated).
    pub cluster: bool,
}

#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub listen_addr: SocketAddr,
    /// Operations endpoints (`/healthz`, `/readyz`, `/metrics`) for processes without the API role.
    pub ops_addr: Option<SocketAddr>,
    /// Requests per second per tenant, counted in Redis across every API process; `None`
    /// for no limit.
    pub rate_limit: Option<u32>,
    /// Where clients reach this service from outside (`https://chime.example.com`): the base of
    /// one-click unsubscribe links.
    pub public_url: Option<String>,
    /// Signs unsubscribe links; required with `public_url`.
    pub unsubscribe_secret: Option<Secret>,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub bootstrap_admin_key: Option<Secret>,
    pub jwt_secret: Option<Secret>,
    pub jwt_ttl: Duration,
    /// `POST /auth/register` creates tenants; off unless `CHIME_ALLOW_SIGNUP` is true.
    pub allow_signup: bool,
    /// Failed logins per account (tenant + e-mail) within `login_window` before a 429.
    pub login_max_failures: u32,
    /// Failed logins (and sign-ups) per client address within `login_window` before a 429.
    pub login_max_failures_per_address: u32,
    pub login_window: Duration,
    /// Password hashes computed at once per process; the rest wait without holding anything.
    pub password_hash_concurrency: usize,
}

/// What one tenant may hold.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Shortest time a recurring series may leave between two fires.
    pub min_series_interval: Duration,
    /// Active series per tenant; `None` for no cap.
    pub max_active_series: Option<u64>,
    /// Pending (scheduled or sending) notifications per tenant that API creates may reach;
    /// `None` for no cap.
    pub max_pending_notifications: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    pub leader_ttl: Duration,
    pub reconcile_interval: Duration,
    /// Finished notifications (sent, cancelled, expired, dead), their attempts and audit rows
    /// older than this are deleted; `None` keeps everything.
    pub retention: Option<Duration>,
    /// Redis holds only reminders due within this; later ones stay in PostgreSQL until the
    /// leader loads them.
    pub horizon: Duration,
    /// Schedules (each with its own hash tag, ready stream and leader lock) the notifications
    /// are spread over by id; 1 keeps the unsharded keys.
    pub shards: usize,
}

#[derive(Debug, Clone)]
pub struct SenderSettings {
    pub concurrency: usize,
    /// How long a ready entry (or a `sending` row) may stay unacknowledged before another
    /// sender takes it over. Must exceed [`ChannelSettings::send_guard`] by
    /// [`VISIBILITY_MARGIN`], or slow sends would be taken over while still in flight and sent
    /// twice.
    pub visibility_timeout: Duration,
    pub retry_schedule: Vec<Duration>,
}

#[derive(Debug, Clone)]
pub struct ChannelSettings {
    /// Bound of one provider call (an HTTP request, or a whole SMTP send).
    pub http_timeout: Duration,
    pub webhook_allow_private: bool,
    /// MiniJinja fuel (instructions) of one template render.
    pub render_fuel: u64,
    pub smtp_url: Option<Secret>,
    pub smtp_from: String,
    pub sms_url: Option<String>,
    pub sms_account_sid: Option<String>,
    pub sms_auth_token: Option<Secret>,
    pub sms_from: Option<String>,
    /// The domain of `Message-ID`s; `None` takes the domain of `smtp_from`.
    pub smtp_message_id_domain: Option<String>,
    /// The public URL of `POST /channels/sms/status`: sent to the provider with each message,
    /// and the URL status reports are signed over.
    pub sms_status_callback_url: Option<String>,
    /// How long a rotated-out webhook secret still signs when the rotation does not say.
    pub webhook_secret_grace: Duration,
}

impl SenderSettings {
    /// The `max_attempts` a notification gets when it does not say.
    pub fn default_max_attempts(&self) -> i32 {
        (self.retry_schedule.len() as i32 + 1).min(100)
    }
}

impl ChannelSettings {
    /// The longest a single send may take, every channel included: the sender abandons a send
    /// at this point.
    pub fn send_guard(&self) -> Duration {
        self.http_timeout + SEND_GUARD_SLACK
    }
}

impl Settings {
    /// Defaults for everything; what tests and the sources start from.
    pub fn defaults() -> Settings {
        Settings {
            log_format: LogFormat::Pretty,
            startup_timeout: Duration::from_secs(60),
            database: DatabaseSettings {
                url: Secret::new("postgres://postgres@127.0.0.1:5432/chime"),
                pool_size: 16,
            },
            redis: RedisSettings {
                url: Secret::new("redis://127.0.0.1:6379"),
                prefix: "chime".into(),
                cluster: false,
            },
            api: ApiSettings {
                listen_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
                ops_addr: None,
                rate_limit: None,
                public_url: None,
                unsubscribe_secret: None,
            },
            auth: AuthSettings {
                bootstrap_admin_key: None,
                jwt_secret: None,
                jwt_ttl: Duration::from_secs(12 * 3600),
                allow_signup: false,
                login_max_failures: 5,
                login_max_failures_per_address: 50,
                login_window: Duration::from_secs(15 * 60),
                password_hash_concurrency: default_hash_concurrency(),
            },
            limits: LimitSettings {
                min_series_interval: Duration::from_secs(60),
                max_active_series: Some(10_000),
                max_pending_notifications: None,
            },
            scheduler: SchedulerSettings {
                leader_ttl: Duration::from_secs(2),
                reconcile_interval: Duration::from_secs(60),
                retention: Some(Duration::from_secs(30 * 86_400)),
                horizon: Duration::from_secs(3600),
                shards: 1,
            },
            sender: SenderSettings {
                concurrency: 64,
                visibility_timeout: Duration::from_secs(60),
                retry_schedule: parse_retry_schedule("5s,5m,30m,2h,5h,10h,10h")
                    .unwrap_or_else(|_| vec![Duration::from_secs(5)]),
            },
            channels: ChannelSettings {
                http_timeout: Duration::from_secs(15),
                webhook_allow_private: false,
                render_fuel: DEFAULT_RENDER_FUEL,
                smtp_url: None,
                smtp_from: "chime@localhost".into(),
                sms_url: None,
                sms_account_sid: None,
                sms_auth_token: None,
                sms_from: None,
                smtp_message_id_domain: None,
                sms_status_callback_url: None,
                webhook_secret_grace: Duration::from_secs(24 * 3600),
            },
        }
    }

    /// The process environment, over the file `config` names (or `CHIME_CONFIG`, or
    /// `chime.toml` when present).
    pub fn load(config: Option<&Path>) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(config, &env)
    }

    /// The process environment alone, with the file it may name.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Self::load(None)
    }

    /// `env` alone: no file is read unless `env` names one in `CHIME_CONFIG`.
    pub fn from_map(env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let file = non_empty(env.get(CONFIG_ENV)).map(PathBuf::from);
        Self::read(file.as_deref(), env)
    }

    /// The file `config` (else `CHIME_CONFIG`, else `chime.toml` if present) with `env` over it.
    pub fn from_sources(
        config: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let file = match config {
            Some(path) => Some(path.to_path_buf()),
            None => non_empty(env.get(CONFIG_ENV))
                .map(PathBuf::from)
                .or_else(|| {
                    let default = PathBuf::from(DEFAULT_FILE);
                    default.is_file().then_some(default)
                }),
        };
        Self::read(file.as_deref(), env)
    }

    fn read(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let sources = Sources::merge(file, env)?;
        let mut s = Settings::defaults();
        if let Some(v) = sources.get("log_format") {
            s.log_format = match v.text.as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                _ => return Err(v.error("expected pretty or json")),
            };
        }
        if let Some(v) = sources.get("startup_timeout") {
            s.startup_timeout = v.duration()?;
            if s.startup_timeout.is_zero() {
                return Err(v.error("must be longer than zero"));
            }
        }
        s.database = DatabaseSettings::read(&sources, s.database)?;
        s.redis = RedisSettings::read(&sources, s.redis)?;
        s.api = ApiSettings::read(&sources, s.api)?;
        s.auth = AuthSettings::read(&sources, s.auth)?;
        s.limits = LimitSettings::read(&sources, s.limits)?;
        s.scheduler = SchedulerSettings::read(&sources, s.scheduler)?;
        s.channels = ChannelSettings::read(&sources, s.channels)?;
        s.sender = SenderSettings::read(&sources, s.sender, &s.channels)?;
        Ok(s)
    }

    /// The longest a single send may take; see [`ChannelSettings::send_guard`].
    pub fn send_guard(&self) -> Duration {
        self.channels.send_guard()
    }

    /// The `max_attempts` a notification gets when it does not say.
    pub fn default_max_attempts(&self) -> i32 {
        self.sender.default_max_attempts()
    }
}

impl DatabaseSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("database.url") {
            if !(v.text.starts_with("postgres://") || v.text.starts_with("postgresql://")) {
                return Err(v.error("must start with postgres://"));
            }
            s.url = Secret::new(v.text);
        }
        if let Some(v) = src.get("database.pool_size") {
            s.pool_size = v.number(1, 1000)? as u32;
        }
        Ok(s)
    }
}

impl RedisSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("redis.cluster") {
            s.cluster = v.boolean()?;
        }
        if let Some(v) = src.get("redis.url") {
            let nodes_ok = v
                .text
                .split(',')
                .map(str::trim)
                .all(|n| n.starts_with("redis://") || n.starts_with("rediss://"));
            if !nodes_ok {
                return Err(v.error("must start with redis:// or rediss://"));
            }
            if v.text.contains(',') && !s.cluster {
                return Err(v.error(
                    "lists several nodes: set CHIME_REDIS_CLUSTER=true for a Redis Cluster",
                ));
            }
            s.url = Secret::new(v.text);
        }
        if let Some(v) = src.get("redis.prefix") {
            if !v
                .text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
            {
                return Err(v.error("may contain only letters, digits, '-', '_', '.', ':'"));
            }
            s.prefix = v.text;
        }
        Ok(s)
    }
}

impl ApiSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("api.listen_addr") {
            s.listen_addr = v
                .text
                .parse()
                .map_err(|_| v.error("expected host:port like 0.0.0.0:8080"))?;
        }
        if let Some(v) = src.get("api.ops_addr") {
            s.ops_addr = Some(
                v.text
                    .parse()
                    .map_err(|_| v.error("expected host:port like 0.0.0.0:9090"))?,
            );
        }
        if let Some(v) = src.get("api.rate_limit") {
            let n = v.number(0, 1_000_000)? as u32;
            s.rate_limit = (n > 0).then_some(n);
        }
        if let Some(v) = src.get("api.public_url") {
            url::Url::parse(&v.text)
                .ok()
                .filter(|u| {
                    (u.scheme() == "http" || u.scheme() == "https")
                        && u.query().is_none()
                        && u.fragment().is_none()
                })
                .ok_or_else(|| {
                    v.error("expected an http(s) URL without query, like https://chime.example.com")
                })?;
            s.public_url = Some(v.text.trim_end_matches('/').to_string());
        }
        if let Some(v) = src.get("api.unsubscribe_secret") {
            if v.text.len() < 32 {
                return Err(v.error("must be at least 32 characters"));
            }
            s.unsubscribe_secret = Some(Secret::new(v.text));
        }
        if s.unsubscribe_secret.is_none() {
            if let Some(url) = src.get("api.public_url") {
                return Err(src.missing("api.unsubscribe_secret", &url));
            }
        }
        Ok(s)
    }
}

impl AuthSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("auth.bootstrap_admin_key") {
            if !v.text.starts_with("chk_") || v.text.len() < 24 {
                return Err(v.error("must start with chk_ and be at least 24 characters long"));
            }
            s.bootstrap_admin_key = Some(Secret::new(v.text));
        }
        if let Some(v) = src.get("auth.jwt_secret") {
            if v.text.len() < 32 {
                return Err(v.error("must be at least 32 characters"));
            }
            s.jwt_secret = Some(Secret::new(v.text));
        }
        if let Some(v) = src.get("auth.allow_signup") {
            s.allow_signup = v.boolean()?;
        }
        if let Some(v) = src.get("auth.login_max_failures") {
            s.login_max_failures = v.number(1, 1_000_000)? as u32;
        }
        if let Some(v) = src.get("auth.login_max_failures_per_address") {
            s.login_max_failures_per_address = v.number(1, 1_000_000)? as u32;
        }
        if let Some(v) = src.get("auth.login_window") {
            s.login_window = v.duration()?;
            if s.login_window < Duration::from_secs(1) {
                return Err(v.error("must be at least 1s"));
            }
        }
        if let Some(v) = src.get("auth.password_hash_concurrency") {
            s.password_hash_concurrency = v.number(1, 1024)? as usize;
        }
        Ok(s)
    }
}

impl LimitSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("limits.min_series_interval") {
            s.min_series_interval = v.duration()?;
            if s.min_series_interval > Duration::from_secs(86_400) {
                return Err(v.error("must be at most 1d"));
            }
        }
        // Zero turns a cap off.
        if let Some(v) = src.get("limits.max_active_series") {
            let n = v.number(0, 1_000_000_000)?;
            s.max_active_series = (n > 0).then_some(n);
        }
        if let Some(v) = src.get("limits.max_pending_notifications") {
            let n = v.number(0, 1_000_000_000)?;
            s.max_pending_notifications = (n > 0).then_some(n);
        }
        Ok(s)
    }
}

impl SchedulerSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("scheduler.leader_ttl") {
            s.leader_ttl = v.duration()?;
            if s.leader_ttl < Duration::from_millis(500) {
                return Err(v.error("must be at least 500ms"));
            }
        }
        if let Some(v) = src.get("scheduler.reconcile_interval") {
            s.reconcile_interval = v.duration()?;
        }
        if let Some(v) = src.get("scheduler.retention") {
            s.retention = parse_retention(&v.text).map_err(|e| v.error(&e))?;
        }
        if let Some(v) = src.get("scheduler.horizon") {
            s.horizon = v.duration()?;
            if s.horizon < Duration::from_secs(1) {
                return Err(v.error("must be at least 1s"));
            }
        }
        if let Some(v) = src.get("scheduler.shards") {
            s.shards = v.number(1, 1024)? as usize;
        }
        Ok(s)
    }
}

impl ChannelSettings {
    fn read(src: &Sources, mut s: Self) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("channels.http_timeout") {
            s.http_timeout = v.duration()?;
        }
        if let Some(v) = src.get("channels.webhook_allow_private") {
            s.webhook_allow_private = v.boolean()?;
        }
        if let Some(v) = src.get("channels.render_fuel") {
            s.render_fuel = v.number(1_000, 100_000_000)?;
        }
        if let Some(v) = src.get("channels.smtp_url") {
            if !(v.text.starts_with("smtp://") || v.text.starts_with("smtps://")) {
                return Err(v.error("must start with smtp:// or smtps://"));
            }
            s.smtp_url = Some(Secret::new(v.text));
        }
        if let Some(v) = src.get("channels.smtp_from") {
            crate::domain::EmailAddress::parse(&v.text).map_err(|e| v.error(&e))?;
            s.smtp_from = v.text;
        }
        if let Some(v) = src.get("channels.sms_url") {
            url::Url::parse(&v.text)
                .ok()
                .filter(|u| u.scheme() == "http" || u.scheme() == "https")
                .ok_or_else(|| v.error("expected an http(s) URL"))?;
            s.sms_url = Some(v.text.trim_end_matches('/').to_string());
        }
        s.sms_account_sid = src.get("channels.sms_account_sid").map(|v| v.text);
        s.sms_auth_token = src
            .get("channels.sms_auth_token")
            .map(|v| Secret::new(v.text));
        s.sms_from = src.get("channels.sms_from").map(|v| v.text);
        if let Some(v) = src.get("channels.smtp_message_id_domain") {
            if !crate::domain::is_fully_qualified_domain(&v.text) {
                return Err(v.error("expected a fully qualified host name like mail.example.com"));
            }
            s.smtp_message_id_domain = Some(v.text);
        }
        if let Some(v) = src.get("channels.sms_status_callback_url") {
            url::Url::parse(&v.text)
                .ok()
                .filter(|u| u.scheme() == "http" || u.scheme() == "https")
                .ok_or_else(|| v.error("expected an http(s) URL"))?;
            s.sms_status_callback_url = Some(v.text);
        }
        if let Some(v) = src.get("channels.webhook_secret_grace") {
            s.webhook_secret_grace = v.duration()?;
            if s.webhook_secret_grace > MAX_WEBHOOK_SECRET_GRACE {
                return Err(v.error("must be at most 30d"));
            }
        }
        if let Some(url) = s.sms_url.as_ref().and(src.get("channels.sms_url")) {
            for (key, present) in [
                ("channels.sms_account_sid", s.sms_account_sid.is_some()),
                ("channels.sms_auth_token", s.sms_auth_token.is_some()),
                ("channels.sms_from", s.sms_from.is_some()),
            ] {
                if !present {
                    return Err(src.missing(key, &url));
                }
            }
        }
        Ok(s)
    }
}

impl SenderSettings {
    fn read(src: &Sources, mut s: Self, channels: &ChannelSettings) -> Result<Self, ConfigError> {
        if let Some(v) = src.get("sender.concurrency") {
            s.concurrency = v.number(1, 10_000)? as usize;
        }
        if let Some(v) = src.get("sender.retry_schedule") {
            s.retry_schedule = parse_retry_schedule(&v.text).map_err(|e| v.error(&e))?;
        }
        let visibility = src.get("sender.visibility_timeout");
        if let Some(v) = &visibility {
            s.visibility_timeout = v.duration()?;
        }
        let least = channels.send_guard() + VISIBILITY_MARGIN;
        if s.visibility_timeout <= least {
            let message = format!(
                "must be longer than {least:?} (CHIME_HTTP_TIMEOUT plus {:?}), or slow sends would be taken over and sent twice",
                least.saturating_sub(channels.http_timeout)
            );
            return Err(match visibility {
                Some(v) => v.error(&message),
                None => ConfigError::for_key("sender.visibility_timeout", None, &message),
            });
        }
        Ok(s)
    }
}

/// Why the configuration was refused, naming the setting by its environment variable and its
/// key in the file (and the file, when the value came from there).
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// The environment variable.
    pub variable: String,
    /// The key in the configuration file.
    pub key: String,
    /// The file the refused value came from; `None` when it came from the environment.
    pub file: Option<PathBuf>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(
                f,
                "{} in {} ({}): {}",
                self.key,
                file.display(),
                self.variable,
                self.message
            ),
            None if self.key.is_empty() => write!(f, "{}: {}", self.variable, self.message),
            None => write!(f, "{} ({}): {}", self.variable, self.key, self.message),
        }
    }
}

impl ConfigError {
    /// An error about the setting with file key `key`.
    fn for_key(key: &str, file: Option<PathBuf>, message: &str) -> Self {
        let variable = KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, env)| env);
        ConfigError {
            variable: variable.into(),
            key: key.into(),
            file,
            message: message.into(),
        }
    }

    /// An error about the configuration file itself.
    fn file(path: &Path, message: &str) -> Self {
        ConfigError {
            variable: CONFIG_ENV.into(),
            key: String::new(),
            file: None,
            message: format!("{}: {message}", path.display()),
        }
    }
}

/// One value as given, with where it came from.
struct Given {
    key: &'static str,
    text: String,
    /// The file it was read from; `None` for the environment.
    file: Option<PathBuf>,
}

impl Given {
    fn error(&self, message: &str) -> ConfigError {
        ConfigError::for_key(self.key, self.file.clone(), message)
    }

    fn duration(&self) -> Result<Duration, ConfigError> {
        parse_duration(&self.text).map_err(|e| self.error(&e))
    }

    fn boolean(&self) -> Result<bool, ConfigError> {
        parse_bool(&self.text).ok_or_else(|| self.error("expected true or false"))
    }

    fn number(&self, min: u64, max: u64) -> Result<u64, ConfigError> {
        self.text
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| self.error(&format!("expected a whole number from {min} to {max}")))
    }
}

/// The file and the environment, merged by figment.
struct Sources {
    figment: Figment,
}

/// The environment variables of [`KEYS`], as a figment provider. Values stay the text they are
/// (figment's own `Env` would turn `0123` into a number and `[x]` into an array), and an
/// empty variable counts as unset, as it always has.
struct EnvVars(Dict);

impl EnvVars {
    fn new(env: &HashMap<String, String>) -> EnvVars {
        let mut dict = Dict::new();
        for (key, var) in KEYS {
            if let Some(v) = non_empty(env.get(*var)) {
                insert(&mut dict, key, Value::from(v));
            }
        }
        EnvVars(dict)
    }
}

impl Provider for EnvVars {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.0.clone()))
    }
}

/// Puts `value` at the dotted `key` of `dict`.
fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_string(), value);
        }
        Some((table, rest)) => {
            let entry = dict
                .entry(table.to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

impl Sources {
    fn merge(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Sources, ConfigError> {
        use figment::providers::{Format, Toml};
        let mut figment = Figment::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError::file(path, &format!("cannot read it: {e}")))?;
            let table = Toml::string(&text)
                .data()
                .map_err(|e| ConfigError::file(path, &e.to_string()))?
                .remove(&Profile::Default)
                .unwrap_or_default();
            reject_unknown(&table, "", path)?;
            // Read from the text already checked, but remembered as coming from `path`.
            figment = figment.merge(Toml::file(path));
        }
        Ok(Sources {
            figment: figment.merge(EnvVars::new(env)),
        })
    }

    /// The value of `key`, if set anywhere.
    fn get(&self, key: &'static str) -> Option<Given> {
        let value = self.figment.find_value(key).ok()?;
        let file = self
            .figment
            .get_metadata(value.tag())
            .and_then(|m| m.source.as_ref())
            .and_then(|s| s.file_path())
            .map(Path::to_path_buf);
        let text = match as_text(&value) {
            Ok(text) => text,
            // A table or a value of no kind: handed on as is, so its parser names the key.
            Err(kind) => format!("<{kind}>"),
        };
        let text = text.trim().to_string();
        (!text.is_empty()).then_some(Given { key, text, file })
    }

    /// `key` is required because `because` is set.
    fn missing(&self, key: &str, because: &Given) -> ConfigError {
        let (_, because_var) = KEYS
            .iter()
            .find(|(k, _)| *k == because.key)
            .copied()
            .unwrap_or_default();
        ConfigError::for_key(
            key,
            because.file.clone(),
            &format!("is required when {because_var} ({}) is set", because.key),
        )
    }
}

/// The text of a scalar (an array of scalars joins with commas: `retry_schedule = ["5s",
/// "5m"]` reads as `5s,5m`); the kind of anything else.
fn as_text(value: &Value) -> Result<String, &'static str> {
    Ok(match value {
        Value::String(_, s) => s.clone(),
        Value::Char(_, c) => c.to_string(),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(..) => match (value.to_u128(), value.to_i128(), value.to_f64()) {
            (Some(n), _, _) => n.to_string(),
            (_, Some(n), _) => n.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => return Err("number"),
        },
        Value::Array(_, items) => items
            .iter()
            .map(as_text)
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        Value::Dict(..) => return Err("table"),
        Value::Empty(..) => String::new(),
    })
}

/// Fails on a key of the file that is no setting: a typo would otherwise be ignored.
fn reject_unknown(table: &Dict, prefix: &str, path: &Path) -> Result<(), ConfigError> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let known = KEYS.iter().any(|(k, _)| *k == key);
        let is_group = KEYS.iter().any(|(k, _)| k.starts_with(&format!("{key}.")));
        match value {
            Value::Dict(_, inner) if is_group => reject_unknown(inner, &key, path)?,
            _ if known => {}
            _ => {
                return Err(ConfigError {
                    variable: CONFIG_ENV.into(),
                    key,
                    file: Some(path.to_path_buf()),
                    message: "unknown key (see chime.example.toml for every key)".into(),
                })
            }
        }
    }
    Ok(())
}

fn non_empty(v: Option<&String>) -> Option<String> {
    v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Half the cores: a login flood then leaves the other half to every other request.
fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() / 2)
        .unwrap_or(1)
        .max(1)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// `250ms`, `5s`, `5m`, `2h`, `1d`.
pub fn parse_duration(v: &str) -> Result<Duration, String> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{v}' is not a duration like 5s, 5m or 2h"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 86_400),
        _ => return Err(format!("'{v}' is not a duration like 5s, 5m or 2h")),
    };
    Ok(d)
}

/// `off` keeps everything; otherwise a duration of at least an hour, so a typo such as `30s`
/// cannot delete the work of the last few minutes.
fn parse_retention(v: &str) -> Result<Option<Duration>, String> {
    if v.trim() == "off" {
        return Ok(None);
    }
    let d = parse_duration(v)?;
    if d < Duration::from_secs(3600) {
        return Err(format!(
            "'{v}' is shorter than 1h; use `off` to keep everything"
        ));
    }
    Ok(Some(d))
}

pub fn parse_retry_schedule(v: &str) -> Result<Vec<Duration>, String> {
    let delays = v
        .split(',')
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()?;
    if delays.is_empty() || delays.len() > 99 {
        return Err("expected 1 to 99 comma-separated delays like 5s,5m,30m".into());
    }
    Ok(delays)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A configuration file with `text`, removed when dropped.
    struct File(PathBuf);

    impl File {
        fn new(text: &str) -> File {
            let path = std::env::temp_dir().join(format!(
                "chime-config-{}.toml",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::write(&path, text).expect("write the file");
            File(path)
        }

        fn read(&self, env_pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
            Settings::from_sources(Some(&self.0), &env(env_pairs))
        }
    }

    impl Drop for File {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn unsubscribe_links_need_a_public_url_and_a_secret() {
        let secret = "unsubscribe-secret-0123456789-abcdef";
        let s = Settings::from_map(&env(&[
            ("CHIME_PUBLIC_URL", "https://chime.example.com/"),
            ("CHIME_UNSUBSCRIBE_SECRET", secret),
        ]))
        .unwrap();
        assert_eq!(
            s.api.public_url.as_deref(),
            Some("https://chime.example.com")
        );
        assert!(
            !format!("{s:?}").contains(secret),
            "the secret must not print"
        );
        for (pairs, variable) in [
            (
                vec![("CHIME_PUBLIC_URL", "https://chime.example.com")],
                "CHIME_UNSUBSCRIBE_SECRET",
            ),
            (
                vec![
                    ("CHIME_PUBLIC_URL", "ftp://x"),
                    ("CHIME_UNSUBSCRIBE_SECRET", secret),
                ],
                "CHIME_PUBLIC_URL",
            ),
            (
                vec![("CHIME_UNSUBSCRIBE_SECRET", "short")],
                "CHIME_UNSUBSCRIBE_SECRET",
            ),
        ] {
            let err = Settings::from_map(&env(&pairs)).unwrap_err();
            assert_eq!(err.variable, variable, "{pairs:?}");
        }
    }

    #[test]
    fn defaults_follow_the_documented_table() {
        let s = Settings::from_map(&HashMap::new()).unwrap();
        assert_eq!(s.api.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.redis.prefix, "chime");
        assert_eq!(s.sender.retry_schedule.len(), 7);
        assert_eq!(s.default_max_attempts(), 8);
        assert_eq!(s.sender.retry_schedule[1], Duration::from_secs(300));
        assert_eq!(s.limits.min_series_interval, Duration::from_secs(60));
        assert_eq!(s.limits.max_active_series, Some(10_000));
        assert_eq!(s.limits.max_pending_notifications, None);
    }

    #[test]
    fn every_key_has_one_variable_and_the_docs_and_example_file_list_every_key() {
        let example = include_str!("../chime.example.toml");
        let readme = include_str!("../README.md");
        for (i, (key, var)) in KEYS.iter().enumerate() {
            assert!(
                readme.contains(&format!("`{key}`")) && readme.contains(&format!("`{var}`")),
                "README.md's configuration reference does not list {key} ({var})"
            );
            assert!(
                KEYS[i + 1..].iter().all(|(k, v)| k != key && v != var),
                "{key} / {var} twice"
            );
            let leaf = key.rsplit('.').next().unwrap_or(key);
            assert!(
                example.contains(&format!("{leaf} =")) && example.contains(var),
                "chime.example.toml does not show {key} ({var})"
            );
        }
        // Every key it shows (commented out or not) is one Chime knows.
        let uncommented: String = example
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let file = File::new(&uncommented);
        file.read(&[]).expect("the example, uncommented, is valid");
    }

    #[test]
    fn a_file_alone_configures_every_group() {
        let file = File::new(
            r#"
            log_format = "json"

            [database]
            url = "postgres://app@db.internal:5432/chime"
            pool_size = 4

            [redis]
            prefix = "staging"

            [api]
            listen_addr = "0.0.0.0:9000"

            [sender]
            concurrency = 8
            retry_schedule = ["1s", "1m"]

            [channels]
            webhook_allow_private = true

            [limits]
            max_active_series = 0
            "#,
        );
        let s = file.read(&[]).unwrap();
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(
            s.database.url.expose(),
            "postgres://app@db.internal:5432/chime"
        );
        assert_eq!(s.database.pool_size, 4);
        assert_eq!(s.redis.prefix, "staging");
        assert_eq!(s.api.listen_addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.sender.concurrency, 8);
        assert_eq!(
            s.sender.retry_schedule,
            vec![Duration::from_secs(1), Duration::from_secs(60)]
        );
        assert!(s.channels.webhook_allow_private);
        assert_eq!(s.limits.max_active_series, None);
        // What the file leaves out keeps its default.
        assert_eq!(s.scheduler.leader_ttl, Duration::from_secs(2));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file = File::new("[sender]\nconcurrency = 8\n[redis]\nprefix = \"from-file\"\n");
        let s = file
            .read(&[
                ("CHIME_SENDER_CONCURRENCY", "32"),
                // Empty counts as unset: the file's value stays.
                ("CHIME_REDIS_PREFIX", " "),
            ])
            .unwrap();
        assert_eq!(s.sender.concurrency, 32);
        assert_eq!(s.redis.prefix, "from-file");
        // An override is validated like any value, and named by its variable.
        let err = file
            .read(&[("CHIME_SENDER_CONCURRENCY", "many")])
            .unwrap_err();
        assert_eq!(err.variable, "CHIME_SENDER_CONCURRENCY");
        assert_eq!(err.key, "sender.concurrency");
        assert_eq!(err.file, None, "the bad value came from the environment");
    }

    #[test]
    fn an_invalid_value_in_the_file_names_its_key_variable_and_file() {
        for (text, key, var) in [
            (
                "[sender]\nconcurrency = 0",
                "sender.concurrency",
                "CHIME_SENDER_CONCURRENCY",
            ),
            (
                "[api]\nlisten_addr = \"nope\"",
                "api.listen_addr",
                "CHIME_LISTEN_ADDR",
            ),
            (
                "[scheduler]\nretention = \"30s\"",
                "scheduler.retention",
                "CHIME_RETENTION",
            ),
            (
                "[sender]\nretry_schedule = [\"5s\", 7]",
                "sender.retry_schedule",
                "CHIME_RETRY_SCHEDULE",
            ),
            (
                "[database]\nurl = { host = \"x\" }",
                "database.url",
                "DATABASE_URL",
            ),
        ] {
            let file = File::new(text);
            let err = file.read(&[]).unwrap_err();
            assert_eq!(
                (err.key.as_str(), err.variable.as_str()),
                (key, var),
                "{err}"
            );
            assert_eq!(err.file.as_deref(), Some(file.0.as_path()));
            let shown = err.to_string();
            assert!(
                shown.contains(key)
                    && shown.contains(var)
                    && shown.contains(&*file.0.to_string_lossy()),
                "{shown}"
            );
        }
    }

    #[test]
    fn an_unknown_key_or_a_broken_file_is_an_error() {
        let file = File::new("[sender]\nconcurency = 8\n");
        let err = file.read(&[]).unwrap_err();
        assert_eq!(err.key, "sender.concurency");
        assert!(err.to_string().contains("unknown key"), "{err}");
        let file = File::new("[senders]\nconcurrency = 8\n");
        assert_eq!(file.read(&[]).unwrap_err().key, "senders");
        let file = File::new("[sender\n");
        assert_eq!(file.read(&[]).unwrap_err().variable, CONFIG_ENV);
        let missing = std::env::temp_dir().join("chime-config-that-does-not-exist.toml");
        let err = Settings::from_sources(Some(&missing), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("cannot read"), "{err}");
    }

    #[test]
    fn chime_config_names_the_file_when_no_flag_does() {
        let file = File::new("[redis]\nprefix = \"named\"\n");
        let path = file.0.to_string_lossy().to_string();
        let s = Settings::from_sources(None, &env(&[(CONFIG_ENV, &path)])).unwrap();
        assert_eq!(s.redis.prefix, "named");
        let s = Settings::from_map(&env(&[(CONFIG_ENV, &path)])).unwrap();
        assert_eq!(s.redis.prefix, "named");
    }

    #[test]
    fn series_limits_are_read_and_zero_turns_a_cap_off() {
        let s = Settings::from_map(&env(&[
            ("CHIME_MIN_SERIES_INTERVAL", "5m"),
            ("CHIME_MAX_ACTIVE_SERIES", "0"),
            ("CHIME_MAX_PENDING_NOTIFICATIONS", "250"),
        ]))
        .unwrap();
        assert_eq!(s.limits.min_series_interval, Duration::from_secs(300));
        assert_eq!(s.limits.max_active_series, None);
        assert_eq!(s.limits.max_pending_notifications, Some(250));
        for (k, v) in [
            ("CHIME_MIN_SERIES_INTERVAL", "often"),
            ("CHIME_MIN_SERIES_INTERVAL", "2d"),
            ("CHIME_MAX_PENDING_NOTIFICATIONS", "-1"),
        ] {
            assert_eq!(Settings::from_map(&env(&[(k, v)])).unwrap_err().variable, k);
        }
    }

    #[test]
    fn the_schedule_horizon_defaults_to_an_hour_and_is_at_least_a_second() {
        assert_eq!(
            Settings::defaults().scheduler.horizon,
            Duration::from_secs(3600)
        );
        let s = Settings::from_map(&env(&[("CHIME_SCHEDULE_HORIZON", "15m")])).unwrap();
        assert_eq!(s.scheduler.horizon, Duration::from_secs(900));
        for bad in ["500ms", "soon"] {
            let err = Settings::from_map(&env(&[("CHIME_SCHEDULE_HORIZON", bad)])).unwrap_err();
            assert!(err.to_string().contains("CHIME_SCHEDULE_HORIZON"), "{err}");
        }
    }

    #[test]
    fn a_redis_cluster_is_given_as_a_list_of_seed_nodes() {
        let nodes = "redis://10.0.0.1:6379, redis://10.0.0.2:6379";
        let s = Settings::from_map(&env(&[
            ("CHIME_REDIS_CLUSTER", "true"),
            ("REDIS_URL", nodes),
        ]))
        .unwrap();
        assert!(s.redis.cluster);
        assert_eq!(s.redis.url.expose(), nodes);
        assert!(!Settings::defaults().redis.cluster);
        // A list means a cluster; a malformed flag or node is named.
        for (k, v, cluster) in [
            ("REDIS_URL", nodes, "false"),
            ("REDIS_URL", "redis://a:1,http://b:2", "true"),
            ("CHIME_REDIS_CLUSTER", "maybe", "true"),
        ] {
            let mut vars = vec![("CHIME_REDIS_CLUSTER", cluster)];
            vars.retain(|(name, _)| *name != k);
            vars.push((k, v));
            let err = Settings::from_map(&env(&vars)).unwrap_err();
            assert!(err.to_string().contains(k), "{err}");
        }
        let file = File::new("[redis]\ncluster = true\nurl = \"redis://a:1,redis://b:2\"\n");
        let s = file.read(&[]).unwrap();
        assert!(s.redis.cluster);
    }

    #[test]
    fn schedule_shards_default_to_one() {
        assert_eq!(Settings::defaults().scheduler.shards, 1);
        let s = Settings::from_map(&env(&[("CHIME_SCHEDULE_SHARDS", "12")])).unwrap();
        assert_eq!(s.scheduler.shards, 12);
        for bad in ["0", "many", "5000"] {
            let err = Settings::from_map(&env(&[("CHIME_SCHEDULE_SHARDS", bad)])).unwrap_err();
            assert!(err.to_string().contains("CHIME_SCHEDULE_SHARDS"), "{err}");
        }
    }

    #[test]
    fn retention_defaults_to_30_days_and_can_be_turned_off() {
        let d = Settings::from_map(&env(&[])).unwrap();
        assert_eq!(
            d.scheduler.retention,
            Some(Duration::from_secs(30 * 86_400))
        );
        let s = Settings::from_map(&env(&[("CHIME_RETENTION", "7d")])).unwrap();
        assert_eq!(s.scheduler.retention, Some(Duration::from_secs(7 * 86_400)));
        let s = Settings::from_map(&env(&[("CHIME_RETENTION", "off")])).unwrap();
        assert_eq!(s.scheduler.retention, None);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (k, v) in [
            ("CHIME_LISTEN_ADDR", "nope"),
            ("CHIME_RETRY_SCHEDULE", "5s,often"),
            ("CHIME_WEBHOOK_ALLOW_PRIVATE", "maybe"),
            ("CHIME_LOG_FORMAT", "xml"),
            ("DATABASE_URL", "mysql://x"),
            ("CHIME_BOOTSTRAP_ADMIN_KEY", "short"),
            ("CHIME_SMS_URL", "http://127.0.0.1:9"),
            ("CHIME_RETENTION", "30s"),
            ("CHIME_RETENTION", "forever"),
            ("CHIME_LOGIN_WINDOW", "soon"),
            ("CHIME_LOGIN_MAX_FAILURES", "0"),
            ("CHIME_PASSWORD_HASH_CONCURRENCY", "0"),
            ("CHIME_ALLOW_SIGNUP", "maybe"),
        ] {
            let err = Settings::from_map(&env(&[(k, v)])).unwrap_err();
            assert!(
                err.to_string().starts_with("CHIME_")
                    || err.to_string().starts_with("DATABASE_URL"),
                "{err}"
            );
            if k != "CHIME_SMS_URL" {
                assert_eq!(err.variable, k);
            }
            let (key, _) = KEYS.iter().find(|(_, var)| *var == err.variable).unwrap();
            assert!(err.to_string().contains(key), "{err} does not name {key}");
        }
    }

    #[test]
    fn the_visibility_timeout_must_outlast_the_longest_send() {
        let s = Settings::defaults();
        assert!(s.sender.visibility_timeout > s.send_guard() + VISIBILITY_MARGIN);
        let least = Duration::from_secs(15) + SEND_GUARD_SLACK + VISIBILITY_MARGIN;
        let secs = |d: Duration| format!("{}s", d.as_secs());
        for visibility in [secs(least), "16s".into()] {
            let err = Settings::from_map(&env(&[
                ("CHIME_HTTP_TIMEOUT", "15s"),
                ("CHIME_VISIBILITY_TIMEOUT", &visibility),
            ]))
            .unwrap_err();
            assert_eq!(err.variable, "CHIME_VISIBILITY_TIMEOUT", "{err}");
        }
        let s = Settings::from_map(&env(&[
            ("CHIME_HTTP_TIMEOUT", "15s"),
            (
                "CHIME_VISIBILITY_TIMEOUT",
                &secs(least + Duration::from_secs(1)),
            ),
        ]))
        .unwrap();
        assert!(s.send_guard() > s.channels.http_timeout);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Settings::from_map(&env(&[(
            "CHIME_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-x",
        )]))
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("0123456789abcdef"));
        assert!(printed.contains("REDACTED"));
    }

    #[test]
    fn a_value_is_read_as_given_not_as_a_number() {
        let s = Settings::from_map(&env(&[
            ("CHIME_SMS_URL", "https://sms.example.com"),
            ("CHIME_SMS_ACCOUNT_SID", "0012"),
            ("CHIME_SMS_AUTH_TOKEN", "[token]"),
            ("CHIME_SMS_FROM", "+15005550006"),
        ]))
        .unwrap();
        assert_eq!(s.channels.sms_account_sid.as_deref(), Some("0012"));
        assert_eq!(
            s.channels.sms_auth_token.as_ref().map(Secret::expose),
            Some("[token]")
        );
    }
}
