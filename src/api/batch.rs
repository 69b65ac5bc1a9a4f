//! `POST /notifications/batch` and `POST /events/batch`: up to [`MAX_ITEMS`] creates in one
//! request. Every item is checked exactly as its single create is; any bad item fails the whole
//! batch (a 422 listing each one) before anything is written. The rows go into PostgreSQL in one
//! transaction, then into Redis in one round trip.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::{ApiError, ItemError};
use super::events::{parse_event, render_event};
use super::notifications::{check_draft, load_directory, named_recipients, parse_create, Draft};
use super::state::AppState;
use super::view;
use crate::api::openapi::{responses, schemas};
use crate::db::{self, batch_insert};
use crate::events::queue;
use crate::lifecycle::after_commit;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::Connection;
use futures_util::{stream, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/notifications/batch").route(web::post().to(notifications)))
        .service(web::resource("/events/batch").route(web::post().to(events)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(notifications, events))]
pub struct Api;

pub const MAX_ITEMS: usize = 1_000;

/// Items checked at once: the render check and the webhook address check wait on other threads.
const CHECKS_IN_FLIGHT: usize = 16;

/// Takes `{"items": [...]}` apart.
pub(super) fn items(mut body: JsonObject, req: &HttpRequest) -> Result<Vec<Value>, ApiError> {
    // One key for many creates would make all but the first repeats of it.
    if req.headers().contains_key("Idempotency-Key") {
        return Err(ApiError::bad_request(
            "Idempotency-Key",
            "Idempotency-Key: not used with a batch; give each item an idempotency_key",
        ));
    }
    let items = match body.opt_value("items") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::bad_request("items", "items: expected an array")),
        None => return Err(ApiError::invalid("items", "is required")),
    };
    body.finish()?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            "items",
            format!("must hold 1 to {MAX_ITEMS} items, got {}", items.len()),
        ));
    }
    Ok(items)
}

pub(super) fn item_object(index: usize, item: Value) -> Result<JsonObject, ItemError> {
    match item {
        Value::Object(map) => Ok(JsonObject::from_map(map)),
        _ => Err(ItemError {
            index,
            field: None,
            message: "must be a JSON object".into(),
        }),
    }
}

/// A field-level error of one item joins the list; anything else (the database is down) fails
/// the request as it would a single create.
pub(super) fn item_error(index: usize, e: ApiError) -> Result<ItemError, ApiError> {
    match e {
        ApiError::Validation { field, message } => Ok(ItemError {
            index,
            message: strip_field(&field, message),
            field: Some(field),
        }),
        ApiError::BadRequest { field, message } => Ok(ItemError {
            index,
            message: match &field {
                Some(f) => strip_field(f, message),
                None => message,
            },
            field,
        }),
        other => Err(other),
    }
}

/// Bad-request messages start with their field, which the item already names.
fn strip_field(field: &str, message: String) -> String {
    match message.strip_prefix(&format!("{field}: ")) {
        Some(rest) => rest.to_string(),
        None => message,
    }
}

pub(super) fn fail_if_any(mut bad: Vec<ItemError>) -> Result<(), ApiError> {
    if bad.is_empty() {
        return Ok(());
    }
    bad.sort_by_key(|e| e.index);
    Err(ApiError::InvalidItems(bad))
}

