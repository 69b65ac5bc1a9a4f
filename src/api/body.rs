//! Request bodies: read as a JSON object, then taken apart field by field so that every wrong
//! type or unknown field is a 400 that names the field.

use super::error::ApiError;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A JSON object body. Fields are taken out one by one; [`JsonObject::finish`] rejects leftovers.
pub struct JsonObject {
    map: Map<String, Value>,
    taken: HashSet<String>,
}

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge(MAX_BODY_BYTES)
                } else {
                    ApiError::BadRequest {
                        field: None,
                        message: format!("cannot read request body: {e}"),
                    }
                }
            })?;
            JsonObject::parse(&bytes)
        })
    }
}

impl JsonObject {
    pub fn parse(bytes: &[u8]) -> Result<JsonObject, ApiError> {
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::BadRequest {
                field: None,
                message: "request body must be a JSON object".into(),
            });
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => {
                // Valid JSON by now; what remains is whether every value can be stored.
                super::storable::check(bytes)?;
                Ok(JsonObject {
                    map,
                    taken: HashSet::new(),
                })
            }
            Ok(_) => Err(ApiError::BadRequest {
                field: None,
                message: "request body must be a JSON object".into(),
            }),
            Err(e) => Err(ApiError::BadRequest {
                field: None,
                message: format!("malformed JSON: {e}"),
            }),
        }
    }

    /// An object nested in an already checked body (an item of a batch).
    pub fn from_map(map: Map<String, Value>) -> JsonObject {
        JsonObject {
            map,
            taken: HashSet::new(),
        }
    }

    fn take(&mut self, field: &str) -> Option<Value> {
        self.taken.insert(field.to_string());
        self.map.remove(field)
    }

    /// Whether the field was sent at all (even as `null`).
    pub fn contains(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// A string or absent/null.
    pub fn opt_str(&mut self, field: &str) -> Result<Option<String>, ApiError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(field, "a string", &other)),
        }
    }

    /// A required non-empty string (missing is a 422: the JSON was fine, the request is not).
    pub fn req_str(&mut self, field: &str) -> Result<String, ApiError> {
        match self.opt_str(field)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::invalid(field, "is required")),
        }
    }

    /// A bounded string identifier (idempotency keys, group keys, names).
    pub fn opt_key(&mut self, field: &str, max_len: usize) -> Result<Option<String>, ApiError> {
        match self.opt_str(field)? {
            None => Ok(None),
            Some(s) if s.is_empty() || s.len() > max_len => Err(ApiError::invalid(
                field,
                format!("must be 1 to {max_len} characters"),
            )),
            Some(s) => Ok(Some(s)),
        }
    }

    /// A string field's value without taking it (to load what the request refers to first).
    pub fn peek_str(&self, field: &str) -> Option<&str> {
        self.map.get(field).and_then(Value::as_str)
    }

    pub fn opt_bool(&mut self, field: &str) -> Result<Option<bool>, ApiError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(wrong_type(field, "true or false", &other)),
        }
    }

    pub fn opt_i64(&mut self, field: &str) -> Result<Option<i64>, ApiError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(field, "expected a whole number")),
            Some(other) => Err(wrong_type(field, "a whole number", &other)),
        }
    }

    pub fn opt_object(&mut self, field: &str) -> Result<Option<Value>, ApiError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(other) => Err(wrong_type(field, "an object", &other)),
        }
    }

    pub fn opt_value(&mut self, field: &str) -> Option<Value> {
        self.take(field).filter(|v| !v.is_null())
    }

    pub fn opt_str_list(&mut self, field: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(wrong_type(field, "an array of strings", &other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(wrong_type(field, "an array of strings", &other)),
        }
    }

    /// Rejects any field the endpoint did not take: a typo must not be silently ignored.
    pub fn finish(self) -> Result<(), ApiError> {
        let mut unknown: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.taken.contains(*k))
            .collect();
        unknown.sort();
        match unknown.first() {
            Some(field) => Err(ApiError::bad_request(
                field,
                format!("{field}: unknown field"),
            )),
            None => Ok(()),
        }
    }
}

fn wrong_type(field: &str, expected: &str, got: &Value) -> ApiError {
    let kind = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ApiError::bad_request(field, format!("{field}: expected {expected}, got {kind}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_and_unknown_fields_are_named() {
        let mut body = JsonObject::parse(br#"{"channel": 3, "extra": true}"#).unwrap();
        let err = body.opt_str("channel").unwrap_err();
        assert!(err.to_string().contains("channel"));
        let err = body.finish().unwrap_err();
        assert!(err.to_string().contains("extra"));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            JsonObject::parse(b"{nope"),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            JsonObject::parse(b"[1]"),
            Err(ApiError::BadRequest { .. })
        ));
    }
}
