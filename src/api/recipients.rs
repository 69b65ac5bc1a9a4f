//! `/api/v1/recipients`: whom notifications go to, addressed by the caller's own id, with their
//! addresses, zone, locale, preferences and quiet hours; `/api/v1/recipient-defaults`: the
//! tenant's defaults under them; and `/unsubscribe/{token}`, the one-click unsubscribe link
//! e-mails carry (no auth: the token is signed).

use super::auth::Caller;
use super::batch;
use super::body::JsonObject;
use super::cursor;
use super::error::{ApiError, ItemError};
use super::notifications::guard_recipient;
use super::state::AppState;
use super::view;
use crate::api::openapi::{params, responses, schemas};
use crate::db::{self, models::RecipientRow, recipients::RecipientFields};
use crate::domain::ChannelKind;
use crate::domain::{
    Category, EmailAddress, PhoneNumber, Preferences, QuietHours, Recipient, TimeZone, WebhookUrl,
};
use crate::recipients::unsubscribe::Unsubscribe;
use crate::recipients::Directory;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::Connection;
use futures_util::{stream, StreamExt};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/recipients")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    // Before `/recipients/{id}`, which would match the path.
    .service(web::resource("/recipients/batch").route(web::post().to(upsert_batch)))
    .service(
        web::resource("/recipients/{id}")
            .route(web::get().to(get))
            .route(web::put().to(upsert))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/recipient-defaults")
            .route(web::get().to(get_defaults))
            .route(web::put().to(put_defaults)),
    );
}

/// Routes outside `/api/v1`, without authentication.
pub fn public_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/unsubscribe/{token}")
            .route(web::get().to(unsubscribe_page))
            .route(web::post().to(unsubscribe)),
    );
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    upsert_batch,
    get,
    upsert,
    update,
    delete,
    get_defaults,
    put_defaults,
    unsubscribe_page,
    unsubscribe
))]
pub struct Api;

const MAX_ID_LEN: usize = 200;
const MAX_NAME_LEN: usize = 200;
/// `/recipients/batch` is a route, so no recipient can have this id.
const RESERVED_ID: &str = "batch";

/// A recipient's external id: the caller's own, 1 to 200 characters that are safe in a path.
pub fn parse_external_id(field: &str, raw: &str) -> Result<String, ApiError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:@+|".contains(c));
    if !ok {
        return Err(ApiError::invalid(
            field,
            format!(
                "'{raw}' is not a recipient id: 1 to {MAX_ID_LEN} letters, digits or _ - . : @ + |"
            ),
        ));
    }
    if raw == RESERVED_ID {
        return Err(ApiError::invalid(field, "'batch' is reserved"));
    }
    Ok(raw.to_owned())
}

fn invalid_at((field, message): (String, String)) -> ApiError {
    ApiError::invalid(&field, message)
}

fn render(r: &RecipientRow) -> Value {
    json!({
        "id": r.external_id,
        "name": r.name,
        "email": r.email,
        "phone": r.phone,
        "webhook_url": r.webhook_url,
        "timezone": r.timezone,
        "locale": r.locale,
        "preferred_channel": r.preferred_channel,
        "preferences": r.preferences,
        "quiet_hours": r.quiet_hours,
        "created_at": view::ts(r.created_at),
        "updated_at": view::ts(r.updated_at),
    })
}

fn empty_fields() -> RecipientFields {
    RecipientFields {
        name: None,
        email: None,
        phone: None,
        webhook_url: None,
        timezone: None,
        locale: None,
        preferred_channel: None,
        preferences: json!({}),
        quiet_hours: None,
    }
}

fn fields_of(r: &RecipientRow) -> RecipientFields {
    RecipientFields {
        name: r.name.clone(),
        email: r.email.clone(),
        phone: r.phone.clone(),
        webhook_url: r.webhook_url.clone(),
        timezone: r.timezone.clone(),
        locale: r.locale.clone(),
        preferred_channel: r.preferred_channel.clone(),
        preferences: r.preferences.clone(),
        quiet_hours: r.quiet_hours.clone(),
    }
}

