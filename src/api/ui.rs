//! The dashboard at `/ui`: three small assets embedded in the binary (no build step, no CDN).
//! The page is shell-only; everything it shows comes from the `/api/v1` routes with the
//! caller's own token, so it can do nothing the API would not let that caller do.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::OnceLock;

const INDEX: &str = include_str!("ui/index.html");
const APP_JS: &str = include_str!("ui/app.js");
const APP_CSS: &str = include_str!("ui/app.css");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ui").route(web::get().to(index)))
        .service(web::resource("/ui/").route(web::get().to(redirect)))
        .service(web::resource("/ui/app.js").route(web::get().to(app_js)))
        .service(web::resource("/ui/app.css").route(web::get().to(app_css)));
}

/// A short digest of the assets: it versions their URLs (so they can be cached for good) and
/// is the page's ETag.
fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(INDEX);
        h.update(APP_JS);
        h.update(APP_CSS);
        hex::encode(&h.finalize()[..6])
    })
}

fn page() -> &'static str {
    static P: OnceLock<String> = OnceLock::new();
    P.get_or_init(|| INDEX.replace("{{v}}", version()))
}

// Everything the page loads is its own; no inline script, no third party.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

async fn index(req: HttpRequest) -> HttpResponse {
    let etag = format!("\"{}\"", version());
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if matches {
        res.finish()
    } else {
        res.content_type("text/html; charset=utf-8").body(page())
    }
}

async fn redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/ui"))
        .finish()
}

/// Assets are requested with `?v=<digest>`: a new build changes the URL, so they never go stale.
fn asset(body: &'static str, content_type: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

async fn app_js() -> HttpResponse {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

async fn app_css() -> HttpResponse {
    asset(APP_CSS, "text/css; charset=utf-8")
}
