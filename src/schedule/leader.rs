//! The scheduler role: one leader at a time (a Redis lock with a random token and a TTL, renewed
//! by compare-and-extend) promotes due entries; standbys only try to take the lock.
//!
//! The leader sleeps until the earliest due time, woken early through `{prefix}:wake` when an
//! earlier entry is scheduled, so lag is milliseconds without polling.

use super::promoter::Promoter;
use super::reconciler::Reconciler;
use crate::ops::metrics;
use crate::startup::RoleContext;
use rand::RngCore;
use redis::Script;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub struct LeaderLock {
    key: String,
    token: String,
    ttl: Duration,
    extend: Script,
    release: Script,
}

impl LeaderLock {
    pub fn new(key: &str, ttl: Duration) -> LeaderLock {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        LeaderLock {
            key: key.to_string(),
            token: hex::encode(bytes),
            ttl,
            extend: Script::new(include_str!("lua/extend_lock.lua")),
            release: Script::new(include_str!("lua/release_lock.lua")),
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub async fn try_acquire(
        &self,
        conn: &mut redis::aio::ConnectionManager,
    ) -> redis::RedisResult<bool> {
        let set: Option<String> = redis::cmd("SET")
            .arg(&self.key)
            .arg(&self.token)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl.as_millis() as u64)
            .query_async(conn)
            .await?;
        Ok(set.is_some())
    }

    pub async fn renew(
        &self,
        conn: &mut redis::aio::ConnectionManager,
    ) -> redis::RedisResult<bool> {
        let renewed: i64 = self
            .extend
            .key(&self.key)
            .arg(&self.token)
            .arg(self.ttl.as_millis() as u64)
            .invoke_async(conn)
            .await?;
        Ok(renewed == 1)
    }

    pub async fn release(
        &self,
        conn: &mut redis::aio::ConnectionManager,
    ) -> redis::RedisResult<()> {
        let _: i64 = self
            .release
            .key(&self.key)
            .arg(&self.token)
            .invoke_async(conn)
            .await?;
        Ok(())
    }
}

/// Runs until shutdown: takes the lock when it is free, and while leading promotes due entries
/// and reconciles the schedule with PostgreSQL.
pub async fn run(ctx: RoleContext, shutdown: CancellationToken) {
    let keys = ctx.schedule.keys().clone();
    let ttl = ctx.settings.leader_ttl;
    let lock = LeaderLock::new(&keys.leader, ttl);
    let mut conn = ctx.schedule.connection();
    // Blocking reads (BLPOP on the wake list) get their own connection so they never delay
    // the lock renewals and promotions sent on `conn`.
    let mut wake_conn = None;
    let promoter = Promoter::new(keys.clone());
    let mut reconciler = Reconciler::new(ctx.clone());
    let mut leading = false;
    let mut last_renew = Instant::now();
    let renew_every = ttl / 3;

    while !shutdown.is_cancelled() {
        if !leading {
            match lock.try_acquire(&mut conn).await {
                Ok(true) => {
                    leading = true;
                    last_renew = Instant::now();
                    metrics::LEADER.set(1);
                    tracing::info!("became scheduler leader");
                    reconciler.on_leadership().await;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "leader lock check failed"),
            }
            if !leading {
                sleep_or_cancel(renew_every, &shutdown).await;
                continue;
            }
        }
        if last_renew.elapsed() >= renew_every {
            match lock.renew(&mut conn).await {
                Ok(true) => last_renew = Instant::now(),
                Ok(false) => {
                    lose_leadership(&mut leading, "lock lost");
                    continue;
                }
                Err(e) => {
                    // Cannot tell whether we still lead: the promotion script re-checks the token.
                    tracing::warn!(error = %e, "leader lock renewal failed");
                }
            }
        }
        reconciler.tick().await;
        let next_due = match promoter.promote_due(&mut conn, lock.token()).await {
            Ok(super::promoter::Promoted::NotLeader) => {
                lose_leadership(&mut leading, "token no longer matches");
                continue;
            }
            Ok(super::promoter::Promoted::Done { next_due_ms }) => next_due_ms,
            Err(e) => {
                tracing::warn!(error = %e, "promotion failed");
                sleep_or_cancel(Duration::from_millis(200), &shutdown).await;
                continue;
            }
        };
        // Sleep until the next due entry, but wake in time to renew the lock.
        let until_renew = renew_every.saturating_sub(last_renew.elapsed());
        let wait = match next_due {
            Some(due_ms) => {
                let now_ms = chrono::Utc::now().timestamp_millis();
                Duration::from_millis(due_ms.saturating_sub(now_ms).max(0) as u64).min(until_renew)
            }
            None => until_renew,
        };
        if wait.is_zero() {
            continue;
        }
        if wake_conn.is_none() {
            wake_conn = ctx.redis.get_multiplexed_async_connection().await.ok();
        }
        match wake_conn.as_mut() {
            Some(wc) => {
                tokio::select! {
                    woke = blpop(wc, &keys.wake, wait) => {
                        if woke.is_err() {
                            wake_conn = None;
                        }
                    }
                    // BLPOP's timeout is coarse on some servers; the timer is exact.
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            None => sleep_or_cancel(wait, &shutdown).await,
        }
    }
    if leading {
        // Let a standby take over at once instead of after the TTL.
        if let Err(e) = lock.release(&mut conn).await {
            tracing::warn!(error = %e, "could not release the leader lock");
        }
        metrics::LEADER.set(0);
        tracing::info!("released scheduler leadership");
    }
}

fn lose_leadership(leading: &mut bool, why: &str) {
    *leading = false;
    metrics::LEADER.set(0);
    tracing::warn!(reason = why, "lost scheduler leadership");
}

async fn blpop(
    conn: &mut redis::aio::MultiplexedConnection,
    key: &str,
    wait: Duration,
) -> redis::RedisResult<()> {
    let secs = (wait.as_secs_f64()).max(0.001);
    let _: Option<(String, String)> = redis::cmd("BLPOP")
        .arg(key)
        .arg(format!("{secs:.3}"))
        .query_async(conn)
        .await?;
    Ok(())
}

async fn sleep_or_cancel(d: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.cancelled() => {}
    }
}
