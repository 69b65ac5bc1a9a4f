//! Per-tenant limits on recurring series and pending notifications.
//!
//! - A series may not fire more often than `CHIME_MIN_SERIES_INTERVAL`, checked over its next
//!   fires (not only the first two: `0,1 9 * * *` fires twice a minute apart, then waits a day).
//! - `CHIME_MAX_ACTIVE_SERIES` and `CHIME_MAX_PENDING_NOTIFICATIONS` cap what a tenant holds.
//!   A create checks them in its own transaction, after its INSERT, holding a per-tenant
//!   advisory lock until commit: creates of one tenant count one after another, and each count
//!   sees every create committed before it, so API creates never take a tenant past a cap.
//!   Notifications made by the event worker, series occurrences and replays are not refused
//!   (they count, so API creates are refused sooner).

use super::error::ApiError;
use crate::config::Settings;
use crate::db;
use crate::domain::CronSpec;
use chrono::Utc;
use diesel::PgConnection;
use uuid::Uuid;

/// Fires compared: two days of fires at the floor (every fire day repeats the same times of
/// day, so the closest pair shows within two), within bounds that keep the walk to
/// milliseconds: 2,882 fires at the default one-minute floor.
fn fires_checked(floor: chrono::Duration) -> usize {
    let per_day = 86_400 / floor.num_seconds().max(1) as usize;
    (2 * per_day + 2).clamp(100, 20_000)
}

/// A 422 naming `cron` when the series would fire more often than the floor allows.
pub async fn check_series_interval(settings: &Settings, spec: &CronSpec) -> Result<(), ApiError> {
    let Ok(min) = chrono::Duration::from_std(settings.limits.min_series_interval) else {
        return Ok(());
    };
    if min <= chrono::Duration::zero() {
        return Ok(());
    }
    let spec = spec.clone();
    // Walking thousands of fire times is CPU work: off the async workers.
    let close = tokio::task::spawn_blocking(move || {
        spec.fires_closer_than(Utc::now(), min, fires_checked(min))
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    match close {
        None => Ok(()),
        Some((a, b)) => Err(ApiError::invalid(
            "cron",
            format!(
                "fires at {} and again {} s later; a series may fire at most once every {} s (CHIME_MIN_SERIES_INTERVAL)",
                super::view::ts(a),
                (b - a).num_seconds(),
                min.num_seconds()
            ),
        )),
    }
}

/// Inside the creating transaction, after its INSERT: refuses when the tenant is now past a cap.
pub fn enforce_caps(
    conn: &mut PgConnection,
    settings: &Settings,
    tenant_id: Uuid,
    new_series: bool,
) -> Result<(), ApiError> {
    let series_cap = settings.limits.max_active_series.filter(|_| new_series);
    let pending_cap = settings.limits.max_pending_notifications;
    if series_cap.is_none() && pending_cap.is_none() {
        return Ok(());
    }
    db::caps::lock_tenant(conn, tenant_id)?;
    if let Some(cap) = series_cap {
        let n = db::caps::active_series(conn, tenant_id, cap)?;
        if n > cap {
            return Err(ApiError::LimitExceeded {
                limit: "CHIME_MAX_ACTIVE_SERIES",
                message: format!(
                    "the tenant already has {cap} active series, the most allowed (CHIME_MAX_ACTIVE_SERIES); cancel one first"
                ),
            });
        }
    }
    if let Some(cap) = pending_cap {
        let n = db::caps::pending_notifications(conn, tenant_id, cap)?;
        if n > cap {
            return Err(ApiError::LimitExceeded {
                limit: "CHIME_MAX_PENDING_NOTIFICATIONS",
                message: format!(
                    "the tenant already has {cap} pending notifications, the most allowed (CHIME_MAX_PENDING_NOTIFICATIONS); cancel some or wait until they are sent"
                ),
            });
        }
    }
    Ok(())
}
