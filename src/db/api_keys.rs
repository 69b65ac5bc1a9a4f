use super::models::{ApiKey, NewApiKey};
use super::schema::api_keys;
use crate::domain::AccessRole;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Keys are 32 random bytes, so an unsalted SHA-256 digest is a safe and fast way to store them.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// `chk_` + 43 characters of URL-safe base64.
pub fn generate_key() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "chk_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a key: its first characters (to recognise it) and its digest.
struct Stored {
    prefix: String,
    hash: String,
}

impl Stored {
    fn of(key: &str) -> Stored {
        Stored {
            prefix: key.chars().take(10).collect(),
            hash: hash_key(key),
        }
    }

    fn row<'a>(&'a self, tenant_id: Uuid, name: &'a str, role: AccessRole) -> NewApiKey<'a> {
        NewApiKey {
            id: Uuid::new_v4(),
            tenant_id,
            name,
            key_prefix: &self.prefix,
            key_hash: &self.hash,
            role: role.as_str(),
            rate_limit: None,
        }
    }
}

pub fn create(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    key: &str,
    role: AccessRole,
) -> QueryResult<ApiKey> {
    let stored = Stored::of(key);
    diesel::insert_into(api_keys::table)
        .values(stored.row(tenant_id, name, role))
        .returning(ApiKey::as_returning())
        .get_result(conn)
}

/// A key with its own rate limit (requests per second) on top of the tenant's.
pub fn create_with_rate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    key: &str,
    role: AccessRole,
    rate_limit: Option<i32>,
) -> QueryResult<ApiKey> {
    let stored = Stored::of(key);
    let mut row = stored.row(tenant_id, name, role);
    row.rate_limit = rate_limit;
    diesel::insert_into(api_keys::table)
        .values(row)
        .returning(ApiKey::as_returning())
        .get_result(conn)
}

/// Unrevoked admin keys of a tenant, leaving one out (the one about to be revoked).
pub fn count_other_active_admins(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    except: Option<Uuid>,
) -> QueryResult<i64> {
    let mut query = api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id))
        .filter(api_keys::role.eq("admin"))
        .filter(api_keys::revoked_at.is_null())
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(api_keys::id.ne(id));
    }
    query.count().get_result(conn)
}

/// Idempotent: a key that already exists is left as it is.
pub fn ensure(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    key: &str,
    role: AccessRole,
) -> QueryResult<()> {
    let stored = Stored::of(key);
    diesel::insert_into(api_keys::table)
        .values(stored.row(tenant_id, name, role))
        .on_conflict(api_keys::key_hash)
        .do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn find_active_by_key(conn: &mut PgConnection, key: &str) -> QueryResult<Option<ApiKey>> {
    find_active_by_hash(conn, &hash_key(key))
}

/// For callers that already hold the digest (the request path hashes once, for its cache too).
pub fn find_active_by_hash(conn: &mut PgConnection, hash: &str) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id))
        .filter(api_keys::id.eq(id))
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id))
        .order(api_keys::created_at.desc())
        .select(ApiKey::as_select())
        .load(conn)
}

/// Marks a key revoked; revoking it again keeps the first revocation time.
pub fn revoke(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<ApiKey>> {
    use diesel::sql_types::{Nullable, Timestamptz};
    diesel::update(
        api_keys::table
            .filter(api_keys::tenant_id.eq(tenant_id))
            .filter(api_keys::id.eq(id)),
    )
    .set(
        api_keys::revoked_at.eq(diesel::dsl::sql::<Nullable<Timestamptz>>(
            "coalesce(revoked_at, now())",
        )),
    )
    .returning(ApiKey::as_returning())
    .get_result(conn)
    .optional()
}
