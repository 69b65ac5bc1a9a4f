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

use super::handler::{self, Plan, Planned};
use super::queue;
use crate::db::models::{Event, NewNotification};
use crate::db::{self, DbError};
use crate::domain::Recipient;
use crate::lifecycle::{self, after_commit};
use crate::schedule::RoleContext;
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply};
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
    let allow_private = ctx.settings.webhook_allow_private;
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
    let plan = match handler::plan(&event, rule.as_ref(), now) {
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
        // Templates are rendered at send time from the payload.
        data: event.payload.clone(),
        target_date: Some(item.target_date),
        lead_time: Some(item.lead_time.to_iso()),
        timezone: item.timezone.map(|t| t.name().to_string()),
        event_id: Some(event.id),
        event_slot: Some(item.slot),
        ..base
    }
}

/// Reads the entries not yet delivered to any consumer, without waiting, and handles them.
/// Returns how many entries were handled. Tests drain the stream with it.
pub async fn try_execute_once(ctx: &RoleContext, consumer: &str) -> anyhow::Result<usize> {
    let keys = ctx.schedule.keys().clone();
    let mut conn = ctx.schedule.connection();
    queue::ensure_group(&mut conn, &keys).await?;
    let entries = read_new(&mut conn, &keys.events, consumer, None).await?;
    Ok(handle_entries(ctx, entries).await)
}

/// Takes over entries another consumer has held for longer than `min_idle` (it died or hung)
/// and handles them. Returns how many entries were handled.
pub async fn reclaim(
    ctx: &RoleContext,
    consumer: &str,
    min_idle: Duration,
) -> anyhow::Result<usize> {
    let keys = ctx.schedule.keys().clone();
    let mut conn = ctx.schedule.connection();
    let mut start = "0-0".to_string();
    let mut handled = 0;
    // Bounded, so one maintenance pass cannot starve the normal reads.
    for _ in 0..10 {
        let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&keys.events)
            .arg(queue::GROUP)
            .arg(consumer)
            .arg(min_idle.as_millis() as u64)
            .arg(&start)
            .arg("COUNT")
            .arg(BATCH)
            .query_async(&mut conn)
            .await?;
        if !reply.claimed.is_empty() {
            tracing::info!(
                entries = reply.claimed.len(),
                "reclaimed abandoned event entries"
            );
        }
        handled += handle_entries(ctx, reply.claimed).await;
        if reply.next_stream_id == "0-0" {
            break;
        }
        start = reply.next_stream_id;
    }
    Ok(handled)
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

async fn read_new<C: ConnectionLike + Send>(
    conn: &mut C,
    stream: &str,
    consumer: &str,
    block: Option<Duration>,
) -> redis::RedisResult<Vec<StreamId>> {
    let mut options = StreamReadOptions::default()
        .group(queue::GROUP, consumer)
        .count(BATCH);
    if let Some(block) = block {
        options = options.block(block.as_millis() as usize);
    }
    let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
        .arg(&options)
        .arg("STREAMS")
        .arg(stream)
        .arg(">")
        .query_async(conn)
        .await?;
    Ok(reply
        .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
        .unwrap_or_default())
}

/// Handles entries one by one and acknowledges those whose outcome is committed. An entry whose
/// event could not be handled because PostgreSQL is away stays pending and is reclaimed later.
async fn handle_entries(ctx: &RoleContext, entries: Vec<StreamId>) -> usize {
    let mut done = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(event_id) = queue::event_id(&entry) else {
            tracing::warn!(entry = %entry.id, "dropping a malformed events stream entry");
            done.push(entry.id);
            continue;
        };
        if handle_with_retry(ctx, event_id).await {
            done.push(entry.id);
        }
    }
    let handled = done.len();
    let mut conn = ctx.schedule.connection();
    if let Err(e) = queue::done(&mut conn, ctx.schedule.keys(), &done).await {
        // The entries come back after the visibility timeout; handling them again is a no-op.
        tracing::warn!(error = %e, "could not acknowledge event entries");
    }
    handled
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

/// Blocking reads get their own connection: a read parked in Redis for seconds would hold up
/// every other command on the shared multiplexed connection.
async fn connect_reader(client: &redis::Client) -> redis::RedisResult<MultiplexedConnection> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Duration::from_secs(2))
        .set_response_timeout(BLOCK + Duration::from_secs(5));
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
}

async fn maintenance(ctx: &RoleContext, consumer: &str) {
    if let Err(e) = reclaim(ctx, consumer, ctx.settings.visibility_timeout).await {
        tracing::warn!(error = %format!("{e:#}"), "could not reclaim abandoned event entries");
    }
    if let Err(e) = requeue_received(ctx).await {
        tracing::warn!(error = %format!("{e:#}"), "could not re-queue stuck events");
    }
}

/// Sleeps, unless shutdown comes first.
async fn pause(shutdown: &CancellationToken, d: Duration) {
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = tokio::time::sleep(d) => {}
    }
}

/// Runs until `shutdown`: an event being handled is finished, then the loop stops.
pub async fn run(ctx: RoleContext, shutdown: CancellationToken) {
    let consumer = format!("worker-{}", Uuid::new_v4().simple());
    let keys = ctx.schedule.keys().clone();
    let mut reader: Option<MultiplexedConnection> = None;
    let mut group_ready = false;
    let mut next_maintenance = Instant::now();
    tracing::info!(%consumer, "event worker started");
    while !shutdown.is_cancelled() {
        if !group_ready {
            let mut conn = ctx.schedule.connection();
            if let Err(e) = queue::ensure_group(&mut conn, &keys).await {
                tracing::warn!(error = %e, "cannot create the events consumer group");
                pause(&shutdown, RETRY_PAUSE).await;
                continue;
            }
            group_ready = true;
        }
        if Instant::now() >= next_maintenance {
            maintenance(&ctx, &consumer).await;
            next_maintenance = Instant::now() + MAINTENANCE_INTERVAL;
        }
        let conn = match reader.as_mut() {
            Some(conn) => conn,
            None => match connect_reader(&ctx.redis).await {
                Ok(conn) => reader.insert(conn),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot connect to Redis for event reads");
                    pause(&shutdown, RETRY_PAUSE).await;
                    continue;
                }
            },
        };
        let read = tokio::select! {
            _ = shutdown.cancelled() => break,
            read = read_new(conn, &keys.events, &consumer, Some(BLOCK)) => read,
        };
        match read {
            Ok(entries) => {
                handle_entries(&ctx, entries).await;
            }
            Err(e) => {
                // Redis lost the group (restarted empty, flushed): create it again.
                if e.code() == Some("NOGROUP") {
                    group_ready = false;
                    // Whatever was queued is gone with it; look for stuck events right away.
                    next_maintenance = Instant::now();
                } else {
                    tracing::warn!(error = %e, "reading the events stream failed");
                    reader = None;
                    pause(&shutdown, RETRY_PAUSE).await;
                }
            }
        }
    }
    // Entries still pending for this consumer (none after a clean stop) are dropped with it;
    // their events are still `received` and get re-queued.
    let deleted: redis::RedisResult<i64> = redis::cmd("XGROUP")
        .arg("DELCONSUMER")
        .arg(&keys.events)
        .arg(queue::GROUP)
        .arg(&consumer)
        .query_async(&mut ctx.schedule.connection())
        .await;
    if let Err(e) = deleted {
        tracing::debug!(error = %e, "could not remove the consumer from the group");
    }
    tracing::info!(%consumer, "event worker stopped");
}
