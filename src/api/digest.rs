//! The `digest` of a notification create: `{"key": "billing-daily", "window": "PT1H",
//! "subject": …, "body": …}`. Notifications to one recipient with the same key go out as one
//! message, rendered by `body` (else the stored template's digest text, else a list of the
//! items' bodies) over `items`.

use super::body::JsonObject;
use super::error::ApiError;
use super::params::MAX_KEY_LEN;
use crate::domain::LeadTime;
use serde_json::Value;

/// The shortest and longest digest window.
pub const MIN_WINDOW_SECS: i64 = 1;
pub const MAX_WINDOW_SECS: i64 = 7 * 86_400;

#[derive(Debug, Clone)]
pub struct DigestSpec {
    pub key: String,
    /// Canonical ISO 8601 duration.
    pub window: String,
    pub subject: Option<String>,
    pub body: Option<String>,
}

/// Takes `digest` out of a create body; it needs a recipient (`has_recipient`).
pub fn parse(body: &mut JsonObject, has_recipient: bool) -> Result<Option<DigestSpec>, ApiError> {
    let Some(value) = body.opt_value("digest") else {
        return Ok(None);
    };
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request(
            "digest",
            "digest: expected an object with key and window",
        ));
    };
    if !has_recipient {
        return Err(ApiError::invalid(
            "digest",
            "only applies with recipient_id (a digest gathers one recipient's notifications)",
        ));
    }
    let mut d = JsonObject::from_map(map);
    let key = d
        .opt_key("key", MAX_KEY_LEN)
        .map_err(nested)?
        .ok_or_else(|| ApiError::invalid("digest.key", "is required"))?;
    let window = d
        .opt_str("window")
        .map_err(nested)?
        .ok_or_else(|| ApiError::invalid("digest.window", "is required, e.g. PT1H"))?;
    let window = LeadTime::parse(&window).map_err(|e| ApiError::invalid("digest.window", e))?;
    let secs = window.duration().num_seconds();
    if !(MIN_WINDOW_SECS..=MAX_WINDOW_SECS).contains(&secs) {
        return Err(ApiError::invalid(
            "digest.window",
            "must be from PT1S to P7D",
        ));
    }
    let subject = d.opt_str("subject").map_err(nested)?;
    let text = d.opt_str("body").map_err(nested)?;
    for (field, t) in [("digest.subject", &subject), ("digest.body", &text)] {
        if let Some(t) = t {
            super::params::parse_template(field, t)?;
        }
    }
    d.finish().map_err(nested)?;
    Ok(Some(DigestSpec {
        key,
        window: window.to_iso(),
        subject,
        body: text,
    }))
}

/// An error about a field of the digest object, named by its path (`digest.window`).
fn nested(e: ApiError) -> ApiError {
    match e {
        ApiError::BadRequest {
            field: Some(f),
            message,
        } => ApiError::BadRequest {
            message: format!("digest.{message}"),
            field: Some(format!("digest.{f}")),
        },
        ApiError::Validation { field, message } => ApiError::Validation {
            field: format!("digest.{field}"),
            message,
        },
        other => other,
    }
}
