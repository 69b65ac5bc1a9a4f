//! PostgreSQL is the truth: the reconciler puts pending notifications back into the schedule.
//!
//! - A full pass over every `scheduled` row due within the horizon runs when this process becomes leader and whenever
//!   the marker key `{prefix}:reconciled` is missing — a flushed or restarted-empty Redis loses
//!   the marker with everything else, so it is rebuilt at once.
//! - A periodic pass re-adds rows due soon or overdue (cheap, by the `due_at` index), which also
//!   heals a schedule write that failed after its transaction committed.
//! - Rows stuck in `sending` longer than the visibility timeout (their sender died after
//!   claiming) go back to `scheduled`; those without attempts left go back into the schedule as
//!   they are, for a sender's claim to end them `dead`.
//! - Every second, rows that should have been claimed by now (`scheduled` and overdue by
//!   [`OVERDUE_GRACE`], or `sending` past their claim) go back into the schedule:
//!   a schedule write lost with the process that was to make it (killed between its commit and
//!   its Redis write), or a ready entry lost with Redis, then costs seconds, not a periodic
//!   pass. Rows due after the oldest ready entry no sender has read yet are left alone (they
//!   may be waiting behind it), and a row is re-added at most once per visibility timeout, so a
//!   backlog is not queued again.
//! - A full pass also puts each row still within its claim into the schedule at the moment the
//!   claim expires: a rebuilt Redis has lost the ready entry a sender would take over, and the
//!   claim only lets another sender in once the claim has expired. Without this, a row whose
//!   sender died just before Redis lost its data would wait for the next periodic pass.
//!
//! - The horizon loader ([`super::horizon`]) runs between them, every quarter of the horizon
//!   (at most a few seconds apart), adding the rows that came within it.
//!
//! It runs as its own task beside the leader loop: a full pass over millions of rows outlasts
//! the lock TTL, and the leader must keep promoting and renewing meanwhile.
//!
//! Re-adding an entry that is already queued is harmless: the second claim of a row fails.

use super::horizon::{self, Loader};
use crate::db::{self, notifications as q};
use crate::ops::metrics;
use crate::schedule::RoleContext;
use crate::telemetry::error_chain;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How overdue a row must be before the sweep re-adds it: well past normal delivery lag.
pub const OVERDUE_GRACE: Duration = Duration::from_secs(2);
const OVERDUE_EVERY: Duration = Duration::from_secs(1);
const OVERDUE_LIMIT: i64 = 1000;
/// Past a claim's expiry, so the sender's own clock sees it expired too.
const CLAIM_EXPIRY_MARGIN: Duration = Duration::from_millis(250);
/// Rows in `sending` are bounded by the senders' concurrency; this only bounds one query.
const IN_FLIGHT_LIMIT: i64 = 100_000;
/// How often the marker key is checked while leading.
const MARKER_CHECK: Duration = Duration::from_millis(500);

pub use super::error::ReconcileError;

/// The reconciler of one leadership term. It stops when the term ends, and also when its owner
/// is dropped without ending it (an aborted leader task), so it never outlives its leader.
pub struct ReconcileTask {
    cancel: CancellationToken,
    handle: Option<JoinHandle<()>>,
}

impl ReconcileTask {
    /// Starts with a full pass, then checks the marker and runs periodic passes.
    pub fn start(ctx: RoleContext) -> ReconcileTask {
        let cancel = CancellationToken::new();
        let mut reconciler = Reconciler::new(ctx);
        let stop = cancel.clone();
        let handle = tokio::spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = reconciler.run() => {}
            }
        });
        ReconcileTask {
            cancel,
            handle: Some(handle),
        }
    }

    /// Stops the pass in progress and waits until it has. A pass cut short is safe: rows it did
    /// not re-add are re-added by the next leader's full pass.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
    }
}

impl Drop for ReconcileTask {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(handle) = &self.handle {
            handle.abort();
        }
    }
}

pub struct Reconciler {
    ctx: RoleContext,
    loader: Loader,
    /// Entries the overdue sweep re-added, and when.
    swept: HashMap<(Uuid, i32), Instant>,
}

impl Reconciler {
    pub fn new(ctx: RoleContext) -> Reconciler {
        Reconciler {
            ctx,
            loader: Loader::new(),
            swept: HashMap::new(),
        }
    }

