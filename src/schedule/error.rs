//! The error of the schedule's rebuilds from PostgreSQL: the reconciler's passes and the
//! horizon loader's.

use crate::db;

/// Why a pass or sweep stopped. Each variant keeps its cause, so the log line shows the whole
/// chain (`telemetry::error_chain`), e.g. the PostgreSQL error under "database query failed".
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("Redis command failed")]
    Redis(#[from] redis::RedisError),
    /// The marker key vanished during a full pass: a flush took it and part of the entries.
    #[error("Redis lost its data during the pass")]
    RedisLost,
}
