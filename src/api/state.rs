use super::caller::KeyCache;
use crate::config::Settings;
use crate::db::batch_insert::NotificationWriter;
use crate::db::PgPool;
use crate::schedule::Schedule;
use std::sync::Arc;

/// What every handler can reach.
pub struct AppState {
    pub pool: PgPool,
    pub schedule: Schedule,
    pub settings: Arc<Settings>,
    pub key_cache: KeyCache,
    pub rate_limiter: super::rate_limit::RateLimiter,
    /// Group-commits notification creates.
    pub writer: NotificationWriter,
}
