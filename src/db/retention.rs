//! Purging finished work past the retention period, in bounded batches so a purge never holds
//! long locks or long transactions next to delivery.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

pub fn tenant_ids(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    use super::schema::tenants::dsl::*;
    tenants.select(id).order(id).load(conn)
}

/// Deletes up to `limit` of `tenant`'s notifications that ended (sent, cancelled, expired, dead)
/// before `cutoff`, with their delivery attempts (by cascade) and their audit rows. A row is
/// created before it ends, so `created_at < cutoff` lets the scan walk the tenant's list index
/// instead of every row. Rows another transaction holds are skipped, not waited for.
pub fn purge_notifications(
    conn: &mut PgConnection,
    tenant: Uuid,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let ids: Vec<Id> = diesel::sql_query(
            "WITH doomed AS ( \
               SELECT id FROM notifications \
               WHERE tenant_id = $1 AND created_at < $2 AND updated_at < $2 \
                 AND status IN ('sent', 'cancelled', 'expired', 'dead', 'suppressed') \
               ORDER BY created_at LIMIT $3 \
               FOR UPDATE SKIP LOCKED \
             ) \
             DELETE FROM notifications n USING doomed d WHERE n.id = d.id RETURNING n.id",
        )
        .bind::<SqlUuid, _>(tenant)
        .bind::<Timestamptz, _>(cutoff)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
        if !ids.is_empty() {
            let ids: Vec<Uuid> = ids.into_iter().map(|r| r.id).collect();
            diesel::sql_query(
                "DELETE FROM audit_log WHERE tenant_id = $1 AND subject_id = ANY($2::uuid[])",
            )
            .bind::<SqlUuid, _>(tenant)
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
            .execute(conn)?;
            return Ok(ids.len());
        }
        Ok(0)
    })
}

/// One window of the audit purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditWindow {
    pub deleted: usize,
    /// Where the next window starts; `None` once the scan has reached rows inside retention
    /// (or the end of the table).
    pub next_after: Option<i64>,
}

/// Looks at the `limit` audit rows after id `after` (ids grow with time) and deletes those older
/// than `cutoff`, except the ones about a notification that still exists: a reminder due years
/// from now keeps the record of who created it.
pub fn purge_audit_window(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    after: i64,
    limit: i64,
) -> QueryResult<AuditWindow> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        deleted: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        last_id: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Bool>)]
        reached: Option<bool>,
    }
    let row: Row = diesel::sql_query(
        "WITH w AS ( \
           SELECT id, created_at, subject_id FROM audit_log WHERE id > $3 ORDER BY id LIMIT $2 \
         ), d AS ( \
           DELETE FROM audit_log a USING w WHERE a.id = w.id AND w.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = w.subject_id) \
           RETURNING a.id \
         ) \
         SELECT (SELECT count(*) FROM d) AS deleted, (SELECT max(id) FROM w) AS last_id, \
                (SELECT bool_or(created_at >= $1) FROM w) AS reached",
    )
    .bind::<Timestamptz, _>(cutoff)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(after)
    .get_result(conn)?;
    let next_after = match (row.last_id, row.reached) {
        (Some(last), Some(false)) => Some(last),
        _ => None,
    };
    Ok(AuditWindow {
        deleted: row.deleted as usize,
        next_after,
    })
}
