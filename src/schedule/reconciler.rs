//! PostgreSQL is the truth: the reconciler puts pending notifications back into the schedule.
//!
//! - A full pass over every `scheduled` row runs when this process becomes leader and whenever
//!   the marker key `{prefix}:reconciled` is missing — a flushed or restarted-empty Redis loses
//!   the marker with everything else, so it is rebuilt at once.
//! - A periodic pass re-adds rows due soon or overdue (cheap, by the `due_at` index), which also
//!   heals a schedule write that failed after its transaction committed.
//! - Rows stuck in `sending` longer than the visibility timeout (their sender died after
//!   claiming) go back to `scheduled`.
//!
//! Re-adding an entry that is already queued is harmless: the second claim of a row fails.

use crate::db::{self, notifications as q};
use crate::ops::metrics;
use crate::startup::RoleContext;
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PAGE: i64 = 5000;
/// How often the marker key is checked while leading.
const MARKER_CHECK: Duration = Duration::from_millis(500);

pub struct Reconciler {
    ctx: RoleContext,
    marker: String,
    last_marker_check: Instant,
    last_periodic: Instant,
}

impl Reconciler {
    pub fn new(ctx: RoleContext) -> Reconciler {
        let marker = format!("{{{}}}:reconciled", ctx.settings.redis_prefix);
        Reconciler {
            ctx,
            marker,
            last_marker_check: Instant::now(),
            last_periodic: Instant::now(),
        }
    }

    pub async fn on_leadership(&mut self) {
        self.full_pass().await;
    }

    /// Called on every leader loop iteration; does work only when something is due.
    pub async fn tick(&mut self) {
        if self.last_marker_check.elapsed() >= MARKER_CHECK {
            self.last_marker_check = Instant::now();
            let mut conn = self.ctx.schedule.connection();
            let exists: redis::RedisResult<bool> = redis::cmd("EXISTS")
                .arg(&self.marker)
                .query_async(&mut conn)
                .await;
            if let Ok(false) = exists {
                tracing::warn!("schedule marker missing (Redis flushed or restarted empty): rebuilding from PostgreSQL");
                self.full_pass().await;
            }
        }
        if self.last_periodic.elapsed() >= self.ctx.settings.reconcile_interval {
            self.last_periodic = Instant::now();
            self.periodic_pass().await;
        }
    }

    async fn recover_abandoned(&self) -> Result<usize, String> {
        let before = Utc::now()
            - chrono::Duration::from_std(self.ctx.settings.visibility_timeout).unwrap_or_default();
        let rows = db::run(&self.ctx.pool, move |conn| {
            q::recover_abandoned(conn, before).map_err(db::DbError::from)
        })
        .await
        .map_err(|e| e.to_string())?;
        if !rows.is_empty() {
            tracing::warn!(
                count = rows.len(),
                "recovered notifications abandoned in sending"
            );
        }
        self.put(&rows).await?;
        Ok(rows.len())
    }

    async fn put(&self, rows: &[(Uuid, i32, DateTime<Utc>)]) -> Result<(), String> {
        for chunk in rows.chunks(1000) {
            self.ctx
                .schedule
                .put_many(chunk)
                .await
                .map_err(|e| e.to_string())?;
        }
        metrics::RECONCILED_ENTRIES.add(rows.len() as u64);
        Ok(())
    }

    /// Every scheduled row back into the schedule, page by page.
    pub async fn full_pass(&mut self) {
        let started = Instant::now();
        let result: Result<usize, String> = async {
            let mut total = self.recover_abandoned().await?;
            let mut after: Option<Uuid> = None;
            loop {
                let page = db::run(&self.ctx.pool, move |conn| {
                    q::pending_page(conn, after, PAGE).map_err(db::DbError::from)
                })
                .await
                .map_err(|e| e.to_string())?;
                self.put(&page).await?;
                total += page.len();
                match page.last() {
                    Some((id, _, _)) if page.len() as i64 == PAGE => after = Some(*id),
                    _ => break,
                }
            }
            let mut conn = self.ctx.schedule.connection();
            let _: () = redis::cmd("SET")
                .arg(&self.marker)
                .arg(Utc::now().timestamp_millis())
                .query_async(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok(total)
        }
        .await;
        match result {
            Ok(n) => tracing::info!(
                entries = n,
                ms = started.elapsed().as_millis() as u64,
                "schedule reconciled with PostgreSQL"
            ),
            // The marker stays missing, so the next tick tries again.
            Err(e) => tracing::warn!(error = %e, "reconciliation failed"),
        }
    }

    async fn periodic_pass(&mut self) {
        let horizon = Utc::now()
            + chrono::Duration::from_std(self.ctx.settings.reconcile_interval * 2)
                .unwrap_or_default();
        let result: Result<usize, String> = async {
            let mut total = self.recover_abandoned().await?;
            let rows = db::run(&self.ctx.pool, move |conn| {
                q::pending_due_before(conn, horizon, 50_000).map_err(db::DbError::from)
            })
            .await
            .map_err(|e| e.to_string())?;
            self.put(&rows).await?;
            total += rows.len();
            Ok(total)
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "periodic reconciliation failed");
        }
    }
}
