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

/// A notification as the API shows it. Serialized straight from the row (a create answers
/// with it, a batch with a thousand of them), without building a map of values first. Fields
/// are in alphabetical order, as the map of [`notification`] writes them.
#[derive(serde::Serialize)]
pub struct NotificationView<'a> {
    attempts: i32,
    body: &'a str,
    cancelled_at: Option<String>,
    category: Option<&'a str>,
    channel: crate::domain::ChannelKind,
    channel_index: i32,
    created_at: String,
    cron: Option<&'a str>,
    data: &'a Value,
    delivery_status: Option<&'a str>,
    delivery_status_at: Option<String>,
    digest: Option<DigestView<'a>>,
    digest_of: Option<uuid::Uuid>,
    event_id: Option<uuid::Uuid>,
    expires_at: Option<String>,
    fallback: &'a [String],
    group_key: Option<&'a str>,
    html: Option<&'a str>,
    id: uuid::Uuid,
    idempotency_key: Option<&'a str>,
    last_error: Option<&'a str>,
    lead_time: Option<&'a str>,
    max_attempts: i32,
    next_attempt_at: Option<String>,
    recipient: &'a str,
    recipient_id: Option<&'a str>,
    send_at: String,
    sent_at: Option<String>,
    series_id: Option<uuid::Uuid>,
    status: NotificationStatus,
    subject: Option<&'a str>,
    target_date: Option<String>,
    template: Option<&'a str>,
    template_version: Option<i32>,
    timezone: Option<&'a str>,
    updated_at: String,
    urgent: bool,
}

#[derive(serde::Serialize)]
pub struct DigestView<'a> {
    body: Option<&'a str>,
    key: &'a str,
    release_at: Option<String>,
    subject: Option<&'a str>,
    window: Option<&'a str>,
}

impl<'a> NotificationView<'a> {
    pub fn of(n: &'a Notification) -> NotificationView<'a> {
        let retrying = n.status == NotificationStatus::Scheduled && n.attempts > 0;
        NotificationView {
            attempts: n.attempts,
            body: &n.body,
            cancelled_at: n.cancelled_at.map(ts),
            category: n.category.as_deref(),
            channel: n.channel,
            channel_index: n.channel_index,
            created_at: ts(n.created_at),
            cron: n.cron.as_deref(),
            data: &n.data,
            delivery_status: n.delivery_status.as_deref(),
            delivery_status_at: n.delivery_status_at.map(ts),
            digest: n.digest_key.as_deref().map(|key| DigestView {
                body: n.digest_body.as_deref(),
                key,
                release_at: n.digest_release_at.map(ts),
                subject: n.digest_subject.as_deref(),
                window: n.digest_window.as_deref(),
            }),
            digest_of: n.digest_of,
            event_id: n.event_id,
            expires_at: crate::lifecycle::expiry::expiry(n.expires_at, n.target_date).map(ts),
            fallback: &n.fallback,
            group_key: n.group_key.as_deref(),
            html: n.html.as_deref(),
            id: n.id,
            idempotency_key: n.idempotency_key.as_deref(),
            last_error: n.last_error.as_deref(),
            lead_time: n.lead_time.as_deref(),
            max_attempts: n.max_attempts,
            next_attempt_at: retrying.then(|| ts(n.due_at)),
            recipient: &n.recipient,
            recipient_id: n.recipient_id.as_deref(),
            send_at: ts(n.send_at),
            sent_at: n.sent_at.map(ts),
            series_id: n.series_id,
            status: n.status,
            subject: n.subject.as_deref(),
            target_date: n.target_date.map(ts),
            template: n.template.as_deref(),
            template_version: n.template_version,
            timezone: n.timezone.as_deref(),
            updated_at: ts(n.updated_at),
            urgent: n.urgent,
        }
    }
}

/// [`NotificationView`] as a JSON value, for answers that add to it or list it.
pub fn notification(n: &Notification) -> Value {
    serde_json::to_value(NotificationView::of(n)).unwrap_or(Value::Null)
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

#[cfg(test)]
mod tests {
    use super::NotificationView;
    use chrono::Utc;

    /// The answer is written field by field in declaration order, and must read as the
    /// alphabetical map it always was: every field, in order, including the nested digest.
    #[test]
    fn a_notification_is_written_with_its_fields_in_alphabetical_order() {
        let mut n = crate::recipients::tests::row("email", false);
        let at = Some(Utc::now());
        n.digest_key = Some("weekly".into());
        n.digest_window = Some("PT1H".into());
        n.digest_body = Some("b".into());
        n.digest_subject = Some("s".into());
        n.digest_release_at = at;
        n.status = crate::domain::NotificationStatus::Scheduled;
        n.attempts = 2;
        n.sent_at = at;
        n.fallback = vec!["sms".into()];
        let view = NotificationView::of(&n);
        let direct = serde_json::to_string(&view).unwrap();
        let sorted = serde_json::to_string(&serde_json::to_value(&view).unwrap()).unwrap();
        assert_eq!(direct, sorted);
        assert!(direct.contains(r#""digest":{"body":"b","key":"weekly","release_at":"#));
        assert!(
            direct.contains(r#""next_attempt_at":""#),
            "a retry shows when: {direct}"
        );
    }
}
