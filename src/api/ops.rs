//! Operations endpoints: liveness, readiness, Prometheus metrics (with the gauges read from
//! Redis and PostgreSQL at scrape time, cached for a few seconds and bounded by timeouts so a
//! scrape answers even while a dependency is down).

use super::openapi::{responses, schemas};
use super::{AllowTable, AppState};
use crate::db::{self, DbError};
use crate::ops::metrics::{self, DbGauges, QueueGauges, StoreGauges};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};
use utoipa::OpenApi;

/// How long gauges read from Redis and PostgreSQL are reused: scrapes from several Prometheus
/// servers, or a short scrape interval, cost the stores one read per this period.
const GAUGE_TTL: Duration = Duration::from_secs(5);
/// A store that does not answer within this is skipped: the last values are served instead.
const GAUGE_TIMEOUT: Duration = Duration::from_secs(2);

/// Probes and the OpenAPI document; `/metrics` too when `with_metrics` (see `startup.rs`:
/// with `CHIME_OPS_ADDR` set, metrics stay off the public API port).
pub fn routes(cfg: &mut web::ServiceConfig, with_metrics: bool) {
    // Resources, not `cfg.route`: another method on these paths is then a 405, not a 404.
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/openapi.json").route(web::get().to(serve)));
    if with_metrics {
        cfg.service(web::resource("/metrics").route(web::get().to(render_metrics)));
    }
}

/// This module's operations in the OpenAPI document: a route added above gets a
/// `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz, render_metrics, serve))]
pub struct Api;

/// The resource modules' operations, in the order the document lists them.
const MODULES: &[fn() -> utoipa::openapi::OpenApi] = &[
    crate::api::notifications::Api::openapi,
    crate::api::batch::Api::openapi,
    crate::api::cron::Api::openapi,
    crate::api::events::Api::openapi,
    crate::api::rules::Api::openapi,
    crate::api::series::Api::openapi,
    crate::api::keys::Api::openapi,
    crate::api::users::Api::openapi,
    crate::api::tenant::Api::openapi,
    crate::api::bulk::Api::openapi,
    crate::api::stats::Api::openapi,
    crate::api::inspect::Api::openapi,
    crate::api::templates::Api::openapi,
    crate::api::callbacks::Api::openapi,
    crate::api::recipients::Api::openapi,
];

/// The whole OpenAPI document: these operations endpoints, then the API's operations and shared
/// parts (`api::openapi`, where adding an operation is explained).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = super::openapi::root();
    for module in MODULES {
        doc.merge(module());
    }
    let api_paths = std::mem::take(&mut doc.paths);
    // The operations endpoints come first, as they always have.
    doc.paths = Api::openapi().paths;
    doc.paths.merge(api_paths);
    doc
}

/// The document as pretty JSON with a final newline (as `src/api/openapi.json` holds it).
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        // Serialising plain data into a string cannot fail.
        let mut text = document()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    })
}

/// The methods of every route, for the `Allow` header of a 405.
pub fn allow_table() -> &'static AllowTable {
    static TABLE: OnceLock<AllowTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = serde_json::from_str(json()).unwrap_or_default();
        AllowTable::from_document(&doc)
    })
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This OpenAPI document",
    security(),
    responses(
        (status = 200, description = "OpenAPI 3 document.", body = Object),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    summary = "Liveness",
    security(),
    responses(
        (status = 200, description = "The process is running.", body = schemas::Health),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// 200 only when both PostgreSQL and Redis answer; a load balancer then stops sending traffic.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    summary = "Readiness",
    security(),
    responses(
        (status = 200, description = "PostgreSQL and Redis answer.", body = schemas::Readiness),
        (status = 503, description = "A dependency is down.", body = schemas::NotReady, headers(("Retry-After" = i64, description = "Seconds to wait before retrying."))),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let postgres = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            db::ping(&mut conn).map_err(|e| e.to_string())
        }),
    )
    .await;
    let postgres_ok = matches!(postgres, Ok(Ok(Ok(()))));
    let redis =
        tokio::time::timeout(std::time::Duration::from_secs(2), state.schedule.ping()).await;
    let redis_ok = matches!(redis, Ok(Ok(())));
    let body = json!({
        "postgres": if postgres_ok { "ok" } else { "down" },
        "redis": if redis_ok { "ok" } else { "down" },
    });
    if postgres_ok && redis_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "2"))
            .json(json!({"error": {"code": "unavailable", "message": "a dependency is down"}, "checks": body}))
    }
}

/// Per Redis prefix: one process may serve several deployments (tests do).
static GAUGES: LazyLock<Mutex<HashMap<String, (Instant, StoreGauges)>>> =
    LazyLock::new(Default::default);

async fn read_db(state: &AppState) -> Result<DbGauges, DbError> {
    let cutoff =
        Utc::now() - chrono::Duration::from_std(metrics::OVERDUE_AFTER).unwrap_or_default();
    let g = db::run(&state.pool, move |conn| {
        db::stats::store_gauges(conn, cutoff, metrics::GAUGE_COUNT_CAP).map_err(DbError::from)
    })
    .await?;
    Ok(DbGauges {
        overdue: g.overdue,
        oldest_overdue: g.oldest_overdue,
        events_backlog: g.events_backlog,
        dead_letters: g.dead_letters,
    })
}

/// The store gauges, fresh or from the cache. A store that fails or does not answer in time
/// keeps its last values (none at first: those gauges are then left out).
async fn store_gauges(state: &AppState) -> StoreGauges {
    let key = state.settings.redis.prefix.clone();
    let previous = GAUGES.lock().ok().and_then(|c| c.get(&key).copied());
    if let Some((at, g)) = previous {
        if at.elapsed() < GAUGE_TTL {
            return g;
        }
    }
    let previous = previous.map(|(_, g)| g).unwrap_or_default();
    let (queues, db) = tokio::join!(
        tokio::time::timeout(GAUGE_TIMEOUT, state.schedule.depths()),
        tokio::time::timeout(GAUGE_TIMEOUT, read_db(state)),
    );
    let mut fresh = previous;
    match queues {
        Ok(Ok(q)) => {
            fresh.queues = Some(QueueGauges {
                schedule: q.schedule,
                ready: q.ready,
                pending: q.pending,
            })
        }
        Ok(Err(e)) => tracing::debug!(error = %e, "metrics: cannot read queue depths"),
        Err(_) => tracing::debug!("metrics: Redis did not answer in time"),
    }
    match db {
        Ok(Ok(d)) => {
            fresh.db = Some(d);
            fresh.db_read_at = Some(Utc::now());
        }
        Ok(Err(e)) => tracing::debug!(error = %e, "metrics: cannot read PostgreSQL gauges"),
        Err(_) => tracing::debug!("metrics: PostgreSQL did not answer in time"),
    }
    if let Ok(mut c) = GAUGES.lock() {
        // Failures are cached too: a scrape during an outage does not wait again until the TTL.
        c.insert(key, (Instant::now(), fresh));
    }
    fresh
}

#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    summary = "Prometheus metrics",
    description = "Served on `CHIME_OPS_ADDR` only when that is set; otherwise on the API port.",
    security(),
    responses(
        (status = 200, description = "Prometheus text exposition format.", body = String, content_type = "text/plain"),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn render_metrics(state: web::Data<AppState>) -> HttpResponse {
    let store = store_gauges(&state).await;
    match metrics::text(store) {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::InternalServerError().json(serde_json::json!({
            "error": {"code": "internal", "message": "cannot encode the metrics"}
        })),
    }
}
