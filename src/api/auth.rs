//! Who is calling: `Authorization: Bearer` with an API key (`chk_…`) or a JWT (HS256).

pub use super::caller::{Caller, KeyCache, UserState, KEY_CACHE_TTL};
use super::error::ApiError;
use super::rate_limit::Subject;
use super::state::AppState;
use crate::db;
use crate::domain::AccessRole;
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use uuid::Uuid;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    pub sub: String,
    pub tenant: Uuid,
    pub role: AccessRole,
    pub exp: i64,
    /// The user's `token_version` at issue; tokens from before this field count as version 1.
    #[serde(default = "first_version")]
    pub ver: i32,
}

fn first_version() -> i32 {
    1
}

pub fn issue_jwt(secret: &str, claims: &Claims) -> Result<String, ApiError> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| ApiError::Internal(e.into()))
}

fn decode_jwt(secret: &str, token: &str) -> Result<Claims, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims)
    .map_err(|e| ApiError::Unauthorized(format!("invalid token: {e}")))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = token.ok_or_else(|| {
                ApiError::Unauthorized("missing Authorization: Bearer token".into())
            })?;
            let caller = authenticate(&state, &token).await?;
            state
                .rate_limiter
                .check(&Subject {
                    tenant: caller.tenant_id,
                    key: caller.key_rate,
                })
                .await?;
            Ok(caller)
        })
    }
}

async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    if token.starts_with("chk_") {
        let hash = db::api_keys::hash_key(token);
        if let Some(caller) = state.key_cache.get(&hash) {
            return Ok(caller);
        }
        let digest = hash.clone();
        let found = db::run(&state.pool, move |conn| {
            db::api_keys::find_active_by_hash(conn, &digest).map_err(ApiError::from)
        })
        .await?;
        let key =
            found.ok_or_else(|| ApiError::Unauthorized("unknown or revoked API key".into()))?;
        let role = key
            .role
            .parse()
            .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?;
        let caller = Caller {
            tenant_id: key.tenant_id,
            role,
            actor: format!("key:{}", key.id),
            key_rate: key
                .rate_limit
                .and_then(|r| u32::try_from(r).ok())
                .map(|r| (key.id, r)),
        };
        state.key_cache.put(&hash, &caller);
        return Ok(caller);
    }
    let secret = state.settings.auth.jwt_secret.as_ref().ok_or_else(|| {
        ApiError::Unauthorized("unknown API key format and JWT login is disabled".into())
    })?;
    let claims = decode_jwt(secret.expose(), token)?;
    let user_id = Uuid::parse_str(&claims.sub)
        .map_err(|_| ApiError::Unauthorized("invalid token: bad subject".into()))?;
    let user = match state.key_cache.get_user(user_id) {
        Some(cached) => cached,
        None => {
            let found = db::run(&state.pool, move |conn| {
                db::users::find_by_id(conn, user_id).map_err(ApiError::from)
            })
            .await?;
            let user = match found {
                Some(u) => Some(UserState {
                    tenant_id: u.tenant_id,
                    role: u
                        .role
                        .parse()
                        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?,
                    token_version: u.token_version,
                    disabled: u.disabled_at.is_some(),
                }),
                None => None,
            };
            state.key_cache.put_user(user_id, user.clone());
            user
        }
    };
    // One message for every case, so a token holder learns nothing about the account.
    let revoked = || ApiError::Unauthorized("token revoked: sign in again".into());
    let user = user.ok_or_else(revoked)?;
    if user.disabled || user.tenant_id != claims.tenant || user.token_version != claims.ver {
        return Err(revoked());
    }
    Ok(Caller {
        tenant_id: user.tenant_id,
        role: user.role,
        actor: format!("user:{user_id}"),
        key_rate: None,
    })
}
