//! The outcome of a claimed attempt: `sending` → `sent`, → `scheduled` (retry, with its
//! attempt row), → `dead` or → `expired`, and the series' next occurrence when one ends. Each
//! write is conditional on the claim still being ours (`db::notifications::our_claim`).

use crate::db::models::{NewDeliveryAttempt, Notification};
use crate::db::{self, notifications as q, DbError};
use crate::domain::NotificationStatus as S;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use std::time::Duration;
use uuid::Uuid;

pub const EXPIRED_ERROR: &str = "expired before it could be sent";

/// What happened to one claimed notification.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent {
        summary: String,
        /// The provider's id of the message, for its later status reports.
        provider_message_id: Option<String>,
    },
    Retry {
        error: String,
        delay: Duration,
    },
    Dead {
        error: String,
    },
    Expired,
}

impl Outcome {
    /// The `outcome` of metrics and log lines.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Retry { .. } => "retry",
            Outcome::Dead { .. } => "dead",
            Outcome::Expired => "expired",
        }
    }
}

/// An outcome to write: the claimed row, when the attempt started, and what happened.
pub type Recorded = (Notification, DateTime<Utc>, Outcome);

/// The row recording made due that the schedule must now hold: the retry of a transient
/// failure, or the next occurrence of a series (never both).
pub type RecordEffect = Option<Notification>;

/// The next occurrence after `prev` ended through [`record_status_only`]. Best effort: the
/// outcome is already written, so a failure here is logged rather than undoing it.
pub fn advance_series_after_fallback(
    conn: &mut PgConnection,
    prev: &Notification,
) -> Result<RecordEffect, DbError> {
    let Some(series_id) = prev.series_id else {
        return Ok(None);
    };
    match super::series::advance(conn, series_id, prev) {
        Ok(next) => Ok(next),
        Err(e) => {
            tracing::error!(%series_id, error = %e, "could not create the next occurrence");
            Ok(None)
        }
    }
}

/// An outcome's status change alone, without its attempt row (the caller moves a series on). Should even
/// that fail (other than for an outage), a failure still ends the row, as `dead`.
pub fn record_status_only(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    outcome: &Outcome,
) -> Result<RecordEffect, DbError> {
    let written = match outcome {
        Outcome::Sent { .. } => q::mark_sent(conn, id, version).map(|_| None),
        Outcome::Retry { error, delay } => {
            let due = Utc::now() + chrono::Duration::from_std(*delay).unwrap_or_default();
            q::mark_retry(conn, id, version, due, error)
        }
        Outcome::Dead { error } => q::mark_final(conn, id, version, S::Dead, error).map(|_| None),
        Outcome::Expired => {
            q::mark_final(conn, id, version, S::Expired, EXPIRED_ERROR).map(|_| None)
        }
    };
    let failure = match written {
        Ok(effect) => {
            // A digest carrier's constituents end with it (none for other rows).
            settle_digest(conn, id, outcome, effect.as_ref())?;
            return Ok(effect);
        }
        Err(e) => e,
    };
    let reason = failure.to_string();
    let failure = DbError::from(failure);
    if failure.is_unavailable() || matches!(outcome, Outcome::Sent { .. }) {
        return Err(failure);
    }
    let error = format!("the outcome could not be recorded: {reason}");
    q::mark_final(conn, id, version, S::Dead, &error)?;
    Ok(None)
}

/// Ends a digest carrier's constituents as its outcome ends it (or schedules them with its retry).
fn settle_digest(
    conn: &mut PgConnection,
    carrier: Uuid,
    outcome: &Outcome,
    retry_row: Option<&Notification>,
) -> Result<(), DbError> {
    use crate::recipients::digest::{settle, Settled};
    let how = match outcome {
        Outcome::Sent { .. } => Settled::Sent,
        Outcome::Dead { error } => Settled::Final("dead", error),
        Outcome::Expired => Settled::Final("expired", EXPIRED_ERROR),
        Outcome::Retry { .. } => match retry_row {
            Some(r) => Settled::Retry(r.due_at),
            None => return Ok(()),
        },
    };
    settle(conn, carrier, how)?;
    Ok(())
}

