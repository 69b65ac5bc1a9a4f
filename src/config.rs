//! Environment → validated [`Settings`]. Every variable is checked at start-up so a bad value
//! stops the process with a message naming the variable; secrets never print.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
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

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: Secret,
    pub redis_url: Secret,
    pub redis_prefix: String,
    pub listen_addr: SocketAddr,
    /// Operations endpoints (`/healthz`, `/readyz`, `/metrics`) for processes without the API role.
    pub ops_addr: Option<SocketAddr>,
    pub bootstrap_admin_key: Option<Secret>,
    pub jwt_secret: Option<Secret>,
    pub jwt_ttl: Duration,
    pub smtp_url: Option<Secret>,
    pub smtp_from: String,
    pub sms_url: Option<String>,
    pub sms_account_sid: Option<String>,
    pub sms_auth_token: Option<Secret>,
    pub sms_from: Option<String>,
    pub retry_schedule: Vec<Duration>,
    pub webhook_allow_private: bool,
    pub log_format: LogFormat,
    /// How long start-up waits for PostgreSQL and Redis before giving up.
    pub startup_timeout: Duration,
    pub db_pool_size: u32,
    /// Requests per second per tenant, counted in Redis across every API process; `None`
    /// for no limit.
    pub rate_limit: Option<u32>,
    /// Failed logins per account (tenant + e-mail) within `login_window` before a 429.
    pub login_max_failures: u32,
    /// Failed logins (and sign-ups) per client address within `login_window` before a 429.
    pub login_max_failures_per_address: u32,
    pub login_window: Duration,
    /// Password hashes computed at once per process; the rest wait without holding anything.
    pub password_hash_concurrency: usize,
    /// `POST /auth/register` creates tenants; off unless `CHIME_ALLOW_SIGNUP` is true.
    pub allow_signup: bool,
    pub sender_concurrency: usize,
    /// How long a ready entry (or a `sending` row) may stay unacknowledged before another
    /// sender takes it over. Must exceed [`Settings::send_guard`] by [`VISIBILITY_MARGIN`], or
    /// slow sends would be taken over while still in flight and sent twice.
    pub visibility_timeout: Duration,
    /// Bound of one provider call (an HTTP request, or a whole SMTP send).
    pub http_timeout: Duration,
    pub leader_ttl: Duration,
    pub reconcile_interval: Duration,
    /// Finished notifications (sent, cancelled, expired, dead), their attempts and audit rows
    /// older than this are deleted; `None` keeps everything.
    pub retention: Option<Duration>,
    /// Shortest time a recurring series may leave between two fires.
    pub min_series_interval: Duration,
    /// Active series per tenant; `None` for no cap.
    pub max_active_series: Option<u64>,
    /// Pending (scheduled or sending) notifications per tenant that API creates may reach;
    /// `None` for no cap.
    pub max_pending_notifications: Option<u64>,
    /// MiniJinja fuel (instructions) of one template render.
    pub render_fuel: u64,
}

