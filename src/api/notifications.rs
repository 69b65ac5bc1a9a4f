//! `/api/v1/notifications`: create, read, list, reschedule, cancel, attempts, replay, dead letters.
//! PostgreSQL is written first, in one transaction per request; the schedule follows.

use super::auth::Caller;
use super::body::JsonObject;
use super::cursor;
use super::error::ApiError;
use super::state::AppState;
use super::view;
use crate::db::{self, models::NewNotification, models::Notification, notifications as q};
use crate::domain::{
    local_time, ChannelKind, CronSpec, LeadTime, NotificationId, NotificationStatus, Recipient,
    TenantId, TimeZone,
};
use crate::lifecycle::error::not_scheduled;
use crate::lifecycle::{self, after_commit};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/notifications")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(web::resource("/notifications/cancel").route(web::post().to(cancel_group)))
    .service(
        web::resource("/notifications/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(reschedule)),
    )
    .service(web::resource("/notifications/{id}/cancel").route(web::post().to(cancel)))
    .service(web::resource("/notifications/{id}/attempts").route(web::get().to(attempts)))
    .service(web::resource("/notifications/{id}/replay").route(web::post().to(replay)))
    .service(web::resource("/dead-letters").route(web::get().to(dead_letters)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create,
    list,
    cancel_group,
    get,
    reschedule,
    cancel,
    attempts,
    replay,
    dead_letters
))]
pub struct Api;

use super::params::MAX_KEY_LEN;
use super::params::{idempotency_key, parse_id, parse_template};
use crate::api::openapi::{params, responses, schemas};

/// `html`: an HTML alternative part, for e-mails only.
pub fn parse_html(body: &mut JsonObject, channel: ChannelKind) -> Result<Option<String>, ApiError> {
    let html = body.opt_str("html")?;
    if let Some(h) = &html {
        if channel != ChannelKind::Email {
            return Err(ApiError::invalid(
                "html",
                "applies to the email channel only",
            ));
        }
        parse_template("html", h)?;
    }
    Ok(html)
}

/// The texts a notification will render, with what they render from.
pub struct RenderCheck<'a> {
    pub channel: ChannelKind,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    /// E-mail only: the HTML alternative.
    pub html: Option<&'a str>,
    pub data: &'a Value,
    pub target_date: Option<DateTime<Utc>>,
    pub send_at: DateTime<Utc>,
    pub recipient: &'a str,
}

