use std::fmt;

/// An absolute `http`/`https` URL with a host and no credentials. Whether its host resolves to a
/// public address is a network question, checked by `channels::address_guard` at create and send time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(input: &str) -> Result<WebhookUrl, String> {
        let s = input.trim();
        let url = url::Url::parse(s).map_err(|e| format!("'{s}' is not a valid URL: {e}"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!("'{s}' must use http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("'{s}' has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("webhook URLs must not carry credentials".into());
        }
        if s.len() > 2048 {
            return Err("URL is longer than 2048 characters".into());
        }
        Ok(WebhookUrl(url))
    }

    pub fn url(&self) -> &url::Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::WebhookUrl;

    #[test]
    fn http_urls_only() {
        assert!(WebhookUrl::parse("https://hooks.example.com/chime").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/x").is_ok());
        for bad in [
            "ftp://example.com",
            "example.com/x",
            "https://user:pw@example.com/",
            "http://",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
