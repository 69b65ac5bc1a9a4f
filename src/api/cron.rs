//! `POST /api/v1/cron/preview`: the next fire times of a cron expression in a time zone, with
//! the DST rules every series follows, so a client can check an expression before using it.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view;
use crate::api::openapi::{responses, schemas};
use crate::domain::{local_time, CronSpec, TimeZone};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/cron/preview").route(web::post().to(preview)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(preview))]
pub struct Api;

const DEFAULT_COUNT: i64 = 5;
const MAX_COUNT: i64 = 100;

#[utoipa::path(
    post,
    path = "/api/v1/cron/preview",
    operation_id = "previewCron",
    tag = "time",
    summary = "Preview cron fire times",
    description = "An invalid cron expression or timezone is a `422` naming the field. `422` naming `cron` when the expression fires more often than `CHIME_MIN_SERIES_INTERVAL` allows, as a series create would.",
    request_body(content = schemas::CronPreviewRequest),
    responses(
        (status = 200, description = "The next fire times.", body = schemas::CronPreview),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn preview(
    state: web::Data<AppState>,
    _caller: Caller,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let cron = CronSpec::parse(&body.req_str("cron")?).map_err(|e| ApiError::invalid("cron", e))?;
    let timezone = match body.opt_str("timezone")? {
        Some(s) => TimeZone::parse(&s).map_err(|e| ApiError::invalid("timezone", e))?,
        None => TimeZone::default(),
    };
    let after = match body.opt_str("after")? {
        Some(s) => local_time::parse_instant(&s, Some(timezone.tz()))
            .map_err(|e| ApiError::invalid("after", e))?,
        None => Utc::now(),
    };
    let count = match body.opt_i64("count")? {
        None => DEFAULT_COUNT,
        Some(n) if (1..=MAX_COUNT).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::invalid(
                "count",
                format!("must be from 1 to {MAX_COUNT}"),
            ))
        }
    };
    body.finish()?;
    super::limits::check_series_interval(&state.settings, &cron).await?;
    let times: Vec<String> = cron
        .upcoming(after, timezone.tz(), count as usize)
        .into_iter()
        .map(view::ts)
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "cron": cron.as_str(),
        "timezone": timezone.name(),
        "after": view::ts(after),
        "times": times,
    })))
}
