//! Request limits, counted in Redis so that every API replica sees the same counts:
//!
//! - the per-tenant rate (`CHIME_RATE_LIMIT`) and an optional per-API-key rate, as GCRA token
//!   buckets (one key each, holding the bucket's "theoretical arrival time");
//! - failed logins per account and per client address, as fixed-window counters;
//! - how many password hashes run at once in this process (a semaphore: waiting logins hold no
//!   connection and no thread).
//!
//! When Redis cannot be reached the limits fail open: the tenant rate falls back to a token bucket
//! in this process (each replica then counts alone), login counting is skipped, and a warning is
//! logged at most every 30 s. The hashing bound does not depend on Redis and always holds.

use super::error::ApiError;
use crate::config::Settings;
use crate::schedule::RedisConn;
use redis::Script;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// A Redis call on the request path waits at most this long before the limit fails open.
const REDIS_BUDGET: Duration = Duration::from_millis(500);
/// How long a login may wait for a hashing slot before it is told to come back later.
const HASH_WAIT: Duration = Duration::from_secs(10);
const WARN_EVERY: Duration = Duration::from_secs(30);
/// After a failed Redis call, requests skip Redis for this long instead of each waiting out
/// [`REDIS_BUDGET`].
const REDIS_BACKOFF: Duration = Duration::from_secs(2);

/// GCRA over several buckets at once: a request passes only if every bucket has room, and then
/// takes from all of them. KEYS: buckets; ARGV: per bucket, the interval between requests and
/// the burst window, both in microseconds. Returns 0, or the microseconds to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local next_tat = tat + interval
  local allow_at = next_tat - burst
  if allow_at > now and allow_at - now > wait then wait = allow_at - now end
  tats[i] = next_tat
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%d', tats[i]), 'PX', math.ceil((tats[i] - now) / 1000) + 1)
end
return 0
";

/// Counts one login attempt in each window counter. KEYS: counters; ARGV[1]: window in ms,
/// ARGV[1 + i]: the limit of KEYS[i]. Returns 0, or the ms until the longest exceeded window ends.
const ATTEMPT: &str = r"
local over = 0
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  if n > tonumber(ARGV[i + 1]) and ttl > over then over = ttl end
end
return over
";

/// Whether a counter is already over its limit, without counting. KEYS[1]: the counter;
/// ARGV[1]: its limit. Returns 0, or the ms until its window ends.
const PEEK: &str = r"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
";

/// A successful login: the account starts afresh, and the address gets its attempt back.
const FORGIVE: &str = r"
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
";

pub struct RateLimiter {
    conn: RedisConn,
    tag: String,
    tenant_rate: Option<u32>,
    /// Used only while Redis is away.
    local: LocalBuckets,
    login_max_account: u32,
    login_max_address: u32,
    login_window: Duration,
    hashing: Arc<Semaphore>,
    gcra: Script,
    attempt: Script,
    peek: Script,
    forgive: Script,
    last_warning: Mutex<Option<Instant>>,
    redis_down_until: Mutex<Option<Instant>>,
}

/// Which limits a request counts against.
pub struct Subject {
    pub tenant: Uuid,
    /// An API key with its own rate (requests per second).
    pub key: Option<(Uuid, u32)>,
}

impl RateLimiter {
    pub fn new(settings: &Settings, conn: RedisConn) -> RateLimiter {
        RateLimiter {
            conn,
            tag: format!("{{{}}}", settings.redis.prefix),
            tenant_rate: settings.api.rate_limit.filter(|r| *r > 0),
            local: LocalBuckets::default(),
            login_max_account: settings.auth.login_max_failures,
            login_max_address: settings.auth.login_max_failures_per_address,
            login_window: settings.auth.login_window,
            hashing: Arc::new(Semaphore::new(
                settings.auth.password_hash_concurrency.max(1),
            )),
            gcra: Script::new(GCRA),
            attempt: Script::new(ATTEMPT),
            peek: Script::new(PEEK),
            forgive: Script::new(FORGIVE),
            last_warning: Mutex::new(None),
            redis_down_until: Mutex::new(None),
        }
    }

    fn redis_known_down(&self) -> bool {
        self.redis_down_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .is_some_and(|until| Instant::now() < until)
    }

