//! The Redis writes that follow a commit. PostgreSQL already holds the change, so the caller
//! succeeds either way: a schedule write that fails is repeated in the background by
//! `Schedule`, and the leader's overdue sweep and the reconciler re-add every pending row; a
//! removal that fails leaves a stale entry that the claim drops (its version no longer
//! matches). An unreachable Redis must not hold a response for the client's whole retry
//! budget, so each write waits at most [`AFTER_COMMIT_TIMEOUT`].

use crate::db::models::Notification;
use crate::domain::NotificationStatus;
use crate::schedule::Schedule;
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// How long a caller waits for Redis after its transaction committed.
pub const AFTER_COMMIT_TIMEOUT: Duration = Duration::from_secs(1);

/// Puts a committed row into the schedule if it is `scheduled` (replacing the entry of
/// `previous_version`); false when Redis failed.
pub async fn schedule(
    schedule: &Schedule,
    row: &Notification,
    previous_version: Option<i32>,
) -> bool {
    if row.status != NotificationStatus::Scheduled {
        return true;
    }
    let put = schedule.put(row.id, row.version, row.due_at, previous_version);
    write(
        row.id,
        "schedule",
        "the write is repeated in the background, and the overdue sweep covers it",
        put,
    )
    .await
}

/// [`schedule`] for a row known only by its id, version and due time (a new row).
pub async fn schedule_entry(
    schedule: &Schedule,
    id: Uuid,
    version: i32,
    due: DateTime<Utc>,
) -> bool {
    let put = schedule.put(id, version, due, None);
    write(
        id,
        "schedule",
        "the write is repeated in the background, and the overdue sweep covers it",
        put,
    )
    .await
}

/// Removes the entry of a row that is no longer pending at `version`.
pub async fn unschedule(schedule: &Schedule, id: Uuid, version: i32) -> bool {
    let remove = schedule.remove(id, version);
    write(id, "unschedule", "the claim drops the stale entry", remove).await
}

/// [`schedule`] for many committed rows, in one Redis round trip.
pub async fn schedule_many(schedule: &Schedule, rows: &[&Notification]) -> bool {
    let entries: Vec<_> = rows
        .iter()
        .filter(|r| r.status == NotificationStatus::Scheduled)
        .map(|r| (r.id, r.version, r.due_at))
        .collect();
    let Some(first) = entries.first().map(|e| e.0) else {
        return true;
    };
    let put = async { schedule.put_many(&entries).await.map(|_| ()) };
    write(
        first,
        "schedule a batch",
        "the overdue sweep and the reconciler add every pending row",
        put,
    )
    .await
}

/// One Redis write after a commit: waits at most [`AFTER_COMMIT_TIMEOUT`], logs a failure with
/// what repairs it (`fallback`) and reports whether it succeeded.
async fn write(
    id: Uuid,
    what: &str,
    fallback: &str,
    write: impl std::future::Future<Output = redis::RedisResult<()>>,
) -> bool {
    let error = match tokio::time::timeout(AFTER_COMMIT_TIMEOUT, write).await {
        Ok(Ok(())) => return true,
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {AFTER_COMMIT_TIMEOUT:?}"),
    };
    tracing::warn!(notification_id = %id, %error, "could not {what} in Redis; {fallback}");
    false
}
