use std::fmt;

const MAX_LEN: usize = 200;

/// The type of an event (`card.expiring`): what a rule is keyed by. Limited to letters, digits
/// and `. _ - : /` so that it is safe to name in logs and in default message texts, which are
/// templates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventType(String);

impl EventType {
    pub fn parse(input: &str) -> Result<EventType, String> {
        if input.is_empty() || input.len() > MAX_LEN {
            return Err(format!("must be 1 to {MAX_LEN} characters"));
        }
        let allowed =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/');
        if !input.chars().all(allowed) {
            return Err(format!(
                "'{}' may only contain letters, digits and . _ - : /",
                input.escape_debug()
            ));
        }
        Ok(EventType(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dotted_names_and_rejects_the_rest() {
        for ok in ["card.expiring", "invoice/overdue", "a", "user:signed_up-v2"] {
            assert_eq!(EventType::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "card expiring", "{{x}}", "caf\u{e9}", &"x".repeat(201)] {
            assert!(EventType::parse(bad).is_err(), "{bad:?}");
        }
    }
}
