//! Response bodies. Times are RFC 3339 in UTC with a `Z`.

use crate::db::models::{DeliveryAttempt, Notification};
use crate::domain::NotificationStatus;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub fn ts(t: DateTime<Utc>) -> String {
    crate::domain::format_time(t)
}

pub fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| Value::String(ts(t))).unwrap_or(Value::Null)
}

pub fn notification(n: &Notification) -> Value {
    let retrying = n.status == NotificationStatus::Scheduled && n.attempts > 0;
    json!({
        "id": n.id,
        "status": n.status,
        "channel": n.channel,
        "recipient": n.recipient,
        "recipient_id": n.recipient_id,
        "category": n.category,
        "urgent": n.urgent,
        "fallback": n.fallback,
        "channel_index": n.channel_index,
        "digest": n.digest_key.as_ref().map(|key| json!({
            "key": key,
            "window": n.digest_window,
            "subject": n.digest_subject,
            "body": n.digest_body,
            "release_at": opt_ts(n.digest_release_at),
        })),
        "digest_of": n.digest_of,
        "subject": n.subject,
        "body": n.body,
        "html": n.html,
        "template": n.template,
        "template_version": n.template_version,
        "data": n.data,
        "target_date": opt_ts(n.target_date),
        "lead_time": n.lead_time,
        "send_at": ts(n.send_at),
        "next_attempt_at": if retrying { Value::String(ts(n.due_at)) } else { Value::Null },
        "timezone": n.timezone,
        "cron": n.cron,
        "series_id": n.series_id,
        "expires_at": opt_ts(crate::lifecycle::expiry::expiry(n.expires_at, n.target_date)),
        "group_key": n.group_key,
        "attempts": n.attempts,
        "max_attempts": n.max_attempts,
        "last_error": n.last_error,
        "sent_at": opt_ts(n.sent_at),
        "delivery_status": n.delivery_status,
        "delivery_status_at": opt_ts(n.delivery_status_at),
        "cancelled_at": opt_ts(n.cancelled_at),
        "event_id": n.event_id,
        "idempotency_key": n.idempotency_key,
        "created_at": ts(n.created_at),
        "updated_at": ts(n.updated_at),
    })
}

pub fn attempt(a: &DeliveryAttempt) -> Value {
    json!({
        "number": a.attempt_number,
        "started_at": ts(a.started_at),
        "finished_at": ts(a.finished_at),
        "outcome": a.outcome,
        "error": a.error,
        "response": a.response_summary,
        "provider_message_id": a.provider_message_id,
        "provider_status": a.provider_status,
        "provider_status_at": opt_ts(a.provider_status_at),
    })
}

/// A page of items with the cursor of the next page.
pub fn page<T>(
    items: Vec<T>,
    limit: i64,
    render: impl Fn(&T) -> Value,
    key: impl Fn(&T) -> (DateTime<Utc>, uuid::Uuid),
) -> Value {
    let has_more = items.len() as i64 > limit;
    let shown: Vec<&T> = items.iter().take(limit as usize).collect();
    let next = if has_more {
        shown.last().map(|last| {
            let (at, id) = key(last);
            Value::String(super::cursor::encode(at, id))
        })
    } else {
        None
    };
    json!({"items": shown.into_iter().map(render).collect::<Vec<_>>(), "next_cursor": next.unwrap_or(Value::Null)})
}
