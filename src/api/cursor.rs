//! Opaque paging cursors: the `(created_at, id)` of the last item, base64-encoded.

use super::error::ApiError;
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

pub fn encode(created_at: DateTime<Utc>, id: Uuid) -> String {
    let raw = format!("{}|{}", created_at.timestamp_micros(), id);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub fn decode(cursor: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    let bad = || ApiError::bad_request("cursor", "cursor: not a cursor returned by this API");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(bad)?;
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id))
}

/// A cursor over another order than creation: `tag` names the order, so a cursor is never
/// read in an order it was not made for.
pub fn encode_tagged(tag: &str, at: DateTime<Utc>, id: Uuid) -> String {
    let raw = format!("{tag}|{}|{}", at.timestamp_micros(), id);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub fn decode_tagged(tag: &str, cursor: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    let bad = || {
        ApiError::bad_request(
            "cursor",
            "cursor: not a cursor returned by this API for this sort",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let rest = raw
        .strip_prefix(tag)
        .and_then(|r| r.strip_prefix('|'))
        .ok_or_else(bad)?;
    let (micros, id) = rest.split_once('|').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(bad)?;
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id))
}

pub fn limit(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    // Not a number is a wrong type (400); a number out of range is an invalid value (422).
    let n: i64 = raw
        .parse()
        .map_err(|_| ApiError::bad_request("limit", "must be a whole number"))?;
    if (1..=MAX_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(ApiError::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_rejects_garbage() {
        let at = chrono::DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let id = uuid::Uuid::new_v4();
        assert_eq!(super::decode(&super::encode(at, id)).unwrap(), (at, id));
        assert!(super::decode("garbage!").is_err());
        assert!(super::limit(Some("501")).is_err());
        assert_eq!(super::limit(None).unwrap(), 50);
        let tagged = super::encode_tagged("send_at", at, id);
        assert_eq!(super::decode_tagged("send_at", &tagged).unwrap(), (at, id));
        assert!(super::decode_tagged("other", &tagged).is_err());
        assert!(super::decode_tagged("send_at", &super::encode(at, id)).is_err());
    }
}
