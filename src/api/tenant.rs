//! `GET /api/v1/tenant` and secret rotation (admin).

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view::ts;
use crate::api::openapi::{responses, schemas};
use crate::config::MAX_WEBHOOK_SECRET_GRACE;
use crate::db;
use crate::domain::LeadTime;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use diesel::Connection;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tenant").route(web::get().to(get)))
        .service(web::resource("/tenant/webhook-secret/rotate").route(web::post().to(rotate)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get, rotate), modifiers(&OptionalBody))]
pub struct Api;

/// The rotation's body may be left out; utoipa writes an `Option` body as `oneOf` with `null`,
/// which the SDK generators would turn into a type of its own.
struct OptionalBody;

impl utoipa::Modify for OptionalBody {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let rotate = doc
            .paths
            .paths
            .get_mut("/api/v1/tenant/webhook-secret/rotate")
            .and_then(|item| item.post.as_mut());
        if let Some(body) = rotate.and_then(|op| op.request_body.as_mut()) {
            body.required = Some(utoipa::openapi::Required::False);
        }
    }
}

fn render(t: &db::models::Tenant) -> serde_json::Value {
    // The previous secret is shown only while it still signs.
    let previous = t.active_previous_secret(Utc::now());
    json!({
        "id": t.id,
        "name": t.name,
        "webhook_secret": t.webhook_secret,
        "previous_webhook_secret": previous,
        "previous_webhook_secret_expires_at": previous.and(t.previous_webhook_secret_expires_at).map(ts),
        "created_at": ts(t.created_at),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/tenant",
    operation_id = "getTenant",
    tag = "tenant",
    summary = "Get the tenant",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    responses(
        (status = 200, description = "The caller's tenant and its webhook signing secret.", body = schemas::Tenant),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn get(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let tenant_id = caller.tenant_id;
    let tenant = db::run(&state.pool, move |conn| {
        db::tenants::find(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&tenant)))
}

/// The grace period of a rotation: `grace_period` (an ISO-8601 duration, `PT0S` to stop the old
/// secret at once) from an optional JSON body, else the configured default.
fn grace_period(state: &AppState, body: &[u8]) -> Result<std::time::Duration, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(state.settings.channels.webhook_secret_grace);
    }
    let mut body = JsonObject::parse(body)?;
    let grace = body.opt_str("grace_period")?;
    body.finish()?;
    let Some(raw) = grace else {
        return Ok(state.settings.channels.webhook_secret_grace);
    };
    let parsed = LeadTime::parse(&raw)
        .map_err(|e| ApiError::invalid("grace_period", e))?
        .duration()
        .to_std()
        .unwrap_or_default();
    if parsed > MAX_WEBHOOK_SECRET_GRACE {
        return Err(ApiError::invalid("grace_period", "must be at most P30D"));
    }
    Ok(parsed)
}

#[utoipa::path(
    post,
    path = "/api/v1/tenant/webhook-secret/rotate",
    operation_id = "rotateWebhookSecret",
    tag = "tenant",
    summary = "Rotate the webhook secret",
    description = "Makes a new secret. The previous one keeps signing for `grace_period` (default 24 hours): meanwhile `webhook-signature` carries a `v1,` signature by each, so receivers verifying with either accept deliveries. A secret still in its grace period when rotating again stops signing.\n\nRequires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::WebhookSecretRotation),
    responses(
        (status = 200, description = "The tenant with its new secret; webhooks are signed with it from now on.", body = schemas::Tenant),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn rotate(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let grace = grace_period(&state, &body)?;
    let previous_until = (!grace.is_zero())
        .then(|| Utc::now() + chrono::Duration::from_std(grace).unwrap_or_default());
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let tenant = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let t = db::tenants::rotate_secret(conn, tenant_id, previous_until)?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "tenant.webhook_secret_rotated",
                Some(tenant_id),
                json!({"grace_seconds": grace.as_secs()}),
            )?;
            Ok::<_, ApiError>(t)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&tenant)))
}