    /// Runs one script call within the budget; `Err` (and a pause in calling Redis at all) when
    /// Redis does not answer.
    async fn invoke(&self, invocation: redis::ScriptInvocation<'_>) -> Result<i64, String> {
        if self.redis_known_down() {
            return Err("skipped after a recent failure".into());
        }
        let mut conn = self.conn.clone();
        let result = tokio::time::timeout(REDIS_BUDGET, invocation.invoke_async::<i64>(&mut conn))
            .await
            .map_err(|_| "timed out".to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        if result.is_err() {
            if let Ok(mut until) = self.redis_down_until.lock() {
                *until = Some(Instant::now() + REDIS_BACKOFF);
            }
        }
        result
    }

    fn warn_fail_open(&self, what: &str, error: &str) {
        let Ok(mut last) = self.last_warning.lock() else {
            return;
        };
        if last.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(%error, "Redis unreachable: {what} fails open");
        }
    }

    /// Takes one request from the tenant's bucket and, if the key has its own rate, from the
    /// key's; a 429 with the seconds to wait when either is empty.
    pub async fn check(&self, subject: &Subject) -> Result<(), ApiError> {
        let mut buckets: Vec<(String, u32)> = Vec::with_capacity(2);
        if let Some(rate) = self.tenant_rate {
            buckets.push((format!("{}:rate:tenant:{}", self.tag, subject.tenant), rate));
        }
        if let Some((key_id, rate)) = subject.key {
            buckets.push((format!("{}:rate:key:{}", self.tag, key_id), rate));
        }
        if buckets.is_empty() {
            return Ok(());
        }
        let mut invocation = self.gcra.prepare_invoke();
        for (key, rate) in &buckets {
            // A burst of one second's worth of requests, as the bucket used to allow.
            let interval = 1_000_000 / u64::from((*rate).max(1));
            invocation
                .key(key)
                .arg(interval)
                .arg(interval * u64::from(*rate));
        }
        match self.invoke(invocation).await {
            Ok(0) => Ok(()),
            Ok(wait_us) => Err(ApiError::RateLimited(ceil_secs(wait_us as u64 / 1000))),
            Err(e) => {
                self.warn_fail_open("the shared rate limit", &e);
                let mut local = Vec::new();
                if let Some(rate) = self.tenant_rate {
                    local.push((subject.tenant, rate));
                }
                if let Some((key_id, rate)) = subject.key {
                    local.push((key_id, rate));
                }
                self.local.check(&local, Instant::now())
            }
        }
    }

    fn account_key(&self, tenant: &str, email: &str) -> String {
        let digest = hex::encode(Sha256::digest(format!("{tenant}\n{email}").as_bytes()));
        format!("{}:login:account:{digest}", self.tag)
    }

    fn address_key(&self, addr: Option<IpAddr>) -> String {
        let addr = addr
            .map(|a| a.to_string())
            .unwrap_or_else(|| "unknown".into());
        format!("{}:login:address:{addr}", self.tag)
    }

    /// Counts a login attempt against the account and the client address before the password
    /// is checked, so concurrent guesses cannot all slip in under the limit; a successful login
    /// gives it back ([`RateLimiter::login_succeeded`]).
    pub async fn login_attempt(
        &self,
        tenant: &str,
        email: &str,
        addr: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let keys = [
            (self.account_key(tenant, email), self.login_max_account),
            (self.address_key(addr), self.login_max_address),
        ];
        self.count(&keys).await
    }

    /// Refuses an address that has used up its attempts before anything else is done for it, so
    /// a flood from one address costs one Redis call per request and no database work.
    pub async fn address_exhausted(&self, addr: Option<IpAddr>) -> Result<(), ApiError> {
        let mut invocation = self.peek.prepare_invoke();
        invocation
            .key(self.address_key(addr))
            .arg(self.login_max_address);
        match self.invoke(invocation).await {
            Ok(0) => Ok(()),
            Ok(wait_ms) => Err(ApiError::RateLimited(ceil_secs(wait_ms as u64))),
            Err(e) => {
                self.warn_fail_open("login throttling", &e);
                Ok(())
            }
        }
    }

