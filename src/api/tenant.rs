//! `GET /api/v1/tenant` and secret rotation (admin).

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;
use super::view::ts;
use crate::db;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tenant").route(web::get().to(get)))
        .service(web::resource("/tenant/webhook-secret/rotate").route(web::post().to(rotate)));
}

fn render(t: &db::models::Tenant) -> serde_json::Value {
    json!({"id": t.id, "name": t.name, "webhook_secret": t.webhook_secret, "created_at": ts(t.created_at)})
}

async fn get(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let tenant_id = caller.tenant_id;
    let tenant = db::run(&state.pool, move |conn| {
        db::tenants::find(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&tenant)))
}

async fn rotate(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let tenant = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let t = db::tenants::rotate_secret(conn, tenant_id)?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "tenant.webhook_secret_rotated",
                Some(tenant_id),
                json!({}),
            )?;
            Ok::<_, ApiError>(t)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&tenant)))
}