fn parse_locale(raw: &str) -> Result<String, ApiError> {
    // BCP 47 in shape (`de`, `pt-BR`, `zh-Hant-TW`); the tags themselves are the caller's.
    let ok = (2..=35).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_alphabetic())
        && raw.split(['-', '_']).all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(
            "locale",
            format!("'{raw}' is not a locale like en or pt-BR"),
        ))
    }
}

/// Applies the fields `body` gives to `f` (a field sent as `null` is cleared). Returns the
/// webhook URL to check against the address guard, when one was given.
fn apply(body: &mut JsonObject, f: &mut RecipientFields) -> Result<Option<WebhookUrl>, ApiError> {
    fn text(
        body: &mut JsonObject,
        field: &str,
        parse: impl Fn(&str) -> Result<String, ApiError>,
    ) -> Result<Option<Option<String>>, ApiError> {
        if !body.contains(field) {
            return Ok(None);
        }
        Ok(Some(body.opt_str(field)?.map(|s| parse(&s)).transpose()?))
    }
    if let Some(v) = text(body, "name", |s| {
        if s.chars().count() > MAX_NAME_LEN {
            Err(ApiError::invalid(
                "name",
                format!("is longer than {MAX_NAME_LEN} characters"),
            ))
        } else {
            Ok(s.to_owned())
        }
    })? {
        f.name = v;
    }
    if let Some(v) = text(body, "email", |s| {
        EmailAddress::parse(s)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| ApiError::invalid("email", e))
    })? {
        f.email = v;
    }
    if let Some(v) = text(body, "phone", |s| {
        PhoneNumber::parse(s)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| ApiError::invalid("phone", e))
    })? {
        f.phone = v;
    }
    let mut webhook = None;
    if let Some(v) = text(body, "webhook_url", |s| {
        WebhookUrl::parse(s)
            .map(|w| w.as_str().to_owned())
            .map_err(|e| ApiError::invalid("webhook_url", e))
    })? {
        webhook = v.as_deref().and_then(|s| WebhookUrl::parse(s).ok());
        f.webhook_url = v;
    }
    if let Some(v) = text(body, "timezone", |s| {
        TimeZone::parse(s)
            .map(|t| t.name().to_owned())
            .map_err(|e| ApiError::invalid("timezone", e))
    })? {
        f.timezone = v;
    }
    if let Some(v) = text(body, "locale", parse_locale)? {
        f.locale = v;
    }
    if let Some(v) = text(body, "preferred_channel", |s| {
        s.parse::<ChannelKind>()
            .map(|c| c.as_str().to_owned())
            .map_err(|_| ApiError::invalid("preferred_channel", "must be email, sms or webhook"))
    })? {
        f.preferred_channel = v;
    }
    if body.contains("preferences") {
        f.preferences = match body.opt_value("preferences") {
            None => json!({}),
            Some(v) => Preferences::parse("preferences", &v)
                .map_err(invalid_at)?
                .to_json(),
        };
    }
    if body.contains("quiet_hours") {
        f.quiet_hours = body
            .opt_value("quiet_hours")
            .map(|v| QuietHours::parse("quiet_hours", &v).map(QuietHours::to_json))
            .transpose()
            .map_err(invalid_at)?;
    }
    Ok(webhook)
}

async fn guard(state: &AppState, webhook: Option<WebhookUrl>) -> Result<(), ApiError> {
    match webhook {
        Some(url) => guard_recipient(state, &Recipient::Webhook(url))
            .await
            .map_err(|e| match e {
                ApiError::Validation { message, .. } => ApiError::invalid("webhook_url", message),
                other => other,
            }),
        None => Ok(()),
    }
}

fn path_id(raw: &str) -> Result<String, ApiError> {
    // An id that could not have been stored is simply unknown.
    parse_external_id("id", raw).map_err(|_| ApiError::not_found("recipient"))
}

