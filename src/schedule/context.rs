//! What every role (scheduler, worker, sender) is given when `startup` spawns it. It lives here,
//! at the lowest layer that owns all of it, so the roles above import it downwards and
//! `startup` only composes.

use super::Schedule;
use crate::config::Settings;
use crate::db::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Shared by every role of one process.
#[derive(Clone)]
pub struct RoleContext {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub schedule: Schedule,
    pub redis: super::RedisClient,
}

/// The connection manager reconnects by itself, one attempt per failed command: its own
/// backoff would otherwise hold every command for up to a minute after Redis came back.
pub fn redis_manager_config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(2))
        .set_response_timeout(Duration::from_secs(5))
        .set_number_of_retries(0)
}
