//! The HTTP API: one file per resource, the auth extractor, and `ApiError` → HTTP in one place.

pub mod auth;
pub mod batch;
pub mod body;
pub mod bulk;
pub mod callbacks;
pub mod caller;
pub mod cron;
pub mod cursor;
pub mod digest;
pub mod error;
pub mod events;
pub mod inspect;
pub mod keys;
pub mod limits;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod rate_limit;
pub mod recipients;
pub mod request_span;
pub mod rules;
pub mod series;
pub mod state;
pub mod stats;
pub mod storable;
pub mod templates;
pub mod tenant;
pub mod ui;
pub mod users;
pub mod view;

pub use error::ApiError;
pub use state::AppState;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse};
use std::collections::HashMap;

/// Registers every `/api/v1` route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            // Query parameters reach SQL as text, which cannot hold NUL; bodies are checked
            // where they are read (`body.rs`).
            .wrap_fn(|req, srv| {
                let checked = check_query(req.query_string());
                let call = checked.is_ok().then(|| srv.call(req));
                async move {
                    checked?;
                    match call {
                        Some(call) => call.await,
                        None => {
                            Err(ApiError::Internal(anyhow::anyhow!("request not forwarded")).into())
                        }
                    }
                }
            })
            // Before notifications: `/notifications/cancel-matching` is not an id.
            .configure(bulk::routes)
            // Before `/notifications/{id}` and `/events/{id}`, which would match the path.
            .configure(batch::routes)
            .configure(inspect::routes)
            .configure(stats::routes)
            .configure(notifications::routes)
            .configure(recipients::routes)
            .configure(keys::routes)
            .configure(users::routes)
            .configure(tenant::routes)
            .configure(events::routes)
            .configure(rules::routes)
            .configure(templates::routes)
            .configure(cron::routes)
            .configure(series::routes),
    );
    cfg.configure(callbacks::routes);
    cfg.configure(ui::routes);
    cfg.configure(recipients::public_routes);
}

/// Unknown routes get the JSON error shape too.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}

fn check_query(query: &str) -> Result<(), ApiError> {
    if query.is_empty() {
        return Ok(());
    }
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        storable::check_text(&name.replace('\0', "\\u0000"), &name)?;
        storable::check_text(&name, &value)?;
    }
    Ok(())
}

/// Methods of each route, keyed by the route pattern with its parameters blanked:
/// `/api/v1/rules/{}`. Read from the OpenAPI document, which lists every route
/// (`api::ops`; tests/api/openapi.rs checks it).
pub struct AllowTable(HashMap<String, String>);

impl AllowTable {
    pub fn from_document(doc: &serde_json::Value) -> AllowTable {
        let mut table = HashMap::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, ops) in paths {
                let methods: Vec<String> = ops
                    .as_object()
                    .map(|o| {
                        o.keys()
                            .filter(|m| {
                                ["get", "put", "post", "patch", "delete"].contains(&m.as_str())
                            })
                            .map(|m| m.to_ascii_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                table.insert(blank_params(path), methods.join(", "));
            }
        }
        AllowTable(table)
    }

    /// The `Allow` value for a route pattern, when the route is known.
    pub fn allow_header(&self, pattern: &str) -> Option<&str> {
        self.0
            .get(&blank_params(pattern))
            .filter(|m| !m.is_empty())
            .map(String::as_str)
    }
}

fn blank_params(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_param = false;
    for c in pattern.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Turns actix's own bodiless errors (405 and friends) into the JSON error shape; a 405 lists
/// the route's methods from `allow` in its `Allow` header.
pub fn json_error_bodies<B: 'static>(allow: &'static AllowTable) -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(move |res: ServiceResponse<B>| {
        let status = res.status();
        let is_json = res
            .response()
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if is_json || !(status.is_client_error() || status.is_server_error()) {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        if status.is_server_error() {
            // `ApiError` bodies are JSON and logged where they are made; this logs the errors
            // actix itself and other extractors raise.
            let cause = res.response().error().map(|e| e.to_string());
            let cause = cause.as_deref().unwrap_or("no error attached");
            tracing::error!(error = %cause, path = %res.request().path(), status = status.as_u16(), "request failed");
        }
        let (code, message) = match status {
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "method not allowed for this route")
            }
            StatusCode::NOT_FOUND => ("not_found", "no such route"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body is too large"),
            s if s.is_server_error() => ("internal", "internal error"),
            _ => ("bad_request", "bad request"),
        };
        let allow = (status == StatusCode::METHOD_NOT_ALLOWED)
            .then(|| res.request().match_pattern())
            .flatten()
            .and_then(|p| allow.allow_header(&p));
        let (req, _) = res.into_parts();
        let mut resp = HttpResponse::build(status);
        if let Some(allow) = allow {
            resp.insert_header((header::ALLOW, allow));
        }
        let resp = resp.json(serde_json::json!({"error": {"code": code, "message": message}}));
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, resp).map_into_right_body(),
        ))
    })
}
