//! `GET /api/v1/stats` (what the dashboard's overview and forecast show) and `GET /api/v1/me`
//! (who is calling, so the dashboard shows members no action they may not take).

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;
use super::view;
use crate::api::openapi::{responses, schemas};
use crate::db::{self, stats as q};
use crate::domain::{AccessRole, ChannelKind};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/stats").route(web::get().to(stats)))
        .service(web::resource("/me").route(web::get().to(me)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(stats, me))]
pub struct Api;

const OUTCOMES: [&str; 5] = [
    "success",
    "transient_failure",
    "permanent_failure",
    "expired",
    "refused",
];
pub const LAG_WINDOW_SECS: i64 = 300;
const HOURLY_BUCKETS: i64 = 24;
const DAILY_BUCKETS: i64 = 7;

/// Answers are shared for this long per tenant: however many dashboards are open, the
/// database sees at most one set of stats queries per tenant and second.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// The counts by status and the forecast scan the most rows and change the least: they are
/// recomputed at most this often.
const SLOW_TTL: std::time::Duration = std::time::Duration::from_secs(10);

type Key = (String, Uuid);
type Cache = Mutex<HashMap<Key, (Instant, Value)>>;
type SlowCache = Mutex<HashMap<Key, (Instant, Slow)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn slow_cache() -> &'static SlowCache {
    static CACHE: OnceLock<SlowCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

#[derive(Clone)]
struct Slow {
    counts: Vec<q::StatusCount>,
    forecast: Vec<q::HourChannel>,
}