/// Writes a batch of outcomes in the caller's transaction; one effect per item, in order.
pub fn record_batch(
    conn: &mut PgConnection,
    items: &[Recorded],
) -> Result<Vec<RecordEffect>, DbError> {
    // The common case, a plain success, is written for the whole batch with one statement;
    // everything else (retries, dead letters, series occurrences) row by row.
    let is_plain_success = |(row, _, outcome): &Recorded| {
        matches!(outcome, Outcome::Sent { .. })
            && row.series_id.is_none()
            && row.digest_of.is_none()
    };
    let sent: Vec<&Recorded> = items.iter().filter(|i| is_plain_success(i)).collect();
    let sent_ids: std::collections::HashSet<Uuid> = if sent.is_empty() {
        Default::default()
    } else {
        let pairs: Vec<(Uuid, i32)> = sent.iter().map(|(r, _, _)| (r.id, r.version)).collect();
        let finished_at = Utc::now();
        let attempts: Vec<NewDeliveryAttempt> = sent
            .iter()
            .map(|(row, started_at, outcome)| NewDeliveryAttempt {
                id: Uuid::new_v4(),
                notification_id: row.id,
                tenant_id: row.tenant_id,
                attempt_number: row.attempts,
                started_at: *started_at,
                finished_at,
                outcome: "success".into(),
                error: None,
                response_summary: match outcome {
                    Outcome::Sent { summary, .. } => Some(summary.clone()),
                    _ => None,
                },
                provider_message_id: match outcome {
                    Outcome::Sent {
                        provider_message_id,
                        ..
                    } => provider_message_id.clone(),
                    _ => None,
                },
            })
            .collect();
        q::mark_many_sent(conn, &pairs, &attempts)?
            .into_iter()
            .collect()
    };
    items
        .iter()
        .map(|item| {
            if is_plain_success(item) {
                if !sent_ids.contains(&item.0.id) {
                    tracing::warn!(notification_id = %item.0.id, "sent, but the claim was taken over meanwhile");
                }
                Ok(None)
            } else {
                record_one(conn, &item.0, item.1, &item.2)
            }
        })
        .collect()
}

pub fn record_one(
    conn: &mut PgConnection,
    row: &Notification,
    started_at: DateTime<Utc>,
    outcome: &Outcome,
) -> Result<RecordEffect, DbError> {
    let (id, version) = (row.id, row.version);
    let mut attempt = NewDeliveryAttempt {
        id: Uuid::new_v4(),
        notification_id: id,
        tenant_id: row.tenant_id,
        attempt_number: row.attempts,
        started_at,
        finished_at: Utc::now(),
        outcome: String::new(),
        error: None,
        response_summary: None,
        provider_message_id: None,
    };
    let mut retry_row = None;
    let finished = match outcome {
        Outcome::Sent {
            summary,
            provider_message_id,
        } => {
            attempt.outcome = "success".into();
            attempt.response_summary = Some(summary.clone());
            attempt.provider_message_id = provider_message_id.clone();
            q::mark_sent(conn, id, version)?
        }
        Outcome::Retry { error, delay } => {
            attempt.outcome = "transient_failure".into();
            attempt.error = Some(error.clone());
            let due = Utc::now() + chrono::Duration::from_std(*delay).unwrap_or_default();
            retry_row = q::mark_retry(conn, id, version, due, error)?;
            false
        }
        Outcome::Dead { error } => {
            attempt.outcome = "permanent_failure".into();
            attempt.error = Some(error.clone());
            // The next channel, if any, in this same transaction: never both, never twice.
            if let Some(next) = crate::recipients::fallback::switch(conn, row, error)? {
                db::attempts::record(conn, attempt)?;
                return Ok(Some(next));
            }
            q::mark_final(conn, id, version, S::Dead, error)?
        }
        Outcome::Expired => {
            attempt.outcome = "expired".into();
            attempt.error = Some(EXPIRED_ERROR.into());
            q::mark_final(conn, id, version, S::Expired, EXPIRED_ERROR)?
        }
    };
    db::attempts::record(conn, attempt)?;
    if row.digest_of == Some(id) {
        settle_digest(conn, id, outcome, retry_row.as_ref())?;
    }
    match row.series_id {
        Some(series_id) if finished => Ok(super::series::advance(conn, series_id, row)?),
        _ => Ok(retry_row),
    }
}
