//! The per-tenant cap counts (`api::limits` decides what they allow). Each count reads at most
//! `cap + 1` rows, so its cost is bounded by the cap, not by the table.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use uuid::Uuid;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Serialises the cap checks of one tenant until the transaction ends; a new snapshot per
/// statement (READ COMMITTED) then sees every create of this tenant that committed meanwhile.
pub fn lock_tenant(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<()> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('chime.caps:' || $1::text, 0))",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .execute(conn)
    .map(|_| ())
}

/// Active series of the tenant, counted up to `cap + 1`.
pub fn active_series(conn: &mut PgConnection, tenant_id: Uuid, cap: u64) -> QueryResult<u64> {
    count(
        conn,
        "SELECT count(*) AS n FROM (SELECT 1 FROM series WHERE tenant_id = $1 AND status = 'active' LIMIT $2) s",
        tenant_id,
        cap,
    )
}

/// Pending (scheduled or sending) notifications of the tenant, counted up to `cap + 1`.
pub fn pending_notifications(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    cap: u64,
) -> QueryResult<u64> {
    count(
        conn,
        "SELECT count(*) AS n FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 AND status IN ('scheduled', 'sending') LIMIT $2) s",
        tenant_id,
        cap,
    )
}

fn count(conn: &mut PgConnection, sql: &str, tenant_id: Uuid, cap: u64) -> QueryResult<u64> {
    let row: Count = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<BigInt, _>(cap.saturating_add(1).min(i64::MAX as u64) as i64)
        .get_result(conn)?;
    Ok(row.n.max(0) as u64)
}
