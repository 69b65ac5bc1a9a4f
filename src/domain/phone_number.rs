use std::fmt;

/// A phone number in E.164 form: `+`, a non-zero country digit, 8 to 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, String> {
        let s = input.trim();
        let digits = s.strip_prefix('+').unwrap_or("");
        let valid = (8..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(PhoneNumber(s.to_string()))
        } else {
            Err(format!(
                "'{s}' is not an E.164 phone number like +14155550123"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PhoneNumber;

    #[test]
    fn e164_only() {
        assert!(PhoneNumber::parse("+14155550123").is_ok());
        assert!(PhoneNumber::parse("+4915112345678").is_ok());
        for bad in [
            "14155550123",
            "+0123456789",
            "+1 415 555 0123",
            "+1234",
            "+1234567890123456",
            "+1415555012a",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