/// A body's `id`, when given, must be the one in the path (a GET's body can be sent back).
fn check_body_id(body: &mut JsonObject, id: &str) -> Result<(), ApiError> {
    match body.opt_str("id")? {
        Some(given) if given != id => Err(ApiError::invalid(
            "id",
            format!("'{given}' differs from the id in the path '{id}'"),
        )),
        _ => Ok(()),
    }
}

fn audit(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    action: &str,
    row: &RecipientRow,
) -> diesel::QueryResult<()> {
    db::audit::record(
        conn,
        caller.tenant_id,
        &caller.actor,
        action,
        Some(row.id),
        json!({"id": row.external_id}),
    )
}

#[utoipa::path(
    post,
    path = "/api/v1/recipients",
    operation_id = "createRecipient",
    tag = "recipients",
    summary = "Create a recipient",
    description = "An id that exists is a `409`; `PUT /api/v1/recipients/{id}` creates or replaces.",
    request_body(content = schemas::RecipientCreate),
    responses(
        (status = 201, description = "Created.", body = schemas::Recipient),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 409, response = responses::Conflict),
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
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let id = parse_external_id("id", &body.req_str("id")?)?;
    let mut fields = empty_fields();
    let webhook = apply(&mut body, &mut fields)?;
    body.finish()?;
    guard(&state, webhook).await?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::recipients::insert(conn, caller.tenant_id, &id, &fields).map_err(
                |e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => ApiError::Conflict(format!(
                        "recipient '{id}' already exists; PUT /recipients/{id} replaces it"
                    )),
                    other => ApiError::from(other),
                },
            )?;
            audit(conn, &caller, "recipient.created", &row)?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(render(&row)))
}

/// Creates the recipient or replaces all of it: fields left out are cleared.
#[utoipa::path(
    put,
    path = "/api/v1/recipients/{id}",
    operation_id = "upsertRecipient",
    tag = "recipients",
    summary = "Create or replace a recipient",
    description = "Fields left out are cleared.",
    params(("id" = String, Path, description = "The recipient's external id. Another tenant's id is a `404`.")),
    request_body(content = schemas::RecipientInput),
    responses(
        (status = 200, description = "Replaced.", body = schemas::Recipient),
        (status = 201, description = "Created.", body = schemas::Recipient),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn upsert(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let id = parse_external_id("id", &path)?;
    check_body_id(&mut body, &id)?;
    let mut fields = empty_fields();
    let webhook = apply(&mut body, &mut fields)?;
    body.finish()?;
    guard(&state, webhook).await?;
    let (row, created) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (row, created) = db::recipients::upsert(conn, caller.tenant_id, &id, &fields)?;
            let action = if created {
                "recipient.created"
            } else {
                "recipient.replaced"
            };
            audit(conn, &caller, action, &row)?;
            Ok::<_, ApiError>((row, created))
        })
    })
    .await?;
    let mut resp = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(resp.json(render(&row)))
}

/// Changes the fields given, leaving the others as they are.
#[utoipa::path(
    patch,
    path = "/api/v1/recipients/{id}",
    operation_id = "updateRecipient",
    tag = "recipients",
    summary = "Change some fields of a recipient",
    description = "Only the fields given change (`null` clears one); `preferences` and `quiet_hours` are replaced whole.",
    params(("id" = String, Path, description = "The recipient's external id. Another tenant's id is a `404`.")),
    request_body(content = schemas::RecipientInput),
    responses(
        (status = 200, description = "Changed.", body = schemas::Recipient),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    check_body_id(&mut body, &id)?;
    let tenant_id = caller.tenant_id;
    let lookup = id.clone();
    let current = db::run(&state.pool, move |conn| {
        db::recipients::find(conn, tenant_id, &lookup).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("recipient"))?;
    let mut fields = fields_of(&current);
    let webhook = apply(&mut body, &mut fields)?;
    body.finish()?;
    guard(&state, webhook).await?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::recipients::update(conn, tenant_id, &id, &fields)?
                .ok_or_else(|| ApiError::not_found("recipient"))?;
            audit(conn, &caller, "recipient.updated", &row)?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&row)))
}