/// Default fuel of one render: MiniJinja instructions executed. A typical reminder uses a few
/// hundred; a loop over a few thousand items still fits.
pub const DEFAULT_RENDER_FUEL: u64 = 100_000;

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Self::from_map(&std::env::vars().collect())
    }

    /// Defaults for everything; what tests and `from_env` start from.
    pub fn defaults() -> Settings {
        Settings {
            database_url: Secret::new("postgres://postgres@127.0.0.1:5432/chime"),
            redis_url: Secret::new("redis://127.0.0.1:6379"),
            redis_prefix: "chime".into(),
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            ops_addr: None,
            bootstrap_admin_key: None,
            jwt_secret: None,
            jwt_ttl: Duration::from_secs(12 * 3600),
            smtp_url: None,
            smtp_from: "chime@localhost".into(),
            sms_url: None,
            sms_account_sid: None,
            sms_auth_token: None,
            sms_from: None,
            retry_schedule: parse_retry_schedule("5s,5m,30m,2h,5h,10h,10h")
                .unwrap_or_else(|_| vec![Duration::from_secs(5)]),
            webhook_allow_private: false,
            log_format: LogFormat::Pretty,
            startup_timeout: Duration::from_secs(60),
            db_pool_size: 16,
            rate_limit: None,
            login_max_failures: 5,
            login_max_failures_per_address: 50,
            login_window: Duration::from_secs(15 * 60),
            password_hash_concurrency: default_hash_concurrency(),
            allow_signup: false,
            sender_concurrency: 64,
            visibility_timeout: Duration::from_secs(60),
            http_timeout: Duration::from_secs(15),
            leader_ttl: Duration::from_secs(3),
            reconcile_interval: Duration::from_secs(60),
            retention: Some(Duration::from_secs(30 * 86_400)),
            min_series_interval: Duration::from_secs(60),
            max_active_series: Some(10_000),
            max_pending_notifications: None,
            render_fuel: DEFAULT_RENDER_FUEL,
        }
    }

    pub fn from_map(env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let mut s = Settings::defaults();
        let get = |k: &str| {
            env.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("DATABASE_URL") {
            if !(v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    "must start with postgres://",
                ));
            }
            s.database_url = Secret::new(v);
        }
        if let Some(v) = get("REDIS_URL") {
            if !(v.starts_with("redis://") || v.starts_with("rediss://")) {
                return Err(ConfigError::new(
                    "REDIS_URL",
                    "must start with redis:// or rediss://",
                ));
            }
            s.redis_url = Secret::new(v);
        }
        if let Some(v) = get("CHIME_REDIS_PREFIX") {
            if !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
            {
                return Err(ConfigError::new(
                    "CHIME_REDIS_PREFIX",
                    "may contain only letters, digits, '-', '_', '.', ':'",
                ));
            }
            s.redis_prefix = v;
        }
        if let Some(v) = get("CHIME_LISTEN_ADDR") {
            s.listen_addr = v.parse().map_err(|_| {
                ConfigError::new("CHIME_LISTEN_ADDR", "expected host:port like 0.0.0.0:8080")
            })?;
        }
        if let Some(v) = get("CHIME_OPS_ADDR") {
            s.ops_addr = Some(v.parse().map_err(|_| {
                ConfigError::new("CHIME_OPS_ADDR", "expected host:port like 0.0.0.0:9090")
            })?);
        }
        if let Some(v) = get("CHIME_BOOTSTRAP_ADMIN_KEY") {
            if !v.starts_with("chk_") || v.len() < 24 {
                return Err(ConfigError::new(
                    "CHIME_BOOTSTRAP_ADMIN_KEY",
                    "must start with chk_ and be at least 24 characters long",
                ));
            }
            s.bootstrap_admin_key = Some(Secret::new(v));
        }
        if let Some(v) = get("CHIME_JWT_SECRET") {
            if v.len() < 32 {
                return Err(ConfigError::new(
                    "CHIME_JWT_SECRET",
                    "must be at least 32 characters",
                ));
            }
            s.jwt_secret = Some(Secret::new(v));
        }
        if let Some(v) = get("CHIME_SMTP_URL") {
            if !(v.starts_with("smtp://") || v.starts_with("smtps://")) {
                return Err(ConfigError::new(
                    "CHIME_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ));
            }
            s.smtp_url = Some(Secret::new(v));
        }
        if let Some(v) = get("CHIME_SMTP_FROM") {
            crate::domain::EmailAddress::parse(&v)
                .map_err(|e| ConfigError::new("CHIME_SMTP_FROM", &e))?;
            s.smtp_from = v;
        }
        if let Some(v) = get("CHIME_SMS_URL") {
            url::Url::parse(&v)
                .ok()
                .filter(|u| u.scheme() == "http" || u.scheme() == "https")
                .ok_or_else(|| ConfigError::new("CHIME_SMS_URL", "expected an http(s) URL"))?;
            s.sms_url = Some(v.trim_end_matches('/').to_string());
        }
        s.sms_account_sid = get("CHIME_SMS_ACCOUNT_SID");
        s.sms_auth_token = get("CHIME_SMS_AUTH_TOKEN").map(Secret::new);
        s.sms_from = get("CHIME_SMS_FROM");
        if s.sms_url.is_some() {
            for (name, present) in [
                ("CHIME_SMS_ACCOUNT_SID", s.sms_account_sid.is_some()),
                ("CHIME_SMS_AUTH_TOKEN", s.sms_auth_token.is_some()),
                ("CHIME_SMS_FROM", s.sms_from.is_some()),
            ] {
                if !present {
                    return Err(ConfigError::new(
                        name,
                        "is required when CHIME_SMS_URL is set",
                    ));
                }
            }
        }
        if let Some(v) = get("CHIME_RETRY_SCHEDULE") {
            s.retry_schedule = parse_retry_schedule(&v)
                .map_err(|e| ConfigError::new("CHIME_RETRY_SCHEDULE", &e))?;
        }
        if let Some(v) = get("CHIME_WEBHOOK_ALLOW_PRIVATE") {
            s.webhook_allow_private = parse_bool(&v).ok_or_else(|| {
                ConfigError::new("CHIME_WEBHOOK_ALLOW_PRIVATE", "expected true or false")
            })?;
        }
        if let Some(v) = get("CHIME_LOG_FORMAT") {
            s.log_format = match v.as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::new(
                        "CHIME_LOG_FORMAT",
                        "expected pretty or json",
                    ))
                }
            };
        }
        if let Some(v) = get("CHIME_STARTUP_TIMEOUT") {
            s.startup_timeout =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_STARTUP_TIMEOUT", &e))?;
            if s.startup_timeout.is_zero() {
                return Err(ConfigError::new(
                    "CHIME_STARTUP_TIMEOUT",
                    "must be longer than zero",
                ));
            }
        }
        if let Some(v) = get("CHIME_DB_POOL_SIZE") {
            s.db_pool_size = parse_in_range("CHIME_DB_POOL_SIZE", &v, 1, 1000)? as u32;
        }
        if let Some(v) = get("CHIME_RATE_LIMIT") {
            let n = parse_in_range("CHIME_RATE_LIMIT", &v, 0, 1_000_000)? as u32;
            s.rate_limit = (n > 0).then_some(n);
        }
        if let Some(v) = get("CHIME_LOGIN_MAX_FAILURES") {
            s.login_max_failures =
                parse_in_range("CHIME_LOGIN_MAX_FAILURES", &v, 1, 1_000_000)? as u32;
        }
        if let Some(v) = get("CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS") {
            s.login_max_failures_per_address =
                parse_in_range("CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS", &v, 1, 1_000_000)? as u32;
        }
        if let Some(v) = get("CHIME_LOGIN_WINDOW") {
            s.login_window =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_LOGIN_WINDOW", &e))?;
            if s.login_window < Duration::from_secs(1) {
                return Err(ConfigError::new(
                    "CHIME_LOGIN_WINDOW",
                    "must be at least 1s",
                ));
            }
        }
        if let Some(v) = get("CHIME_PASSWORD_HASH_CONCURRENCY") {
            s.password_hash_concurrency =
                parse_in_range("CHIME_PASSWORD_HASH_CONCURRENCY", &v, 1, 1024)? as usize;
        }
        if let Some(v) = get("CHIME_ALLOW_SIGNUP") {
            s.allow_signup = parse_bool(&v)
                .ok_or_else(|| ConfigError::new("CHIME_ALLOW_SIGNUP", "expected true or false"))?;
        }
        if let Some(v) = get("CHIME_SENDER_CONCURRENCY") {
            s.sender_concurrency =
                parse_in_range("CHIME_SENDER_CONCURRENCY", &v, 1, 10_000)? as usize;
        }
        if let Some(v) = get("CHIME_VISIBILITY_TIMEOUT") {
            s.visibility_timeout =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_VISIBILITY_TIMEOUT", &e))?;
        }
        if let Some(v) = get("CHIME_RENDER_FUEL") {
            s.render_fuel = parse_in_range("CHIME_RENDER_FUEL", &v, 1_000, 100_000_000)?;
        }
        if let Some(v) = get("CHIME_HTTP_TIMEOUT") {
            s.http_timeout =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_HTTP_TIMEOUT", &e))?;
        }
        if let Some(v) = get("CHIME_LEADER_TTL") {
            s.leader_ttl =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_LEADER_TTL", &e))?;
            if s.leader_ttl < Duration::from_millis(500) {
                return Err(ConfigError::new(
                    "CHIME_LEADER_TTL",
                    "must be at least 500ms",
                ));
            }
        }
        if let Some(v) = get("CHIME_RETENTION") {
            s.retention =
                parse_retention(&v).map_err(|e| ConfigError::new("CHIME_RETENTION", &e))?;
        }
        if let Some(v) = get("CHIME_RECONCILE_INTERVAL") {
            s.reconcile_interval =
                parse_duration(&v).map_err(|e| ConfigError::new("CHIME_RECONCILE_INTERVAL", &e))?;
        }
        if let Some(v) = get("CHIME_MIN_SERIES_INTERVAL") {
            s.min_series_interval = parse_duration(&v)
                .map_err(|e| ConfigError::new("CHIME_MIN_SERIES_INTERVAL", &e))?;
            if s.min_series_interval > Duration::from_secs(86_400) {
                return Err(ConfigError::new(
                    "CHIME_MIN_SERIES_INTERVAL",
                    "must be at most 1d",
                ));
            }
        }
        for (name, cap) in [
            ("CHIME_MAX_ACTIVE_SERIES", &mut s.max_active_series),
            (
                "CHIME_MAX_PENDING_NOTIFICATIONS",
                &mut s.max_pending_notifications,
            ),
        ] {
            if let Some(v) = get(name) {
                let n = parse_in_range(name, &v, 0, 1_000_000_000)?;
                *cap = (n > 0).then_some(n);
            }
        }
        let least = s.send_guard() + VISIBILITY_MARGIN;
        if s.visibility_timeout <= least {
            return Err(ConfigError::new(
                "CHIME_VISIBILITY_TIMEOUT",
                &format!(
                    "must be longer than {least:?} (CHIME_HTTP_TIMEOUT plus {:?}), or slow sends would be taken over and sent twice",
                    least.saturating_sub(s.http_timeout)
                ),
            ));
        }
        Ok(s)
    }

    /// The longest a single send may take, every channel included: the sender abandons a send
    /// at this point.
    pub fn send_guard(&self) -> Duration {
        self.http_timeout + SEND_GUARD_SLACK
    }

    /// The `max_attempts` a notification gets when it does not say.
    pub fn default_max_attempts(&self) -> i32 {
        (self.retry_schedule.len() as i32 + 1).min(100)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &str, message: &str) -> Self {
        ConfigError {
            variable: variable.into(),
            message: message.into(),
        }
    }
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

