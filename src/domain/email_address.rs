use std::fmt;

/// An e-mail address checked once, at the edge: one `@`, a plausible local part and domain.
/// Full RFC 5322 parsing is left to the SMTP server; this rejects what can never be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, String> {
        let s = input.trim();
        let err = || format!("'{s}' is not a valid e-mail address");
        if s.is_empty() || s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(err)?;
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || local.contains(['<', '>', ',', ';'])
        {
            return Err(err());
        }
        let labels_ok = domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !labels_ok || !domain.contains('.') && domain != "localhost" {
            return Err(err());
        }
        Ok(EmailAddress(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `domain` is a fully qualified host name (`mail.example.com`): dot-separated labels of
/// letters, digits and inner hyphens, at least two of them.
pub fn is_fully_qualified_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ada@example.com",
            "a.b+tag@mail.example.co.uk",
            "root@localhost",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_delivered() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@exa mple.com",
            "a@b@c.com",
            "ada@-x.com",
            "ada@example",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
