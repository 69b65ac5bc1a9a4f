//! `/api/v1/rules` (admin): how an event type becomes notifications. Everything a rule holds is
//! checked here, when it is written, so the worker only meets rules that can be applied.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::notifications::parse_html;
use super::params::{parse_id, parse_template};
use super::state::AppState;
use super::view;
use crate::api::openapi::{responses, schemas};
use crate::db::{self, models::Rule, rules::RuleFields};
use crate::domain::{Category, ChannelKind, EventType, LeadTime};
use crate::events::pointer::JsonPointer;
use actix_web::{web, HttpResponse};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;
use serde_json::{json, Value};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/rules")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/rules/{id}")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::delete().to(delete)),
    );
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get, replace, delete))]
pub struct Api;

/// More reminders than this for one event is a mistake, not a schedule.
const MAX_LEAD_TIMES: usize = 20;

fn render(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "event_type": r.event_type,
        "channel": r.channel,
        "recipient_path": r.recipient_path,
        "recipient_id_path": r.recipient_id_path,
        "category": r.category,
        "fallback": r.fallback,
        "target_date_path": r.target_date_path,
        "timezone_path": r.timezone_path,
        "lead_times": r.lead_times,
        "subject": r.subject,
        "body": r.body,
        "html": r.html,
        "template": r.template,
        "template_version": r.template_version,
        "created_at": view::ts(r.created_at),
        "updated_at": view::ts(r.updated_at),
    })
}

fn pointer(body: &mut JsonObject, field: &str, required: bool) -> Result<Option<String>, ApiError> {
    match body.opt_str(field)? {
        None if required => Err(ApiError::invalid(
            field,
            "is required (a JSON Pointer like /email)",
        )),
        None => Ok(None),
        Some(s) => JsonPointer::parse(&s)
            .map(|p| Some(p.as_str().to_string()))
            .map_err(|e| ApiError::invalid(field, e)),
    }
}

fn lead_times(body: &mut JsonObject) -> Result<Vec<String>, ApiError> {
    let raw = body.opt_str_list("lead_times")?.ok_or_else(|| {
        ApiError::invalid("lead_times", "is required (a list like [\"P7D\", \"P1D\"])")
    })?;
    if raw.is_empty() {
        return Err(ApiError::invalid("lead_times", "must not be empty"));
    }
    if raw.len() > MAX_LEAD_TIMES {
        return Err(ApiError::invalid(
            "lead_times",
            format!("must have at most {MAX_LEAD_TIMES} entries"),
        ));
    }
    let mut parsed: Vec<LeadTime> = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let field = format!("lead_times[{i}]");
        let lead = LeadTime::parse(s).map_err(|e| ApiError::invalid(&field, e))?;
        if let Some(j) = parsed.iter().position(|p| *p == lead) {
            return Err(ApiError::invalid(
                &field,
                format!("is the same lead time as lead_times[{j}]"),
            ));
        }
        parsed.push(lead);
    }
    Ok(parsed.iter().map(LeadTime::to_iso).collect())
}

/// A rule's `fallback`: checked here as far as it can be without a recipient; channels a
/// recipient has no address for are left out per event.
fn fallback(
    body: &mut JsonObject,
    by_recipient: bool,
    channel: Option<ChannelKind>,
) -> Result<Vec<ChannelKind>, ApiError> {
    let Some(list) = body.opt_str_list("fallback")? else {
        return Ok(Vec::new());
    };
    if !by_recipient {
        return Err(ApiError::invalid(
            "fallback",
            "only applies with recipient_id_path (the fallback channels use the recipient's addresses)",
        ));
    }
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
        if Some(kind) == channel || channels.contains(&kind) {
            return Err(ApiError::invalid(
                &field,
                format!("{kind} is already tried before; each channel is tried once"),
            ));
        }
        channels.push(kind);
    }
    Ok(channels)
}