fn parse_in_range(name: &str, v: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    v.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            ConfigError::new(
                name,
                &format!("expected a whole number from {min} to {max}"),
            )
        })
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

    #[test]
    fn defaults_follow_the_documented_table() {
        let s = Settings::from_map(&HashMap::new()).unwrap();
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.redis_prefix, "chime");
        assert_eq!(s.retry_schedule.len(), 7);
        assert_eq!(s.default_max_attempts(), 8);
        assert_eq!(s.retry_schedule[1], Duration::from_secs(300));
        assert_eq!(s.min_series_interval, Duration::from_secs(60));
        assert_eq!(s.max_active_series, Some(10_000));
        assert_eq!(s.max_pending_notifications, None);
    }

    #[test]
    fn series_limits_are_read_and_zero_turns_a_cap_off() {
        let s = Settings::from_map(&env(&[
            ("CHIME_MIN_SERIES_INTERVAL", "5m"),
            ("CHIME_MAX_ACTIVE_SERIES", "0"),
            ("CHIME_MAX_PENDING_NOTIFICATIONS", "250"),
        ]))
        .unwrap();
        assert_eq!(s.min_series_interval, Duration::from_secs(300));
        assert_eq!(s.max_active_series, None);
        assert_eq!(s.max_pending_notifications, Some(250));
        for (k, v) in [
            ("CHIME_MIN_SERIES_INTERVAL", "often"),
            ("CHIME_MIN_SERIES_INTERVAL", "2d"),
            ("CHIME_MAX_PENDING_NOTIFICATIONS", "-1"),
        ] {
            assert_eq!(Settings::from_map(&env(&[(k, v)])).unwrap_err().variable, k);
        }
    }

    #[test]
    fn retention_defaults_to_30_days_and_can_be_turned_off() {
        let d = Settings::from_map(&env(&[])).unwrap();
        assert_eq!(d.retention, Some(Duration::from_secs(30 * 86_400)));
        let s = Settings::from_map(&env(&[("CHIME_RETENTION", "7d")])).unwrap();
        assert_eq!(s.retention, Some(Duration::from_secs(7 * 86_400)));
        let s = Settings::from_map(&env(&[("CHIME_RETENTION", "off")])).unwrap();
        assert_eq!(s.retention, None);
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
        }
    }

    #[test]
    fn the_visibility_timeout_must_outlast_the_longest_send() {
        let s = Settings::defaults();
        assert!(s.visibility_timeout > s.send_guard() + VISIBILITY_MARGIN);
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
        assert!(s.send_guard() > s.http_timeout);
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
}
