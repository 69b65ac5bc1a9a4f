use super::schema::audit_log;
use diesel::prelude::*;
use uuid::Uuid;

/// Appends one audit row. `actor` is `key:<id>`, `user:<id>` or `system`.
pub fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &str,
    action: &str,
    subject_id: Option<Uuid>,
    detail: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::tenant_id.eq(tenant_id),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::subject_id.eq(subject_id),
            audit_log::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// One audit row per subject, all with the same action and detail, in one statement.
pub fn record_each(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &str,
    action: &str,
    subject_ids: &[Uuid],
    detail: &serde_json::Value,
) -> QueryResult<()> {
    let rows: Vec<_> = subject_ids
        .iter()
        .map(|id| {
            (
                audit_log::tenant_id.eq(tenant_id),
                audit_log::actor.eq(actor),
                audit_log::action.eq(action),
                audit_log::subject_id.eq(Some(*id)),
                audit_log::detail.eq(detail),
            )
        })
        .collect();
    diesel::insert_into(audit_log::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}
