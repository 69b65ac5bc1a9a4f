//! Per-tenant request rate limit: a token bucket per tenant in each API process, so one noisy
//! client cannot starve the others. Off unless `CHIME_RATE_LIMIT` is set.

use super::error::ApiError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use uuid::Uuid;

pub struct RateLimiter {
    /// Requests per second per tenant; also the burst size. `None`: unlimited.
    rate: Option<f64>,
    buckets: Mutex<HashMap<Uuid, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: Option<u32>) -> RateLimiter {
        RateLimiter {
            rate: per_second.filter(|r| *r > 0).map(f64::from),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `tenant`, or says how many seconds to wait for the next one.
    pub fn check(&self, tenant: Uuid) -> Result<(), ApiError> {
        self.check_at(tenant, Instant::now())
    }

    fn check_at(&self, tenant: Uuid, now: Instant) -> Result<(), ApiError> {
        let Some(rate) = self.rate else { return Ok(()) };
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let (tokens, last) = buckets.entry(tenant).or_insert((rate, now));
        *tokens = (*tokens + now.saturating_duration_since(*last).as_secs_f64() * rate).min(rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / rate).ceil().max(1.0) as u64;
            Err(ApiError::RateLimited(wait))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn allows_the_rate_then_refuses_until_tokens_refill() {
        let limiter = RateLimiter::new(Some(3));
        let t = Uuid::new_v4();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(t, start).is_ok());
        }
        assert!(matches!(
            limiter.check_at(t, start),
            Err(ApiError::RateLimited(1))
        ));
        // Another tenant has its own bucket.
        assert!(limiter.check_at(Uuid::new_v4(), start).is_ok());
        // A third of a second later one token is back.
        assert!(limiter
            .check_at(t, start + Duration::from_millis(340))
            .is_ok());
        assert!(limiter
            .check_at(t, start + Duration::from_millis(340))
            .is_err());
    }

    #[test]
    fn unlimited_when_not_configured() {
        let limiter = RateLimiter::new(None);
        let t = Uuid::new_v4();
        for _ in 0..10_000 {
            assert!(limiter.check(t).is_ok());
        }
    }
}
