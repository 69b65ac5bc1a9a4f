use super::models::{NewUser, User};
use super::schema::users;
use diesel::prelude::*;
use uuid::Uuid;

pub fn create(conn: &mut PgConnection, user: NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(User::as_returning())
        .get_result(conn)
}

/// Addresses are unique per tenant only, so a lookup by address always names the tenant.
pub fn find_by_email(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::email.eq(email.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::id.eq(id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// For checking a token, whose tenant is compared by the caller.
pub fn find_by_id(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id))
        .order((users::created_at.desc(), users::id.desc()))
        .select(User::as_select())
        .load(conn)
}

/// What a `PATCH` changes; `None` leaves a column as it is.
#[derive(Debug, Default)]
pub struct UserChange {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
    /// Invalidates every token issued so far.
    pub bump_token_version: bool,
}

pub fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    change: UserChange,
) -> QueryResult<Option<User>> {
    use diesel::dsl::{now, sql};
    use diesel::sql_types::{Nullable, Timestamptz};
    let target = users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::id.eq(id));
    let disabled_at = change.disabled.map(|d| {
        if d {
            // Disabling twice keeps the first time.
            sql::<Nullable<Timestamptz>>("coalesce(disabled_at, now())")
        } else {
            sql::<Nullable<Timestamptz>>("NULL")
        }
    });
    let bump = i32::from(change.bump_token_version);
    diesel::update(target)
        .set((
            change.role.map(|r| users::role.eq(r)),
            change.password_hash.map(|h| users::password_hash.eq(h)),
            disabled_at.map(|d| users::disabled_at.eq(d)),
            users::token_version.eq(users::token_version + bump),
            users::updated_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<User>> {
    diesel::delete(
        users::table
            .filter(users::tenant_id.eq(tenant_id))
            .filter(users::id.eq(id)),
    )
    .returning(User::as_returning())
    .get_result(conn)
    .optional()
}

/// Enabled admin users of a tenant, leaving one out (the one about to change).
pub fn count_other_admins(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    except: Option<Uuid>,
) -> QueryResult<i64> {
    let mut query = users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::role.eq("admin"))
        .filter(users::disabled_at.is_null())
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(users::id.ne(id));
    }
    query.count().get_result(conn)
}
