//! `dead` → `scheduled`: due now, with a fresh attempt budget, audited. A series occurrence is
//! replayed only while its series has no other pending occurrence (a series has at most one).
//! [`replay_matching`] does it for every dead row matching a filter, a bounded batch at a time.

use super::error::LifecycleError;
use crate::db::models::Notification;
use crate::db::{self, notifications as q};
use crate::domain::{NotificationId, NotificationStatus, TenantId};
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use std::collections::HashSet;
use uuid::Uuid;

/// Replays a dead notification (audited): scheduled again, due now, with a fresh budget.
pub fn replay_one(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
    actor: &str,
) -> Result<Notification, LifecycleError> {
    conn.transaction(|conn| {
        let current = q::lock(conn, tenant_id, id)?.ok_or(LifecycleError::NotFound)?;
        if current.status != NotificationStatus::Dead {
            return Err(LifecycleError::Conflict(format!(
                "notification is {}; only dead notifications can be replayed",
                current.status
            )));
        }
        // The series moved on when this occurrence died; it may have only one pending.
        if let Some(series_id) = current.series_id {
            if let Some(pending) = db::series::pending_occurrence(conn, series_id)? {
                return Err(LifecycleError::Conflict(format!(
                    "series {series_id} has moved on to a pending occurrence ({pending}); \
                     cancel the series to replay this one"
                )));
            }
        }
        let row = q::replay(conn, tenant_id, id)?
            .ok_or_else(|| LifecycleError::Conflict("notification changed concurrently".into()))?;
        db::audit::record(
            conn,
            tenant_id.0,
            actor,
            "notification.replayed",
            Some(id.0),
            json!({}),
        )?;
        Ok(row)
    })
}

/// What one bounded replay did: the rows replayed, those skipped (with why), and how many
/// still match (counted up to [`db::stats::COUNT_CAP`]).
pub type ReplayBatch = (Vec<Notification>, Vec<Value>, i64);

/// Replays up to `limit` dead rows matching `f` (oldest first) in one transaction, audited.
pub fn replay_matching(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &q::ListFilter,
    limit: i64,
    actor: &str,
    given: &Value,
) -> Result<ReplayBatch, LifecycleError> {
    conn.transaction(|conn| {
        let ids = q::ids_matching(conn, tenant_id, f, limit)?;
        let mut replayed = Vec::new();
        let mut skipped = Vec::new();
        // A series may have only one pending occurrence: replay at most one dead occurrence
        // per series, and none of a series that has already moved on.
        let mut series_taken = HashSet::new();
        for id in ids {
            let Some(current) = q::lock(conn, TenantId(tenant_id), NotificationId(id))? else {
                continue;
            };
            if let Some(series_id) = current.series_id {
                let pending = db::series::pending_occurrence(conn, series_id)?;
                if pending.is_some() || !series_taken.insert(series_id) {
                    skipped.push(json!({"id": id, "reason": format!(
                        "series {series_id} already has a pending occurrence"
                    )}));
                    continue;
                }
            }
            if let Some(row) = q::replay(conn, TenantId(tenant_id), NotificationId(id))? {
                replayed.push(row);
            }
        }
        let done: Vec<Uuid> = replayed.iter().map(|r| r.id).collect();
        let bulk = super::Bulk {
            tenant_id,
            actor,
            filter: f,
            given,
        };
        let remaining = bulk.finish(
            conn,
            "notification.replayed",
            "notification.bulk_replayed",
            &done,
            json!({"replayed": done.len(), "skipped": skipped.len()}),
        )?;
        Ok((replayed, skipped, remaining))
    })
}
