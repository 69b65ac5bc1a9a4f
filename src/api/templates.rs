//! `/api/v1/templates`: named, versioned message templates per tenant.
//!
//! A template has a subject, a body, an optional HTML part and an optional digest text, each
//! checked like an inline template when saved. `PUT` stores a new version; versions are never
//! edited, so a notification pinned to one (`template_version`) always renders the same text,
//! while one naming only the template renders the version that is latest when it is sent.
//! Writes are for admins (like rules); reading and previews for any role.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::notifications::{check_render, Draft, RenderCheck};
use super::params::parse_template;
use super::state::AppState;
use super::view::ts;
use crate::api::openapi::{responses, schemas};
use crate::channels::template::{self, Budget, OutputLimit, RenderError};
use crate::db::{self, models::StoredTemplate, templates::TemplateFields};
use crate::domain::ChannelKind;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/templates")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/templates/{name}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/templates/{name}/versions").route(web::get().to(versions)))
    .service(web::resource("/templates/{name}/preview").route(web::post().to(preview)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get, update, delete, versions, preview))]
pub struct Api;

const MAX_NAME_LEN: usize = 100;

/// A reference to a stored template from a notification or rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    pub name: String,
    /// `None`: the latest version when the message is rendered.
    pub version: Option<i32>,
}

fn check_name(field: &str, name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("must be 1 to {MAX_NAME_LEN} letters, digits, '-', '_' or '.', starting with a letter or digit"),
        ))
    }
}

fn parse_version(field: &str, raw: Option<i64>) -> Result<Option<i32>, ApiError> {
    match raw {
        None => Ok(None),
        Some(v) if (1..=i32::MAX as i64).contains(&v) => Ok(Some(v as i32)),
        Some(_) => Err(ApiError::invalid(field, "must be a positive whole number")),
    }
}

/// `template` (+ optional `template_version`) of a notification or rule body. With a template,
/// the message's own `subject`, `body` and `html` may not be given.
pub fn parse_ref(body: &mut JsonObject) -> Result<Option<TemplateRef>, ApiError> {
    let name = body.opt_str("template")?;
    let version = parse_version("template_version", body.opt_i64("template_version")?)?;
    let Some(name) = name else {
        if version.is_some() {
            return Err(ApiError::invalid(
                "template_version",
                "needs a template to refer to",
            ));
        }
        return Ok(None);
    };
    check_name("template", &name)?;
    for field in ["subject", "body", "html"] {
        if body.contains(field) {
            return Err(ApiError::invalid(
                field,
                "cannot be combined with template; the stored template provides it",
            ));
        }
    }
    Ok(Some(TemplateRef { name, version }))
}

/// The stored version a reference names; a `422` naming `template` (or `template_version`)
/// when there is none.
pub async fn resolve(
    state: &AppState,
    tenant_id: Uuid,
    reference: &TemplateRef,
) -> Result<StoredTemplate, ApiError> {
    let (name, version) = (reference.name.clone(), reference.version);
    let found = db::run(&state.pool, move |conn| {
        db::templates::resolve(conn, tenant_id, &name, version).map_err(ApiError::from)
    })
    .await?;
    found.ok_or_else(|| match reference.version {
        Some(v) => ApiError::invalid(
            "template_version",
            format!("template {:?} has no version {v}", reference.name),
        ),
        None => ApiError::invalid(
            "template",
            format!("no template named {:?}", reference.name),
        ),
    })
}

/// The create-time checks of a notification that names a template: it exists, and renders
/// within the send-time bounds against the notification's data.
pub(super) async fn check_draft(
    state: &AppState,
    tenant_id: Uuid,
    reference: &TemplateRef,
    draft: &Draft,
) -> Result<(), ApiError> {
    let stored = resolve(state, tenant_id, reference).await?;
    check_render(
        state,
        RenderCheck {
            channel: draft.channel,
            subject: stored.subject.as_deref(),
            body: &stored.body,
            html: stored
                .html
                .as_deref()
                .filter(|_| draft.channel == ChannelKind::Email),
            data: &draft.data,
            target_date: draft.timing.target_date,
            send_at: draft.timing.send_at,
            recipient: draft.recipient.as_str(),
        },
    )
    .await
    .map_err(|e| match e {
        ApiError::Validation { field, message } => {
            ApiError::invalid("template", format!("{field}: {message}"))
        }
        other => other,
    })
}

fn render(t: &StoredTemplate) -> Value {
    json!({
        "name": t.name,
        "version": t.version,
        "subject": t.subject,
        "body": t.body,
        "html": t.html,
        "digest": t.digest,
        "created_at": ts(t.created_at),
    })
}

