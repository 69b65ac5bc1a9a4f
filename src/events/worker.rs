//! The event-handler role (`worker`): reads event ids from the `{prefix}:events` stream with
//! the consumer group `workers` and turns each event into notifications (see `handler`).
//!
//! Each event is handled in one PostgreSQL transaction: the event row is locked, skipped unless
//! still `received`, the notifications are inserted (a unique `(event_id, event_slot)` makes a
//! second run a no-op) and the event is marked `processed`, `ignored` or `failed`. Only after
//! the commit are the notifications put into the schedule and the stream entry acknowledged
//! and deleted. A worker that dies before acknowledging leaves its entries pending; another
//! worker claims them (XAUTOCLAIM) after the visibility timeout. Events whose entry was lost
//! altogether are found in PostgreSQL, still `received`, and queued again.
//!
//! The stream plumbing is [`crate::stream`]'s; [`Worker::step`] is one turn of the loop, and
//! tests drive it by hand with [`Worker::stepping`].

use super::handler::{self, Plan, Planned};
use super::queue;
use crate::db::models::{Event, NewNotification};
use crate::db::{self, DbError};
use crate::domain::Recipient;
use crate::lifecycle::{self, after_commit};
use crate::schedule::RoleContext;
pub use crate::stream::StepOutcome;
use crate::stream::{Acknowledger, Read, StreamConsumer};
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use redis::streams::StreamId;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// An event still `received` this long after it was posted is queued again.
pub const REQUEUE_AGE: Duration = Duration::from_secs(30);
/// How often a worker reclaims abandoned entries and re-queues stuck events.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(30);
/// How long one blocking read waits; bounds how late a worker notices Redis coming back.
const BLOCK: Duration = Duration::from_secs(2);
const BATCH: usize = 32;
const RETRY_PAUSE: Duration = Duration::from_secs(1);
const REQUEUE_LIMIT: i64 = 1000;
/// The error kept on an event that failed for a reason of ours, not of its payload.
const INTERNAL_FAILURE: &str = "internal error while handling the event";

/// What handling one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Processed {
        notifications: usize,
    },
    Ignored,
    Failed,
    /// The event was no longer `received`: another run got there first.
    AlreadyHandled,
    /// No such event (its tenant was deleted).
    Missing,
}

type Created = Vec<(Uuid, i32, DateTime<Utc>)>;

/// Handles one event: decides and commits its outcome, then schedules what it created.
/// Safe to call any number of times for the same event.
#[tracing::instrument(skip_all, fields(event_id = %event_id))]
pub async fn process_one(ctx: &RoleContext, event_id: Uuid) -> Result<Outcome, DbError> {
    let max_attempts = ctx.settings.default_max_attempts();
    let allow_private = ctx.settings.channels.webhook_allow_private;
    let (outcome, created) = db::run(&ctx.pool, move |conn| {
        conn.transaction(|conn| {
            handle_locked(conn, event_id, max_attempts, allow_private, Utc::now())
        })
    })
    .await?;
    for (id, version, due) in &created {
        after_commit::schedule_entry(&ctx.schedule, *id, *version, *due).await;
    }
    let name = match &outcome {
        Outcome::Processed { .. } => Some("processed"),
        Outcome::Ignored => Some("ignored"),
        Outcome::Failed => Some("failed"),
        // Handled by another run (counted there), or gone with its tenant.
        Outcome::AlreadyHandled | Outcome::Missing => None,
    };
    if let Some(name) = name {
        crate::ops::metrics::event_processed(name);
    }
    tracing::debug!(outcome = name.unwrap_or("skipped"), "event handled");
    Ok(outcome)
}

fn handle_locked(
    conn: &mut PgConnection,
    event_id: Uuid,
    max_attempts: i32,
    allow_private: bool,
    now: DateTime<Utc>,
) -> Result<(Outcome, Created), DbError> {
    let Some(event) = db::events::lock(conn, event_id)? else {
        return Ok((Outcome::Missing, Vec::new()));
    };
    if event.status != "received" {
        return Ok((Outcome::AlreadyHandled, Vec::new()));
    }
    let rule = db::rules::find_for_type(conn, event.tenant_id, &event.event_type)?;
    let named: Vec<String> = handler::named_recipient(&event, rule.as_ref())
        .into_iter()
        .collect();
    let directory = crate::recipients::Directory::load(conn, event.tenant_id, &named)?;
    let plan = match handler::plan_with(&event, rule.as_ref(), now, &directory) {
        // As POST /notifications refuses such URLs, the event fails naming the field.
        Plan::Schedule(items) => match refused_webhook(&items, allow_private) {
            Some(error) => Plan::Failed(error),
            None => Plan::Schedule(items),
        },
        other => other,
    };
    match plan {
        Plan::Schedule(items) => {
            let mut created = Vec::with_capacity(items.len());
            for item in items {
                let new = notification_for(&event, item, max_attempts);
                if let Some(row) = db::events::insert_notification(conn, &new)? {
                    created.push(row);
                }
            }
            db::events::finish(conn, event.id, "processed", None)?;
            Ok((
                Outcome::Processed {
                    notifications: created.len(),
                },
                created,
            ))
        }
        Plan::Ignored(reason) => {
            db::events::finish(conn, event.id, "ignored", Some(&reason))?;
            Ok((Outcome::Ignored, Vec::new()))
        }
        Plan::Failed(error) => {
            tracing::info!(event_id = %event.id, %error, "event failed");
            db::events::finish(conn, event.id, "failed", Some(&error))?;
            Ok((Outcome::Failed, Vec::new()))
        }
    }
}

