//! Request parts every resource parses the same way: path ids, idempotency keys, templates.

use super::error::ApiError;
use actix_web::HttpRequest;
use uuid::Uuid;

pub const MAX_KEY_LEN: usize = 200;
const MAX_TEXT_LEN: usize = 64 * 1024;

/// Parses a path id; a malformed id is simply an unknown one.
pub fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found(what))
}

fn idempotency_header(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(v) => {
            let s = v
                .to_str()
                .map_err(|_| {
                    ApiError::bad_request(
                        "Idempotency-Key",
                        "Idempotency-Key: must be visible ASCII",
                    )
                })?
                .trim()
                .to_string();
            if s.is_empty() || s.len() > MAX_KEY_LEN {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    format!("must be 1 to {MAX_KEY_LEN} characters"),
                ));
            }
            Ok(Some(s))
        }
    }
}

/// The body's key and the header's key must agree when both are given.
pub fn idempotency_key(
    req: &HttpRequest,
    body_key: Option<String>,
) -> Result<Option<String>, ApiError> {
    let header_key = idempotency_header(req)?;
    match (body_key, header_key) {
        (Some(b), Some(h)) if b != h => Err(ApiError::invalid(
            "idempotency_key",
            "differs from the Idempotency-Key header; send one or make them equal",
        )),
        (Some(b), _) => Ok(Some(b)),
        (None, h) => Ok(h),
    }
}

pub fn parse_template(field: &str, src: &str) -> Result<(), ApiError> {
    if src.len() > MAX_TEXT_LEN {
        return Err(ApiError::invalid(
            field,
            format!("is longer than {MAX_TEXT_LEN} bytes"),
        ));
    }
    crate::channels::template::check(src).map_err(|e| ApiError::invalid(field, e))
}
