//! A new notification: every path that creates one (an API create or batch, an event's rule,
//! a series' next occurrence) starts from [`scheduled`], so what a new row is — `scheduled`,
//! due at its `send_at`, a time-ordered id, version 1 — is decided here once.

use crate::db::models::NewNotification;
use crate::domain::{ChannelKind, NotificationStatus, Recipient};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A new scheduled row with every optional part empty; callers fill in the rest with
/// `NewNotification { subject, ..scheduled(…) }`.
pub fn scheduled(
    tenant_id: Uuid,
    channel: ChannelKind,
    recipient: &Recipient,
    body: String,
    send_at: DateTime<Utc>,
    max_attempts: i32,
) -> NewNotification {
    scheduled_raw(
        tenant_id,
        channel,
        recipient.as_str(),
        body,
        send_at,
        max_attempts,
    )
}

/// [`scheduled`] from a stored row's channel and recipient (already parsed when it was made).
pub fn scheduled_raw(
    tenant_id: Uuid,
    channel: ChannelKind,
    recipient: &str,
    body: String,
    send_at: DateTime<Utc>,
    max_attempts: i32,
) -> NewNotification {
    NewNotification {
        // Time-ordered: rows written in one group commit share `created_at`, and lists break
        // that tie on the id, so newest first stays creation order.
        id: Uuid::now_v7(),
        tenant_id,
        status: NotificationStatus::Scheduled,
        channel,
        recipient: recipient.into(),
        subject: None,
        body,
        data: serde_json::Value::Object(Default::default()),
        target_date: None,
        lead_time: None,
        send_at,
        due_at: send_at,
        timezone: None,
        cron: None,
        series_id: None,
        expires_at: None,
        group_key: None,
        max_attempts,
        event_id: None,
        event_slot: None,
        idempotency_key: None,
        html: None,
        template: None,
        template_version: None,
        recipient_id: None,
        category: None,
        urgent: false,
        fallback: Vec::new(),
        digest_key: None,
        digest_window: None,
        digest_subject: None,
        digest_body: None,
    }
}
