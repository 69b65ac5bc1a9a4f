//! `scheduled` → `cancelled`, one notification or a group, audited. The version goes up, so a
//! ready entry already on its way to a sender is stale: the claim (which requires the version
//! and `status = 'scheduled'`) skips it. Cancelling one occurrence leaves its series running:
//! the next occurrence is made in the same transaction.

use super::error::{not_scheduled, LifecycleError};
use crate::db::models::Notification;
use crate::db::{self, notifications as q};
use crate::domain::{NotificationId, NotificationStatus, TenantId};
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use uuid::Uuid;

/// A cancel's outcome: the row, the version to remove from the schedule (`None` when it was
/// cancelled already) and a series' next occurrence to schedule.
pub type Cancelled = (Notification, Option<i32>, Option<Notification>);

/// Cancels a scheduled notification (audited); cancelling a cancelled one changes nothing.
/// A notification already `sending` is not cancelled: its send is under way (409).
pub fn cancel_one(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
    actor: &str,
) -> Result<Cancelled, LifecycleError> {
    conn.transaction(|conn| {
        let current = q::lock(conn, tenant_id, id)?.ok_or(LifecycleError::NotFound)?;
        match current.status {
            NotificationStatus::Cancelled => Ok((current, None, None)),
            NotificationStatus::Scheduled => {
                let row = q::cancel(conn, tenant_id, id)?
                    .ok_or_else(|| not_scheduled(current.status, "cancelled"))?;
                db::audit::record(
                    conn,
                    tenant_id.0,
                    actor,
                    "notification.cancelled",
                    Some(id.0),
                    json!({}),
                )?;
                let next = match row.series_id {
                    Some(series_id) => super::series::advance(conn, series_id, &row)?,
                    None => None,
                };
                Ok((row, Some(current.version), next))
            }
            _ => Err(not_scheduled(current.status, "cancelled")),
        }
    })
}

/// A group cancel's outcome: `(id, previous version)` of each row cancelled, and the next
/// occurrences of their series.
pub type GroupCancelled = (Vec<(Uuid, i32)>, Vec<Notification>);

/// Cancels every scheduled notification of a group (one audit row); returns the
/// `(id, previous version)` pairs to remove from the schedule and the series' next occurrences
/// to schedule.
pub fn cancel_group(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    group_key: &str,
    actor: &str,
) -> Result<GroupCancelled, LifecycleError> {
    conn.transaction(|conn| {
        let rows = q::cancel_where(conn, tenant_id, Some(group_key), None, None)?;
        let next = advance_cancelled(conn, &rows)?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "notification.group_cancelled",
            None,
            json!({"group_key": group_key, "cancelled": rows.len()}),
        )?;
        Ok((rows, next))
    })
}

/// The next occurrences of the series among rows just cancelled (as with a single cancel, a
/// cancelled occurrence leaves its series running).
pub fn advance_cancelled(
    conn: &mut PgConnection,
    cancelled: &[(Uuid, i32)],
) -> diesel::QueryResult<Vec<Notification>> {
    let ids: Vec<Uuid> = cancelled.iter().map(|(id, _)| *id).collect();
    let occurrences = db::series::occurrences_among(conn, &ids)?;
    super::series::advance_each(conn, &occurrences)
}

/// A bulk cancel's outcome: [`GroupCancelled`] and how many rows still match (capped).
pub type MatchingCancelled = (Vec<(Uuid, i32)>, Vec<Notification>, i64);

/// Cancels up to `limit` scheduled rows matching `f` (oldest first) in one transaction, each
/// audited, plus one audit row for the call (`given` is the filter as the caller gave it).
pub fn cancel_matching(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &q::ListFilter,
    limit: i64,
    actor: &str,
    given: &Value,
) -> Result<MatchingCancelled, LifecycleError> {
    conn.transaction(|conn| {
        let ids = q::ids_matching(conn, tenant_id, f, limit)?;
        let rows = q::cancel_ids(conn, tenant_id, &ids)?;
        let done: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
        let next = advance_cancelled(conn, &rows)?;
        let bulk = super::Bulk {
            tenant_id,
            actor,
            filter: f,
            given,
        };
        let remaining = bulk.finish(
            conn,
            "notification.cancelled",
            "notification.bulk_cancelled",
            &done,
            json!({"cancelled": done.len()}),
        )?;
        Ok((rows, next, remaining))
    })
}