    async fn run(&mut self) {
        let mut rebuild = !self.full_pass().await;
        let mut next_periodic = Instant::now() + self.ctx.settings.scheduler.reconcile_interval;
        let mut next_sweep = Instant::now() + OVERDUE_EVERY;
        let load_every = horizon::load_every(self.ctx.settings.scheduler.horizon);
        let mut next_load = Instant::now() + load_every;
        loop {
            tokio::time::sleep(MARKER_CHECK.min(load_every)).await;
            if Instant::now() >= next_load {
                next_load = Instant::now() + load_every;
                horizon::pass_logged(&self.loader, &self.ctx).await;
            }
            if Instant::now() >= next_sweep {
                next_sweep = Instant::now() + OVERDUE_EVERY;
                if let Err(e) = self.sweep_overdue().await {
                    tracing::warn!(error = %error_chain(&e), "overdue sweep failed");
                }
            }
            if !rebuild {
                let mut conn = self.ctx.schedule.connection();
                for marker in self.markers() {
                    let exists: redis::RedisResult<bool> = redis::cmd("EXISTS")
                        .arg(&marker)
                        .query_async(&mut conn)
                        .await;
                    if let Ok(false) = exists {
                        tracing::warn!(%marker, "schedule marker missing (Redis flushed or restarted empty): rebuilding from PostgreSQL");
                        rebuild = true;
                        break;
                    }
                }
            }
            if rebuild {
                // A failed pass (PostgreSQL or Redis unreachable) is retried at the next check.
                rebuild = !self.full_pass().await;
            }
            if Instant::now() >= next_periodic {
                next_periodic = Instant::now() + self.ctx.settings.scheduler.reconcile_interval;
                self.periodic_pass().await;
            }
        }
    }

    async fn recover_abandoned(&self) -> Result<usize, ReconcileError> {
        let before = q::abandoned_before(self.ctx.settings.sender.visibility_timeout);
        let rows = db::run(&self.ctx.pool, move |conn| {
            q::recover_abandoned(conn, before).map_err(db::DbError::from)
        })
        .await?;
        if !rows.is_empty() {
            tracing::warn!(
                count = rows.len(),
                "recovered notifications abandoned in sending"
            );
        }
        self.put(&rows).await?;
        Ok(rows.len())
    }

