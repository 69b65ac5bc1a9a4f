use super::models::Tenant;
use super::schema::tenants;
use crate::domain::webhook_secret::new_webhook_secret;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// Returns the tenant with this name, creating it if needed (race-free across replicas).
pub fn ensure(conn: &mut PgConnection, name: &str) -> QueryResult<Tenant> {
    if let Some(created) = create(conn, name)? {
        return Ok(created);
    }
    tenants::table
        .filter(tenants::name.eq(name))
        .select(Tenant::as_select())
        .first(conn)
}

/// A tenant named by its id or its name.
pub fn find_by_ref(conn: &mut PgConnection, reference: &str) -> QueryResult<Option<Tenant>> {
    let query = tenants::table.select(Tenant::as_select());
    match Uuid::parse_str(reference) {
        Ok(id) => query.filter(tenants::id.eq(id)).first(conn).optional(),
        Err(_) => query
            .filter(tenants::name.eq(reference))
            .first(conn)
            .optional(),
    }
}

/// A new tenant, or `None` if the name is taken.
pub fn create(conn: &mut PgConnection, name: &str) -> QueryResult<Option<Tenant>> {
    diesel::insert_into(tenants::table)
        .values((
            tenants::id.eq(Uuid::new_v4()),
            tenants::name.eq(name),
            tenants::webhook_secret.eq(new_webhook_secret()),
        ))
        .on_conflict(tenants::name)
        .do_nothing()
        .returning(Tenant::as_returning())
        .get_result(conn)
        .optional()
}

/// Serialises changes to a tenant's admins (within the caller's transaction), so two requests
/// cannot each remove "another" admin and leave none.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    tenants::table
        .find(id)
        .select(tenants::id)
        .for_update()
        .first::<Uuid>(conn)
        .map(|_| ())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Tenant> {
    tenants::table
        .find(id)
        .select(Tenant::as_select())
        .first(conn)
}

/// A new webhook secret; the one it replaces keeps signing until `previous_until` (`None`:
/// not at all). A secret that was still in its grace period is dropped.
pub fn rotate_secret(
    conn: &mut PgConnection,
    id: Uuid,
    previous_until: Option<DateTime<Utc>>,
) -> QueryResult<Tenant> {
    let new_secret = new_webhook_secret();
    let update = diesel::update(tenants::table.find(id));
    match previous_until {
        Some(until) => update
            .set((
                // Right-hand sides read the row as it was before the update.
                tenants::previous_webhook_secret.eq(tenants::webhook_secret.nullable()),
                tenants::previous_webhook_secret_expires_at.eq(until),
                tenants::webhook_secret.eq(new_secret),
            ))
            .returning(Tenant::as_returning())
            .get_result(conn),
        None => update
            .set((
                tenants::previous_webhook_secret.eq(None::<String>),
                tenants::previous_webhook_secret_expires_at.eq(None::<DateTime<Utc>>),
                tenants::webhook_secret.eq(new_secret),
            ))
            .returning(Tenant::as_returning())
            .get_result(conn),
    }
}

/// The secrets that sign a tenant's webhooks now: the current one, and the previous one while
/// its grace period lasts.
#[derive(Debug, Clone)]
pub struct WebhookSecrets {
    pub current: String,
    pub previous: Option<String>,
}

impl Tenant {
    /// The previous secret, if it still signs at `now`.
    pub fn active_previous_secret(&self, now: DateTime<Utc>) -> Option<&str> {
        match (
            &self.previous_webhook_secret,
            self.previous_webhook_secret_expires_at,
        ) {
            (Some(secret), Some(until)) if until > now => Some(secret),
            _ => None,
        }
    }
}

pub fn webhook_secrets(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, WebhookSecrets)>> {
    let now = Utc::now();
    let rows: Vec<Tenant> = tenants::table
        .filter(tenants::id.eq_any(ids))
        .select(Tenant::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let previous = t.active_previous_secret(now).map(str::to_owned);
            (
                t.id,
                WebhookSecrets {
                    current: t.webhook_secret,
                    previous,
                },
            )
        })
        .collect())
}
