//! Start-up work on the database: create it when missing, run the embedded migrations under an
//! advisory lock (replicas starting together never race), ensure the bootstrap admin key.

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::PgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Any fixed number shared by every replica; "chime" in ASCII.
const MIGRATION_LOCK_ID: i64 = 0x0063_6869_6d65;

/// Creates the database named in `database_url` if it does not exist yet.
pub fn create_database_if_missing(database_url: &str) -> anyhow::Result<()> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a URL")?;
    let name = url.path().trim_start_matches('/').to_string();
    if name.is_empty() {
        anyhow::bail!("DATABASE_URL names no database");
    }
    if PgConnection::establish(database_url).is_ok() {
        return Ok(());
    }
    url.set_path("/postgres");
    let mut admin = PgConnection::establish(url.as_str())
        .with_context(|| "cannot connect to PostgreSQL to create the database".to_string())?;
    let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    match diesel::sql_query(sql).execute(&mut admin) {
        Ok(_) => {
            tracing::info!(database = %name, "created database");
            Ok(())
        }
        // Another replica created it first; while both race, PostgreSQL may report it as a
        // unique violation on its catalogue rather than as "already exists".
        Err(diesel::result::Error::DatabaseError(kind, info))
            if info.message().contains("already exists")
                || matches!(kind, diesel::result::DatabaseErrorKind::UniqueViolation) =>
        {
            Ok(())
        }
        Err(e) => Err(e).context("CREATE DATABASE failed"),
    }
}

/// Runs pending migrations while holding a session-level advisory lock.
pub fn run_migrations(database_url: &str) -> anyhow::Result<usize> {
    let mut conn = PgConnection::establish(database_url).context("cannot connect to PostgreSQL")?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_ID)
        .execute(&mut conn)
        .context("cannot take the migration lock")?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|applied| applied.len())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    let _ = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_ID)
        .execute(&mut conn);
    let applied = result?;
    if applied > 0 {
        tracing::info!(applied, "ran migrations");
    }
    Ok(applied)
}

pub const DEFAULT_TENANT: &str = "default";

/// Ensures the default tenant and the given admin key exist. Safe to run from many replicas at
/// once and on every restart: both inserts are `ON CONFLICT DO NOTHING`.
pub fn ensure_bootstrap_admin(conn: &mut PgConnection, key: &str) -> anyhow::Result<()> {
    let tenant = super::tenants::ensure(conn, DEFAULT_TENANT)?;
    super::api_keys::ensure(
        conn,
        tenant.id,
        "bootstrap",
        key,
        crate::domain::AccessRole::Admin,
    )?;
    Ok(())
}

/// Creates (or finds) a tenant and gives it a new admin API key; the key is only shown here.
pub fn create_tenant_with_admin_key(
    database_url: &str,
    name: &str,
) -> anyhow::Result<serde_json::Value> {
    let mut conn = PgConnection::establish(database_url).context("cannot connect to PostgreSQL")?;
    let tenant = super::tenants::ensure(&mut conn, name)?;
    let key = super::api_keys::generate_key();
    super::api_keys::create(
        &mut conn,
        tenant.id,
        "tenant-admin",
        &key,
        crate::domain::AccessRole::Admin,
    )?;
    super::audit::record(
        &mut conn,
        tenant.id,
        "system",
        "api_key.created",
        None,
        serde_json::json!({"role": "admin", "via": "cli"}),
    )?;
    Ok(serde_json::json!({"tenant_id": tenant.id, "name": tenant.name, "admin_key": key}))
}