/// The first webhook recipient that points into a private network, as an event error.
fn refused_webhook(items: &[Planned], allow_private: bool) -> Option<String> {
    items.iter().find_map(|item| match &item.recipient {
        Recipient::Webhook(url) => {
            crate::channels::address_guard::forbidden_address_blocking(url.url(), allow_private)
                .map(|e| format!("{}: {e}", item.recipient_path))
        }
        _ => None,
    })
}

fn notification_for(event: &Event, item: Planned, max_attempts: i32) -> NewNotification {
    let send_at = item.send_at();
    let base = lifecycle::create::scheduled(
        event.tenant_id,
        item.channel,
        &item.recipient,
        item.body,
        send_at,
        max_attempts,
    );
    NewNotification {
        subject: item.subject,
        html: item.html,
        template: item.template,
        template_version: item.template_version,
        // Templates are rendered at send time from the payload.
        data: event.payload.clone(),
        target_date: Some(item.target_date),
        lead_time: Some(item.lead_time.to_iso()),
        timezone: item.timezone.map(|t| t.name().to_string()),
        event_id: Some(event.id),
        event_slot: Some(item.slot),
        recipient_id: item.recipient_id,
        category: item.category,
        fallback: item
            .fallback
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        ..base
    }
}

/// An event worker: the consumer of the events stream and when its maintenance is next due.
pub struct Worker {
    ctx: RoleContext,
    consumer: StreamConsumer,
    ack: Acknowledger,
    next_maintenance: Instant,
}

impl Worker {
    /// A worker whose reads wait for entries, as the role runs it.
    pub fn new(ctx: RoleContext) -> Worker {
        let name = StreamConsumer::unique_name("worker");
        Self::build(ctx, &name, Some(BLOCK))
    }

    /// A worker named `consumer` whose reads return at once, so a test can step it.
    pub fn stepping(ctx: RoleContext, consumer: &str) -> Worker {
        Self::build(ctx, consumer, None)
    }

    fn build(ctx: RoleContext, name: &str, block: Option<Duration>) -> Worker {
        let mut consumer = StreamConsumer::new(
            ctx.redis.clone(),
            &ctx.schedule.keys().events,
            queue::GROUP,
            name,
        )
        .retry_pause(RETRY_PAUSE);
        if let Some(block) = block {
            consumer = consumer.blocking(block);
        }
        Worker {
            ack: consumer.acknowledger(),
            consumer,
            next_maintenance: Instant::now(),
            ctx,
        }
    }

    /// One turn: the maintenance when it is due (takes over abandoned entries, re-queues stuck
    /// events), then one read of new entries, each handled and acknowledged.
    pub async fn step(&mut self, shutdown: &CancellationToken) -> StepOutcome {
        let mut taken = 0;
        if Instant::now() >= self.next_maintenance {
            taken += self.maintenance().await;
            self.next_maintenance = Instant::now() + MAINTENANCE_INTERVAL;
        }
        match self.consumer.read(BATCH, shutdown).await {
            Read::Entries(entries) => {
                taken += entries.len();
                self.handle(entries).await;
            }
            Read::GroupLost => {
                // Whatever was queued is gone with the stream; look for stuck events at once.
                self.next_maintenance = Instant::now();
                return StepOutcome::Unavailable;
            }
            Read::Unavailable => return StepOutcome::Unavailable,
            Read::Stopped => return StepOutcome::Stopped,
        }
        if taken == 0 {
            StepOutcome::Idle
        } else {
            StepOutcome::Worked { taken }
        }
    }

    /// Reads new entries once, without maintenance, and handles them; how many were handled.
    async fn read_once(&mut self) -> anyhow::Result<usize> {
        match self.consumer.read(BATCH, &CancellationToken::new()).await {
            Read::Entries(entries) => Ok(self.handle(entries).await),
            other => anyhow::bail!("cannot read the events stream: {other:?}"),
        }
    }

    /// Takes over entries held for longer than `min_idle`, in at most ten batches so one
    /// maintenance pass cannot starve the normal reads; how many were handled.
    async fn reclaim(&mut self, min_idle: Duration) -> redis::RedisResult<usize> {
        let mut handled = 0;
        for _ in 0..10 {
            let claimed = self.consumer.reclaim(min_idle, BATCH).await?;
            handled += self.handle(claimed).await;
            if !self.consumer.sweeping() {
                break;
            }
        }
        Ok(handled)
    }

