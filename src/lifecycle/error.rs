//! Why a requested state change was refused. `api::error` maps it to HTTP in one place; the CLI
//! prints it.

use crate::db::DbError;
use crate::domain::NotificationStatus;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    /// The notification does not exist for this tenant.
    #[error("notification not found")]
    NotFound,
    /// The notification is in a state that does not allow the change.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for LifecycleError {
    fn from(e: diesel::result::Error) -> Self {
        LifecycleError::Db(DbError::from(e))
    }
}

/// The conflict of a change that only a `scheduled` notification allows.
pub fn not_scheduled(status: NotificationStatus, action: &str) -> LifecycleError {
    LifecycleError::Conflict(format!(
        "notification is {status}; only scheduled notifications can be {action}"
    ))
}
