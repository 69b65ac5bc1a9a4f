//! `POST /api/v1/api-keys` (admin): the secret is shown once and stored only as a digest.

use super::auth::Caller;
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view::ts;
use crate::db;
use crate::domain::AccessRole;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api-keys").route(web::post().to(create)));
}

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
    body.finish()?;
    let secret = db::api_keys::generate_key();
    let key = secret.clone();
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let row = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = db::api_keys::create(conn, tenant_id, &name, &key, role)?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "api_key.created",
                Some(row.id),
                json!({"role": row.role}),
            )?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "key": secret,
        "created_at": ts(row.created_at),
    })))
}