fn parse_fields(body: &mut JsonObject) -> Result<TemplateFields, ApiError> {
    let subject = body.opt_str("subject")?;
    if let Some(s) = &subject {
        parse_template("subject", s)?;
    }
    let text = body.req_str("body")?;
    parse_template("body", &text)?;
    let html = body.opt_str("html")?;
    if let Some(h) = &html {
        parse_template("html", h)?;
    }
    let digest = body.opt_str("digest")?;
    if let Some(d) = &digest {
        parse_template("digest", d)?;
    }
    Ok(TemplateFields {
        subject,
        body: text,
        html,
        digest,
    })
}

fn path_name(path: &str) -> Result<String, ApiError> {
    // An impossible name is simply an unknown template.
    check_name("name", path).map_err(|_| ApiError::not_found("template"))?;
    Ok(path.to_owned())
}

#[utoipa::path(
    post,
    path = "/api/v1/templates",
    operation_id = "createTemplate",
    tag = "templates",
    summary = "Create a template",
    description = "Version 1 of a new name; `409` when the name exists (`PUT` adds versions). Every text is checked like an inline template (`422` naming the field).

Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::TemplateInput),
    responses(
        (status = 201, description = "Created.", body = schemas::Template),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
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
    caller.require_admin()?;
    let name = body.req_str("name")?;
    check_name("name", &name)?;
    let fields = parse_fields(&mut body)?;
    body.finish()?;
    let (tenant_id, actor) = (caller.tenant_id, caller.actor.clone());
    let created = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(t) = db::templates::create(conn, tenant_id, &name, &fields)? else {
                return Ok(None);
            };
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "template.created",
                Some(t.id),
                json!({"name": t.name, "version": t.version}),
            )?;
            Ok::<_, ApiError>(Some(t))
        })
    })
    .await?;
    match created {
        Some(t) => Ok(HttpResponse::Created().json(render(&t))),
        None => Err(ApiError::Conflict(
            "a template with this name exists; PUT /templates/{name} adds a version".into(),
        )),
    }
}

#[utoipa::path(
    put,
    path = "/api/v1/templates/{name}",
    operation_id = "updateTemplate",
    tag = "templates",
    summary = "Add a version",
    description = "Stores the texts as the next version. Notifications naming the template without a version render it from then on, if not yet sent.

Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("name" = String, Path, description = "The template's name. An unknown name (or another tenant's) is a `404`.")),
    request_body(content = schemas::TemplateVersionInput),
    responses(
        (status = 200, description = "The new version.", body = schemas::Template),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
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
    caller.require_admin()?;
    let name = path_name(&path)?;
    let fields = parse_fields(&mut body)?;
    body.finish()?;
    let (tenant_id, actor) = (caller.tenant_id, caller.actor.clone());
    let added = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(t) = db::templates::add_version(conn, tenant_id, &name, &fields)? else {
                return Ok(None);
            };
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "template.updated",
                Some(t.id),
                json!({"name": t.name, "version": t.version}),
            )?;
            Ok::<_, ApiError>(Some(t))
        })
    })
    .await?;
    added
        .map(|t| HttpResponse::Ok().json(render(&t)))
        .ok_or_else(|| ApiError::not_found("template"))
}

#[utoipa::path(
    get,
    path = "/api/v1/templates",
    operation_id = "listTemplates",
    tag = "templates",
    summary = "List templates",
    description = "The latest version of each template, by name.",
    responses(
        (status = 200, description = "The templates.", body = schemas::TemplateList),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant_id;
    let items = db::run(&state.pool, move |conn| {
        db::templates::list_latest(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items.iter().map(render).collect::<Vec<_>>()})))
}

type Query = web::Query<std::collections::HashMap<String, String>>;

#[utoipa::path(
    get,
    path = "/api/v1/templates/{name}",
    operation_id = "getTemplate",
    tag = "templates",
    summary = "Get a template",
    description = "Its latest version, or `version`.",
    params(("name" = String, Path, description = "The template's name. An unknown name (or another tenant's) is a `404`."), ("version" = Option<i64>, Query, description = "A version number; default the latest.", minimum = 1, nullable = false)),
    responses(
        (status = 200, description = "The version.", body = schemas::Template),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: Query,
) -> Result<HttpResponse, ApiError> {
    let name = path_name(&path)?;
    let version = match query.get("version") {
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .and_then(|v| parse_version("version", Some(v)).ok().flatten())
                .ok_or_else(|| ApiError::invalid("version", "must be a positive whole number"))?,
        ),
        None => None,
    };
    let tenant_id = caller.tenant_id;
    let found = db::run(&state.pool, move |conn| {
        db::templates::resolve(conn, tenant_id, &name, version).map_err(ApiError::from)
    })
    .await?;
    found
        .map(|t| HttpResponse::Ok().json(render(&t)))
        .ok_or_else(|| ApiError::not_found("template"))
}