    async fn maintenance(&mut self) -> usize {
        let reclaimed = match self
            .reclaim(self.ctx.settings.sender.visibility_timeout)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "could not reclaim abandoned event entries");
                0
            }
        };
        if let Err(e) = requeue_received(&self.ctx).await {
            tracing::warn!(error = %format!("{e:#}"), "could not re-queue stuck events");
        }
        reclaimed
    }

    /// Handles entries one by one and acknowledges those whose outcome is committed. An entry
    /// whose event could not be handled because PostgreSQL is away stays pending and is
    /// reclaimed later.
    async fn handle(&self, entries: Vec<StreamId>) -> usize {
        let mut done = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(event_id) = queue::event_id(&entry) else {
                tracing::warn!(entry = %entry.id, "dropping a malformed events stream entry");
                done.push(entry.id);
                continue;
            };
            if handle_with_retry(&self.ctx, event_id).await {
                done.push(entry.id);
            }
        }
        self.ack
            .ack(&mut self.ctx.schedule.connection(), &done)
            .await;
        done.len()
    }
}

/// Reads the entries not yet delivered to any consumer, without waiting, and handles them.
/// Returns how many entries were handled. Tests drain the stream with it.
pub async fn try_execute_once(ctx: &RoleContext, consumer: &str) -> anyhow::Result<usize> {
    Worker::stepping(ctx.clone(), consumer).read_once().await
}

/// Takes over entries another consumer has held for longer than `min_idle` (it died or hung)
/// and handles them. Returns how many entries were handled.
pub async fn reclaim(
    ctx: &RoleContext,
    consumer: &str,
    min_idle: Duration,
) -> anyhow::Result<usize> {
    Ok(Worker::stepping(ctx.clone(), consumer)
        .reclaim(min_idle)
        .await?)
}

/// Queues again every event still `received` [`REQUEUE_AGE`] after it was posted, by one
/// worker per [`REQUEUE_AGE`]: while a backlog is older than that, every worker's pass would
/// otherwise add yet another entry for each waiting event.
pub async fn requeue_received(ctx: &RoleContext) -> anyhow::Result<usize> {
    let mut conn = ctx.schedule.connection();
    let turn: Option<String> = redis::cmd("SET")
        .arg(&ctx.schedule.keys().events_requeue)
        .arg(1)
        .arg("NX")
        .arg("PX")
        .arg(REQUEUE_AGE.as_millis() as u64)
        .query_async(&mut conn)
        .await?;
    if turn.is_none() {
        return Ok(0);
    }
    requeue_received_older_than(ctx, REQUEUE_AGE).await
}

/// Queues again every event still `received` `age` after it was posted. An event that is in
/// fact still queued gets a second entry, which the status check turns into a no-op.
pub async fn requeue_received_older_than(
    ctx: &RoleContext,
    age: Duration,
) -> anyhow::Result<usize> {
    let before = Utc::now() - chrono::Duration::from_std(age)?;
    let ids = db::run(&ctx.pool, move |conn| {
        db::events::received_before(conn, before, REQUEUE_LIMIT).map_err(DbError::from)
    })
    .await?;
    if !ids.is_empty() {
        let mut conn = ctx.schedule.connection();
        queue::enqueue_many(&mut conn, ctx.schedule.keys(), &ids).await?;
        tracing::info!(events = ids.len(), "re-queued events stuck in received");
    }
    Ok(ids.len())
}

/// True when the event's outcome is committed. A query that fails twice (not for want of a
/// connection) would fail forever: the event is then marked `failed` rather than retried
/// without end.
async fn handle_with_retry(ctx: &RoleContext, event_id: Uuid) -> bool {
    let mut last = None;
    for _ in 0..2 {
        match process_one(ctx, event_id).await {
            Ok(_) => return true,
            Err(e) if e.is_unavailable() => {
                tracing::warn!(%event_id, error = %crate::telemetry::error_chain(&e), "database unavailable; the event will be retried");
                return false;
            }
            Err(e) => last = Some(e),
        }
    }
    let last = last
        .map(|e| crate::telemetry::error_chain(&e))
        .unwrap_or_default();
    tracing::error!(%event_id, error = %last, "could not handle event; marking it failed");
    let marked = db::run(&ctx.pool, move |conn| {
        db::events::finish(conn, event_id, "failed", Some(INTERNAL_FAILURE)).map_err(DbError::from)
    })
    .await;
    match marked {
        Ok(()) => {
            crate::ops::metrics::event_processed("failed");
            true
        }
        Err(e) => {
            tracing::warn!(%event_id, error = %crate::telemetry::error_chain(&e), "could not mark event failed; it will be retried");
            false
        }
    }
}

/// Runs until `shutdown`: an event being handled is finished, then the loop stops.
pub async fn run(ctx: RoleContext, shutdown: CancellationToken) {
    let mut conn = ctx.schedule.connection();
    let mut worker = Worker::new(ctx);
    tracing::info!(consumer = %worker.consumer.name(), "event worker started");
    while !shutdown.is_cancelled() {
        if worker.step(&shutdown).await == StepOutcome::Stopped {
            break;
        }
    }
    // Entries still pending for this consumer (none after a clean stop) are dropped with it;
    // their events are still `received` and get re-queued.
    worker.consumer.leave(&mut conn).await;
    tracing::info!(consumer = %worker.consumer.name(), "event worker stopped");
}