/// Renders the templates against the notification's own data with the send-time budget, so
/// that one which can never be sent (too much work, too much output) is a `422` naming its
/// field now rather than a dead letter later. Other render errors are left to send time.
pub async fn check_render(state: &AppState, check: RenderCheck<'_>) -> Result<(), ApiError> {
    use crate::channels::template::{self, Budget, OutputLimit};
    let budget = Budget {
        fuel: state.settings.channels.render_fuel,
        output: OutputLimit::for_channel(check.channel),
        deadline: Some(std::time::Instant::now() + state.settings.send_guard()),
    };
    let fields = [
        ("subject", check.subject),
        ("body", Some(check.body)),
        ("html", check.html),
    ];
    // Plain text has nothing to run: no render, and no trip to a blocking thread.
    let to_render: Vec<(&str, &str)> = fields
        .into_iter()
        .filter_map(|(field, src)| src.map(|s| (field, s)))
        .filter(|(_, src)| !template::renders_as_itself(src, budget.output))
        .collect();
    if to_render.is_empty() {
        return Ok(());
    }
    let context = std::sync::Arc::new(template::context(
        check.data,
        check.target_date.map(crate::domain::format_time),
        crate::domain::format_time(check.send_at),
        check.recipient,
        Uuid::nil(),
    ));
    for (field, src) in to_render {
        let rendered = if field == "html" {
            template::render_html_blocking(src.to_owned(), context.clone(), budget).await
        } else {
            template::render_blocking(src.to_owned(), context.clone(), budget).await
        };
        match rendered {
            Err(e) if e.is_limit() => return Err(ApiError::invalid(field, e.to_string())),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a webhook recipient does not point into the private network (unless allowed).
pub async fn guard_recipient(state: &AppState, recipient: &Recipient) -> Result<(), ApiError> {
    if let Recipient::Webhook(url) = recipient {
        crate::channels::address_guard::ensure_public(
            url.url(),
            state.settings.channels.webhook_allow_private,
        )
        .await
        .map_err(|e| ApiError::invalid("recipient", e))?;
    }
    Ok(())
}

fn parse_time(
    field: &str,
    raw: Option<String>,
    tz: Option<&TimeZone>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.map(|s| {
        local_time::parse_instant(&s, tz.map(|t| t.tz())).map_err(|e| ApiError::invalid(field, e))
    })
    .transpose()
}

/// When a notification is sent and until when it may be: from `send_at`, or `target_date - lead_time`.
#[derive(Debug, Clone)]
pub struct Timing {
    pub target_date: Option<DateTime<Utc>>,
    pub lead_time: Option<LeadTime>,
    pub send_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Timing {
    pub fn resolve(
        target_date: Option<DateTime<Utc>>,
        lead_time: Option<LeadTime>,
        send_at: Option<DateTime<Utc>>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Timing, ApiError> {
        let send_at = match (send_at, target_date, &lead_time) {
            (Some(_), _, Some(_)) => {
                return Err(ApiError::invalid(
                    "send_at",
                    "give either send_at or lead_time, not both",
                ))
            }
            (Some(at), _, None) => at,
            (None, Some(target), lead) => {
                target - lead.as_ref().map(|l| l.duration()).unwrap_or_default()
            }
            (None, None, Some(_)) => {
                return Err(ApiError::invalid(
                    "target_date",
                    "is required with lead_time",
                ))
            }
            (None, None, None) => {
                return Err(ApiError::invalid(
                    "send_at",
                    "give send_at, or target_date (with an optional lead_time)",
                ))
            }
        };
        if let Some(expiry) = lifecycle::expiry::expiry(expires_at, target_date) {
            if send_at > expiry {
                let field = if expires_at.is_some() {
                    "expires_at"
                } else {
                    "target_date"
                };
                return Err(ApiError::invalid(
                    field,
                    format!(
                        "the send time {} is after the expiry {}",
                        view::ts(send_at),
                        view::ts(expiry)
                    ),
                ));
            }
        }
        Ok(Timing {
            target_date,
            lead_time,
            send_at,
            expires_at,
        })
    }

    pub fn check_not_expired(&self, now: DateTime<Utc>) -> Result<(), ApiError> {
        match lifecycle::expiry::expiry(self.expires_at, self.target_date) {
            Some(expiry) if expiry < now => {
                let field = if self.expires_at.is_some() {
                    "expires_at"
                } else {
                    "target_date"
                };
                Err(ApiError::invalid(
                    field,
                    format!(
                        "already passed ({}); the notification could never be sent",
                        view::ts(expiry)
                    ),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A create request, parsed: everything downstream trusts it.
pub struct Draft {
    pub channel: ChannelKind,
    pub recipient: Recipient,
    pub subject: Option<String>,
    pub body: String,
    /// E-mail only: the template of an HTML alternative part.
    pub html: Option<String>,
    /// A stored template to render at send time instead of `subject`, `body` and `html`.
    pub template: Option<super::templates::TemplateRef>,
    pub data: Value,
    pub timing: Timing,
    pub timezone: Option<TimeZone>,
    pub cron: Option<CronSpec>,
    pub ends_at: Option<DateTime<Utc>>,
    pub group_key: Option<String>,
    pub max_attempts: i32,
    pub idempotency_key: Option<String>,
    /// Set when the notification names a recipient (its channel and address come from them).
    pub addressee: Option<super::recipients::Addressed>,
    /// Sent through the recipient's quiet hours.
    pub urgent: bool,
    /// The channels to try, in order, when the current one fails permanently.
    pub fallback: Vec<ChannelKind>,
    /// Sent in one message with the recipient's others of the same key.
    pub digest: Option<super::digest::DigestSpec>,
}

/// A series starts at its first fire time; `send_at`, `target_date`, `lead_time` and
/// `expires_at` (`given`: whether each was) are not used with cron.
fn first_fire(
    spec: &CronSpec,
    timezone: Option<&TimeZone>,
    ends_at: Option<DateTime<Utc>>,
    given: [(&str, bool); 4],
) -> Result<Timing, ApiError> {
    if let Some((field, _)) = given.iter().find(|(_, given)| *given) {
        return Err(ApiError::invalid(
            field,
            "cannot be combined with cron; the cron expression sets the times",
        ));
    }
    let tz = timezone.map(|t| t.tz()).unwrap_or(chrono_tz::UTC);
    let first = spec
        .next_after(Utc::now(), tz)
        .ok_or_else(|| ApiError::invalid("cron", "never fires"))?;
    if let Some(end) = ends_at.filter(|end| first > *end) {
        return Err(ApiError::invalid(
            "ends_at",
            format!(
                "{} is before the first fire time {}",
                view::ts(end),
                view::ts(first)
            ),
        ));
    }
    Ok(Timing {
        target_date: None,
        lead_time: None,
        send_at: first,
        expires_at: None,
    })
}

/// Without a request (an item of a batch), only the body's idempotency key counts.
pub(super) fn parse_create(
    body: &mut JsonObject,
    req: Option<&HttpRequest>,
    default_max_attempts: i32,
    directory: &crate::recipients::Directory,
) -> Result<Draft, ApiError> {
    let addressee = super::recipients::parse_addressee(body, directory)?;
    let (channel, recipient) = match &addressee {
        Some(a) => (a.channel, a.recipient.clone()),
        None => {
            let channel: ChannelKind = body
                .req_str("channel")?
                .parse()
                .map_err(|_| ApiError::invalid("channel", "must be email, sms or webhook"))?;
            let recipient = Recipient::parse(channel, &body.req_str("recipient")?)
                .map_err(|e| ApiError::invalid("recipient", e))?;
            (channel, recipient)
        }
    };
    let urgent = body.opt_bool("urgent")?.unwrap_or(false);
    let fallback = super::recipients::parse_fallback(body, addressee.as_ref(), directory)?;
    let digest = super::digest::parse(body, addressee.is_some())?;
    if digest.is_some() && !fallback.is_empty() {
        return Err(ApiError::invalid(
            "fallback",
            "cannot be combined with digest: a digest goes out on one channel",
        ));
    }
    let template = super::templates::parse_ref(body)?;
    let subject = body.opt_str("subject")?;
    if let Some(s) = &subject {
        parse_template("subject", s)?;
    }
    let text = body.opt_str("body")?.unwrap_or_default();
    parse_template("body", &text)?;
    let html = parse_html(body, channel)?;
    if template.is_none() && channel != ChannelKind::Webhook && text.trim().is_empty() {
        return Err(ApiError::invalid("body", "is required for email and sms"));
    }
    let data = body.opt_object("data")?.unwrap_or_else(|| json!({}));
    let timezone = body
        .opt_str("timezone")?
        .map(|s| TimeZone::parse(&s).map_err(|e| ApiError::invalid("timezone", e)))
        .transpose()?;
    let target_date = parse_time(
        "target_date",
        body.opt_str("target_date")?,
        timezone.as_ref(),
    )?;
    let send_at = parse_time("send_at", body.opt_str("send_at")?, timezone.as_ref())?;
    let expires_at = parse_time("expires_at", body.opt_str("expires_at")?, timezone.as_ref())?;
    let ends_at = parse_time("ends_at", body.opt_str("ends_at")?, timezone.as_ref())?;
    let lead_time = body
        .opt_str("lead_time")?
        .map(|s| LeadTime::parse(&s).map_err(|e| ApiError::invalid("lead_time", e)))
        .transpose()?;
    let cron = body
        .opt_str("cron")?
        .map(|s| CronSpec::parse(&s).map_err(|e| ApiError::invalid("cron", e)))
        .transpose()?;
    if ends_at.is_some() && cron.is_none() {
        return Err(ApiError::invalid(
            "ends_at",
            "only applies to recurring notifications (with cron)",
        ));
    }
    let timing = match &cron {
        Some(spec) => {
            if !fallback.is_empty() || digest.is_some() {
                let field = if digest.is_some() {
                    "digest"
                } else {
                    "fallback"
                };
                return Err(ApiError::invalid(
                    field,
                    "cannot be combined with cron; give it to one-off notifications",
                ));
            }
            let given = [
                ("send_at", send_at.is_some()),
                ("target_date", target_date.is_some()),
                ("lead_time", lead_time.is_some()),
                ("expires_at", expires_at.is_some()),
            ];
            first_fire(spec, timezone.as_ref(), ends_at, given)?
        }
        None => Timing::resolve(target_date, lead_time, send_at, expires_at)?,
    };
    let group_key = body.opt_key("group_key", MAX_KEY_LEN)?;
    let max_attempts = match body.opt_i64("max_attempts")? {
        None => default_max_attempts,
        Some(n) if (1..=100).contains(&n) => n as i32,
        Some(_) => return Err(ApiError::invalid("max_attempts", "must be from 1 to 100")),
    };
    let body_key = body.opt_key("idempotency_key", MAX_KEY_LEN)?;
    let idempotency_key = match req {
        Some(req) => idempotency_key(req, body_key)?,
        None => body_key,
    };
    Ok(Draft {
        channel,
        recipient,
        subject,
        body: text,
        html,
        template,
        data,
        timing,
        timezone,
        cron,
        ends_at,
        group_key,
        max_attempts,
        idempotency_key,
        addressee,
        urgent,
        fallback,
        digest,
    })
}

impl Draft {
    pub fn into_new(self, tenant_id: Uuid, series_id: Option<Uuid>) -> NewNotification {
        let (recipient_id, category) = match self.addressee {
            Some(a) => (Some(a.recipient_id), Some(a.category.as_str().to_owned())),
            None => (None, None),
        };
        let base = lifecycle::create::scheduled(
            tenant_id,
            self.channel,
            &self.recipient,
            self.body,
            self.timing.send_at,
            self.max_attempts,
        );
        NewNotification {
            subject: self.subject,
            html: self.html,
            template_version: self.template.as_ref().and_then(|t| t.version),
            template: self.template.map(|t| t.name),
            data: self.data,
            target_date: self.timing.target_date,
            lead_time: self.timing.lead_time.map(|l| l.to_iso()),
            timezone: self.timezone.map(|t| t.name().to_string()),
            cron: self.cron.map(|c| c.as_str().to_string()),
            series_id,
            expires_at: self.timing.expires_at,
            group_key: self.group_key,
            idempotency_key: self.idempotency_key,
            recipient_id,
            category,
            urgent: self.urgent,
            fallback: self
                .fallback
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            digest_key: self.digest.as_ref().map(|d| d.key.clone()),
            digest_window: self.digest.as_ref().map(|d| d.window.clone()),
            digest_subject: self.digest.as_ref().and_then(|d| d.subject.clone()),
            digest_body: self.digest.and_then(|d| d.body),
            ..base
        }
    }
}

/// The recipient ids create bodies name.
pub(super) fn named_recipients<'a>(
    bodies: impl IntoIterator<Item = &'a JsonObject>,
) -> Vec<String> {
    let mut ids: Vec<String> = bodies
        .into_iter()
        .filter_map(super::recipients::named_recipient)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Reads the recipients creates name (and the tenant's defaults), once per request.
pub(super) async fn load_directory(
    state: &AppState,
    tenant_id: Uuid,
    ids: Vec<String>,
) -> Result<crate::recipients::Directory, ApiError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    db::run(&state.pool, move |conn| {
        crate::recipients::Directory::load(conn, tenant_id, &ids).map_err(ApiError::from)
    })
    .await
}

/// The checks of a parsed create that need the clock, the settings, DNS, a render or (for a
/// stored template) the tenant's templates.
pub(super) async fn check_draft(
    state: &AppState,
    tenant_id: Uuid,
    draft: &Draft,
) -> Result<(), ApiError> {
    if draft.cron.is_none() {
        draft.timing.check_not_expired(Utc::now())?;
    }
    if let Some(spec) = &draft.cron {
        super::limits::check_series_interval(&state.settings, spec).await?;
    }
    guard_recipient(state, &draft.recipient).await?;
    if let Some(reference) = &draft.template {
        return super::templates::check_draft(state, tenant_id, reference, draft).await;
    }
    check_render(
        state,
        RenderCheck {
            channel: draft.channel,
            subject: draft.subject.as_deref(),
            body: &draft.body,
            html: draft.html.as_deref(),
            data: &draft.data,
            target_date: draft.timing.target_date,
            send_at: draft.timing.send_at,
            recipient: draft.recipient.as_str(),
        },
    )
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications",
    operation_id = "createNotification",
    tag = "notifications",
    summary = "Create a notification",
    description = "`422` when the send time is after the expiry, the notification has already expired, the timezone or cron expression is invalid, or a webhook URL resolves to a private address. With `cron`, also `422` naming `cron` when the series would fire more often than `CHIME_MIN_SERIES_INTERVAL` (default 60 s) allows. `429` `limit_exceeded` when the tenant holds `CHIME_MAX_ACTIVE_SERIES` active series or `CHIME_MAX_PENDING_NOTIFICATIONS` pending notifications already.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same as the body's `idempotency_key`; when both are given they must be equal.", min_length = 1, max_length = 200, nullable = false)),
    request_body(content = schemas::NotificationCreate),
    responses(
        (status = 200, description = "A notification with this `idempotency_key` already exists; it is returned and nothing is created.", body = schemas::Notification),
        (status = 201, description = "Created.", body = schemas::Notification),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id))]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let directory = load_directory(&state, caller.tenant_id, named_recipients([&body])).await?;
    let draft = parse_create(
        &mut body,
        Some(&req),
        state.settings.default_max_attempts(),
        &directory,
    )?;
    body.finish()?;
    check_draft(&state, caller.tenant_id, &draft).await?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let settings = state.settings.clone();
    // A pending cap is counted in the creating transaction, so capped creates skip the batch.
    let (row, created) = if draft.cron.is_none()
        && settings.limits.max_pending_notifications.is_none()
    {
        state
            .writer
            .insert(draft.into_new(tenant_id, None), actor)
            .await?
    } else {
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                let series_id = match &draft.cron {
                    Some(spec) => {
                        let tz = draft
                            .timezone
                            .as_ref()
                            .map(|t| t.name().to_string())
                            .unwrap_or_else(|| "UTC".into());
                        Some(
                            db::series::create(conn, tenant_id, spec.as_str(), &tz, draft.ends_at)?
                                .id,
                        )
                    }
                    None => None,
                };
                let new = draft.into_new(tenant_id, series_id);
                let (row, created) = q::insert_idempotent(conn, &new)?;
                if created {
                    super::limits::enforce_caps(conn, &settings, tenant_id, series_id.is_some())?;
                    db::audit::record_created(conn, &[(&row, &actor)])?;
                } else if let Some(series_id) = series_id {
                    // An idempotent repeat must not leave an orphan series behind.
                    db::series::delete(conn, series_id)?;
                }
                Ok::<_, ApiError>((row, created))
            })
        })
        .await?
    };
    if created {
        after_commit::schedule(&state.schedule, &row, None).await;
        tracing::debug!(notification_id = %row.id, send_at = %row.send_at, "notification created");
        Ok(HttpResponse::Created().json(view::NotificationView::of(&row)))
    } else {
        Ok(HttpResponse::Ok().json(view::NotificationView::of(&row)))
    }
}

async fn load(state: &AppState, tenant_id: Uuid, id: Uuid) -> Result<Notification, ApiError> {
    db::run(&state.pool, move |conn| {
        q::find(conn, TenantId(tenant_id), NotificationId(id)).map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("notification"))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{id}",
    operation_id = "getNotification",
    tag = "notifications",
    summary = "Get a notification",
    params(("id" = uuid::Uuid, Path, description = "The notification id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "The notification.", body = schemas::Notification),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "notification")?;
    let row = load(&state, caller.tenant_id, id).await?;
    Ok(HttpResponse::Ok().json(view::notification(&row)))
}

type Query = web::Query<HashMap<String, String>>;

/// The filters of `GET /notifications`, also accepted by the bulk actions.
pub const FILTERS: [&str; 11] = [
    "status",
    "channel",
    "recipient",
    "recipient_id",
    "group_key",
    "idempotency_key",
    "event_id",
    "series_id",
    "due_after",
    "due_before",
    "sort",
];

fn uuid_param(query: &HashMap<String, String>, field: &str) -> Result<Option<Uuid>, ApiError> {
    query
        .get(field)
        .map(|v| Uuid::parse_str(v.trim()).map_err(|_| ApiError::invalid(field, "must be a UUID")))
        .transpose()
}

fn text_param(query: &HashMap<String, String>, field: &str) -> Result<Option<String>, ApiError> {
    match query.get(field) {
        None => Ok(None),
        Some(v) if v.is_empty() || v.len() > MAX_KEY_LEN => Err(ApiError::invalid(
            field,
            format!("must be 1 to {MAX_KEY_LEN} characters"),
        )),
        Some(v) => Ok(Some(v.clone())),
    }
}

fn time_param(
    query: &HashMap<String, String>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    query
        .get(field)
        .map(|v| {
            DateTime::parse_from_rfc3339(v.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::invalid(
                        field,
                        "must be an RFC 3339 time with an offset, e.g. 2030-01-01T09:00:00Z",
                    )
                })
        })
        .transpose()
}

pub fn list_filter(
    query: &HashMap<String, String>,
    allowed: &[&str],
) -> Result<q::ListFilter, ApiError> {
    for key in query.keys() {
        if !allowed.contains(&key.as_str()) && key != "limit" && key != "cursor" {
            return Err(ApiError::bad_request(
                key,
                format!("{key}: unknown query parameter"),
            ));
        }
    }
    let mut f = q::ListFilter {
        limit: cursor::limit(query.get("limit").map(String::as_str))?,
        ..Default::default()
    };
    if let Some(s) = query.get("status") {
        let status: NotificationStatus = s
            .parse()
            .map_err(|e: String| ApiError::invalid("status", e))?;
        f.status = Some(status);
    }
    if let Some(c) = query.get("channel") {
        let channel: ChannelKind = c
            .parse()
            .map_err(|_| ApiError::invalid("channel", "must be email, sms or webhook"))?;
        f.channel = Some(channel.as_str().into());
    }
    f.group_key = text_param(query, "group_key")?;
    f.recipient = text_param(query, "recipient")?;
    f.recipient_id = text_param(query, "recipient_id")?;
    f.idempotency_key = text_param(query, "idempotency_key")?;
    f.event_id = uuid_param(query, "event_id")?;
    f.series_id = uuid_param(query, "series_id")?;
    f.due_after = time_param(query, "due_after")?;
    f.due_before = time_param(query, "due_before")?;
    if let (Some(a), Some(b)) = (f.due_after, f.due_before) {
        if a >= b {
            return Err(ApiError::invalid("due_before", "must be after due_after"));
        }
    }
    f.sort = match query.get("sort").map(String::as_str) {
        None | Some("created_at") | Some("-created_at") => q::ListSort::CreatedDesc,
        Some("send_at") => q::ListSort::SendAtAsc,
        Some("-send_at") => q::ListSort::SendAtDesc,
        Some(_) => {
            return Err(ApiError::invalid(
                "sort",
                "must be created_at (newest first), send_at (earliest first) or -send_at",
            ))
        }
    };
    if let Some(c) = query.get("cursor") {
        f.before = Some(match f.sort {
            q::ListSort::CreatedDesc => cursor::decode(c)?,
            q::ListSort::SendAtAsc => cursor::decode_tagged("send_at", c)?,
            q::ListSort::SendAtDesc => cursor::decode_tagged("-send_at", c)?,
        });
    }
    Ok(f)
}

async fn list_page(
    state: &AppState,
    tenant_id: Uuid,
    f: q::ListFilter,
) -> Result<HttpResponse, ApiError> {
    let limit = f.limit;
    let sort = f.sort;
    let rows = db::run(&state.pool, move |conn| {
        q::list(conn, tenant_id, &f).map_err(ApiError::from)
    })
    .await?;
    let last_send_key = rows.get(limit as usize - 1).map(|n| (n.send_at, n.id));
    let mut page = view::page(rows, limit, view::notification, |n| (n.created_at, n.id));
    // The page's cursor is made for creation order; other orders carry their own key.
    let tag = match sort {
        q::ListSort::CreatedDesc => None,
        q::ListSort::SendAtAsc => Some("send_at"),
        q::ListSort::SendAtDesc => Some("-send_at"),
    };
    if let (Some(tag), false) = (tag, page["next_cursor"].is_null()) {
        if let Some((at, id)) = last_send_key {
            page["next_cursor"] = json!(cursor::encode_tagged(tag, at, id));
        }
    }
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    operation_id = "listNotifications",
    tag = "notifications",
    summary = "List notifications",
    params(params::ListNotificationsQuery),
    responses(
        (status = 200, description = "Newest first, or in the order of `sort`.", body = schemas::NotificationPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query,
) -> Result<HttpResponse, ApiError> {
    let f = list_filter(&query, &FILTERS)?;
    list_page(&state, caller.tenant_id, f).await
}

#[utoipa::path(
    get,
    path = "/api/v1/dead-letters",
    operation_id = "listDeadLetters",
    tag = "notifications",
    summary = "List dead notifications",
    description = "Requires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(params::ListDeadLettersQuery),
    responses(
        (status = 200, description = "Newest first.", body = schemas::NotificationPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn dead_letters(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let allowed: Vec<&str> = FILTERS.iter().copied().filter(|f| *f != "status").collect();
    let mut f = list_filter(&query, &allowed)?;
    f.status = Some(NotificationStatus::Dead);
    list_page(&state, caller.tenant_id, f).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/notifications/{id}",
    operation_id = "updateNotification",
    tag = "notifications",
    summary = "Change a scheduled notification",
    description = "Only while `scheduled`; `409` once sending has started. Occurrences of a recurring series keep the series' times.",
    params(("id" = uuid::Uuid, Path, description = "The notification id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    request_body(content = schemas::NotificationPatch),
    responses(
        (status = 200, description = "Updated; the schedule moved with it.", body = schemas::Notification),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
#[tracing::instrument(skip_all, fields(notification_id = %path.as_str()))]
async fn reschedule(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "notification")?;
    let current = load(&state, caller.tenant_id, id).await?;
    if current.status != NotificationStatus::Scheduled {
        return Err(not_scheduled(current.status, "changed").into());
    }
    let channel = current.channel;
    let mut change = q::Reschedule::default();
    parse_content_change(&state, &current, channel, &mut body, &mut change).await?;
    parse_timing_change(&current, &mut body, &mut change)?;
    body.finish()?;
    check_change_renders(&state, &current, channel, &change).await?;

    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let expected = current.version;
    let row = db::run(&state.pool, move |conn| {
        lifecycle::reschedule::reschedule(
            conn,
            TenantId(tenant_id),
            NotificationId(id),
            expected,
            &change,
            &actor,
        )
    })
    .await?;
    after_commit::schedule(&state.schedule, &row, Some(expected)).await;
    Ok(HttpResponse::Ok().json(view::notification(&row)))
}

/// The recipient, subject, body and data of a reschedule.
async fn parse_content_change(
    state: &AppState,
    current: &Notification,
    channel: ChannelKind,
    body: &mut JsonObject,
    change: &mut q::Reschedule,
) -> Result<(), ApiError> {
    let recipient = body
        .opt_str("recipient")?
        .map(|r| Recipient::parse(channel, &r).map_err(|e| ApiError::invalid("recipient", e)))
        .transpose()?;
    if let (Some(_), Some(id)) = (&recipient, &current.recipient_id) {
        return Err(ApiError::invalid(
            "recipient",
            format!("goes to recipient '{id}'; change the recipient's address instead"),
        ));
    }
    if let Some(r) = &recipient {
        guard_recipient(state, r).await?;
        change.recipient = Some(r.as_str().to_string());
    }
    if let Some(name) = &current.template {
        for field in ["subject", "body", "html"] {
            if body.contains(field) {
                return Err(ApiError::invalid(
                    field,
                    format!("the notification renders the stored template {name:?}; change the template instead"),
                ));
            }
        }
    }
    if body.contains("subject") {
        let subject = body.opt_str("subject")?;
        if let Some(s) = &subject {
            parse_template("subject", s)?;
        }
        change.subject = Some(subject);
    }
    let body_given = body.contains("body");
    match body.opt_str("body")? {
        Some(text) => {
            parse_template("body", &text)?;
            if channel != ChannelKind::Webhook && text.trim().is_empty() {
                return Err(ApiError::invalid("body", "is required for email and sms"));
            }
            change.body = Some(text);
        }
        None if body_given => return Err(ApiError::invalid("body", "cannot be null")),
        None => {}
    }
    if body.contains("html") {
        change.html = Some(parse_html(body, channel)?);
    }
    let data_given = body.contains("data");
    match body.opt_object("data")? {
        Some(data) => change.data = Some(data),
        None if data_given => {
            return Err(ApiError::invalid(
                "data",
                "cannot be null; send {} to clear it",
            ))
        }
        None => {}
    }
    Ok(())
}

/// The zone and times of a reschedule: a field left out keeps its value; a new `send_at`
/// replaces the lead time; without either the send time follows the target.
fn parse_timing_change(
    current: &Notification,
    body: &mut JsonObject,
    change: &mut q::Reschedule,
) -> Result<(), ApiError> {
    let tz_given = body.contains("timezone");
    let timezone = match body.opt_str("timezone")? {
        Some(s) => Some(TimeZone::parse(&s).map_err(|e| ApiError::invalid("timezone", e))?),
        None if tz_given => None,
        None => current
            .timezone
            .as_deref()
            .and_then(|s| TimeZone::parse(s).ok()),
    };
    let time_fields = ["target_date", "lead_time", "send_at", "expires_at"];
    if !tz_given && !time_fields.iter().any(|f| body.contains(f)) {
        return Ok(());
    }
    if current.cron.is_some() {
        return Err(ApiError::invalid(
            "send_at",
            "occurrences of a recurring series follow its cron expression",
        ));
    }
    let target_given = body.contains("target_date");
    let lead_given = body.contains("lead_time");
    let target_date = match parse_time(
        "target_date",
        body.opt_str("target_date")?,
        timezone.as_ref(),
    )? {
        Some(t) => Some(t),
        None if target_given => None,
        None => current.target_date,
    };
    let new_send_at = parse_time("send_at", body.opt_str("send_at")?, timezone.as_ref())?;
    let lead_time = match body.opt_str("lead_time")? {
        Some(s) => Some(LeadTime::parse(&s).map_err(|e| ApiError::invalid("lead_time", e))?),
        None if lead_given => None,
        // A new send_at replaces the old lead time.
        None if new_send_at.is_some() => None,
        None => current
            .lead_time
            .as_deref()
            .and_then(|s| LeadTime::parse(s).ok()),
    };
    let expires_given = body.contains("expires_at");
    let expires_at = match parse_time("expires_at", body.opt_str("expires_at")?, timezone.as_ref())?
    {
        Some(t) => Some(t),
        None if expires_given => None,
        None => current.expires_at,
    };
    let timing = if let Some(at) = new_send_at {
        Timing::resolve(target_date, lead_time, Some(at), expires_at)?
    } else if target_given || lead_given || current.lead_time.is_some() {
        // The send time follows the target.
        Timing::resolve(target_date, lead_time, None, expires_at)?
    } else {
        Timing::resolve(target_date, None, Some(current.send_at), expires_at)?
    };
    timing.check_not_expired(Utc::now())?;
    change.target_date = Some(timing.target_date);
    change.lead_time = Some(timing.lead_time.map(|l| l.to_iso()));
    change.send_at = Some(timing.send_at);
    change.due_at = Some(timing.send_at);
    change.expires_at = Some(timing.expires_at);
    change.timezone = Some(timezone.map(|t| t.name().to_string()));
    Ok(())
}

/// A changed subject, body or data must still render against the row as it will be.
async fn check_change_renders(
    state: &AppState,
    current: &Notification,
    channel: ChannelKind,
    change: &q::Reschedule,
) -> Result<(), ApiError> {
    if change.body.is_none()
        && change.subject.is_none()
        && change.html.is_none()
        && change.data.is_none()
    {
        return Ok(());
    }
    let subject = match &change.subject {
        Some(s) => s.as_deref(),
        None => current.subject.as_deref(),
    };
    check_render(
        state,
        RenderCheck {
            channel,
            subject,
            body: change.body.as_deref().unwrap_or(&current.body),
            html: match &change.html {
                Some(h) => h.as_deref(),
                None => current.html.as_deref(),
            },
            data: change.data.as_ref().unwrap_or(&current.data),
            target_date: change.target_date.unwrap_or(current.target_date),
            send_at: change.send_at.unwrap_or(current.send_at),
            recipient: change.recipient.as_deref().unwrap_or(&current.recipient),
        },
    )
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/cancel",
    operation_id = "cancelNotification",
    tag = "notifications",
    summary = "Cancel a notification",
    description = "`409` when it was already sent (or is no longer pending).",
    params(("id" = uuid::Uuid, Path, description = "The notification id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "Status `cancelled` (cancelling a cancelled notification is a no-op).", body = schemas::Notification),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
#[tracing::instrument(skip_all, fields(notification_id = %path.as_str()))]
async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "notification")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let (row, previous_version, next) = db::run(&state.pool, move |conn| {
        lifecycle::cancel::cancel_one(conn, TenantId(tenant_id), NotificationId(id), &actor)
    })
    .await?;
    if let Some(v) = previous_version {
        after_commit::unschedule(&state.schedule, row.id, v).await;
    }
    if let Some(next) = next {
        after_commit::schedule(&state.schedule, &next, None).await;
    }
    Ok(HttpResponse::Ok().json(view::notification(&row)))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/cancel",
    operation_id = "cancelNotificationGroup",
    tag = "notifications",
    summary = "Cancel a group",
    request_body(content = schemas::GroupCancel),
    responses(
        (status = 200, description = "Every still-pending notification with the key was cancelled.", body = schemas::CancelCount),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn cancel_group(
    state: web::Data<AppState>,
    caller: Caller,
    mut body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let group_key = body
        .opt_key("group_key", MAX_KEY_LEN)?
        .ok_or_else(|| ApiError::invalid("group_key", "is required"))?;
    body.finish()?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let (cancelled, next) = db::run(&state.pool, move |conn| {
        lifecycle::cancel::cancel_group(conn, tenant_id, &group_key, &actor)
    })
    .await?;
    for (id, version) in &cancelled {
        after_commit::unschedule(&state.schedule, *id, *version).await;
    }
    for row in &next {
        after_commit::schedule(&state.schedule, row, None).await;
    }
    Ok(HttpResponse::Ok().json(json!({"cancelled": cancelled.len()})))
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{id}/attempts",
    operation_id = "listNotificationAttempts",
    tag = "notifications",
    summary = "List delivery attempts",
    params(("id" = uuid::Uuid, Path, description = "The notification id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "Oldest first.", body = schemas::DeliveryAttemptList),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn attempts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "notification")?;
    let tenant_id = caller.tenant_id;
    let rows = db::run(&state.pool, move |conn| {
        if q::find(conn, TenantId(tenant_id), NotificationId(id))?.is_none() {
            return Err(ApiError::not_found("notification"));
        }
        Ok(db::attempts::list(conn, tenant_id, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"items": rows.iter().map(view::attempt).collect::<Vec<_>>()})))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/replay",
    operation_id = "replayNotification",
    tag = "notifications",
    summary = "Replay a dead notification",
    description = "`409` unless the notification is `dead`.\n\nRequires the `admin` role.",
    extensions(("x-required-role" = json!("admin"))),
    params(("id" = uuid::Uuid, Path, description = "The notification id. An unknown id, another tenant's id or a malformed id is a `404`.")),
    responses(
        (status = 200, description = "Back to `scheduled`, due now.", body = schemas::Notification),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
#[tracing::instrument(skip_all, fields(notification_id = %path.as_str()))]
async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let id = parse_id(&path, "notification")?;
    let tenant_id = caller.tenant_id;
    let actor = caller.actor.clone();
    let row = db::run(&state.pool, move |conn| {
        lifecycle::replay::replay_one(conn, TenantId(tenant_id), NotificationId(id), &actor)
    })
    .await?;
    after_commit::schedule(&state.schedule, &row, None).await;
    Ok(HttpResponse::Ok().json(view::notification(&row)))
}