#[utoipa::path(
    get,
    path = "/api/v1/recipients/{id}",
    operation_id = "getRecipient",
    tag = "recipients",
    summary = "Get a recipient",
    params(("id" = String, Path, description = "The recipient's external id. Another tenant's id is a `404`.")),
    responses(
        (status = 200, description = "The recipient.", body = schemas::Recipient),
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
    let id = path_id(&path)?;
    let tenant_id = caller.tenant_id;
    let row = db::run(&state.pool, move |conn| {
        db::recipients::find(conn, tenant_id, &id).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("recipient"))?;
    Ok(HttpResponse::Ok().json(render(&row)))
}

/// Pending notifications to a deleted recipient are not cancelled: each ends `suppressed`
/// when its send is claimed, which records why.
#[utoipa::path(
    delete,
    path = "/api/v1/recipients/{id}",
    operation_id = "deleteRecipient",
    tag = "recipients",
    summary = "Delete a recipient",
    description = "Pending notifications to it end `suppressed` (`recipient_deleted`) when their send is claimed.",
    params(("id" = String, Path, description = "The recipient's external id. Another tenant's id is a `404`.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::recipients::find(conn, caller.tenant_id, &id)?
                .ok_or_else(|| ApiError::not_found("recipient"))?;
            db::recipients::delete(conn, caller.tenant_id, &id)?;
            audit(conn, &caller, "recipient.deleted", &row)?;
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/recipients",
    operation_id = "listRecipients",
    tag = "recipients",
    summary = "List recipients",
    description = "Newest first.",
    params(params::ListRecipientsQuery),
    responses(
        (status = 200, description = "One page.", body = schemas::RecipientPage),
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
    if let Some(key) = query.keys().find(|k| *k != "limit" && *k != "cursor") {
        return Err(ApiError::bad_request(
            key,
            format!("{key}: unknown query parameter"),
        ));
    }
    let limit = cursor::limit(query.get("limit").map(String::as_str))?;
    let before = query.get("cursor").map(|c| cursor::decode(c)).transpose()?;
    let tenant_id = caller.tenant_id;
    let rows = db::run(&state.pool, move |conn| {
        db::recipients::list(conn, tenant_id, before, limit).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view::page(rows, limit, render, |r| (r.created_at, r.id))))
}

/// `{"items": [{"id": "cust_1", …}, …]}`: up to 1,000 upserts (each replaces the whole
/// recipient, as `PUT` does) in one transaction; any bad item fails the batch with a 422 that
/// lists each.
#[utoipa::path(
    post,
    path = "/api/v1/recipients/batch",
    operation_id = "upsertRecipientsBatch",
    tag = "recipients",
    summary = "Create or replace up to 1,000 recipients at once",
    description = "Each item replaces its recipient as `PUT` does. Any bad item (or an id repeated in the batch) is a `422` whose `error.items` lists each bad item's index and field, and nothing is written; otherwise all are written in one transaction.",
    request_body(content = schemas::RecipientBatch),
    responses(
        (status = 200, description = "Every item replaced an existing recipient.", body = schemas::RecipientBatchResult),
        (status = 201, description = "At least one was created; the items in request order.", body = schemas::RecipientBatchResult),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn upsert_batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let mut parsed: Vec<(usize, String, RecipientFields, Option<WebhookUrl>)> = Vec::new();
    let mut bad: Vec<ItemError> = Vec::new();
    let mut seen = HashSet::new();
    for (index, item) in batch::items(body, &req)?.into_iter().enumerate() {
        let mut obj = match batch::item_object(index, item) {
            Ok(obj) => obj,
            Err(e) => {
                bad.push(e);
                continue;
            }
        };
        let result = (|| {
            let id = parse_external_id("id", &obj.req_str("id")?)?;
            if !seen.insert(id.clone()) {
                return Err(ApiError::invalid(
                    "id",
                    format!("'{id}' appears more than once in the batch"),
                ));
            }
            let mut fields = empty_fields();
            let webhook = apply(&mut obj, &mut fields)?;
            Ok((id, fields, webhook))
        })()
        .and_then(|parsed| obj.finish().map(|_| parsed));
        match result {
            Ok((id, fields, webhook)) => parsed.push((index, id, fields, webhook)),
            Err(e) => bad.push(batch::item_error(index, e)?),
        }
    }
    let checks: Vec<(usize, Result<(), ApiError>)> = stream::iter(parsed.iter_mut())
        .map(|(index, _, _, webhook)| {
            let state = &state;
            let webhook = webhook.take();
            async move { (*index, guard(state, webhook).await) }
        })
        .buffered(16)
        .collect()
        .await;
    for (index, result) in checks {
        if let Err(e) = result {
            bad.push(batch::item_error(index, e)?);
        }
    }
    batch::fail_if_any(bad)?;
    let results = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut out = Vec::with_capacity(parsed.len());
            for (_, id, fields, _) in &parsed {
                out.push(db::recipients::upsert(conn, caller.tenant_id, id, fields)?);
            }
            let created = out.iter().filter(|(_, c)| *c).count();
            db::audit::record(
                conn,
                caller.tenant_id,
                &caller.actor,
                "recipient.batch_upserted",
                None,
                json!({"created": created, "replaced": out.len() - created}),
            )?;
            Ok::<_, ApiError>(out)
        })
    })
    .await?;
    let any_created = results.iter().any(|(_, c)| *c);
    let items: Vec<Value> = results
        .iter()
        .map(|(r, created)| json!({"created": created, "recipient": render(r)}))
        .collect();
    let mut resp = if any_created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(resp.json(json!({ "items": items })))
}

