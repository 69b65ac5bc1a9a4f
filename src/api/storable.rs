//! Whether a JSON request body can be stored in PostgreSQL and read back as it was sent.
//!
//! PostgreSQL refuses the NUL character in `text` and `jsonb`, so a string holding `\u0000`
//! would fail the INSERT (a 500 on every endpoint that stores it). And `jsonb` keeps numbers as
//! exact decimals: serde_json writes `1.7976931348623157e308`, PostgreSQL hands back its 309
//! plain digits, and serde_json's default parser, which is not correctly rounded, overflowed
//! that to infinity and refused the row on every read afterwards (and read other plain decimals
//! such as `0.0000000004152721812400268` one bit off). serde_json is therefore built with
//! `float_roundtrip`, and every number is checked here the way it will be read back: written as
//! serde_json writes it, expanded as PostgreSQL prints it, parsed as serde_json parses it.
//! Integers beyond 64 bits would be silently rounded, and very large or small magnitudes come
//! back as hundreds of digits (a 1 MiB body of `1e308` would list as 50 MB), so both are
//! refused too.
//!
//! The walk runs over the raw bytes (after serde_json has accepted them) because a parsed
//! `Value` no longer tells an integer too large for 64 bits from a float.

use super::error::ApiError;
use serde_json::Value;

/// Most characters PostgreSQL may print for one number: beyond this a number is a
/// magnitude like 1e300 whose every digit would be stored and sent back.
pub const MAX_NUMBER_CHARS: usize = 40;

/// Checks every string, object key and number of a JSON document already known to be valid.
pub fn check(bytes: &[u8]) -> Result<(), ApiError> {
    let mut walk = Walk {
        b: bytes,
        i: 0,
        path: Vec::new(),
    };
    walk.value()
}

/// Checks one string that reaches SQL outside a JSON body (a query parameter).
pub fn check_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(nul(field));
    }
    Ok(())
}

fn nul(field: &str) -> ApiError {
    ApiError::invalid(field, "must not contain the NUL character (\\u0000)")
}

enum Segment {
    /// The key's raw bytes, quotes included: decoded only to name a path in an error.
    Key(std::ops::Range<usize>),
    Index(usize),
}

struct Walk<'a> {
    b: &'a [u8],
    i: usize,
    path: Vec<Segment>,
}

impl Walk<'_> {
    /// `payload.items[2].name`; keys that are not plain words are quoted: `data["a b"]`.
    fn path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            let key = match seg {
                Segment::Key(raw) => {
                    serde_json::from_slice::<String>(&self.b[raw.clone()]).unwrap_or_default()
                }
                Segment::Index(n) => {
                    out.push_str(&format!("[{n}]"));
                    continue;
                }
            };
            match key {
                k if is_word(&k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k);
                }
                k => {
                    out.push('[');
                    out.push_str(&serde_json::to_string(&k).unwrap_or_default());
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            "body".into()
        } else {
            out
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    fn value(&mut self) -> Result<(), ApiError> {
        self.skip_ws();
        match self.peek() {
            b'{' => {
                self.i += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b'}' => {
                            self.i += 1;
                            return Ok(());
                        }
                        b',' => self.i += 1,
                        b'"' => {
                            let start = self.i;
                            let bad_key = self.string_has_nul()?;
                            self.path.push(Segment::Key(start..self.i));
                            if bad_key {
                                return Err(nul(&self.path()));
                            }
                            self.skip_ws();
                            if self.peek() == b':' {
                                self.i += 1;
                            }
                            self.value()?;
                            self.path.pop();
                        }
                        // Unreachable for valid JSON; stop rather than loop.
                        _ => return Ok(()),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut index = 0;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b']' => {
                            self.i += 1;
                            return Ok(());
                        }
                        b',' => self.i += 1,
                        0 => return Ok(()),
                        _ => {
                            self.path.push(Segment::Index(index));
                            self.value()?;
                            self.path.pop();
                            index += 1;
                        }
                    }
                }
            }
            b'"' => {
                if self.string_has_nul()? {
                    return Err(nul(&self.path()));
                }
                Ok(())
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                let token = std::str::from_utf8(&self.b[start..self.i]).unwrap_or_default();
                number(token).map_err(|problem| ApiError::invalid(&self.path(), problem))
            }
            _ => {
                // true, false, null
                while self.i < self.b.len() && self.b[self.i].is_ascii_alphabetic() {
                    self.i += 1;
                }
                Ok(())
            }
        }
    }

    /// Whether the string starting at the current quote holds a NUL; the cursor moves past it.
    fn string_has_nul(&mut self) -> Result<bool, ApiError> {
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            self.i += 1;
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                break;
            }
        }
        let raw = &self.b[start..self.i];
        // Valid JSON has no raw NUL byte: only the escape `\u0000` makes one. Its bytes can
        // also follow an escaped backslash (`\\u0000`), so a match is confirmed by decoding.
        if !raw.windows(6).any(|w| w == br"\u0000") {
            return Ok(false);
        }
        serde_json::from_slice::<String>(raw)
            .map(|s| s.contains('\0'))
            .map_err(|e| ApiError::BadRequest {
                field: None,
                message: format!("malformed JSON: {e}"),
            })
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Why a number token cannot be stored and read back unchanged, if it cannot.
fn number(token: &str) -> Result<(), String> {
    let integer = !token.contains(['.', 'e', 'E']);
    if integer {
        if token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok() {
            return Ok(());
        }
        return Err(
            "is an integer outside the 64-bit range, which would be rounded; send it as a string"
                .into(),
        );
    }
    // What the request's `Value` holds, and what PostgreSQL will print for it.
    let Ok(x) = serde_json::from_str::<f64>(token) else {
        return Err("is not a number that can be stored".into());
    };
    let written = serde_json::to_string(&x).unwrap_or_default();
    let printed = postgres_numeric_text(&written).ok_or("is not a number that can be stored")?;
    if printed.len() > MAX_NUMBER_CHARS {
        return Err(format!(
            "is stored as an exact decimal of {} characters (more than {MAX_NUMBER_CHARS}); send such magnitudes as a string",
            printed.len()
        ));
    }
    match serde_json::from_str::<Value>(&printed)
        .ok()
        .and_then(|v| v.as_f64())
    {
        Some(back) if back == x => Ok(()),
        _ => Err("cannot be stored and read back exactly; send it as a string".into()),
    }
}

