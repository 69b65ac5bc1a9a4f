//! What the HTTP channels (webhook, SMS) share: the client set-up and the classification of
//! responses and transport errors into [`Delivered`] / [`SendError`].

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

use super::address_guard::{ForbiddenAddress, GuardedResolver};
use super::{summarize_text, Delivered, SendError};

/// How much of a response body is kept in the attempt summary.
const SUMMARY_CHARS: usize = 200;
/// How much of a response body is read at most; the rest is dropped unread.
const BODY_READ_LIMIT: usize = 4096;

/// A client for provider calls. Redirects are not followed (a webhook answering 3xx is
/// misconfigured, and following could lead past the address guard); environment proxies are
/// ignored so the guard sees the real destination.
pub(crate) fn client(
    timeout: Duration,
    guard: Option<GuardedResolver>,
) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("chime/", env!("CARGO_PKG_VERSION")));
    if let Some(resolver) = guard {
        builder = builder.dns_resolver(Arc::new(resolver));
    }
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))
}

/// 2xx → delivered; 408, 429, 5xx → transient (with `Retry-After`); anything else permanent.
pub(crate) async fn classify_response(response: reqwest::Response) -> Result<Delivered, SendError> {
    classify_response_keeping_body(response).await.0
}

/// [`classify_response`], also returning the start of the body (for a provider's message id).
pub(crate) async fn classify_response_keeping_body(
    response: reqwest::Response,
) -> (Result<Delivered, SendError>, String) {
    let status = response.status();
    let retry_after = retry_after(response.headers(), Utc::now());
    let body = read_body_prefix(response).await;
    let snippet = summarize_text(&body, SUMMARY_CHARS);
    let summary = if snippet.is_empty() {
        format!("HTTP {}", status.as_u16())
    } else {
        format!("HTTP {}: {snippet}", status.as_u16())
    };
    (classify_status(status, retry_after, summary), body)
}

fn classify_status(
    status: StatusCode,
    retry_after: Option<Duration>,
    summary: String,
) -> Result<Delivered, SendError> {
    if status.is_success() {
        Ok(Delivered::new(summary))
    } else if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        Err(SendError::Transient {
            reason: summary,
            retry_after,
        })
    } else {
        // Other 4xx, and 3xx since redirects are not followed.
        Err(SendError::permanent(summary))
    }
}

async fn read_body_prefix(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    // A failure while reading the body does not change the outcome the status gave.
    while let Ok(Some(chunk)) = response.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= BODY_READ_LIMIT {
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `Retry-After` as delay-seconds or an HTTP date; a date in the past means "now".
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is valid RFC 2822.
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Errors before a status arrived. A refusal by the address guard is permanent; timeouts,
/// refused connections, resets and TLS failures are transient.
pub(crate) fn classify_transport_error(error: reqwest::Error) -> SendError {
    // The URL may carry a token in its query; it is on the notification already.
    let error = error.without_url();
    if let Some(refusal) = find_source::<ForbiddenAddress>(&error) {
        return SendError::permanent(format!("webhook URL refused: {refusal}"));
    }
    if error.is_builder() {
        return SendError::permanent(format!("invalid request: {}", error_chain(&error)));
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    SendError::transient(format!("{kind}: {}", error_chain(&error)))
}

fn find_source<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// "outer: inner: root", skipping repeats (reqwest and hyper often repeat their messages).
pub(crate) fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    summarize_text(&parts.join(": "), 500)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers_with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            retry_after(&headers_with("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&headers_with("Wed, 21 Oct 2015 07:30:30 GMT"), now),
            Some(Duration::from_secs(150))
        );
        assert_eq!(
            retry_after(&headers_with("Wed, 21 Oct 2015 07:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers_with("soon"), now), None);
        assert_eq!(retry_after(&headers_with("-5"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn statuses_are_classified() {
        let cases = [
            (200, Some(true)),
            (201, Some(true)),
            (204, Some(true)),
            (301, None),
            (302, None),
            (400, None),
            (401, None),
            (404, None),
            (410, None),
            (408, Some(false)),
            (429, Some(false)),
            (500, Some(false)),
            (502, Some(false)),
            (503, Some(false)),
        ];
        // Some(true): delivered, Some(false): transient, None: permanent.
        for (code, expected) in cases {
            let status = StatusCode::from_u16(code).unwrap();
            let outcome = match classify_status(status, None, format!("HTTP {code}")) {
                Ok(_) => Some(true),
                Err(e) if e.is_transient() => Some(false),
                Err(_) => None,
            };
            assert_eq!(outcome, expected, "HTTP {code}");
        }
    }
}
