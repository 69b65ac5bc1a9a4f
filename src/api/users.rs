//! People: `POST /api/v1/users` (admin) and `POST /api/v1/auth/login` → a JWT.

use super::auth::{issue_jwt, Caller, Claims};
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view::ts;
use crate::db::{self, models::NewUser};
use crate::domain::{AccessRole, EmailAddress};
use actix_web::{web, HttpResponse};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::Utc;
use diesel::Connection;
use serde_json::json;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users").route(web::post().to(create)))
        .service(web::resource("/auth/login").route(web::post().to(login)));
}

const MIN_PASSWORD_LEN: usize = 10;

fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let email =
        EmailAddress::parse(&body.req_str("email")?).map_err(|e| ApiError::invalid("email", e))?;
    let password = body.req_str("password")?;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ApiError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    let role: AccessRole = body
        .opt_str("role")?
        .unwrap_or_else(|| "member".into())
        .parse()
        .map_err(|e: String| ApiError::invalid("role", e))?;
    body.finish()?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let email = email.as_str().to_lowercase();
    let user = db::run(&state.pool, move |conn| {
        // Argon2 is deliberately slow: it runs here, on the blocking pool.
        let hash = hash_password(&password)?;
        conn.transaction(|conn| {
            if db::users::find_by_email(conn, &email)?.is_some() {
                return Err(ApiError::Conflict(
                    "a user with this email already exists".into(),
                ));
            }
            let user = db::users::create(
                conn,
                NewUser {
                    id: Uuid::new_v4(),
                    tenant_id,
                    email: &email,
                    password_hash: &hash,
                    role: role.as_str(),
                },
            )?;
            db::audit::record(
                conn,
                tenant_id,
                &actor,
                "user.created",
                Some(user.id),
                json!({"role": user.role}),
            )?;
            Ok(user)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "created_at": ts(user.created_at),
    })))
}

async fn login(state: web::Data<AppState>, mut body: JsonObject) -> Result<HttpResponse, ApiError> {
    let secret = state.settings.jwt_secret.clone().ok_or_else(|| {
        ApiError::NotFound("login is disabled: the server has no CHIME_JWT_SECRET".into())
    })?;
    let email = body.req_str("email")?.trim().to_lowercase();
    let password = body.req_str("password")?;
    body.finish()?;
    let ttl = state.settings.jwt_ttl;
    let user = db::run(&state.pool, move |conn| {
        let user = db::users::find_by_email(conn, &email)?;
        // Verify against a dummy hash for unknown users too, so timing does not reveal who exists.
        let (hash, user) = match user {
            Some(u) => (u.password_hash.clone(), Some(u)),
            None => (DUMMY_HASH.to_string(), None),
        };
        let ok = verify_password(&password, &hash);
        Ok::<_, ApiError>(user.filter(|_| ok))
    })
    .await?
    .ok_or_else(|| ApiError::Unauthorized("wrong email or password".into()))?;
    let role: AccessRole = user
        .role
        .parse()
        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?;
    let exp = Utc::now().timestamp() + ttl.as_secs() as i64;
    let token = issue_jwt(
        secret.expose(),
        &Claims {
            sub: user.id.to_string(),
            tenant: user.tenant_id,
            role,
            exp,
        },
    )?;
    Ok(HttpResponse::Ok().json(json!({"token": token, "expires_in": ttl.as_secs()})))
}

/// Argon2 hash of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yPOHtc1B0Yw0a2J3ZKd0GuFZcP6TcxUtA8Y1hpyS2Ds";
