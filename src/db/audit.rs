use super::models::Notification;
use super::schema::audit_log;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Text, Untyped, Uuid as SqlUuid};
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
/// statement of fixed text (prepared once per connection): the one-row create and the
/// group-committed batches both write them here.
pub fn record_created(
    conn: &mut PgConnection,
    created: &[(&Notification, &str)],
) -> QueryResult<()> {
    if created.is_empty() {
        return Ok(());
    }
    CreatedRows {
        tenant_ids: created.iter().map(|(n, _)| n.tenant_id).collect(),
        actors: created.iter().map(|(_, a)| a.to_string()).collect(),
        subject_ids: created.iter().map(|(n, _)| n.id).collect(),
        send_ats: created
            .iter()
            .map(|(n, _)| crate::domain::format_time(n.send_at))
            .collect(),
    }
    .execute(conn)?;
    Ok(())
}

#[derive(QueryId)]
struct CreatedRows {
    tenant_ids: Vec<Uuid>,
    actors: Vec<String>,
    subject_ids: Vec<Uuid>,
    send_ats: Vec<String>,
}

impl QueryFragment<Pg> for CreatedRows {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO audit_log (tenant_id, actor, action, subject_id, detail) \
             SELECT t, a, 'notification.created', s, jsonb_build_object('send_at', d) \
             FROM unnest(",
        );
        out.push_bind_param::<Array<SqlUuid>, _>(&self.tenant_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.actors)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.subject_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.send_ats)?;
        out.push_sql(") AS u(t, a, s, d)");
        Ok(())
    }
}

impl Query for CreatedRows {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for CreatedRows {}
