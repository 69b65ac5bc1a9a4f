//! Provider callbacks, outside `/api/v1` and its bearer auth: each is authenticated by the
//! provider's own signature instead.
//!
//! `POST /channels/sms/status`: Twilio-style status reports (form fields `MessageSid`,
//! `MessageStatus`, signed in `X-Twilio-Signature` with the provider auth token over the URL
//! the provider called and the sorted form). The URL is `CHIME_SMS_STATUS_CALLBACK_URL` when
//! set (the address sent to the provider, as seen from outside any proxy), else the one this
//! request arrived at. A bad signature is a `403` and an unknown `MessageSid` a `404`; neither
//! changes anything.

use super::error::ApiError;
use super::state::AppState;
use crate::api::openapi::{responses, schemas};
use crate::channels::sms::verify_twilio_signature;
use crate::db::{self, DbError};
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::Connection;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/channels/sms/status").route(web::post().to(sms_status)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sms_status))]
pub struct Api;

/// What a provider status means for the notification: `delivered` or `undelivered` once the
/// message's fate is known; `None` while it is still on its way.
pub fn delivery_status(provider_status: &str) -> Option<&'static str> {
    match provider_status {
        "delivered" | "read" => Some("delivered"),
        "undelivered" | "failed" | "canceled" => Some("undelivered"),
        _ => None,
    }
}

fn callback_url(state: &AppState, req: &HttpRequest) -> String {
    if let Some(url) = &state.settings.channels.sms_status_callback_url {
        return url.clone();
    }
    let info = req.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), req.uri())
}

#[utoipa::path(
    post,
    path = "/channels/sms/status",
    operation_id = "smsStatusReport",
    tag = "channels",
    summary = "SMS status report",
    description = "Twilio-style status callback for SMS sent through the provider (set `CHIME_SMS_STATUS_CALLBACK_URL` to have each message ask for one). Authenticated by `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with `CHIME_SMS_AUTH_TOKEN`, over the callback URL followed by the sorted form parameters (names and values). A bad or missing signature is a `403`, an unknown `MessageSid` a `404`; neither changes anything.",
    security(),
    params(("X-Twilio-Signature" = String, Header)),
    request_body(content = schemas::SmsStatusReport, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 204, description = "Recorded on the attempt (and, when final, the notification)."),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 422, response = responses::UnprocessableEntity),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn sms_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = state.settings.channels.sms_auth_token.clone() else {
        return Err(ApiError::Forbidden(
            "no SMS provider auth token is configured to verify status reports".into(),
        ));
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let signature = req
        .headers()
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !verify_twilio_signature(
        token.expose(),
        &callback_url(&state, &req),
        &params,
        signature,
    ) {
        return Err(ApiError::Forbidden(
            "X-Twilio-Signature does not sign this request".into(),
        ));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::invalid(name, "is required"))
    };
    let sid = param("MessageSid")?;
    let status = param("MessageStatus")?.to_ascii_lowercase();
    if status.len() > 32 || !status.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(ApiError::invalid(
            "MessageStatus",
            "expected a status such as delivered or undelivered",
        ));
    }
    let found = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(attempt) = db::attempts::find_by_provider_id(conn, &sid)? else {
                return Ok(false);
            };
            let final_status = delivery_status(&status);
            db::attempts::record_provider_status(conn, &attempt, &status, final_status)?;
            db::audit::record(
                conn,
                attempt.tenant_id,
                "provider",
                "notification.provider_status",
                Some(attempt.notification_id),
                json!({"message_sid": sid, "status": status, "delivery_status": final_status}),
            )?;
            Ok::<_, DbError>(true)
        })
    })
    .await?;
    if !found {
        return Err(ApiError::not_found("message"));
    }
    Ok(HttpResponse::NoContent().finish())
}
