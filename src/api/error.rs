//! The HTTP boundary's one error type and its one mapping to status codes and JSON bodies.
//!
//! # Error policy: which type where
//!
//! One error type per boundary, each keeping its cause (`#[source]`/`#[from]`, never a
//! `to_string()` of it), so a log line can show the whole chain
//! ([`crate::telemetry::error_chain`]):
//!
//! - **HTTP edge — [`ApiError`]** (this module). Handlers return it; `?` converts the others
//!   through the `From` impls below, and [`ResponseError`] is the one place that picks the status,
//!   the JSON body `{"error": {code, message, field}}` and the headers (`Retry-After`,
//!   `WWW-Authenticate`). 4xx are the client's doing and are not logged; 5xx are logged once
//!   here, at `error` with the cause chain, and their body says nothing more.
//! - **Database — `DbError` / `QueryResult`** ([`crate::db`]). Query functions return Diesel's
//!   `QueryResult`; [`crate::db::run`] adds pool and blocking-task failures as `DbError`. At the
//!   edge: unreachable → 503 with `Retry-After`, `NotFound` → 404, unique violation → 409,
//!   anything else → 500. Redis errors map the same way (connection trouble → 503, else 500).
//! - **Roles, start-up and the command line — `anyhow`** with `.context(..)`. Nothing answers a
//!   client there: the error is logged (roles, then retried or the process stops) or printed by
//!   `main` with its chain and a non-zero exit. The few cases a caller must tell apart are typed
//!   (`StartupError`, `ConfigError`, the reconciler's `ReconcileError`) and still carry causes.
//! - **Templates — `RenderError`** ([`crate::channels::template`]). Checked when a template is
//!   stored: a bad one is a 422 naming its field. At send time the sender decides: a deadline is
//!   retried, a budget or template error ends the notification `dead` with the reason recorded.
//! - **Channels — `SendError`** ([`crate::channels`]). Classified for the retry policy, not for
//!   HTTP: `Transient` is retried on the schedule (honouring the provider's `Retry-After`),
//!   `Permanent` goes to the dead-letter queue. Its reason is stored with the attempt and
//!   logged on the delivery-outcome line; no client sees it as a status code.

use crate::db::DbError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

