//! The whole OpenAPI document, served at `/openapi.json`: the API's operations and shared parts
//! (`api::openapi`, where adding an operation is explained) and the operations endpoints of this
//! module. Assembled here, above the API, so that the API does not depend on the routes that
//! depend on it; the 405 handler gets the routes' methods from it through [`allow_table`].

use crate::api::openapi::responses;
use crate::api::AllowTable;
use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = crate::api::openapi::document();
    let api_paths = std::mem::take(&mut doc.paths);
    // The operations endpoints come first, as they always have.
    doc.paths = super::Api::openapi().paths;
    doc.paths.merge(api_paths);
    doc
}

/// The document as pretty JSON with a final newline (as `src/api/openapi.json` holds it).
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        // Serialising plain data into a string cannot fail.
        let mut text = document()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    })
}

/// The methods of every route, for the `Allow` header of a 405.
pub fn allow_table() -> &'static AllowTable {
    static TABLE: OnceLock<AllowTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = serde_json::from_str(json()).unwrap_or_default();
        AllowTable::from_document(&doc)
    })
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This OpenAPI document",
    security(),
    responses(
        (status = 200, description = "OpenAPI 3 document.", body = Object),
        (status = "default", response = responses::InternalError),
    ),
)]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}
