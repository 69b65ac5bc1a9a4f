//! JSON Pointers (RFC 6901) into an event payload, as rules name their fields: `/email`,
//! `/customer/0/tz`. Errors about a payload name the field as `payload.customer.0.tz`, which is
//! what a client sending the event recognises.

use serde_json::Value;
use std::fmt;

const MAX_LEN: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPointer {
    raw: String,
    tokens: Vec<String>,
}

impl JsonPointer {
    /// `""` (the whole payload) or `/`-separated tokens where `~0` is `~` and `~1` is `/`.
    pub fn parse(s: &str) -> Result<JsonPointer, String> {
        if s.len() > MAX_LEN {
            return Err(format!("must be at most {MAX_LEN} characters"));
        }
        if s.is_empty() {
            return Ok(JsonPointer {
                raw: String::new(),
                tokens: Vec::new(),
            });
        }
        let Some(rest) = s.strip_prefix('/') else {
            return Err(format!(
                "'{s}' is not a JSON Pointer: it must be empty or start with '/', like /email"
            ));
        };
        let tokens = rest
            .split('/')
            .map(|token| {
                unescape(token).ok_or_else(|| format!("'{s}': '~' must be followed by 0 or 1"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JsonPointer {
            raw: s.to_string(),
            tokens,
        })
    }

    /// The pointer to one top-level field: `field("email")` is `/email`.
    pub fn field(name: &str) -> JsonPointer {
        JsonPointer {
            raw: format!("/{}", name.replace('~', "~0").replace('/', "~1")),
            tokens: vec![name.to_string()],
        }
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The value the pointer designates; JSON `null` counts as absent.
    pub fn get<'a>(&self, payload: &'a Value) -> Option<&'a Value> {
        payload.pointer(&self.raw).filter(|v| !v.is_null())
    }

    /// The field's name in error messages: `payload.customer.email`.
    pub fn path(&self) -> String {
        let mut out = String::from("payload");
        for token in &self.tokens {
            out.push('.');
            out.push_str(token);
        }
        out
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// What a payload field holds, for "expected a string, got a number".
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_nested_values_and_names_their_path() {
        let payload = json!({"customer": {"email": "ada@example.com", "tags": ["a", "b"]}, "a/b": 1, "n": null});
        let p = JsonPointer::parse("/customer/email").unwrap();
        assert_eq!(p.get(&payload), Some(&json!("ada@example.com")));
        assert_eq!(p.path(), "payload.customer.email");
        assert_eq!(
            JsonPointer::parse("/customer/tags/1")
                .unwrap()
                .get(&payload),
            Some(&json!("b"))
        );
        assert_eq!(
            JsonPointer::parse("/a~1b").unwrap().get(&payload),
            Some(&json!(1))
        );
        assert_eq!(JsonPointer::parse("/n").unwrap().get(&payload), None);
        assert_eq!(JsonPointer::parse("/missing").unwrap().get(&payload), None);
        assert_eq!(
            JsonPointer::parse("").unwrap().get(&payload),
            Some(&payload)
        );
        assert_eq!(JsonPointer::parse("").unwrap().path(), "payload");
        assert_eq!(
            JsonPointer::field("a/b"),
            JsonPointer::parse("/a~1b").unwrap()
        );
    }

    #[test]
    fn rejects_what_is_not_a_pointer() {
        assert!(JsonPointer::parse("email")
            .unwrap_err()
            .contains("start with '/'"));
        assert!(JsonPointer::parse("/a~2").unwrap_err().contains("~"));
        assert!(JsonPointer::parse("/a~").is_err());
        assert!(JsonPointer::parse(&format!("/{}", "x".repeat(MAX_LEN))).is_err());
    }
}
