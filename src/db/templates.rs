//! Stored templates: every change is a new version of a name; versions are never edited.

use super::models::StoredTemplate;
use super::schema::{notifications, rules, templates};
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

/// The texts of one version.
#[derive(Debug, Clone)]
pub struct TemplateFields {
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub digest: Option<String>,
}

fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    version: i32,
    f: &TemplateFields,
) -> QueryResult<StoredTemplate> {
    diesel::insert_into(templates::table)
        .values(StoredTemplate {
            id: Uuid::now_v7(),
            tenant_id,
            name: name.to_owned(),
            version,
            subject: f.subject.clone(),
            body: f.body.clone(),
            html: f.html.clone(),
            digest: f.digest.clone(),
            created_at: Utc::now(),
        })
        .returning(StoredTemplate::as_returning())
        .get_result(conn)
}

fn latest_version(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
) -> QueryResult<Option<i32>> {
    templates::table
        .filter(templates::tenant_id.eq(tenant_id))
        .filter(templates::name.eq(name))
        .select(diesel::dsl::max(templates::version))
        .first(conn)
}

/// Version 1 of a new name; `None` when the name exists. Call within a transaction.
pub fn create(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    f: &TemplateFields,
) -> QueryResult<Option<StoredTemplate>> {
    // Serialises version numbering per tenant; the unique index is the backstop.
    super::tenants::lock(conn, tenant_id)?;
    if latest_version(conn, tenant_id, name)?.is_some() {
        return Ok(None);
    }
    insert(conn, tenant_id, name, 1, f).map(Some)
}

/// The next version of an existing name; `None` when there is no such template. Call within a
/// transaction.
pub fn add_version(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    f: &TemplateFields,
) -> QueryResult<Option<StoredTemplate>> {
    super::tenants::lock(conn, tenant_id)?;
    match latest_version(conn, tenant_id, name)? {
        Some(latest) => insert(conn, tenant_id, name, latest + 1, f).map(Some),
        None => Ok(None),
    }
}

/// The given version of a template, or its latest one.
pub fn resolve(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    version: Option<i32>,
) -> QueryResult<Option<StoredTemplate>> {
    let query = templates::table
        .filter(templates::tenant_id.eq(tenant_id))
        .filter(templates::name.eq(name))
        .select(StoredTemplate::as_select());
    match version {
        Some(v) => query
            .filter(templates::version.eq(v))
            .first(conn)
            .optional(),
        None => query
            .order(templates::version.desc())
            .first(conn)
            .optional(),
    }
}

/// The latest version of every template, by name.
pub fn list_latest(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<Vec<StoredTemplate>> {
    templates::table
        .filter(templates::tenant_id.eq(tenant_id))
        .distinct_on(templates::name)
        .order((templates::name.asc(), templates::version.desc()))
        .select(StoredTemplate::as_select())
        .load(conn)
}

/// Every version of a template, newest first.
pub fn versions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
) -> QueryResult<Vec<StoredTemplate>> {
    templates::table
        .filter(templates::tenant_id.eq(tenant_id))
        .filter(templates::name.eq(name))
        .order(templates::version.desc())
        .select(StoredTemplate::as_select())
        .load(conn)
}

/// What still renders a template: pending notifications and rules naming it.
pub fn users(conn: &mut PgConnection, tenant_id: Uuid, name: &str) -> QueryResult<(i64, i64)> {
    let pending = notifications::table
        .filter(notifications::tenant_id.eq(tenant_id))
        .filter(notifications::template.eq(name))
        .filter(notifications::status.eq_any(["scheduled", "sending"]))
        .count()
        .get_result(conn)?;
    let rules = rules::table
        .filter(rules::tenant_id.eq(tenant_id))
        .filter(rules::template.eq(name))
        .count()
        .get_result(conn)?;
    Ok((pending, rules))
}

/// Deletes every version; returns how many there were.
pub fn delete(conn: &mut PgConnection, tenant_id: Uuid, name: &str) -> QueryResult<usize> {
    diesel::delete(
        templates::table
            .filter(templates::tenant_id.eq(tenant_id))
            .filter(templates::name.eq(name)),
    )
    .execute(conn)
}
