//! The HTTP API: one file per resource, the auth extractor, and `ApiError` → HTTP in one place.

pub mod auth;
pub mod body;
pub mod bulk;
pub mod cron;
pub mod cursor;
pub mod error;
pub mod events;
pub mod inspect;
pub mod keys;
pub mod notifications;
pub mod rate_limit;
pub mod rules;
pub mod series;
pub mod state;
pub mod stats;
pub mod tenant;
pub mod ui;
pub mod users;
pub mod view;

pub use error::ApiError;
pub use state::AppState;

use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{dev::ServiceResponse, web, HttpResponse};

/// Registers every `/api/v1` route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            // Before notifications: `/notifications/cancel-matching` is not an id.
            .configure(bulk::routes)
            .configure(inspect::routes)
            .configure(stats::routes)
            .configure(notifications::routes)
            .configure(keys::routes)
            .configure(users::routes)
            .configure(tenant::routes)
            .configure(events::routes)
            .configure(rules::routes)
            .configure(cron::routes)
            .configure(series::routes),
    );
    cfg.configure(ui::routes);
}

/// The OpenAPI 3 document of this API.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("openapi.json"))
}

/// Unknown routes get the JSON error shape too.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}

/// Turns actix's own bodiless errors (405 and friends) into the JSON error shape.
pub fn json_error_bodies<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let status = res.status();
        let is_json = res
            .response()
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if is_json || !(status.is_client_error() || status.is_server_error()) {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
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
        let (req, _) = res.into_parts();
        let resp = HttpResponse::build(status)
            .json(serde_json::json!({"error": {"code": code, "message": message}}));
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, resp).map_into_right_body(),
        ))
    })
}
