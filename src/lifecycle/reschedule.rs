//! `scheduled` → `scheduled` with new content or times, audited. The UPDATE is conditional on
//! the version the caller read, and bumps it: the old ready or schedule entry goes stale, and a
//! change that raced with a claim, a cancel or another reschedule is refused rather than lost.

use super::error::{not_scheduled, LifecycleError};
use crate::db::models::Notification;
use crate::db::{self, notifications as q};
use crate::domain::{format_time, NotificationId, NotificationStatus, TenantId};
use diesel::{Connection, PgConnection};
use serde_json::json;

/// Applies `change` to the row at `expected_version`. The caller then moves its schedule
/// entry (`after_commit::schedule` with `Some(expected_version)`).
pub fn reschedule(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
    expected_version: i32,
    change: &q::Reschedule,
    actor: &str,
) -> Result<Notification, LifecycleError> {
    conn.transaction(|conn| {
        let Some(row) = q::reschedule(conn, id.0, expected_version, change)? else {
            // Lost a race with a sender, a cancel or another reschedule.
            let now = q::find(conn, tenant_id, id)?.ok_or(LifecycleError::NotFound)?;
            return Err(if now.status == NotificationStatus::Scheduled {
                LifecycleError::Conflict("notification was changed concurrently; retry".into())
            } else {
                not_scheduled(now.status, "changed")
            });
        };
        db::audit::record(
            conn,
            tenant_id.0,
            actor,
            "notification.rescheduled",
            Some(id.0),
            json!({"send_at": format_time(row.send_at)}),
        )?;
        Ok(row)
    })
}
