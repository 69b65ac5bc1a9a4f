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

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
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
