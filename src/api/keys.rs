//! API keys (admin): create (the secret is shown once and stored only as a digest), list, revoke.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view::ts;
use crate::api::openapi::{responses, schemas};
use crate::db;
use crate::db::models::ApiKey;
use crate::domain::AccessRole;
use actix_web::{web, HttpResponse};
use diesel::{Connection, PgConnection};
use serde_json::json;
use uuid::Uuid;

/// Per-key rates above this make no sense next to `CHIME_RATE_LIMIT`'s own bound.
const MAX_KEY_RATE: i64 = 1_000_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api-keys")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(web::resource("/api-keys/{id}").route(web::delete().to(revoke)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, revoke))]
pub struct Api;

#[utoipa::path(
    post,
    path = "/api/v1/api-keys",
    operation_id = "createApiKey",
    tag = "auth",
    summary = "Create an API key",
    description = "Requires the `admin` role. `rate_limit` gives the key its own requests-per-second limit.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::ApiKeyCreate),
    responses(
        (status = 201, description = "Created; the secret is in `key`, shown only here.", body = schemas::ApiKeyCreated),
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
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let name = body
        .opt_key("name", 200)?
        .unwrap_or_else(|| "unnamed".into());
    let role: AccessRole = body
        .req_str("role")?
        .parse()
        .map_err(|e: String| ApiError::invalid("role", e))?;
    let rate_limit = match body.opt_i64("rate_limit")? {
        None => None,
        Some(n) if (1..=MAX_KEY_RATE).contains(&n) => Some(n as i32),
        Some(_) => {
            return Err(ApiError::invalid(
                "rate_limit",
                format!("must be 1 to {MAX_KEY_RATE} requests per second"),
            ))
        }
    };
    body.finish()?;
    let secret = db::api_keys::generate_key();
    let key = secret.clone();
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let row = db::run(&state.pool, move |conn| {
        create_one(conn, tenant_id, &actor, &name, &key, role, rate_limit)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "rate_limit": row.rate_limit,
        "key": secret,
        "created_at": ts(row.created_at),
    })))
}

/// Stores a new key (audited); `key` is the secret, shown to its owner once.
pub fn create_one(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &str,
    name: &str,
    key: &str,
    role: AccessRole,
    rate_limit: Option<i32>,
) -> Result<ApiKey, ApiError> {
    conn.transaction(|conn| {
        let row = db::api_keys::create_with_rate(conn, tenant_id, name, key, role, rate_limit)?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "api_key.created",
            Some(row.id),
            json!({"role": row.role, "rate_limit": row.rate_limit}),
        )?;
        Ok(row)
    })
}

pub fn render(k: &db::models::ApiKey) -> serde_json::Value {
    json!({
        "id": k.id,
        "name": k.name,
        "role": k.role,
        "prefix": k.key_prefix,
        "rate_limit": k.rate_limit,
        "created_at": ts(k.created_at),
        "revoked_at": k.revoked_at.map(ts),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/api-keys",
    operation_id = "listApiKeys",
    tag = "auth",
    summary = "List API keys (never their secrets)",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    responses(
        (status = 200, description = "The tenant's keys, newest first.", body = inline(schemas::ListApiKeysResponse)),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let tenant_id = caller.tenant_id;
    let keys = db::run(&state.pool, move |conn| {
        db::api_keys::list(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": keys.iter().map(render).collect::<Vec<_>>()})))
}

/// Revoked keys stop working at once on this replica and within the key cache's 30 s elsewhere.
/// The tenant's last admin key cannot be revoked (409) unless an admin user can still sign in.
#[utoipa::path(
    delete,
    path = "/api/v1/api-keys/{id}",
    operation_id = "revokeApiKey",
    tag = "auth",
    summary = "Revoke an API key",
    description = "Requires the `admin` role. Revoking again keeps the first revocation time. Other replicas stop accepting the key within 30 s. `409` for the tenant's last unrevoked admin key, unless an enabled admin user can still sign in.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The revoked key.", body = schemas::ApiKey),
        (status = 409, response = responses::Conflict),
        (status = 404, response = responses::NotFound),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = super::params::parse_id(&path, "API key")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let login_enabled = state.settings.auth.jwt_secret.is_some();
    let key = db::run(&state.pool, move |conn| {
        revoke_one(conn, login_enabled, tenant_id, id, &actor)
    })
    .await?;
    state.key_cache.forget_hash(&key.key_hash);
    Ok(HttpResponse::Ok().json(render(&key)))
}

/// Revokes a key (audited), refusing to revoke the tenant's last way to act as admin.
pub fn revoke_one(
    conn: &mut PgConnection,
    login_enabled: bool,
    tenant_id: Uuid,
    id: Uuid,
    actor: &str,
) -> Result<ApiKey, ApiError> {
    conn.transaction(|conn| {
        let current = db::api_keys::find(conn, tenant_id, id)?
            .ok_or_else(|| ApiError::not_found("API key"))?;
        if current.role == AccessRole::Admin.as_str() && current.revoked_at.is_none() {
            super::users::ensure_an_admin_remains(conn, login_enabled, tenant_id, Some(id), None)?;
        }
        let key = db::api_keys::revoke(conn, tenant_id, id)?
            .ok_or_else(|| ApiError::not_found("API key"))?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "api_key.revoked",
            Some(id),
            json!({}),
        )?;
        Ok(key)
    })
}