    /// A sign-up counts against the client address like a failed login.
    pub async fn signup_attempt(&self, addr: Option<IpAddr>) -> Result<(), ApiError> {
        self.count(&[(self.address_key(addr), self.login_max_address)])
            .await
    }

    async fn count(&self, keys: &[(String, u32)]) -> Result<(), ApiError> {
        let mut invocation = self.attempt.prepare_invoke();
        invocation.arg(self.login_window.as_millis() as u64);
        for (key, _) in keys {
            invocation.key(key);
        }
        for (_, limit) in keys {
            invocation.arg(*limit);
        }
        match self.invoke(invocation).await {
            Ok(0) => Ok(()),
            Ok(wait_ms) => Err(ApiError::RateLimited(ceil_secs(wait_ms as u64))),
            Err(e) => {
                self.warn_fail_open("login throttling", &e);
                Ok(())
            }
        }
    }

    pub async fn login_succeeded(&self, tenant: &str, email: &str, addr: Option<IpAddr>) {
        let mut invocation = self.forgive.prepare_invoke();
        invocation
            .key(self.account_key(tenant, email))
            .key(self.address_key(addr));
        if let Err(e) = self.invoke(invocation).await {
            self.warn_fail_open("login throttling", &e);
        }
    }

    /// A slot to compute one password hash in. Under a flood, logins queue here (holding no
    /// database connection) and those that wait too long are told to retry.
    pub async fn hashing_slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(HASH_WAIT, self.hashing.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(ApiError::RateLimited(1)),
        }
    }
}

fn ceil_secs(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

/// Per-process token buckets (rate per second, burst of one second), for when Redis is away.
#[derive(Default)]
struct LocalBuckets {
    buckets: Mutex<HashMap<Uuid, (f64, Instant)>>,
}

impl LocalBuckets {
    /// Passes only if every bucket has a token, then takes one from each.
    fn check(&self, limits: &[(Uuid, u32)], now: Instant) -> Result<(), ApiError> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > 100_000 {
            buckets.clear();
        }
        let mut wait: u64 = 0;
        for (id, rate) in limits {
            let rate = f64::from(*rate);
            let (tokens, last) = buckets.entry(*id).or_insert((rate, now));
            *tokens =
                (*tokens + now.saturating_duration_since(*last).as_secs_f64() * rate).min(rate);
            *last = now;
            if *tokens < 1.0 {
                wait = wait.max(((1.0 - *tokens) / rate).ceil().max(1.0) as u64);
            }
        }
        if wait > 0 {
            return Err(ApiError::RateLimited(wait));
        }
        for (id, _) in limits {
            if let Some((tokens, _)) = buckets.get_mut(id) {
                *tokens -= 1.0;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_buckets_allow_the_rate_then_refuse_until_tokens_refill() {
        let limiter = LocalBuckets::default();
        let t = Uuid::new_v4();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(&[(t, 3)], start).is_ok());
        }
        assert!(matches!(
            limiter.check(&[(t, 3)], start),
            Err(ApiError::RateLimited(1))
        ));
        // Another tenant has its own bucket.
        assert!(limiter.check(&[(Uuid::new_v4(), 3)], start).is_ok());
        // A third of a second later one token is back.
        let later = start + Duration::from_millis(340);
        assert!(limiter.check(&[(t, 3)], later).is_ok());
        assert!(limiter.check(&[(t, 3)], later).is_err());
    }

    #[test]
    fn a_refused_request_takes_from_no_bucket() {
        let limiter = LocalBuckets::default();
        let (tenant, key) = (Uuid::new_v4(), Uuid::new_v4());
        let now = Instant::now();
        assert!(limiter.check(&[(tenant, 10), (key, 1)], now).is_ok());
        assert!(limiter.check(&[(tenant, 10), (key, 1)], now).is_err());
        // The tenant still has 9 tokens: the refused request did not spend one.
        for _ in 0..9 {
            assert!(limiter.check(&[(tenant, 10)], now).is_ok());
        }
        assert!(limiter.check(&[(tenant, 10)], now).is_err());
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(ceil_secs(1), 1);
        assert_eq!(ceil_secs(1000), 1);
        assert_eq!(ceil_secs(1001), 2);
        assert_eq!(ceil_secs(899_000), 899);
    }
}
