//! Operations endpoints: liveness, readiness, Prometheus metrics.

pub mod metrics;
pub mod openapi;

use crate::api::openapi::{responses, schemas};
use crate::api::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// Probes and the OpenAPI document; `/metrics` too when `with_metrics` (see `startup.rs`:
/// with `CHIME_OPS_ADDR` set, metrics stay off the public API port).
pub fn routes(cfg: &mut web::ServiceConfig, with_metrics: bool) {
    // Resources, not `cfg.route`: another method on these paths is then a 405, not a 404.
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/openapi.json").route(web::get().to(openapi::serve)));
    if with_metrics {
        cfg.service(web::resource("/metrics").route(web::get().to(metrics::render)));
    }
}

/// This module's operations in the OpenAPI document (`ops::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz, metrics::render, openapi::serve))]
pub struct Api;

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
            use diesel::RunQueryDsl;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            diesel::sql_query("SELECT 1")
                .execute(&mut conn)
                .map(|_| ())
                .map_err(|e| e.to_string())
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
