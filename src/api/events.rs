//! `/api/v1/events`: post, read, list, cancel. An event is written to PostgreSQL first and then
//! its id is added to the events stream; the `worker` role turns it into notifications.

use super::auth::Caller;
use super::body::JsonObject;
use super::cursor;
use super::error::ApiError;
use super::params::{idempotency_key, parse_id, MAX_KEY_LEN};
use super::state::AppState;
use super::view;
use crate::api::openapi::{params, responses, schemas};
use crate::db::{self, models::Event, models::NewEvent};
use crate::domain::EventType;
use crate::events::queue;
use crate::lifecycle::after_commit;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::Connection;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/events")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(web::resource("/events/{id}").route(web::get().to(get)))
    .service(web::resource("/events/{id}/cancel").route(web::post().to(cancel)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get, cancel))]
pub struct Api;

const STATUSES: [&str; 4] = ["received", "processed", "ignored", "failed"];

fn render(e: &Event, notification_ids: &[Uuid]) -> Value {
    json!({
        "id": e.id,
        "type": e.event_type,
        "payload": e.payload,
        "status": e.status,
        "error": e.error,
        "notification_ids": notification_ids,
        "idempotency_key": e.idempotency_key,
        "created_at": view::ts(e.created_at),
        "processed_at": view::opt_ts(e.processed_at),
    })
}

/// Reads an event to store. Without a request (an item of a batch), only the body's
/// idempotency key counts.
pub(super) fn parse_event(
    mut body: JsonObject,
    req: Option<&HttpRequest>,
    tenant_id: Uuid,
) -> Result<NewEvent, ApiError> {
    let event_type =
        EventType::parse(&body.req_str("type")?).map_err(|e| ApiError::invalid("type", e))?;
    let payload = body
        .opt_object("payload")?
        .ok_or_else(|| ApiError::invalid("payload", "is required (a JSON object)"))?;
    let body_key = body.opt_key("idempotency_key", MAX_KEY_LEN)?;
    let key = match req {
        Some(req) => idempotency_key(req, body_key)?,
        None => body_key,
    };
    body.finish()?;
    Ok(NewEvent {
        id: Uuid::now_v7(),
        tenant_id,
        event_type: event_type.as_str().to_string(),
        payload,
        status: "received".into(),
        idempotency_key: key,
    })
}

pub(super) fn render_event(e: &Event, notification_ids: &[Uuid]) -> Value {
    render(e, notification_ids)
}

#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id))]
#[utoipa::path(
    post,
    path = "/api/v1/events",
    operation_id = "createEvent",
    tag = "events",
    summary = "Post an event",
    description = "The rule for the event's type decides what is scheduled. Without a rule, the built-in handler uses `payload.target_date` and creates one notification per recipient among `payload.email`, `payload.phone` and `payload.webhook_url`, with `payload.lead_time` (default `PT0S`).",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same as the body's `idempotency_key`; when both are given they must be equal.", min_length = 1, max_length = 200, nullable = false)),
    request_body(content = schemas::EventCreate),
    responses(
        (status = 200, description = "An event with this `idempotency_key` already exists; it is returned.", body = schemas::Event),
        (status = 202, description = "Accepted; the event handler turns it into notifications.", body = schemas::Event),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let new = parse_event(body, Some(&req), caller.tenant_id)?;
    let tenant_id = caller.tenant_id;
    let (row, created, notification_ids) = db::run(&state.pool, move |conn| {
        let (row, created) = db::events::insert_idempotent(conn, &new)?;
        let ids = if created {
            Vec::new()
        } else {
            db::events::notification_ids(conn, tenant_id, &[row.id])?
                .remove(&row.id)
                .unwrap_or_default()
        };
        Ok::<_, ApiError>((row, created, ids))
    })
    .await?;
    if !created {
        return Ok(HttpResponse::Ok().json(render(&row, &notification_ids)));
    }
    let mut conn = state.schedule.connection();
    if let Err(e) = queue::enqueue(&mut conn, state.schedule.keys(), row.id).await {
        // The event is stored; workers re-queue events left `received`.
        tracing::warn!(event_id = %row.id, error = %e, "could not queue event in Redis; it will be re-queued");
    }
    tracing::info!(event_id = %row.id, event_type = %row.event_type, "event received");
    Ok(HttpResponse::Accepted().json(render(&row, &[])))
}