fn render_defaults(preferences: &Value, quiet_hours: Option<&Value>) -> Value {
    json!({"preferences": preferences, "quiet_hours": quiet_hours})
}

#[utoipa::path(
    get,
    path = "/api/v1/recipient-defaults",
    operation_id = "getRecipientDefaults",
    tag = "recipients",
    summary = "The tenant's recipient defaults",
    responses(
        (status = 200, description = "The defaults (empty preferences and no quiet hours until set).", body = schemas::RecipientDefaults),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn get_defaults(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant_id;
    let found = db::run(&state.pool, move |conn| {
        db::recipients::defaults(conn, &[tenant_id]).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(match found.get(&tenant_id) {
        Some(d) => render_defaults(&d.preferences, d.quiet_hours.as_ref()),
        None => render_defaults(&json!({}), None),
    }))
}

/// Replaces the tenant's defaults (admin).
#[utoipa::path(
    put,
    path = "/api/v1/recipient-defaults",
    operation_id = "putRecipientDefaults",
    tag = "recipients",
    summary = "Replace the tenant's recipient defaults",
    description = "Requires the `admin` role. Preferences and quiet hours every recipient has unless its own say otherwise.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::RecipientDefaults),
    responses(
        (status = 200, description = "Replaced.", body = schemas::RecipientDefaults),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn put_defaults(
    state: web::Data<AppState>,
    caller: Caller,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let preferences = match body.opt_value("preferences") {
        None => json!({}),
        Some(v) => Preferences::parse("preferences", &v)
            .map_err(invalid_at)?
            .to_json(),
    };
    let quiet_hours = body
        .opt_value("quiet_hours")
        .map(|v| QuietHours::parse("quiet_hours", &v).map(QuietHours::to_json))
        .transpose()
        .map_err(invalid_at)?;
    body.finish()?;
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::recipients::put_defaults(
                conn,
                caller.tenant_id,
                &preferences,
                quiet_hours.as_ref(),
            )?;
            db::audit::record(
                conn,
                caller.tenant_id,
                &caller.actor,
                "recipient_defaults.replaced",
                None,
                json!({}),
            )?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(render_defaults(&row.preferences, row.quiet_hours.as_ref())))
}

fn signer(state: &AppState) -> Result<Unsubscribe, ApiError> {
    Unsubscribe::from_settings(&state.settings)
        .ok_or_else(|| ApiError::NotFound("unsubscribe links are not enabled".into()))
}

fn refused() -> ApiError {
    ApiError::bad_request("token", "token: not a valid unsubscribe link")
}

/// The one-click unsubscribe (RFC 8058): records the opt-out of the link's category on its
/// channel. Idempotent: a second click changes nothing and answers the same.
#[utoipa::path(
    post,
    path = "/unsubscribe/{token}",
    operation_id = "unsubscribe",
    tag = "recipients",
    summary = "One-click unsubscribe (RFC 8058)",
    description = "No authentication: the token is signed (HMAC-SHA256 under `CHIME_UNSUBSCRIBE_SECRET`) for one recipient, category and channel, and checked in constant time. Records the opt-out; idempotent. A tampered token is a `400` and changes nothing; without `CHIME_PUBLIC_URL` links are off (`404`). Mail clients post `List-Unsubscribe=One-Click` as a form; the body is not read.",
    security(),
    params(("token" = String, Path, description = "The signed token of a `List-Unsubscribe` link.")),
    responses(
        (status = 200, description = "Opted out.", body = schemas::Unsubscribed),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn unsubscribe(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sub = signer(&state)?.verify(&path).ok_or_else(refused)?;
    let (category, channel) = (sub.category.clone(), sub.channel);
    let changed = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::recipients::lock_by_id(conn, sub.tenant_id, sub.recipient)?
                .ok_or_else(|| ApiError::not_found("recipient"))?;
            let mut prefs = Preferences::from_stored(&row.preferences);
            if prefs.get(sub.category.as_str(), sub.channel) == Some(false) {
                return Ok::<_, ApiError>(false);
            }
            prefs.set(&sub.category, sub.channel, false);
            db::recipients::set_preferences(conn, row.id, &prefs.to_json())?;
            db::audit::record(
                conn,
                sub.tenant_id,
                "unsubscribe-link",
                "recipient.unsubscribed",
                Some(row.id),
                json!({"id": row.external_id, "category": sub.category.as_str(), "channel": sub.channel}),
            )?;
            Ok(true)
        })
    })
    .await?;
    if changed {
        tracing::info!(category = %category, channel = %channel, "a recipient unsubscribed");
    }
    Ok(HttpResponse::Ok().json(json!({
        "unsubscribed": true,
        "category": category.as_str(),
        "channel": channel,
    })))
}

