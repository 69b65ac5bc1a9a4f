//! `/api/v1/series/{id}`: a recurring series (made by a notification with `cron`) with its
//! latest occurrences, and cancelling the whole series.

use super::auth::Caller;
use super::error::ApiError;
use super::params::parse_id;
use super::state::AppState;
use super::view;
use crate::api::openapi::{responses, schemas};
use crate::db::{self, models::Notification, models::Series};
use crate::lifecycle::after_commit;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/series/{id}").route(web::get().to(get)))
        .service(web::resource("/series/{id}/cancel").route(web::post().to(cancel)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get, cancel))]
pub struct Api;

/// How many occurrences `GET` shows, newest first.
const OCCURRENCES_SHOWN: i64 = 50;

fn render(s: &Series, occurrences: &[Notification]) -> Value {
    json!({
        "id": s.id,
        "cron": s.cron,
        "timezone": s.timezone,
        "ends_at": view::opt_ts(s.ends_at),
        "status": s.status,
        "created_at": view::ts(s.created_at),
        "updated_at": view::ts(s.updated_at),
        "occurrences": occurrences.iter().map(view::notification).collect::<Vec<_>>(),
    })
}

fn load(
    conn: &mut diesel::PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<(Series, Vec<Notification>), ApiError> {
    let series =
        db::series::find(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("series"))?;
    let filter = db::notifications::ListFilter {
        series_id: Some(id),
        limit: OCCURRENCES_SHOWN,
        ..Default::default()
    };
    let mut occurrences = db::notifications::list(conn, tenant_id, &filter)?;
    occurrences.truncate(OCCURRENCES_SHOWN as usize);
    Ok((series, occurrences))
}

#[utoipa::path(
    get,
    path = "/api/v1/series/{id}",
    operation_id = "getSeries",
    tag = "series",
    summary = "Get a recurring series",
    params(("id" = uuid::Uuid, Path, description = "The series id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "The series.", body = schemas::Series),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "series")?;
    let tenant_id = caller.tenant_id;
    let (series, occurrences) = db::run(&state.pool, move |conn| load(conn, tenant_id, id)).await?;
    Ok(HttpResponse::Ok().json(render(&series, &occurrences)))
}

/// Stops the series and cancels its pending occurrence. Cancelling a cancelled series is a
/// no-op; an ended one is a conflict. An occurrence already being sent still completes.
#[tracing::instrument(skip_all, fields(series_id = %path.as_str()))]
#[utoipa::path(
    post,
    path = "/api/v1/series/{id}/cancel",
    operation_id = "cancelSeries",
    tag = "series",
    summary = "Cancel a recurring series",
    description = "Cancelling a cancelled series is a no-op `200`. To skip one occurrence only, cancel that notification instead.",
    params(("id" = uuid::Uuid, Path, description = "The series id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "Status `cancelled`; its pending occurrence is cancelled too and no further ones are created.", body = schemas::Series),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "series")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let (series, occurrences, cancelled) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = db::series::find(conn, tenant_id, id)?
                .ok_or_else(|| ApiError::not_found("series"))?;
            match current.status.as_str() {
                "active" => {}
                "cancelled" => {
                    let (series, occurrences) = load(conn, tenant_id, id)?;
                    return Ok((series, occurrences, Vec::new()));
                }
                other => {
                    return Err(ApiError::Conflict(format!(
                        "series is {other}; only active series can be cancelled"
                    )))
                }
            }
            // Occurrence rows first, then the series row: the order in which cancelling one
            // occurrence and finishing a send lock them, so the two cannot deadlock.
            let mut cancelled =
                db::notifications::cancel_where(conn, tenant_id, None, None, Some(id))?;
            db::series::lock(conn, id)?;
            db::series::set_status(conn, id, "cancelled")?;
            // Catches an occurrence a concurrent send created between the two steps.
            cancelled.extend(db::notifications::cancel_where(
                conn,
                tenant_id,
                None,
                None,
                Some(id),
            )?);
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "series.cancelled",
                Some(id),
                json!({"cancelled": cancelled.len()}),
            )?;
            let (series, occurrences) = load(conn, tenant_id, id)?;
            Ok::<_, ApiError>((series, occurrences, cancelled))
        })
    })
    .await?;
    for (nid, version) in &cancelled {
        after_commit::unschedule(&state.schedule, *nid, *version).await;
    }
    let mut body = render(&series, &occurrences);
    body["cancelled"] = json!(cancelled.len());
    Ok(HttpResponse::Ok().json(body))
}