#[utoipa::path(
    get,
    path = "/api/v1/templates/{name}/versions",
    operation_id = "listTemplateVersions",
    tag = "templates",
    summary = "List versions",
    description = "Every version, newest first.",
    params(("name" = String, Path, description = "The template's name. An unknown name (or another tenant's) is a `404`.")),
    responses(
        (status = 200, description = "The versions.", body = schemas::TemplateList),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn versions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = path_name(&path)?;
    let tenant_id = caller.tenant_id;
    let items = db::run(&state.pool, move |conn| {
        db::templates::versions(conn, tenant_id, &name).map_err(ApiError::from)
    })
    .await?;
    if items.is_empty() {
        return Err(ApiError::not_found("template"));
    }
    Ok(HttpResponse::Ok().json(json!({"items": items.iter().map(render).collect::<Vec<_>>()})))
}

#[utoipa::path(
    delete,
    path = "/api/v1/templates/{name}",
    operation_id = "deleteTemplate",
    tag = "templates",
    summary = "Delete a template",
    description = "Every version. `409` while pending notifications or rules name it.

Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("name" = String, Path, description = "The template's name. An unknown name (or another tenant's) is a `404`.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
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
    caller.require_admin()?;
    let name = path_name(&path)?;
    let (tenant_id, actor) = (caller.tenant_id, caller.actor.clone());
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            db::tenants::lock(conn, tenant_id)?;
            let (pending, rules) = db::templates::users(conn, tenant_id, &name)?;
            if pending > 0 || rules > 0 {
                return Err(ApiError::Conflict(format!(
                    "template {name:?} is still used by {pending} pending notification(s) and {rules} rule(s)"
                )));
            }
            if db::templates::delete(conn, tenant_id, &name)? == 0 {
                return Err(ApiError::not_found("template"));
            }
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "template.deleted",
                None,
                json!({"name": name}),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Renders a template (its latest version, or `version`) against `data` with the send-time
/// bounds of `channel` (default `email`). Any template error is a `422` naming the part
/// (`subject`, `body`, `html` or `digest`).
#[utoipa::path(
    post,
    path = "/api/v1/templates/{name}/preview",
    operation_id = "previewTemplate",
    tag = "templates",
    summary = "Preview a template",
    description = "Renders the template against sample `data` with the send-time bounds (render budget, the channel's output limit). Any template error is a `422` naming `subject`, `body`, `html` or `digest`.",
    params(("name" = String, Path, description = "The template's name. An unknown name (or another tenant's) is a `404`.")),
    request_body(content = schemas::TemplatePreviewRequest),
    responses(
        (status = 200, description = "The rendered texts.", body = schemas::TemplatePreview),
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
async fn preview(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let name = path_name(&path)?;
    let data = body.opt_object("data")?.unwrap_or_else(|| json!({}));
    let version = parse_version("version", body.opt_i64("version")?)?;
    let channel: ChannelKind = match body.opt_str("channel")? {
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::invalid("channel", "must be email, sms or webhook"))?,
        None => ChannelKind::Email,
    };
    body.finish()?;
    let tenant_id = caller.tenant_id;
    let lookup = name.clone();
    let stored = db::run(&state.pool, move |conn| {
        db::templates::resolve(conn, tenant_id, &lookup, version).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("template"))?;

    let budget = Budget {
        fuel: state.settings.channels.render_fuel,
        output: OutputLimit::for_channel(channel),
        deadline: Some(std::time::Instant::now() + state.settings.send_guard()),
    };
    let now = chrono::Utc::now();
    let context = Arc::new(template::context(
        &data,
        Some(crate::domain::format_time(now)),
        crate::domain::format_time(now),
        "",
        Uuid::nil(),
    ));
    let shown = |field: &str, e: RenderError| ApiError::invalid(field, e.to_string());
    let subject = match &stored.subject {
        Some(s) => Some(
            template::render_blocking(s.clone(), context.clone(), budget)
                .await
                .map_err(|e| shown("subject", e))?,
        ),
        None => None,
    };
    let text = template::render_blocking(stored.body.clone(), context.clone(), budget)
        .await
        .map_err(|e| shown("body", e))?;
    let html = match stored
        .html
        .as_ref()
        .filter(|_| channel == ChannelKind::Email)
    {
        Some(h) => Some(
            template::render_html_blocking(h.clone(), context.clone(), budget)
                .await
                .map_err(|e| shown("html", e))?,
        ),
        None => None,
    };
    // A digest renders over several messages: sample data gives them as `items`.
    let digest = match &stored.digest {
        Some(d) => Some(
            template::render_blocking(d.clone(), context, budget)
                .await
                .map_err(|e| shown("digest", e))?,
        ),
        None => None,
    };
    Ok(HttpResponse::Ok().json(json!({
        "name": stored.name,
        "version": stored.version,
        "channel": channel,
        "subject": subject,
        "body": text,
        "html": html,
        "digest": digest,
    })))
}