/// What a person who opens the link sees: a button that makes the POST. A GET changes nothing,
/// since mail scanners fetch links before anyone clicks them.
#[utoipa::path(
    get,
    path = "/unsubscribe/{token}",
    operation_id = "unsubscribePage",
    tag = "recipients",
    summary = "Unsubscribe page",
    description = "A page with a button that makes the `POST`; opening the link changes nothing.",
    security(),
    params(("token" = String, Path, description = "The signed token of a `List-Unsubscribe` link.")),
    responses(
        (status = 200, description = "The page.", body = String, content_type = "text/html"),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn unsubscribe_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sub = signer(&state)?.verify(&path).ok_or_else(refused)?;
    // The token is base64url and '.', the category a checked name: nothing to escape.
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Unsubscribe</title></head>\
         <body><form method=\"post\" action=\"/unsubscribe/{token}\">\
         <p>Stop receiving <strong>{category}</strong> messages by {channel}?</p>\
         <button type=\"submit\">Unsubscribe</button></form></body></html>",
        token = path.as_str(),
        category = sub.category,
        channel = sub.channel,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}

/// Addressing by recipient instead of by address, as a notification create gives it.
#[derive(Debug, Clone)]
pub struct Addressed {
    pub channel: ChannelKind,
    pub recipient: Recipient,
    pub recipient_id: String,
    pub category: Category,
}

