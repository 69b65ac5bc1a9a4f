//! Read-only views for the dashboard: a notification's timeline with its rendered message, and
//! the list of recurring series with their next fire times.

use super::auth::Caller;
use super::cursor;
use super::error::ApiError;
use super::params::parse_id;
use super::state::AppState;
use super::view;
use crate::api::openapi::{params, responses, schemas};
use crate::channels::template::Template;
use crate::db::{self, models::Notification, stats as q};
use crate::domain::{CronSpec, TimeZone};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/notifications/{id}/timeline").route(web::get().to(timeline)))
        .service(web::resource("/series").route(web::get().to(series_list)));
}

/// This module's operations in the OpenAPI document (`api::openapi`): a route added above
/// gets a `#[utoipa::path]` on its handler and its name here.
#[derive(utoipa::OpenApi)]
#[openapi(paths(timeline, series_list))]
pub struct Api;

fn entry(at: DateTime<Utc>, kind: &str, detail: Value) -> (DateTime<Utc>, Value) {
    let mut v = json!({"at": view::ts(at), "kind": kind});
    if let (Value::Object(target), Value::Object(extra)) = (&mut v, detail) {
        target.extend(extra);
    }
    (at, v)
}

/// The message as the sender would render it, under the same bounds, so a hostile template
/// costs the timeline no more than it costs a send.
fn render(src: &str, n: &Notification) -> Result<String, String> {
    use crate::channels::template::{context, Budget, OutputLimit};
    let kind = n.channel;
    let mut budget = Budget::new(OutputLimit::for_channel(kind));
    budget.deadline = Some(std::time::Instant::now() + std::time::Duration::from_secs(2));
    let data = context(
        &n.data,
        n.target_date.map(crate::domain::format_time),
        crate::domain::format_time(n.send_at),
        &n.recipient,
        n.id,
    );
    Template::parse(src)?
        .render(&data, budget)
        .map_err(|e| e.to_string())
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/{id}/timeline",
    operation_id = "getTimeline",
    tag = "notifications",
    summary = "A notification's timeline and rendered message",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Items in time order; `kind` is `created`, `scheduled`, `attempt`, `audit`, `claimed` or `ended`.", body = inline(schemas::GetTimelineResponse)),
        (status = 404, response = responses::NotFound),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn timeline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "notification")?;
    let tenant_id = caller.tenant_id;
    // Rendering runs here too, on the blocking pool, next to the queries.
    let body = db::run(&state.pool, move |conn| {
        let n = db::notifications::find(conn, tenant_id.into(), id.into())?
            .ok_or_else(|| ApiError::not_found("notification"))?;
        let attempts = db::attempts::list(conn, tenant_id, id)?;
        let audit = q::audit_of(conn, tenant_id, id)?;
        let mut names = HashMap::new();
        for a in &audit {
            if !names.contains_key(&a.actor) {
                names.insert(a.actor.clone(), q::actor_name(conn, tenant_id, &a.actor)?);
            }
        }
        // A notification naming a stored template renders what the sender would render now.
        let stored = match &n.template {
            Some(name) => db::templates::resolve(conn, tenant_id, name, n.template_version)?,
            None => None,
        };
        let texts = match &stored {
            Some(t) => (t.subject.as_deref(), t.body.as_str()),
            None => (n.subject.as_deref(), n.body.as_str()),
        };
        Ok::<_, ApiError>(build(&n, texts, &attempts, &audit, &names))
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn build(
    n: &Notification,
    (subject, body): (Option<&str>, &str),
    attempts: &[crate::db::models::DeliveryAttempt],
    audit: &[q::AuditEntry],
    names: &HashMap<String, String>,
) -> Value {
    let mut items = Vec::new();
    let created_by = audit
        .iter()
        .find(|a| a.action == "notification.created")
        .map(|a| json!({"actor": a.actor, "name": names.get(&a.actor)}));
    let created_by = match (created_by, n.event_id, n.series_id) {
        (Some(by), _, _) => by,
        (None, Some(event), _) => json!({"actor": format!("event:{event}"), "event_id": event}),
        (None, None, Some(series)) => {
            json!({"actor": format!("series:{series}"), "series_id": series})
        }
        (None, None, None) => json!({"actor": "system"}),
    };
    items.push(entry(
        n.created_at,
        "created",
        json!({"by": created_by.clone()}),
    ));
    items.push(entry(
        n.send_at,
        "scheduled",
        json!({"detail": "send time"}),
    ));
    for a in audit {
        if a.action == "notification.created" {
            continue;
        }
        items.push(entry(
            a.created_at,
            "audit",
            json!({"action": a.action, "actor": a.actor, "name": names.get(&a.actor), "detail": a.detail}),
        ));
    }
    for a in attempts {
        items.push(entry(
            a.started_at,
            "attempt",
            json!({
                "number": a.attempt_number,
                "outcome": a.outcome,
                "duration_ms": (a.finished_at - a.started_at).num_milliseconds(),
                "response": a.response_summary,
                "error": a.error,
            }),
        ));
    }
    use crate::domain::NotificationStatus as S;
    if let (Some(at), S::Sending) = (n.claimed_at, n.status) {
        items.push(entry(at, "claimed", json!({"attempt": n.attempts})));
    }
    let end = match n.status {
        S::Sent => n.sent_at.map(|t| (t, json!({"status": n.status}))),
        S::Cancelled => n.cancelled_at.map(|t| (t, json!({"status": n.status}))),
        S::Dead | S::Expired | S::Suppressed => Some((
            n.updated_at,
            json!({"status": n.status, "error": n.last_error}),
        )),
        S::Scheduled | S::Sending => None,
    };
    if let Some((at, detail)) = end {
        items.push(entry(at, "ended", detail));
    }
    // Stable: equal times keep the order above (created before scheduled, attempts in order).
    items.sort_by_key(|(at, _)| *at);
    let rendered_subject = subject.map(|s| render(s, n));
    let rendered_body = render(body, n);
    let (subject, body, error) = match (rendered_subject, rendered_body) {
        (Some(Err(e)), _) | (_, Err(e)) => (Value::Null, Value::Null, json!(e)),
        (s, Ok(b)) => (
            s.map(|r| json!(r.unwrap_or_default()))
                .unwrap_or(Value::Null),
            json!(b),
            Value::Null,
        ),
    };
    json!({
        "notification": view::notification(n),
        "created_by": created_by,
        "items": items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "rendered": {"subject": subject, "body": body, "error": error},
    })
}

/// Next fire times listed per series, after its pending occurrence.
const NEXT_FIRES: usize = 3;

#[utoipa::path(
    get,
    path = "/api/v1/series",
    operation_id = "listSeries",
    tag = "series",
    summary = "List recurring series with their next fire times",
    params(params::ListSeriesQuery),
    responses(
        (status = 200, description = "Newest first.", body = inline(schemas::ListSeriesResponse)),
        (status = 400, response = responses::BadRequest),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 401, response = responses::Unauthorized),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::ServiceUnavailable),
        (status = "default", response = responses::InternalError),
    ),
)]
async fn series_list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    for key in query.keys() {
        if !["status", "limit", "cursor"].contains(&key.as_str()) {
            return Err(ApiError::bad_request(
                key,
                format!("{key}: unknown query parameter"),
            ));
        }
    }
    let status = match query.get("status").map(String::as_str) {
        None => None,
        Some(s @ ("active" | "cancelled" | "ended")) => Some(s.to_string()),
        Some(_) => {
            return Err(ApiError::invalid(
                "status",
                "must be active, cancelled or ended",
            ))
        }
    };
    let limit = cursor::limit(query.get("limit").map(String::as_str))?;
    let before = query.get("cursor").map(|c| cursor::decode(c)).transpose()?;
    let tenant_id = caller.tenant_id;
    let (rows, pending) = db::run(&state.pool, move |conn| {
        let rows = q::series_page(conn, tenant_id, status.as_deref(), before, limit)?;
        let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
        let pending = q::pending_of_series(conn, &ids)?;
        Ok::<_, ApiError>((rows, pending))
    })
    .await?;
    let pending: HashMap<Uuid, (Uuid, DateTime<Utc>)> = pending
        .into_iter()
        .filter_map(|(s, id, due)| s.map(|s| (s, (id, due))))
        .collect();
    let page = view::page(
        rows,
        limit,
        |s| {
            let next = pending.get(&s.id);
            let mut fires = Vec::new();
            if s.status == "active" {
                if let (Ok(spec), Ok(tz)) = (CronSpec::parse(&s.cron), TimeZone::parse(&s.timezone))
                {
                    let mut after = next.map(|(_, due)| *due).unwrap_or_else(Utc::now);
                    while fires.len() < NEXT_FIRES {
                        match spec.next_after(after, tz.tz()) {
                            Some(t) if s.ends_at.is_none_or(|end| t <= end) => {
                                fires.push(view::ts(t));
                                after = t;
                            }
                            _ => break,
                        }
                    }
                }
            }
            json!({
                "id": s.id,
                "cron": s.cron,
                "timezone": s.timezone,
                "ends_at": view::opt_ts(s.ends_at),
                "status": s.status,
                "created_at": view::ts(s.created_at),
                "pending_occurrence": next.map(|(id, due)| json!({"id": id, "due_at": view::ts(*due)})),
                "next_fire_times": fires,
            })
        },
        |s| (s.created_at, s.id),
    );
    Ok(HttpResponse::Ok().json(page))
}