    /// Rows that should have been claimed by now back into the schedule, due now.
    async fn sweep_overdue(&mut self) -> Result<usize, ReconcileError> {
        let visibility = self.ctx.settings.sender.visibility_timeout;
        let grace = chrono::Duration::from_std(OVERDUE_GRACE).unwrap_or_default();
        let now = Utc::now();
        let mut due_before = now - grace;
        // Rows due after the oldest entry no sender has read yet may be waiting behind it: a
        // backlog is not re-queued, only what is older than it and still unclaimed.
        match self.backlog_head().await {
            // Scores round due times up to the millisecond: a row due within the millisecond
            // before the head's score may be the head itself.
            Ok(Some(head)) => due_before = due_before.min(head - chrono::Duration::milliseconds(1)),
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %error_chain(&e), "cannot read the ready backlog"),
        }
        // An expired claim is taken over at once: a sender's own takeover (XAUTOCLAIM) comes
        // at about the same moment, and of two claims only one wins.
        let claimed_before =
            now - chrono::Duration::from_std(visibility + CLAIM_EXPIRY_MARGIN).unwrap_or_default();
        let rows = db::run(&self.ctx.pool, move |conn| {
            q::overdue(conn, due_before, claimed_before, OVERDUE_LIMIT).map_err(db::DbError::from)
        })
        .await?;
        let recently = Instant::now().checked_sub(visibility);
        self.swept
            .retain(|_, at| recently.is_none_or(|recently| *at > recently));
        let entries: Vec<(Uuid, i32, DateTime<Utc>)> = rows
            .into_iter()
            .filter(|(id, version, _)| !self.swept.contains_key(&(*id, *version)))
            .map(|(id, version, _)| (id, version, now))
            .collect();
        if entries.is_empty() {
            return Ok(0);
        }
        tracing::warn!(
            count = entries.len(),
            "overdue notifications put back into the schedule"
        );
        self.put(&entries).await?;
        let at = Instant::now();
        for (id, version, _) in &entries {
            self.swept.insert((*id, *version), at);
        }
        Ok(entries.len())
    }

    /// The due time of the oldest ready entry no sender has read yet, over every shard.
    async fn backlog_head(&self) -> redis::RedisResult<Option<DateTime<Utc>>> {
        let mut head: Option<DateTime<Utc>> = None;
        for keys in self.ctx.schedule.shards() {
            if let Some(due) = self.shard_backlog_head(&keys.ready).await? {
                head = Some(head.map_or(due, |h| h.min(due)));
            }
        }
        Ok(head)
    }

    async fn shard_backlog_head(&self, ready: &str) -> redis::RedisResult<Option<DateTime<Utc>>> {
        use redis::streams::{StreamInfoGroupsReply, StreamRangeReply};
        let mut conn = self.ctx.schedule.connection();
        let exists: bool = redis::cmd("EXISTS")
            .arg(ready)
            .query_async(&mut conn)
            .await?;
        if !exists {
            return Ok(None);
        }
        let groups: StreamInfoGroupsReply = redis::cmd("XINFO")
            .arg("GROUPS")
            .arg(ready)
            .query_async(&mut conn)
            .await?;
        let start = groups
            .groups
            .iter()
            .find(|g| g.name == super::SENDER_GROUP)
            .map(|g| format!("({}", g.last_delivered_id))
            .unwrap_or_else(|| "-".into());
        let next: StreamRangeReply = redis::cmd("XRANGE")
            .arg(ready)
            .arg(start)
            .arg("+")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut conn)
            .await?;
        Ok(next.ids.first().and_then(|entry| {
            let due: String = entry.get("d")?;
            DateTime::from_timestamp_millis(due.parse::<f64>().ok()? as i64)
        }))
    }

    /// Rows still within their claim, into the schedule at the claim's expiry.
    async fn schedule_claim_expiries(&self) -> Result<usize, ReconcileError> {
        let visibility = self.ctx.settings.sender.visibility_timeout;
        let after_expiry =
            chrono::Duration::from_std(visibility + CLAIM_EXPIRY_MARGIN).unwrap_or_default();
        let before = Utc::now() - chrono::Duration::from_std(visibility).unwrap_or_default();
        let rows = db::run(&self.ctx.pool, move |conn| {
            q::in_flight(conn, before, IN_FLIGHT_LIMIT).map_err(db::DbError::from)
        })
        .await?;
        let entries: Vec<_> = rows
            .into_iter()
            .map(|(id, version, claimed_at)| (id, version, claimed_at + after_expiry))
            .collect();
        self.put(&entries).await?;
        Ok(entries.len())
    }

    async fn put(&self, rows: &[(Uuid, i32, DateTime<Utc>)]) -> Result<(), ReconcileError> {
        for chunk in rows.chunks(1000) {
            // ZADD counts only members it added: entries that were missing, i.e. repairs.
            let added = self.ctx.schedule.put_many(chunk).await?;
            metrics::reconcile_repairs(added);
        }
        Ok(())
    }

    /// Every scheduled row back into the schedule, page by page. Returns whether it completed.
    pub async fn full_pass(&mut self) -> bool {
        let started = Instant::now();
        match self.try_full_pass().await {
            Ok(n) => {
                metrics::reconcile_pass();
                tracing::info!(
                    entries = n,
                    ms = started.elapsed().as_millis() as u64,
                    "schedule reconciled with PostgreSQL"
                );
                true
            }
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), "reconciliation failed");
                false
            }
        }
    }

    /// A full pass; the number of entries put back into the schedule.
    pub async fn try_full_pass(&mut self) -> Result<usize, ReconcileError> {
        // The marker goes in first and must still be there at the end: a flush during the
        // pass takes it along with the entries already put back, and the pass is redone.
        let mut conn = self.ctx.schedule.connection();
        for marker in self.markers() {
            let _: () = redis::cmd("SET")
                .arg(&marker)
                .arg("running")
                .query_async(&mut conn)
                .await?;
        }
        let mut total = self.recover_abandoned().await?;
        total += self.schedule_claim_expiries().await?;
        // Every scheduled row due within the horizon; later ones are the loader's.
        total += self.loader.pass(&self.ctx, true).await?.rows;
        // XX: only if the marker survived the pass.
        let done_at = format!("done:{}", Utc::now().timestamp_millis());
        let mut survived = true;
        for marker in self.markers() {
            let done: Option<String> = redis::cmd("SET")
                .arg(&marker)
                .arg(&done_at)
                .arg("XX")
                .query_async(&mut conn)
                .await?;
            survived &= done.is_some();
        }
        if !survived {
            return Err(ReconcileError::RedisLost);
        }
        Ok(total)
    }

    /// The full-pass markers: one per shard (a flush of one shard's node takes only its own),
    /// and the deployment's, which operators read.
    fn markers(&self) -> Vec<String> {
        let mut markers: Vec<String> = self
            .ctx
            .schedule
            .shards()
            .iter()
            .map(|k| k.reconciled.clone())
            .collect();
        let own = &self.ctx.schedule.keys().reconciled;
        if !markers.contains(own) {
            markers.push(own.clone());
        }
        markers
    }

    async fn periodic_pass(&mut self) {
        let horizon = Utc::now()
            + chrono::Duration::from_std(self.ctx.settings.scheduler.reconcile_interval * 2)
                .unwrap_or_default();
        let result: Result<usize, ReconcileError> = async {
            let mut total = self.recover_abandoned().await?;
            let rows = db::run(&self.ctx.pool, move |conn| {
                q::pending_due_before(conn, horizon, 50_000).map_err(db::DbError::from)
            })
            .await?;
            self.put(&rows).await?;
            total += rows.len();
            let _: () = redis::cmd("SET")
                .arg(&self.ctx.schedule.keys().reconciled_at)
                .arg(Utc::now().timestamp_millis())
                .query_async(&mut self.ctx.schedule.connection())
                .await?;
            Ok(total)
        }
        .await;
        match result {
            Ok(_) => metrics::reconcile_pass(),
            Err(e) => tracing::warn!(error = %error_chain(&e), "periodic reconciliation failed"),
        }
    }
}
