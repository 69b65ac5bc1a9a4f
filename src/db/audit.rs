use super::models::Notification;
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

/// The `notification.created` rows of new notifications, each with its creator, in one
/// statement: the one-row create and the group-committed batches both write them here.
pub fn record_created(
    conn: &mut PgConnection,
    created: &[(&Notification, &str)],
) -> QueryResult<()> {
    if created.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = created
        .iter()
        .map(|(n, actor)| {
            (
                audit_log::tenant_id.eq(n.tenant_id),
                audit_log::actor.eq(*actor),
                audit_log::action.eq("notification.created"),
                audit_log::subject_id.eq(Some(n.id)),
                audit_log::detail
                    .eq(serde_json::json!({"send_at": crate::domain::format_time(n.send_at)})),
            )
        })
        .collect();
    diesel::insert_into(audit_log::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}
