//! People: users of a tenant (admin), `POST /api/v1/auth/login` → a JWT, and self-service
//! sign-up (`POST /api/v1/auth/register`, off unless `CHIME_ALLOW_SIGNUP`).
//!
//! Password hashing never holds a database connection: the row is read, the connection goes
//! back to the pool, the hash is computed on the blocking pool (at most
//! `CHIME_PASSWORD_HASH_CONCURRENCY` at once), and only then is anything written.

use super::auth::{issue_jwt, Caller, Claims};
use super::body::JsonObject;
use super::error::ApiError;
use super::state::AppState;
use super::view::{opt_ts, ts};
use crate::api::openapi::{responses, schemas};
use crate::db::{self, models::NewUser, models::User, users::UserChange};
use crate::domain::{AccessRole, EmailAddress};
use actix_web::{web, HttpRequest, HttpResponse};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::Utc;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/users/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/auth/login").route(web::post().to(login)))
    .service(web::resource("/auth/register").route(web::post().to(register)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get, update, delete, login, register))]
pub struct Api;

const MIN_PASSWORD_LEN: usize = 10;
/// Argon2's cost grows with the input; nobody needs a longer password.
const MAX_PASSWORD_LEN: usize = 1024;

pub fn check_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&n) {
        return Err(ApiError::invalid(
            "password",
            format!("must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// Hashes on the blocking pool, within the process's hashing bound.
async fn hash_password(state: &AppState, password: String) -> Result<String, ApiError> {
    let permit = state.rate_limiter.hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_blocking(&password)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// The stored form of a password. CPU-heavy: call it on the blocking pool.
pub fn hash_blocking(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Verifies on the blocking pool, within the process's hashing bound.
async fn verify_password(
    state: &AppState,
    password: String,
    hash: String,
) -> Result<bool, ApiError> {
    let permit = state.rate_limiter.hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing task failed: {e}")))
}

/// Argon2 hash (the same parameters as every stored hash) of a random string nobody knows:
/// an unknown address or tenant is checked against it, so it costs what a known one does.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yPOHtc1B0Yw0a2J3ZKd0GuFZcP6TcxUtA8Y1hpyS2Ds";

pub fn render(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "role": u.role,
        "disabled": u.disabled_at.is_some(),
        "disabled_at": opt_ts(u.disabled_at),
        "created_at": ts(u.created_at),
        "updated_at": ts(u.updated_at),
    })
}

pub fn parse_email(raw: &str) -> Result<String, ApiError> {
    let email = EmailAddress::parse(raw.trim()).map_err(|e| ApiError::invalid("email", e))?;
    Ok(email.as_str().to_lowercase())
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "createUser",
    tag = "auth",
    summary = "Create a user",
    description = "`409` when a user with the e-mail address already exists in this tenant (addresses are unique per tenant; another tenant's addresses are no concern of this one).\n\nRequires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    request_body(content = schemas::UserCreate),
    responses(
        (status = 201, description = "Created.", body = schemas::User),
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
    let email = parse_email(&body.req_str("email")?)?;
    let password = body.req_str("password")?;
    check_password(&password)?;
    let role: AccessRole = body
        .opt_str("role")?
        .unwrap_or_else(|| "member".into())
        .parse()
        .map_err(|e: String| ApiError::invalid("role", e))?;
    body.finish()?;
    let hash = hash_password(&state, password).await?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let user = db::run(&state.pool, move |conn| {
        create_one(conn, tenant_id, &actor, &email, &hash, role)
    })
    .await?;
    Ok(HttpResponse::Created().json(render(&user)))
}

/// Creates a user (audited), in one transaction.
pub fn create_one(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &str,
    email: &str,
    hash: &str,
    role: AccessRole,
) -> Result<User, ApiError> {
    conn.transaction(|conn| {
        // Unique per tenant: an address used by another tenant is no concern of this one.
        if db::users::find_by_email(conn, tenant_id, email)?.is_some() {
            return Err(ApiError::Conflict(
                "a user with this email already exists".into(),
            ));
        }
        let user = db::users::create(
            conn,
            NewUser {
                id: Uuid::new_v4(),
                tenant_id,
                email,
                password_hash: hash,
                role: role.as_str(),
            },
        )?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "user.created",
            Some(user.id),
            json!({"role": user.role}),
        )?;
        Ok(user)
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "listUsers",
    tag = "auth",
    summary = "List users",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    responses(
        (status = 200, description = "The tenant's users, newest first.", body = inline(schemas::ListUsersResponse)),
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
    let users = db::run(&state.pool, move |conn| {
        db::users::list(conn, tenant_id).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": users.iter().map(render).collect::<Vec<_>>()})))
}

#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    operation_id = "getUser",
    tag = "auth",
    summary = "Get a user",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The user.", body = schemas::User),
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
    let id = super::params::parse_id(&path, "user")?;
    let tenant_id = caller.tenant_id;
    let user = db::run(&state.pool, move |conn| {
        db::users::find(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("user"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(render(&user)))
}

/// Refuses a change that would leave the tenant without any way to act as admin: an unrevoked
/// admin key, or (when login is enabled) an enabled admin user. Locks the tenant's row first,
/// so concurrent changes are judged one after the other.
/// Admin users count only where they can sign in (`login_enabled`: a JWT secret is set).
pub fn ensure_an_admin_remains(
    conn: &mut PgConnection,
    login_enabled: bool,
    tenant_id: Uuid,
    except_key: Option<Uuid>,
    except_user: Option<Uuid>,
) -> Result<(), ApiError> {
    db::tenants::lock(conn, tenant_id)?;
    let keys = db::api_keys::count_other_active_admins(conn, tenant_id, except_key)?;
    let users = if login_enabled {
        db::users::count_other_admins(conn, tenant_id, except_user)?
    } else {
        0
    };
    if keys + users == 0 {
        return Err(ApiError::Conflict(
            "this is the tenant's last admin: create another admin key or user first".into(),
        ));
    }
    Ok(())
}

fn is_active_admin(u: &User) -> bool {
    u.role == AccessRole::Admin.as_str() && u.disabled_at.is_none()
}

/// `role`, `disabled` and `password`. A role or password change, and disabling, end every token
/// issued so far.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    operation_id = "updateUser",
    tag = "auth",
    summary = "Change a user's role, password or disabled flag",
    description = "Requires the `admin` role; audited (`user.updated`). A role or password change, or disabling, ends every token the user holds: at once on the replica that made the change, within 30 s on the others. `409` when it would leave the tenant without an admin (no unrevoked admin key and no other enabled admin user).",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path)),
    request_body(content = schemas::UserPatch),
    responses(
        (status = 200, description = "The changed user.", body = schemas::User),
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
async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = super::params::parse_id(&path, "user")?;
    let role = body
        .opt_str("role")?
        .map(|r| r.parse::<AccessRole>())
        .transpose()
        .map_err(|e: String| ApiError::invalid("role", e))?;
    let disabled = match body.opt_value("disabled") {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(_) => {
            return Err(ApiError::bad_request(
                "disabled",
                "disabled: expected a boolean",
            ))
        }
    };
    let password = body.opt_str("password")?;
    if let Some(p) = &password {
        check_password(p)?;
    }
    body.finish()?;
    let password_hash = match password {
        Some(p) => Some(hash_password(&state, p).await?),
        None => None,
    };
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let login_enabled = state.settings.auth.jwt_secret.is_some();
    let user = db::run(&state.pool, move |conn| {
        let change = Change {
            role,
            disabled,
            password_hash,
        };
        update_one(conn, login_enabled, tenant_id, id, &actor, change)
    })
    .await?;
    state.key_cache.forget_user(id);
    Ok(HttpResponse::Ok().json(render(&user)))
}

/// What an update asks for; `None` leaves a field as it is.
pub struct Change {
    pub role: Option<AccessRole>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

/// Applies a [`Change`] (audited), refusing one that would leave the tenant without an admin.
pub fn update_one(
    conn: &mut PgConnection,
    login_enabled: bool,
    tenant_id: Uuid,
    id: Uuid,
    actor: &str,
    change: Change,
) -> Result<User, ApiError> {
    let Change {
        role,
        disabled,
        password_hash,
    } = change;
    conn.transaction(|conn| {
        let current =
            db::users::find(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("user"))?;
        let role = role.map(|r| r.as_str().to_string());
        let role_changed = role.as_ref().is_some_and(|r| *r != current.role);
        let disabling = disabled == Some(true) && current.disabled_at.is_none();
        let stays_admin = role.as_deref().unwrap_or(&current.role) == AccessRole::Admin.as_str()
            && !disabled.unwrap_or(current.disabled_at.is_some());
        if is_active_admin(&current) && !stays_admin {
            ensure_an_admin_remains(conn, login_enabled, tenant_id, None, Some(id))?;
        }
        let mut changed = Vec::new();
        if role_changed {
            changed.push("role");
        }
        if disabled.is_some_and(|d| d != current.disabled_at.is_some()) {
            changed.push("disabled");
        }
        if password_hash.is_some() {
            changed.push("password");
        }
        let change = UserChange {
            role,
            disabled,
            bump_token_version: role_changed || disabling || password_hash.is_some(),
            password_hash,
        };
        let user = db::users::update(conn, tenant_id, id, change)?
            .ok_or_else(|| ApiError::not_found("user"))?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "user.updated",
            Some(id),
            json!({"changed": changed, "role": user.role, "disabled": user.disabled_at.is_some()}),
        )?;
        Ok::<_, ApiError>(user)
    })
}

#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    operation_id = "deleteUser",
    tag = "auth",
    summary = "Delete a user",
    description = "Requires the `admin` role; audited (`user.deleted`). The user's tokens stop working at once on this replica, within 30 s on the others. `409` when it would leave the tenant without an admin.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path)),
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
    let id = super::params::parse_id(&path, "user")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let login_enabled = state.settings.auth.jwt_secret.is_some();
    db::run(&state.pool, move |conn| {
        delete_one(conn, login_enabled, tenant_id, id, &actor)
    })
    .await?;
    state.key_cache.forget_user(id);
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a user (audited), refusing to delete the tenant's last admin.
pub fn delete_one(
    conn: &mut PgConnection,
    login_enabled: bool,
    tenant_id: Uuid,
    id: Uuid,
    actor: &str,
) -> Result<User, ApiError> {
    conn.transaction(|conn| {
        let current =
            db::users::find(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("user"))?;
        if is_active_admin(&current) {
            ensure_an_admin_remains(conn, login_enabled, tenant_id, None, Some(id))?;
        }
        db::users::delete(conn, tenant_id, id)?.ok_or_else(|| ApiError::not_found("user"))?;
        db::audit::record(
            conn,
            tenant_id,
            actor,
            "user.deleted",
            Some(id),
            json!({"role": current.role}),
        )?;
        Ok(current)
    })
}

fn client_address(req: &HttpRequest) -> Option<std::net::IpAddr> {
    // The connection's peer, not a forwarding header a client could set to anything.
    req.peer_addr().map(|a| a.ip())
}

fn issue_token(state: &AppState, user: &User) -> Result<Option<(String, u64)>, ApiError> {
    let Some(secret) = state.settings.auth.jwt_secret.as_ref() else {
        return Ok(None);
    };
    let role: AccessRole = user
        .role
        .parse()
        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?;
    let ttl = state.settings.auth.jwt_ttl.as_secs();
    let token = issue_jwt(
        secret.expose(),
        &Claims {
            sub: user.id.to_string(),
            tenant: user.tenant_id,
            role,
            exp: Utc::now().timestamp() + ttl as i64,
            ver: user.token_version,
        },
    )?;
    Ok(Some((token, ttl)))
}

/// `{"tenant", "email", "password"}`; without `tenant`, the default tenant (the one
/// `CHIME_BOOTSTRAP_ADMIN_KEY` creates). Every failure is the same 401, whatever was wrong.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "login",
    tag = "auth",
    summary = "Log in",
    description = "`tenant` names the tenant by id or name; without it, the default tenant. `401` for a wrong tenant, e-mail or password, or a disabled user (one message for all). `429` with `Retry-After` after `CHIME_LOGIN_MAX_FAILURES` failures for the account or `CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS` from the client address within `CHIME_LOGIN_WINDOW` (counted in Redis, shared by every replica), or while too many logins wait for a password-hashing slot. `404` when the server has no `CHIME_JWT_SECRET` (login disabled).",
    security(),
    request_body(content = schemas::LoginRequest),
    responses(
        (status = 200, description = "A JWT for the `Authorization: Bearer` header.", body = schemas::LoginResponse),
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
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    if state.settings.auth.jwt_secret.is_none() {
        return Err(ApiError::NotFound(
            "login is disabled: the server has no CHIME_JWT_SECRET".into(),
        ));
    }
    let tenant_ref = body
        .opt_str("tenant")?
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| db::setup::DEFAULT_TENANT.to_string());
    let email = body.req_str("email")?.trim().to_lowercase();
    let password = body.req_str("password")?;
    body.finish()?;
    let addr = client_address(&req);
    state.rate_limiter.address_exhausted(addr).await?;
    let (tenant_ref2, email2) = (tenant_ref.clone(), email.clone());
    // The connection goes back to the pool before any hashing.
    let (tenant_id, user) = db::run(&state.pool, move |conn| {
        let Some(tenant) = db::tenants::find_by_ref(conn, &tenant_ref2)? else {
            return Ok::<_, ApiError>((None, None));
        };
        let user = db::users::find_by_email(conn, tenant.id, &email2)?;
        Ok((Some(tenant.id), user))
    })
    .await?;
    // Counted under the tenant's id when it exists, so its name and id share one count.
    let account = tenant_id
        .map(|id| id.to_string())
        .unwrap_or_else(|| tenant_ref.to_lowercase());
    state
        .rate_limiter
        .login_attempt(&account, &email, addr)
        .await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = verify_password(&state, password, hash).await?;
    let user = user
        .filter(|u| ok && u.disabled_at.is_none())
        .ok_or_else(|| ApiError::Unauthorized("wrong tenant, email or password".into()))?;
    state
        .rate_limiter
        .login_succeeded(&account, &email, addr)
        .await;
    let (token, ttl) = issue_token(&state, &user)?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("JWT secret vanished")))?;
    Ok(HttpResponse::Ok()
        .json(json!({"token": token, "expires_in": ttl, "tenant_id": user.tenant_id})))
}

/// Tenant names: lower-case letters, digits and '-', so they read well in a login form and can
/// never be mistaken for a tenant id.
fn parse_tenant_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    let ok = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && Uuid::parse_str(name).is_err();
    if !ok {
        return Err(ApiError::invalid(
            "tenant",
            "must be 3 to 63 lower-case letters, digits or '-', not starting or ending with '-'",
        ));
    }
    Ok(name.to_string())
}

/// Self-service sign-up: a new tenant, its first admin user and an admin API key.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    operation_id = "register",
    tag = "auth",
    summary = "Sign up: a new tenant with its first admin",
    description = "Only when the server has `CHIME_ALLOW_SIGNUP=true`; otherwise `404`. Creates the tenant, an admin user and an admin API key. Every attempt counts against the client address like a failed login (`429` with `Retry-After`). `409` when the tenant name is taken.",
    security(),
    request_body(content = schemas::RegisterRequest),
    responses(
        (status = 201, description = "Created.", body = schemas::Registered),
        (status = 400, response = responses::BadRequest),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.auth.allow_signup {
        return Err(ApiError::NotFound(
            "sign-up is disabled on this server".into(),
        ));
    }
    let tenant_name = parse_tenant_name(&body.req_str("tenant")?)?;
    let email = parse_email(&body.req_str("email")?)?;
    let password = body.req_str("password")?;
    check_password(&password)?;
    body.finish()?;
    state
        .rate_limiter
        .signup_attempt(client_address(&req))
        .await?;
    let hash = hash_password(&state, password).await?;
    let key = db::api_keys::generate_key();
    let secret = key.clone();
    let (tenant, user) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let tenant = db::tenants::create(conn, &tenant_name)?.ok_or_else(|| {
                ApiError::Conflict("a tenant with this name already exists".into())
            })?;
            let user = db::users::create(
                conn,
                NewUser {
                    id: Uuid::new_v4(),
                    tenant_id: tenant.id,
                    email: &email,
                    password_hash: &hash,
                    role: AccessRole::Admin.as_str(),
                },
            )?;
            let actor = format!("user:{}", user.id);
            db::audit::record(
                conn,
                tenant.id,
                &actor,
                "tenant.registered",
                Some(tenant.id),
                json!({"name": tenant.name}),
            )?;
            let key_row =
                db::api_keys::create(conn, tenant.id, "sign-up", &key, AccessRole::Admin)?;
            db::audit::record(
                conn,
                tenant.id,
                &actor,
                "api_key.created",
                Some(key_row.id),
                json!({"role": "admin", "via": "sign-up"}),
            )?;
            Ok::<_, ApiError>((tenant, user))
        })
    })
    .await?;
    let token = issue_token(&state, &user)?;
    Ok(HttpResponse::Created().json(json!({
        "tenant": {"id": tenant.id, "name": tenant.name, "created_at": ts(tenant.created_at)},
        "user": render(&user),
        "admin_key": secret,
        "token": token.as_ref().map(|(t, _)| t),
        "expires_in": token.as_ref().map(|(_, ttl)| ttl),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let salt = SaltString::generate(&mut OsRng);
        let real = Argon2::default()
            .hash_password(b"some password", &salt)
            .unwrap()
            .to_string();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    }

    #[test]
    fn tenant_names_are_slugs_and_never_ids() {
        for ok in ["acme", "acme-2", "a1b"] {
            assert_eq!(parse_tenant_name(ok).unwrap(), ok);
        }
        for bad in [
            "ab",
            "Acme",
            "-acme",
            "acme-",
            "ac me",
            "a\u{0}b",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(parse_tenant_name(bad).is_err(), "{bad}");
        }
    }
}
