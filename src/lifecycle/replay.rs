//! `dead` → `scheduled`: due now, with a fresh attempt budget, audited. A series occurrence is
//! replayed only while its series has no other pending occurrence (a series has at most one).

use super::error::LifecycleError;
use crate::db::models::Notification;
use crate::db::{self, notifications as q};
use crate::domain::NotificationStatus;
use diesel::{Connection, PgConnection};
use serde_json::json;
use uuid::Uuid;

/// Replays a dead notification (audited): scheduled again, due now, with a fresh budget.
pub fn replay_one(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    actor: &str,
) -> Result<Notification, LifecycleError> {
    conn.transaction(|conn| {
        let current = q::lock(conn, tenant_id, id)?.ok_or(LifecycleError::NotFound)?;
        if current.status != NotificationStatus::Dead.as_str() {
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
            tenant_id,
            actor,
            "notification.replayed",
            Some(id),
            json!({}),
        )?;
        Ok(row)
    })
}
