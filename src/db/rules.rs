//! Queries on the rules table: at most one rule per `(tenant, event_type)`.

use super::models::Rule;
use super::schema::rules::{self, dsl as r};
use diesel::dsl::now;
use diesel::prelude::*;
use uuid::Uuid;

/// The fields a rule is made of; `PUT` replaces all of them.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = rules, treat_none_as_null = true)]
pub struct RuleFields {
    pub event_type: String,
    pub channel: Option<String>,
    pub recipient_path: Option<String>,
    pub recipient_id_path: Option<String>,
    pub category: Option<String>,
    pub target_date_path: String,
    pub timezone_path: Option<String>,
    pub lead_times: Vec<String>,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    /// A stored template rendered instead of `subject`, `body` and `html`.
    pub template: Option<String>,
    pub template_version: Option<i32>,
    pub fallback: Vec<String>,
}

/// Inserts a rule; a second rule for the same event type is a unique violation.
pub fn insert(conn: &mut PgConnection, tenant_id: Uuid, f: &RuleFields) -> QueryResult<Rule> {
    let at = chrono::Utc::now();
    diesel::insert_into(rules::table)
        .values(Rule {
            id: Uuid::new_v4(),
            tenant_id,
            event_type: f.event_type.clone(),
            channel: f.channel.clone(),
            recipient_path: f.recipient_path.clone(),
            target_date_path: f.target_date_path.clone(),
            timezone_path: f.timezone_path.clone(),
            lead_times: f.lead_times.clone(),
            subject: f.subject.clone(),
            body: f.body.clone(),
            created_at: at,
            updated_at: at,
            html: f.html.clone(),
            template: f.template.clone(),
            template_version: f.template_version,
            recipient_id_path: f.recipient_id_path.clone(),
            category: f.category.clone(),
            fallback: f.fallback.clone(),
        })
        .returning(Rule::as_returning())
        .get_result(conn)
}

pub fn list(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<Vec<Rule>> {
    rules::table
        .filter(r::tenant_id.eq(tenant_id))
        .order((r::event_type.asc(), r::id.asc()))
        .select(Rule::as_select())
        .load(conn)
}

pub fn find(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<Rule>> {
    rules::table
        .filter(r::tenant_id.eq(tenant_id))
        .filter(r::id.eq(id))
        .select(Rule::as_select())
        .first(conn)
        .optional()
}

pub fn find_for_type(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    event_type: &str,
) -> QueryResult<Option<Rule>> {
    rules::table
        .filter(r::tenant_id.eq(tenant_id))
        .filter(r::event_type.eq(event_type))
        .select(Rule::as_select())
        .first(conn)
        .optional()
}

/// Replaces every field of a rule. `None` when there is no such rule.
pub fn replace(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    f: &RuleFields,
) -> QueryResult<Option<Rule>> {
    diesel::update(
        rules::table
            .filter(r::tenant_id.eq(tenant_id))
            .filter(r::id.eq(id)),
    )
    .set((f, r::updated_at.eq(now)))
    .returning(Rule::as_returning())
    .get_result(conn)
    .optional()
}

/// True when a rule was deleted.
pub fn delete(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<bool> {
    let n = diesel::delete(
        rules::table
            .filter(r::tenant_id.eq(tenant_id))
            .filter(r::id.eq(id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}