#[utoipa::path(
    get,
    path = "/api/v1/stats",
    operation_id = "getStats",
    tag = "operations",
    summary = "The dashboard's figures for the caller's tenant",
    description = "Any role. Shared for 1 s per tenant; counts and forecast are recomputed at most every 10 s.",
    responses(
        (status = 200, description = "Figures.", body = schemas::Stats),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn stats(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    // Keyed by the Redis prefix too: one process may serve several deployments (tests do).
    let key = (state.settings.redis.prefix.clone(), caller.tenant_id);
    if let Ok(c) = cache().lock() {
        if let Some((at, v)) = c.get(&key) {
            if at.elapsed() < CACHE_TTL {
                return Ok(HttpResponse::Ok().json(v));
            }
        }
    }
    let body = compute(&state, &key, caller.tenant_id).await?;
    if let Ok(mut c) = cache().lock() {
        c.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
        c.insert(key, (Instant::now(), body.clone()));
    }
    Ok(HttpResponse::Ok().json(body))
}

struct Rows {
    slow: Slow,
    due: q::Due,
    sends: Vec<q::MinuteOutcome>,
    lag: q::Lag,
}

async fn compute(state: &AppState, key: &Key, tenant_id: Uuid) -> Result<Value, ApiError> {
    let now = Utc::now();
    let hour_start = now
        .duration_trunc(Duration::hours(1))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let day_start = now
        .duration_trunc(Duration::days(1))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let until = day_start + Duration::days(DAILY_BUCKETS);
    let minute_start = now
        .duration_trunc(Duration::minutes(1))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let since_hour = minute_start - Duration::minutes(59);
    let cached_slow = slow_cache().lock().ok().and_then(|c| {
        c.get(key)
            .filter(|(at, _)| at.elapsed() < SLOW_TTL)
            .map(|(_, s)| s.clone())
    });
    let rows = db::run(&state.pool, move |conn| {
        let slow = match cached_slow {
            Some(s) => s,
            None => Slow {
                counts: q::status_counts(conn, tenant_id)?,
                forecast: q::forecast(conn, tenant_id, now, until)?,
            },
        };
        Ok::<_, ApiError>(Rows {
            slow,
            due: q::due(conn, tenant_id, now)?,
            sends: q::sends_per_minute(conn, tenant_id, since_hour)?,
            lag: q::lag(conn, tenant_id, now - Duration::seconds(LAG_WINDOW_SECS))?,
        })
    })
    .await?;
    if let Ok(mut c) = slow_cache().lock() {
        if c.get(key).is_none_or(|(at, _)| at.elapsed() >= SLOW_TTL) {
            c.retain(|_, (at, _)| at.elapsed() < SLOW_TTL);
            c.insert(key.clone(), (Instant::now(), rows.slow.clone()));
        }
    }

    let counts: Map<String, Value> = rows
        .slow
        .counts
        .iter()
        .map(|c| (c.status.clone(), json!(c.n)))
        .collect();
    let forecast_total: i64 = rows.slow.forecast.iter().map(|r| r.n).sum();
    let hourly = buckets(
        &rows.slow.forecast,
        hour_start,
        Duration::hours(1),
        HOURLY_BUCKETS,
    );
    let daily = buckets(
        &rows.slow.forecast,
        day_start,
        Duration::days(1),
        DAILY_BUCKETS,
    );
    let sends: Vec<Value> = (0..60)
        .map(|i| {
            let minute = since_hour + Duration::minutes(i);
            let mut item = Map::new();
            item.insert("minute".into(), json!(view::ts(minute)));
            for o in OUTCOMES {
                let n: i64 = rows
                    .sends
                    .iter()
                    .filter(|r| r.minute == minute && r.outcome == o)
                    .map(|r| r.n)
                    .sum();
                item.insert(o.into(), json!(n));
            }
            Value::Object(item)
        })
        .collect();
    let oldest_age = rows
        .due
        .oldest_overdue
        .map(|t| ((now - t).num_milliseconds() as f64 / 1000.0).max(0.0));
    let queues = match tokio::time::timeout(
        std::time::Duration::from_secs(1),
        queue_depths(&state.schedule),
    )
    .await
    {
        Ok(Ok(q)) => q,
        Ok(Err(e)) => json!({"error": format!("Redis: {e}")}),
        Err(_) => json!({"error": "Redis did not answer within 1 s"}),
    };
    Ok(json!({
        "generated_at": view::ts(now),
        "counts": counts,
        "count_cap": q::COUNT_CAP,
        "due": {"next_hour": rows.due.next_hour, "next_day": rows.due.next_day},
        "overdue": {
            "count": rows.due.overdue,
            "oldest_due_at": view::opt_ts(rows.due.oldest_overdue),
            "oldest_age_seconds": oldest_age,
        },
        "lag": {
            "window_seconds": LAG_WINDOW_SECS,
            "samples": rows.lag.samples,
            "p50_ms": rows.lag.p50_ms,
            "p99_ms": rows.lag.p99_ms,
            "max_ms": rows.lag.max_ms,
        },
        "sends_per_minute": sends,
        "forecast": {
            "hourly": hourly,
            "daily": daily,
            "truncated": forecast_total >= q::SCAN_CAP,
        },
        "events_backlog": rows.due.events_backlog,
        "queues": queues,
    }))
}

/// `count` buckets of `width` from `start`, each with a count per channel.
fn buckets(
    rows: &[q::HourChannel],
    start: DateTime<Utc>,
    width: Duration,
    count: i64,
) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let from = start + width * i as i32;
            let to = from + width;
            let mut item = Map::new();
            item.insert("start".into(), json!(view::ts(from)));
            let mut total = 0;
            for c in ChannelKind::ALL.map(ChannelKind::as_str) {
                let n: i64 = rows
                    .iter()
                    .filter(|r| r.channel == c && r.hour >= from && r.hour < to)
                    .map(|r| r.n)
                    .sum();
                total += n;
                item.insert(c.into(), json!(n));
            }
            item.insert("total".into(), json!(total));
            Value::Object(item)
        })
        .collect()
}

/// The deployment's Redis queues (shared by every tenant: only sizes, never contents).
pub async fn queue_depths(schedule: &crate::schedule::Schedule) -> redis::RedisResult<Value> {
    let d = schedule.depths().await?;
    Ok(json!({
        "schedule": d.schedule,
        "ready": d.ready,
        "pending": d.pending,
        "events": d.events,
        "leader": {"present": d.leader_present(), "ttl_ms": d.leader_ttl_ms.max(0)},
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "getMe",
    tag = "auth",
    summary = "Who is calling",
    responses(
        (status = 200, description = "The caller.", body = inline(schemas::GetMeResponse)),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let (tenant, name) = db::run(&state.pool, move |conn| {
        let tenant = db::tenants::find(conn, tenant_id)?;
        let name = q::actor_name(conn, tenant_id, &actor)?;
        Ok::<_, ApiError>((tenant, name))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "tenant": {"id": tenant.id, "name": tenant.name},
        "role": match caller.role { AccessRole::Admin => "admin", AccessRole::Member => "member" },
        "actor": caller.actor,
        "name": name,
    })))
}
