//! One span per HTTP request (through `tracing-actix-web`), and one `debug` line when it ends
//! with its request id, method, route, status and latency as top-level fields.
//!
//! The line is at `debug` so that ingest at thousands of requests a second does not flood the
//! logs; `RUST_LOG=info,chime::api::request_span=debug` turns it on. The request id is also sent
//! back in the `X-Request-Id` header, so a client's report can be matched to the log line.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::HttpMessage;
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

use crate::ops::metrics::UNMATCHED_ROUTE;

/// When the request arrived, for the latency recorded at its end.
#[derive(Clone, Copy)]
struct Started(Instant);

pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        // The route template, never the raw path: ids in paths are not a route.
        let route = request.match_pattern();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            route = route.as_deref().unwrap_or(UNMATCHED_ROUTE),
            status = Empty,
            latency_ms = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        // Errors from the handlers are already responses (see ApiError); an `Err` here comes
        // from the server itself and is answered with that error's status.
        let (request, status) = match outcome {
            Ok(res) => (Some(res.request()), res.status()),
            Err(e) => (None, e.as_response_error().status_code()),
        };
        let latency_ms = request
            .and_then(|r| r.extensions().get::<Started>().copied())
            .map(|Started(at)| at.elapsed().as_secs_f64() * 1000.0);
        span.record("status", status.as_u16());
        if let Some(ms) = latency_ms {
            span.record("latency_ms", ms);
        }
        let request_id = request
            .and_then(|r| r.extensions().get::<RequestId>().map(|id| id.to_string()))
            .unwrap_or_default();
        let route = request.and_then(|r| r.match_pattern());
        tracing::debug!(
            parent: &span,
            request_id = %request_id,
            method = request.map(|r| r.method().as_str()).unwrap_or_default(),
            route = route.as_deref().unwrap_or(UNMATCHED_ROUTE),
            status = status.as_u16(),
            latency_ms,
            "request"
        );
    }
}

/// The request id for the response header, if the tracing middleware assigned one.
pub fn header_value(request: &actix_web::HttpRequest) -> Option<HeaderValue> {
    let id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.to_string())?;
    HeaderValue::from_str(&id).ok()
}
