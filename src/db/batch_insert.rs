//! Notification creates, group-committed: concurrent requests are written with one multi-row
//! INSERT in one transaction per batch. Idempotent repeats resolve as in the one-row path.

use super::group_commit::GroupCommit;
use super::models::{NewNotification, Notification};
use super::schema::notifications;
use super::{DbError, PgPool};
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Largest batch: bounds one statement's size (PostgreSQL allows 65,535 bind parameters).
pub const MAX_BATCH: usize = 500;
/// Batches committing at once, so the next batch fills while one commits.
const IN_FLIGHT: usize = 4;

#[derive(Clone)]
pub struct NotificationWriter {
    inner: GroupCommit<(NewNotification, String), (Notification, bool)>,
}

impl NotificationWriter {
    pub fn start(pool: PgPool) -> NotificationWriter {
        NotificationWriter {
            inner: GroupCommit::start(pool, MAX_BATCH, IN_FLIGHT, insert_batch),
        }
    }

    /// Inserts (or finds the idempotent original); true when this call created the row.
    pub async fn insert(
        &self,
        row: NewNotification,
        actor: String,
    ) -> Result<(Notification, bool), DbError> {
        self.inner.submit((row, actor)).await
    }
}

/// Inserts rows (or finds their idempotent originals) inside the caller's transaction, with
/// their audit rows; one output per row, in order. At most [`MAX_BATCH`] rows per call.
pub fn insert_batch(
    conn: &mut PgConnection,
    rows: &[(NewNotification, String)],
) -> Result<Vec<(Notification, bool)>, DbError> {
    {
        let values: Vec<&NewNotification> = rows.iter().map(|(r, _)| r).collect();
        let inserted: Vec<Notification> = diesel::insert_into(notifications::table)
            .values(values)
            .on_conflict_do_nothing()
            .returning(Notification::as_returning())
            .get_results(conn)?;
        let mut by_id: HashMap<Uuid, Notification> =
            inserted.into_iter().map(|n| (n.id, n)).collect();
        let created: Vec<(&Notification, &str)> = rows
            .iter()
            .filter_map(|(r, actor)| by_id.get(&r.id).map(|n| (n, actor.as_str())))
            .collect();
        super::audit::record_created(conn, &created)?;
        let mut out = Vec::with_capacity(rows.len());
        for (row, _) in rows {
            match by_id.remove(&row.id) {
                Some(n) => out.push((n, true)),
                None => {
                    // An idempotent repeat (of an earlier request or of one in this batch).
                    let existing = notifications::table
                        .filter(notifications::tenant_id.eq(row.tenant_id))
                        .filter(notifications::idempotency_key.eq(&row.idempotency_key))
                        .select(Notification::as_select())
                        .first(conn)?;
                    out.push((existing, false));
                }
            }
        }
        Ok(out)
    }
}