#[derive(thiserror::Error)]
pub enum ApiError {
    /// 400: malformed JSON, a wrong type or an unknown field.
    #[error("{message}")]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 422: well-formed but semantically invalid.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// 422: items of a batch are invalid; each is listed with its index and field.
    #[error("items: {} of the batch are invalid; nothing was created", .0.len())]
    InvalidItems(Vec<ItemError>),
    /// 429: the tenant sent more requests than its rate allows; retry after this many seconds.
    #[error("too many requests; retry after {0} s")]
    RateLimited(u64),
    /// 429: a per-tenant cap (named by its setting) is reached; no retry time can be given.
    #[error("{message}")]
    LimitExceeded {
        limit: &'static str,
        message: String,
    },
    /// 503: PostgreSQL or Redis cannot be reached, or the pool is exhausted.
    #[error("service temporarily unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// 500: the body says nothing more; the log carries the cause chain.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// One bad item of a batch request.
#[derive(Debug, serde::Serialize)]
pub struct ItemError {
    pub index: usize,
    pub field: Option<String>,
    pub message: String,
}

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECS: u64 = 2;

impl ApiError {
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Validation { .. } | ApiError::InvalidItems(_) => "validation_failed",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::LimitExceeded { .. } => "limit_exceeded",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { field, .. } => field.as_deref(),
            ApiError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl fmt::Debug for ApiError {
    /// Walks the source chain so a log line shows the underlying cause.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut current = std::error::Error::source(self);
        while let Some(cause) = current {
            write!(f, "\n  caused by: {cause}")?;
            current = cause.source();
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Validation { .. } | ApiError::InvalidItems(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::RateLimited(_) | ApiError::LimitExceeded { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %crate::telemetry::error_chain(self), "request failed");
        }
        let message = match self {
            // Field-level 400/422 messages already start with the field name.
            ApiError::BadRequest {
                field: Some(f),
                message,
            } if !message.starts_with(f.as_str()) => {
                format!("{f}: {message}")
            }
            _ => self.to_string(),
        };
        let mut body =
            json!({"error": {"code": self.code(), "message": shorten(&message, MAX_ECHO)}});
        if let Some(field) = self.field() {
            body["error"]["field"] = json!(shorten(field, MAX_ECHO));
        }
        if let ApiError::InvalidItems(items) = self {
            body["error"]["field"] = json!("items");
            body["error"]["items"] = json!(items
                .iter()
                .map(|i| json!({
                    "index": i.index,
                    "field": i.field.as_deref().map(|f| shorten(f, MAX_ECHO)),
                    "message": shorten(&i.message, MAX_ECHO),
                }))
                .collect::<Vec<_>>());
        }
        if let ApiError::LimitExceeded { limit, .. } = self {
            body["error"]["limit"] = json!(limit);
        }
        let mut resp = HttpResponse::build(status);
        if matches!(self, ApiError::Unavailable(_)) {
            resp.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
        }
        if let ApiError::RateLimited(secs) = self {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.json(body)
    }
}

/// Characters of a message kept in an error body. Messages quote the offending input, which can
/// be as long as the body limit; the head and the tail (where the reason usually is) are kept.
pub const MAX_ECHO: usize = 200;

fn shorten(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max + 40 {
        return text.to_string();
    }
    let tail = max / 4;
    let head: String = text.chars().take(max - tail).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!(
        "{head}…[{} characters omitted]…{end}",
        count - (max - tail) - tail
    )
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            return ApiError::Unavailable(e.into());
        }
        match e {
            DbError::Query(diesel::result::Error::NotFound) => ApiError::not_found("resource"),
            // Two requests raced to create the same thing; the loser sees what a later one would.
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => ApiError::Conflict("it already exists".into()),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<crate::lifecycle::LifecycleError> for ApiError {
    fn from(e: crate::lifecycle::LifecycleError) -> Self {
        use crate::lifecycle::LifecycleError as L;
        match e {
            L::NotFound => ApiError::not_found("notification"),
            L::Conflict(message) => ApiError::Conflict(message),
            L::Db(e) => ApiError::from(e),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(DbError::Query(e))
    }
}

impl From<redis::RedisError> for ApiError {
    fn from(e: redis::RedisError) -> Self {
        if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
        {
            ApiError::Unavailable(e.into())
        } else {
            ApiError::Internal(e.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(e: &ApiError) -> serde_json::Value {
        let bytes = e
            .error_response()
            .into_body()
            .try_into_bytes()
            .unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn every_variant_has_its_status() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (
                ApiError::bad_request("data", "expected an object"),
                400,
                "bad_request",
            ),
            (
                ApiError::Unauthorized("missing bearer token".into()),
                401,
                "unauthorized",
            ),
            (
                ApiError::Forbidden("admin role required".into()),
                403,
                "forbidden",
            ),
            (ApiError::not_found("notification"), 404, "not_found"),
            (ApiError::Conflict("already sent".into()), 409, "conflict"),
            (ApiError::PayloadTooLarge(1 << 20), 413, "payload_too_large"),
            (
                ApiError::invalid("lead_time", "expected an ISO-8601 duration like P3D"),
                422,
                "validation_failed",
            ),
            (ApiError::RateLimited(1), 429, "rate_limited"),
            (
                ApiError::LimitExceeded {
                    limit: "CHIME_MAX_ACTIVE_SERIES",
                    message: "too many".into(),
                },
                429,
                "limit_exceeded",
            ),
            (
                ApiError::Unavailable(anyhow::anyhow!("pool timed out")),
                503,
                "unavailable",
            ),
            (
                ApiError::Internal(anyhow::anyhow!("secret detail")),
                500,
                "internal",
            ),
        ];
        for (err, status, code) in cases {
            assert_eq!(err.status_code().as_u16(), status, "{err}");
            assert_eq!(body_of(&err)["error"]["code"], code);
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let body = body_of(&ApiError::invalid(
            "lead_time",
            "expected an ISO-8601 duration like P3D",
        ));
        assert_eq!(body["error"]["field"], "lead_time");
        assert_eq!(
            body["error"]["message"],
            "lead_time: expected an ISO-8601 duration like P3D"
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::Internal(anyhow::anyhow!("password=hunter2"));
        assert!(!body_of(&err).to_string().contains("hunter2"));
        assert!(
            format!("{err:?}").contains("hunter2"),
            "the log keeps the cause"
        );
    }

    #[test]
    fn long_echoes_are_shortened_keeping_the_reason() {
        let value = "x".repeat(900_000);
        let body = body_of(&ApiError::invalid(
            "recipient",
            format!("'{value}' is not a valid e-mail address"),
        ));
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.chars().count() < 300,
            "{} characters",
            message.len()
        );
        assert!(message.starts_with("recipient: 'xxx"));
        assert!(message.ends_with("is not a valid e-mail address"));
        assert!(message.contains("characters omitted"));
        let short = body_of(&ApiError::invalid("recipient", "is required"));
        assert_eq!(short["error"]["message"], "recipient: is required");
    }

    #[test]
    fn unavailable_says_when_to_retry() {
        let resp = ApiError::Unavailable(anyhow::anyhow!("down")).error_response();
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "2");
    }

    #[test]
    fn database_errors_map_by_kind() {
        let unavailable = ApiError::from(DbError::Unavailable("timed out".into()));
        assert_eq!(unavailable.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let missing = ApiError::from(diesel::result::Error::NotFound);
        assert_eq!(missing.status_code(), StatusCode::NOT_FOUND);
        let dropped = ApiError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UnableToSendCommand,
            Box::new("server closed the connection".to_string()),
        ));
        assert_eq!(dropped.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let raced = ApiError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_string()),
        ));
        assert_eq!(raced.status_code(), StatusCode::CONFLICT);
        let other = ApiError::from(diesel::result::Error::RollbackTransaction);
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
