//! Retention: notifications that ended (sent, cancelled, expired, dead) more than
//! `CHIME_RETENTION` ago are deleted with their delivery attempts and audit rows, and so are
//! older audit rows about anything else (keys, users, rules), except those about a notification
//! that still exists. Scheduler processes take turns through a Redis key, so one process at a
//! time purges; it deletes in small batches with a pause between them, so a purge of millions
//! of rows never holds long locks or starves delivery of PostgreSQL.

use crate::db::{self, DbError};
use crate::schedule::RoleContext;
use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often a pass runs (and how long one process's turn lasts).
const INTERVAL: Duration = Duration::from_secs(300);
/// Rows per transaction.
const BATCH: i64 = 500;
/// Breathing room for delivery between two batches: at least this, and at least twice as long
/// as the batch took, so a purge keeps PostgreSQL busy at most a third of the time.
const PAUSE: Duration = Duration::from_millis(50);

fn pause_after(batch: std::time::Instant) -> Duration {
    (batch.elapsed() * 2).max(PAUSE)
}

/// What one pass deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub notifications: usize,
    pub audit: usize,
}

pub async fn run(ctx: RoleContext, shutdown: CancellationToken) {
    let Some(retention) = ctx.settings.scheduler.retention else {
        return;
    };
    // The first pass waits a little, so a fleet starting together is not purging at boot.
    let mut wait = Duration::from_secs(30);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = INTERVAL;
        match take_turn(&ctx).await {
            Ok(true) => match purge(&ctx, retention, &shutdown).await {
                Ok(pass) if pass != Pass::default() => tracing::info!(
                    notifications = pass.notifications,
                    audit_rows = pass.audit,
                    "retention: deleted finished notifications and audit rows past retention"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention pass failed; next one in 5 min"),
            },
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "retention: Redis unavailable; skipping this pass")
            }
        }
    }
}

/// True when this process may purge for the next [`INTERVAL`].
async fn take_turn(ctx: &RoleContext) -> redis::RedisResult<bool> {
    let mut conn = ctx.schedule.connection();
    let turn: Option<String> = redis::cmd("SET")
        .arg(&ctx.schedule.keys().retention)
        .arg(1)
        .arg("NX")
        .arg("PX")
        .arg(INTERVAL.as_millis() as u64)
        .query_async(&mut conn)
        .await?;
    Ok(turn.is_some())
}

/// One pass over every tenant, until nothing past `retention` is left or `stop` fires.
pub async fn purge(
    ctx: &RoleContext,
    retention: Duration,
    stop: &CancellationToken,
) -> anyhow::Result<Pass> {
    let cutoff = Utc::now() - chrono::Duration::from_std(retention)?;
    let mut pass = Pass::default();
    let tenants = db::run(&ctx.pool, |conn| {
        db::retention::tenant_ids(conn).map_err(DbError::from)
    })
    .await?;
    for tenant in tenants {
        loop {
            if stop.is_cancelled() {
                return Ok(pass);
            }
            let began = std::time::Instant::now();
            let deleted = db::run(&ctx.pool, move |conn| {
                db::retention::purge_notifications(conn, tenant, cutoff, BATCH)
                    .map_err(DbError::from)
            })
            .await?;
            pass.notifications += deleted;
            if deleted < BATCH as usize {
                break;
            }
            tokio::time::sleep(pause_after(began)).await;
        }
    }
    let mut after = 0;
    while !stop.is_cancelled() {
        let began = std::time::Instant::now();
        let window = db::run(&ctx.pool, move |conn| {
            db::retention::purge_audit_window(conn, cutoff, after, BATCH).map_err(DbError::from)
        })
        .await?;
        pass.audit += window.deleted;
        match window.next_after {
            Some(next) => after = next,
            None => break,
        }
        tokio::time::sleep(pause_after(began)).await;
    }
    Ok(pass)
}
