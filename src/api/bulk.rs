//! Actions on everything matching a filter: cancel scheduled notifications, replay dead ones.
//! Admin only, audited, and bounded: one call acts on at most [`MAX_PER_CALL`] rows (oldest
//! first) and says how many still match, so a client repeats until nothing remains. With
//! `"dry_run": true` a call only counts.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::notifications::{list_filter, FILTERS};
use super::state::AppState;
use crate::api::openapi::{responses, schemas};
use crate::db::{self, notifications as q};
use crate::domain::NotificationStatus;
use crate::lifecycle::{self, after_commit};
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/notifications/cancel-matching").route(web::post().to(cancel)))
        .service(web::resource("/dead-letters/replay").route(web::post().to(replay)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(cancel, replay))]
pub struct Api;

pub const MAX_PER_CALL: i64 = 1_000;

struct Request {
    filter: q::ListFilter,
    /// The filter as given, for the audit log.
    given: Value,
    dry_run: bool,
    limit: i64,
}

/// Reads `{filters…, "dry_run": bool, "limit": n}`. The filters are those of
/// `GET /notifications` (as strings); `status` is fixed by the action.
fn parse(
    mut body: JsonObject,
    status: NotificationStatus,
    need_filter: bool,
) -> Result<Request, ApiError> {
    let dry_run = match body.opt_value("dry_run") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err(ApiError::bad_request(
                "dry_run",
                "dry_run: must be true or false",
            ))
        }
    };
    let limit = match body.opt_i64("limit")? {
        None => MAX_PER_CALL,
        Some(n) if (1..=MAX_PER_CALL).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                format!("must be from 1 to {MAX_PER_CALL}"),
            ))
        }
    };
    let mut query = HashMap::new();
    for field in FILTERS {
        if field == "sort" {
            continue;
        }
        if let Some(v) = body.opt_str(field)? {
            query.insert(field.to_string(), v);
        }
    }
    body.finish()?;
    // Cancelling with an empty filter would cancel the whole tenant's schedule: not by accident.
    if need_filter && query.keys().all(|k| k == "status") {
        return Err(ApiError::invalid(
            "filter",
            "give at least one filter (channel, recipient, group_key, idempotency_key, \
             event_id, series_id, due_after or due_before)",
        ));
    }
    if let Some(s) = query.get("status") {
        if s != status.as_str() {
            return Err(ApiError::invalid(
                "status",
                format!("this action only applies to {status} notifications"),
            ));
        }
    }
    let given = json!(query);
    let allowed: Vec<&str> = FILTERS.iter().copied().filter(|f| *f != "sort").collect();
    let mut filter = list_filter(&query, &allowed)?;
    filter.status = Some(status);
    Ok(Request {
        filter,
        given,
        dry_run,
        limit,
    })
}

/// How many rows a bulk action would touch, for the page to show before it acts.
async fn dry_run(
    state: &AppState,
    tenant_id: Uuid,
    f: q::ListFilter,
) -> Result<HttpResponse, ApiError> {
    let matched = db::run(&state.pool, move |conn| {
        Ok::<_, ApiError>(q::count_matching(
            conn,
            tenant_id,
            &f,
            db::stats::COUNT_CAP,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"dry_run": true, "matched": matched})))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/cancel-matching",
    operation_id = "cancelMatching",
    tag = "notifications",
    summary = "Cancel every scheduled notification matching a filter",
    description = "Requires the `admin` role. Cancels at most `limit` (≤ 1,000) matching scheduled notifications per call, oldest first; repeat while `more`. Audited per notification and per call.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::BulkRequest),
    responses(
        (status = 200, description = "With `dry_run`: `{dry_run, matched}`. Otherwise `{dry_run, cancelled, remaining, more}`.", body = inline(schemas::CancelMatchingResponse)),
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let req = parse(body, NotificationStatus::Scheduled, true)?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let f = req.filter.clone();
    if req.dry_run {
        return dry_run(&state, tenant_id, f).await;
    }
    let (limit, given) = (req.limit, req.given.clone());
    let (cancelled, next, remaining) = db::run(&state.pool, move |conn| {
        lifecycle::cancel::cancel_matching(conn, tenant_id, &f, limit, &actor, &given)
    })
    .await?;
    for (id, version) in &cancelled {
        after_commit::unschedule(&state.schedule, *id, *version).await;
    }
    for row in &next {
        after_commit::schedule(&state.schedule, row, None).await;
    }
    Ok(HttpResponse::Ok().json(json!({
        "dry_run": false,
        "cancelled": cancelled.len(),
        "remaining": remaining,
        "more": remaining > 0,
    })))
}

#[utoipa::path(
    post,
    path = "/api/v1/dead-letters/replay",
    operation_id = "replayMatching",
    tag = "notifications",
    summary = "Replay every dead notification matching a filter",
    description = "Requires the `admin` role. Replays at most `limit` (≤ 1,000) matching dead notifications per call, oldest first; occurrences of a series that already has a pending one are `skipped`. Audited per notification and per call.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::BulkRequest),
    responses(
        (status = 200, description = "With `dry_run`: `{dry_run, matched}`. Otherwise `{dry_run, replayed, remaining, more}`.", body = inline(schemas::ReplayMatchingResponse)),
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let req = parse(body, NotificationStatus::Dead, false)?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let f = req.filter.clone();
    if req.dry_run {
        return dry_run(&state, tenant_id, f).await;
    }
    let (limit, given) = (req.limit, req.given.clone());
    let (replayed, skipped, remaining) = db::run(&state.pool, move |conn| {
        lifecycle::replay::replay_matching(conn, tenant_id, &f, limit, &actor, &given)
    })
    .await?;
    for row in &replayed {
        after_commit::schedule(&state.schedule, row, None).await;
    }
    // Skipped rows stay dead and still match: only more than those is more to do.
    let more = remaining > skipped.len() as i64;
    Ok(HttpResponse::Ok().json(json!({
        "dry_run": false,
        "replayed": replayed.len(),
        "skipped": skipped,
        "remaining": remaining,
        "more": more,
    })))
}
