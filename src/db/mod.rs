//! PostgreSQL: the pool, the one helper that runs Diesel on the blocking pool, start-up
//! (create database, migrations under an advisory lock) and the queries, one file per table.
//! Query functions take `&mut PgConnection` so the caller decides the transaction.

pub mod api_keys;
pub mod attempts;
pub mod audit;
pub mod batch_insert;
pub mod caps;
pub mod events;
pub mod group_commit;
pub mod models;
pub mod notifications;
pub mod recipients;
pub mod retention;
pub mod rules;
#[rustfmt::skip]
pub mod schema;
pub mod series;
pub mod setup;
pub mod stats;
pub mod templates;
pub mod tenants;
pub mod users;

use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::PgConnection;
use std::time::Duration;
use tracing::Instrument;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgConn = PooledConnection<ConnectionManager<PgConnection>>;

/// Failures at the database boundary, before they are given an HTTP meaning.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had: PostgreSQL is down or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("blocking task failed: {0}")]
    Join(String),
}

impl DbError {
    /// True when the failure is about reaching PostgreSQL, not about the query itself. A query
    /// sent on a connection the server has dropped fails with `UnableToSendCommand`.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        matches!(
            self,
            DbError::Unavailable(_)
                | DbError::Query(E::DatabaseError(
                    K::ClosedConnection | K::UnableToSendCommand,
                    _
                ))
                | DbError::Query(E::BrokenTransactionManager)
        )
    }
}

pub fn build_pool(database_url: &str, max_size: u32) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(database_url);
    // Unchecked: the process starts even while PostgreSQL is briefly away; requests then get 503.
    // Diesel never reports a connection the server dropped as broken, so r2d2 would hand it out
    // again after every outage: a `SELECT 1` on checkout weeds those out.
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(true)
        .build_unchecked(manager)
}

/// Runs `f` with a pooled connection on the blocking pool (Diesel is synchronous), keeping the
/// caller's tracing span. Every database call goes through here.
pub async fn run<F, T, E>(pool: &PgPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let handle = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?;
        f(&mut conn)
    });
    match handle.instrument(tracing::Span::current()).await {
        Ok(result) => result,
        Err(e) => Err(E::from(DbError::Join(e.to_string()))),
    }
}

/// Whether PostgreSQL answers (the readiness probe).
pub fn ping(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}