#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id))]
#[utoipa::path(
    post,
    path = "/api/v1/notifications/batch",
    operation_id = "createNotificationsBatch",
    tag = "notifications",
    summary = "Create up to 1,000 notifications at once",
    description = "Every item is checked exactly as `POST /api/v1/notifications` checks its body. Any bad item is a `422` whose `error.items` lists each bad item's index and field, and nothing is created. Otherwise all rows are written in one transaction and scheduled in one Redis round trip. An `idempotency_key` already stored, or repeated earlier in the batch, returns the existing notification in its slot with `created: false`. The `Idempotency-Key` header is refused (`400`).",
    request_body(content = schemas::NotificationBatch),
    responses(
        (status = 200, description = "Every item was an idempotent repeat; nothing was created.", body = schemas::NotificationBatchResult),
        (status = 201, description = "Created; the items in request order.", body = schemas::NotificationBatchResult),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn notifications(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let default_attempts = state.settings.default_max_attempts();
    let mut drafts: Vec<(usize, Draft)> = Vec::new();
    let mut bad = Vec::new();
    let mut objects = Vec::new();
    for (index, item) in items(body, &req)?.into_iter().enumerate() {
        match item_object(index, item) {
            Ok(obj) => objects.push((index, obj)),
            Err(e) => bad.push(e),
        }
    }
    let named = named_recipients(objects.iter().map(|(_, o)| o));
    let directory = load_directory(&state, caller.tenant_id, named).await?;
    for (index, mut obj) in objects {
        match parse_create(&mut obj, None, default_attempts, &directory)
            .and_then(|d| obj.finish().map(|_| d))
        {
            Ok(d) => drafts.push((index, d)),
            Err(e) => bad.push(item_error(index, e)?),
        }
    }
    // Items that parsed are checked too, so one answer lists every bad item.
    let checks: Vec<(usize, Result<(), ApiError>)> = stream::iter(drafts.iter())
        .map(|(index, d)| {
            let state = &state;
            let tenant_id = caller.tenant_id;
            async move { (*index, check_draft(state, tenant_id, d).await) }
        })
        .buffered(CHECKS_IN_FLIGHT)
        .collect()
        .await;
    for (index, result) in checks {
        if let Err(e) = result {
            bad.push(item_error(index, e)?);
        }
    }
    fail_if_any(bad)?;
    let drafts: Vec<Draft> = drafts.into_iter().map(|(_, d)| d).collect();

    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let settings = state.settings.clone();
    let results = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut rows = Vec::with_capacity(drafts.len());
            for draft in drafts {
                let series_id = match &draft.cron {
                    Some(spec) => {
                        let tz = draft
                            .timezone
                            .as_ref()
                            .map(|t| t.name().to_string())
                            .unwrap_or_else(|| "UTC".into());
                        Some(
                            db::series::create(conn, tenant_id, spec.as_str(), &tz, draft.ends_at)?
                                .id,
                        )
                    }
                    None => None,
                };
                rows.push((draft.into_new(tenant_id, series_id), actor.clone()));
            }
            let mut out = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(batch_insert::MAX_BATCH) {
                out.extend(batch_insert::insert_batch(conn, chunk)?);
            }
            let mut new_series = false;
            for ((new, _), (_, created)) in rows.iter().zip(&out) {
                match (new.series_id, created) {
                    (Some(_), true) => new_series = true,
                    // An idempotent repeat must not leave an orphan series behind.
                    (Some(series_id), false) => db::series::delete(conn, series_id)?,
                    (None, _) => {}
                }
            }
            if out.iter().any(|(_, created)| *created) {
                super::limits::enforce_caps(conn, &settings, tenant_id, new_series)?;
            }
            Ok::<_, ApiError>(out)
        })
    })
    .await?;

    let created: Vec<_> = results.iter().filter(|(_, c)| *c).map(|(n, _)| n).collect();
    after_commit::schedule_many(&state.schedule, &created).await;
    tracing::debug!(
        items = results.len(),
        created = created.len(),
        "notification batch"
    );
    let any_created = !created.is_empty();
    #[derive(serde::Serialize)]
    struct Item<'a> {
        created: bool,
        notification: view::NotificationView<'a>,
    }
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        items: Vec<Item<'a>>,
    }
    let items: Vec<Item> = results
        .iter()
        .map(|(n, created)| Item {
            created: *created,
            notification: view::NotificationView::of(n),
        })
        .collect();
    let mut resp = if any_created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(resp.json(Answer { items }))
}

#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id))]
#[utoipa::path(
    post,
    path = "/api/v1/events/batch",
    operation_id = "createEventsBatch",
    tag = "events",
    summary = "Post up to 1,000 events at once",
    description = "Every item is checked exactly as `POST /api/v1/events` checks its body; any bad item is a `422` listing each bad item in `error.items`, and nothing is stored. The events are written in one transaction and queued in one Redis round trip. A repeated `idempotency_key` returns the existing event in its slot with `created: false`. The `Idempotency-Key` header is refused (`400`).",
    request_body(content = schemas::EventBatch),
    responses(
        (status = 200, description = "Every item was an idempotent repeat; nothing new was stored.", body = schemas::EventBatchResult),
        (status = 202, description = "Accepted; the items in request order.", body = schemas::EventBatchResult),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant_id;
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (index, item) in items(body, &req)?.into_iter().enumerate() {
        match item_object(index, item) {
            Ok(obj) => match parse_event(obj, None, tenant_id) {
                Ok(row) => rows.push(row),
                Err(e) => bad.push(item_error(index, e)?),
            },
            Err(e) => bad.push(e),
        }
    }
    fail_if_any(bad)?;
    let (results, ids) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let out = db::events::insert_many(conn, &rows)?;
            let repeats: Vec<_> = out.iter().filter(|(_, c)| !*c).map(|(e, _)| e.id).collect();
            let ids = if repeats.is_empty() {
                HashMap::new()
            } else {
                db::events::notification_ids(conn, tenant_id, &repeats)?
            };
            Ok::<_, ApiError>((out, ids))
        })
    })
    .await?;
    let created: Vec<_> = results
        .iter()
        .filter(|(_, c)| *c)
        .map(|(e, _)| e.id)
        .collect();
    if !created.is_empty() {
        let mut conn = state.schedule.connection();
        if let Err(e) = queue::enqueue_many(&mut conn, state.schedule.keys(), &created).await {
            // The events are stored; workers re-queue events left `received`.
            tracing::warn!(events = created.len(), error = %e, "could not queue events in Redis; they will be re-queued");
        }
    }
    tracing::info!(
        items = results.len(),
        created = created.len(),
        "event batch received"
    );
    let items: Vec<Value> = results
        .iter()
        .map(|(e, created)| {
            let nids = ids.get(&e.id).cloned().unwrap_or_default();
            json!({"created": created, "event": render_event(e, &nids)})
        })
        .collect();
    let mut resp = if created.is_empty() {
        HttpResponse::Ok()
    } else {
        HttpResponse::Accepted()
    };
    Ok(resp.json(json!({ "items": items })))
}
