use super::models::Tenant;
use super::schema::tenants;
use crate::domain::webhook_secret::new_webhook_secret;
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

pub fn rotate_secret(conn: &mut PgConnection, id: Uuid) -> QueryResult<Tenant> {
    diesel::update(tenants::table.find(id))
        .set(tenants::webhook_secret.eq(new_webhook_secret()))
        .returning(Tenant::as_returning())
        .get_result(conn)
}

pub fn webhook_secrets(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, String)>> {
    tenants::table
        .filter(tenants::id.eq_any(ids))
        .select((tenants::id, tenants::webhook_secret))
        .load(conn)
}