#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    operation_id = "getEvent",
    tag = "events",
    summary = "Get an event",
    params(("id" = uuid::Uuid, Path, description = "The event id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "The event and the notifications it created.", body = schemas::Event),
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
    let id = parse_id(&path, "event")?;
    let tenant_id = caller.tenant_id;
    let (row, ids) = db::run(&state.pool, move |conn| {
        let row =
            db::events::find(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("event"))?;
        let ids = db::events::notification_ids(conn, tenant_id, &[id])?
            .remove(&id)
            .unwrap_or_default();
        Ok::<_, ApiError>((row, ids))
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&row, &ids)))
}

#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "listEvents",
    tag = "events",
    summary = "List events",
    params(params::ListEventsQuery),
    responses(
        (status = 200, description = "Newest first.", body = schemas::EventPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    for key in query.keys() {
        if !["type", "status", "limit", "cursor"].contains(&key.as_str()) {
            return Err(ApiError::bad_request(
                key,
                format!("{key}: unknown query parameter"),
            ));
        }
    }
    let mut f = db::events::ListFilter {
        limit: cursor::limit(query.get("limit").map(String::as_str))?,
        ..Default::default()
    };
    if let Some(t) = query.get("type") {
        f.event_type = Some(
            EventType::parse(t)
                .map_err(|e| ApiError::invalid("type", e))?
                .as_str()
                .to_string(),
        );
    }
    if let Some(s) = query.get("status") {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::invalid(
                "status",
                format!("unknown status '{s}' (expected received, processed, ignored or failed)"),
            ));
        }
        f.status = Some(s.clone());
    }
    if let Some(c) = query.get("cursor") {
        f.before = Some(cursor::decode(c)?);
    }
    let limit = f.limit;
    let tenant_id = caller.tenant_id;
    let (rows, ids) = db::run(&state.pool, move |conn| {
        let rows = db::events::list(conn, tenant_id, &f)?;
        let event_ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
        let ids = db::events::notification_ids(conn, tenant_id, &event_ids)?;
        Ok::<_, ApiError>((rows, ids))
    })
    .await?;
    let empty = Vec::new();
    let page = view::page(
        rows,
        limit,
        |e| render(e, ids.get(&e.id).unwrap_or(&empty)),
        |e| (e.created_at, e.id),
    );
    Ok(HttpResponse::Ok().json(page))
}

/// Cancels every pending notification the event created. An event not yet handled is closed
/// as `ignored` first, so the worker creates nothing for it afterwards.
#[tracing::instrument(skip_all, fields(event_id = %path.as_str()))]
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/cancel",
    operation_id = "cancelEvent",
    tag = "events",
    summary = "Cancel an event's notifications",
    params(("id" = uuid::Uuid, Path, description = "The event id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "Every pending notification the event created was cancelled. An event not yet handled is closed as `ignored`, so it creates nothing later.", body = schemas::EventCancelled),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
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
    let id = parse_id(&path, "event")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let (event, cancelled) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // The lock orders this against the worker handling the same event.
            let event = db::events::lock_for_tenant(conn, tenant_id, id)?
                .ok_or_else(|| ApiError::not_found("event"))?;
            if event.status == "received" {
                db::events::finish(conn, id, "ignored", Some("cancelled before it was handled"))?;
            }
            let cancelled = db::notifications::cancel_where(conn, tenant_id, None, Some(id), None)?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "event.cancelled",
                Some(id),
                json!({"cancelled": cancelled.len()}),
            )?;
            let event = db::events::find(conn, tenant_id, id)?
                .ok_or_else(|| ApiError::not_found("event"))?;
            Ok::<_, ApiError>((event, cancelled))
        })
    })
    .await?;
    for (nid, version) in &cancelled {
        after_commit::unschedule(&state.schedule, *nid, *version).await;
    }
    Ok(HttpResponse::Ok().json(json!({
        "cancelled": cancelled.len(),
        "event_id": event.id,
        "status": event.status,
    })))
}