/// The recipient ids a create body names, so [`Directory::load`] can read them first.
pub fn named_recipient(body: &JsonObject) -> Option<String> {
    body.peek_str("recipient_id").map(str::to_owned)
}

/// Takes `recipient_id`, `category` and `channel`/`channels` out of a create body naming a
/// recipient and picks its channel and address; `None` when the body names no recipient.
pub fn parse_addressee(
    body: &mut JsonObject,
    directory: &Directory,
) -> Result<Option<Addressed>, ApiError> {
    if !body.contains("recipient_id") {
        for field in ["category", "channels"] {
            if body.contains(field) {
                return Err(ApiError::invalid(
                    field,
                    "only applies with recipient_id (a notification to a recipient)",
                ));
            }
        }
        return Ok(None);
    }
    let recipient_id = parse_external_id("recipient_id", &body.req_str("recipient_id")?)?;
    if body.contains("recipient") {
        return Err(ApiError::invalid(
            "recipient",
            "give either recipient (an address) or recipient_id, not both",
        ));
    }
    let category = Category::parse(&body.req_str("category")?)
        .map_err(|e| ApiError::invalid("category", e))?;
    let parse_channel = |field: &str, s: &str| {
        s.parse::<ChannelKind>()
            .map_err(|_| ApiError::invalid(field, "must be email, sms or webhook"))
    };
    let mut requested = Vec::new();
    let mut requested_by = "channels";
    if let Some(c) = body.opt_str("channel")? {
        requested.push(parse_channel("channel", &c)?);
        requested_by = "channel";
    }
    if let Some(list) = body.opt_str_list("channels")? {
        if !requested.is_empty() {
            return Err(ApiError::invalid(
                "channels",
                "give channel or channels, not both",
            ));
        }
        if list.is_empty() {
            return Err(ApiError::invalid("channels", "must not be empty"));
        }
        for (i, c) in list.iter().enumerate() {
            let kind = parse_channel(&format!("channels[{i}]"), c)?;
            if !requested.contains(&kind) {
                requested.push(kind);
            }
        }
    }
    let (channel, recipient) = directory
        .choose(&recipient_id, &category, &requested)
        .map_err(|(field, message)| {
            let field = if field == "channels" {
                requested_by
            } else {
                field
            };
            ApiError::invalid(field, message)
        })?;
    Ok(Some(Addressed {
        channel,
        recipient,
        recipient_id,
        category,
    }))
}

/// Takes `fallback` out of a create body: the channels to try, in order, after the chosen one
/// fails permanently. Each needs an address of the recipient the notification names (the
/// claim reads the current one, as for the first channel).
pub fn parse_fallback(
    body: &mut JsonObject,
    addressee: Option<&Addressed>,
    directory: &Directory,
) -> Result<Vec<ChannelKind>, ApiError> {
    let Some(list) = body.opt_str_list("fallback")? else {
        return Ok(Vec::new());
    };
    let Some(addressee) = addressee else {
        return Err(ApiError::invalid(
            "fallback",
            "only applies with recipient_id (the fallback channels use the recipient's addresses)",
        ));
    };
    if list.len() >= ChannelKind::ALL.len() {
        return Err(ApiError::invalid(
            "fallback",
            "names at most the two channels other than the first",
        ));
    }
    let mut channels = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let field = format!("fallback[{i}]");
        let kind: ChannelKind = c
            .parse()
            .map_err(|_| ApiError::invalid(&field, "must be email, sms or webhook"))?;
        if kind == addressee.channel || channels.contains(&kind) {
            return Err(ApiError::invalid(
                &field,
                format!("{kind} is already tried before; each channel is tried once"),
            ));
        }
        if directory
            .address_of(&addressee.recipient_id, kind)
            .is_none()
        {
            return Err(ApiError::invalid(
                &field,
                format!(
                    "recipient '{}' has no {kind} address",
                    addressee.recipient_id
                ),
            ));
        }
        channels.push(kind);
    }
    Ok(channels)
}