fn parse_rule(body: &mut JsonObject) -> Result<RuleFields, ApiError> {
    let event_type = EventType::parse(&body.req_str("event_type")?)
        .map_err(|e| ApiError::invalid("event_type", e))?;
    // Either an address (`channel` + `recipient_path`) or a recipient (`recipient_id_path` +
    // `category`, with an optional `channel`).
    let recipient_id_path = pointer(body, "recipient_id_path", false)?;
    let by_recipient = recipient_id_path.is_some();
    let channel: Option<ChannelKind> = match body.opt_str("channel")? {
        Some(c) => Some(
            c.parse()
                .map_err(|_| ApiError::invalid("channel", "must be email, sms or webhook"))?,
        ),
        None if by_recipient => None,
        None => return Err(ApiError::invalid("channel", "is required")),
    };
    let (recipient_path, category) = if by_recipient {
        if body.contains("recipient_path") {
            return Err(ApiError::invalid(
                "recipient_path",
                "give either recipient_path (an address) or recipient_id_path, not both",
            ));
        }
        let category = Category::parse(&body.req_str("category")?)
            .map_err(|e| ApiError::invalid("category", e))?;
        (None, Some(category.as_str().to_owned()))
    } else {
        if body.contains("category") {
            return Err(ApiError::invalid(
                "category",
                "only applies with recipient_id_path (a rule naming a recipient)",
            ));
        }
        (pointer(body, "recipient_path", true)?, None)
    };
    let fallback = fallback(body, by_recipient, channel)?;
    let target_date_path = pointer(body, "target_date_path", true)?.unwrap_or_default();
    let timezone_path = pointer(body, "timezone_path", false)?;
    let lead_times = lead_times(body)?;
    let template = super::templates::parse_ref(body)?;
    let subject = body.opt_str("subject")?;
    if let Some(s) = &subject {
        parse_template("subject", s)?;
    }
    let text = body.opt_str("body")?.unwrap_or_default();
    parse_template("body", &text)?;
    // A recipient's channel is chosen per event, so its body must suit every channel.
    // Without a channel (a recipient's, chosen per event) the HTML part serves e-mail sends.
    let html = parse_html(body, channel.unwrap_or(ChannelKind::Email))?;
    if template.is_none() && channel != Some(ChannelKind::Webhook) && text.trim().is_empty() {
        return Err(ApiError::invalid("body", "is required for email and sms"));
    }
    Ok(RuleFields {
        event_type: event_type.as_str().to_string(),
        channel: channel.map(|c| c.as_str().to_string()),
        recipient_path,
        recipient_id_path,
        category,
        target_date_path,
        timezone_path,
        lead_times,
        subject,
        body: text,
        html,
        template_version: template.as_ref().and_then(|t| t.version),
        template: template.map(|t| t.name),
        fallback: fallback.iter().map(|c| c.as_str().to_string()).collect(),
    })
}

/// A rule's template must exist when the rule is written (`422` naming `template`).
async fn check_template(
    state: &AppState,
    tenant_id: uuid::Uuid,
    fields: &RuleFields,
) -> Result<(), ApiError> {
    if let Some(name) = &fields.template {
        let reference = super::templates::TemplateRef {
            name: name.clone(),
            version: fields.template_version,
        };
        super::templates::resolve(state, tenant_id, &reference).await?;
    }
    Ok(())
}

fn duplicate(event_type: &str) -> impl Fn(DieselError) -> ApiError + '_ {
    move |e| match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict(
            format!("a rule for event type '{event_type}' already exists"),
        ),
        other => ApiError::from(other),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/rules",
    operation_id = "createRule",
    tag = "rules",
    summary = "Create a rule",
    description = "One rule per event type; `409` when the type already has one.\n\nRequires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::RuleInput),
    responses(
        (status = 201, description = "Created.", body = schemas::Rule),
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
    let fields = parse_rule(&mut body)?;
    body.finish()?;
    check_template(&state, caller.tenant_id, &fields).await?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::rules::insert(conn, tenant_id, &fields)
                .map_err(duplicate(&fields.event_type))?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "rule.created",
                Some(row.id),
                json!({"event_type": row.event_type}),
            )?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(render(&row)))
}

#[utoipa::path(
    get,
    path = "/api/v1/rules",
    operation_id = "listRules",
    tag = "rules",
    summary = "List rules",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    responses(
        (status = 200, description = "Every rule of the tenant.", body = schemas::RuleList),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let tenant_id = caller.tenant_id;
    let rows = db::run(&state.pool, move |conn| {
        db::rules::list(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": rows.iter().map(render).collect::<Vec<_>>()})))
}

#[utoipa::path(
    get,
    path = "/api/v1/rules/{id}",
    operation_id = "getRule",
    tag = "rules",
    summary = "Get a rule",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path, description = "The rule id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "The rule.", body = schemas::Rule),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
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
    caller.require_admin()?;
    let id = parse_id(&path, "rule")?;
    let tenant_id = caller.tenant_id;
    let row = db::run(&state.pool, move |conn| {
        db::rules::find(conn, tenant_id, id).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("rule"))?;
    Ok(HttpResponse::Ok().json(render(&row)))
}

/// Replaces the whole rule. Events already handled keep the notifications they made.
#[utoipa::path(
    put,
    path = "/api/v1/rules/{id}",
    operation_id = "replaceRule",
    tag = "rules",
    summary = "Replace a rule",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path, description = "The rule id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    request_body(content = schemas::RuleInput),
    responses(
        (status = 200, description = "Replaced.", body = schemas::Rule),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn replace(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = parse_id(&path, "rule")?;
    let fields = parse_rule(&mut body)?;
    body.finish()?;
    check_template(&state, caller.tenant_id, &fields).await?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::rules::replace(conn, tenant_id, id, &fields)
                .map_err(duplicate(&fields.event_type))?
                .ok_or_else(|| ApiError::not_found("rule"))?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "rule.replaced",
                Some(id),
                json!({"event_type": row.event_type}),
            )?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&row)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/rules/{id}",
    operation_id = "deleteRule",
    tag = "rules",
    summary = "Delete a rule",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path, description = "The rule id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
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
    caller.require_admin()?;
    let id = parse_id(&path, "rule")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if !db::rules::delete(conn, tenant_id, id)? {
                return Err(ApiError::not_found("rule"));
            }
            db::audit::record(conn, tenant_id, &actor, "rule.deleted", Some(id), json!({}))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