/// How PostgreSQL's `numeric` prints a number it parsed from `text` (as serde_json writes
/// floats: `-1.5e-7`, `1e19`, `0.25`): plain digits, as many decimals as the input implied,
/// and no sign on zero.
pub fn postgres_numeric_text(text: &str) -> Option<String> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit()))
        || int_part.is_empty()
        || exponent.abs() > 100_000
    {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    // The value is digits × 10^(point - digits.len()), with `point` digits before the point.
    let point = int_part.len() as i64 + exponent;
    let scale = (frac_part.len() as i64 - exponent).max(0) as usize;
    let (whole, fraction) = if point <= 0 {
        let zeros = "0".repeat((-point) as usize);
        (String::new(), format!("{zeros}{digits}"))
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        (format!("{digits}{zeros}"), String::new())
    } else {
        let (w, f) = digits.split_at(point as usize);
        (w.to_string(), f.to_string())
    };
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let mut fraction = fraction;
    fraction.truncate(scale);
    while fraction.len() < scale {
        fraction.push('0');
    }
    let zero = whole == "0" && fraction.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if negative && !zero {
        out.push('-');
    }
    out.push_str(whole);
    if scale > 0 {
        out.push('.');
        out.push_str(&fraction);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> Option<String> {
        match check(body.as_bytes()) {
            Ok(()) => None,
            Err(ApiError::Validation { field, .. }) => Some(field),
            Err(other) => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn postgres_prints_plain_decimals() {
        for (written, printed) in [
            ("1.5e-7", "0.00000015"),
            ("1e19", "10000000000000000000"),
            ("1.0", "1.0"),
            ("-0.0", "0.0"),
            ("0.25", "0.25"),
            ("-12.5", "-12.5"),
            ("1.25e2", "125"),
            ("1.2345e3", "1234.5"),
        ] {
            assert_eq!(
                postgres_numeric_text(written).unwrap(),
                printed,
                "{written}"
            );
        }
        let max = postgres_numeric_text("1.7976931348623157e308").unwrap();
        assert_eq!(max.len(), 309);
        assert!(max.starts_with("17976931348623157000"));
    }

    #[test]
    fn nul_characters_are_named_by_path() {
        assert_eq!(
            field_of(r#"{"payload": {"x": ["a", "b\u0000"]}}"#).as_deref(),
            Some("payload.x[1]")
        );
        assert_eq!(field_of(r#"{"email": "\u0000"}"#).as_deref(), Some("email"));
        assert_eq!(
            field_of(r#"{"data": {"a\u0000b": 1}}"#).as_deref(),
            Some(r#"data["a\u0000b"]"#)
        );
        // An escaped backslash followed by "u0000" is not a NUL.
        assert_eq!(field_of(r#"{"a": "\\u0000"}"#), None);
    }

    #[test]
    fn numbers_that_would_not_come_back_are_refused() {
        for (body, field) in [
            (
                r#"{"payload": {"x": 1.7976931348623157e+308}}"#,
                "payload.x",
            ),
            (r#"{"payload": {"x": 1e308}}"#, "payload.x"),
            (r#"{"payload": {"x": 5e-324}}"#, "payload.x"),
            (
                r#"{"payload": [123456789012345678901234567890]}"#,
                "payload[0]",
            ),
            (r#"{"payload": {"n": -99999999999999999999}}"#, "payload.n"),
        ] {
            assert_eq!(field_of(body).as_deref(), Some(field), "{body}");
        }
        for body in [
            r#"{"a": 0.1, "b": 0.30000000000000004, "c": -0.0, "d": 1e19, "e": 18446744073709551615}"#,
            r#"{"a": -9223372036854775808, "b": 6.02214076e23, "c": 1.5e-7, "d": 3.141592653589793}"#,
        ] {
            assert_eq!(field_of(body), None, "{body}");
        }
    }

    #[test]
    fn ordinary_floats_are_accepted() {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let mut refused = Vec::new();
        for _ in 0..200_000 {
            let x: f64 = rng.gen_range(-1e6..1e6) * 10f64.powi(rng.gen_range(-12..18));
            let token = serde_json::to_string(&x).unwrap();
            if number(&token).is_err() {
                refused.push(token);
            }
        }
        let mut small: Vec<f64> = refused
            .iter()
            .map(|t| t.parse::<f64>().unwrap().abs())
            .collect();
        small.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(
            refused.is_empty(),
            "{} refused, smallest {:?}",
            refused.len(),
            &small[..small.len().min(5)]
        );
    }
}
