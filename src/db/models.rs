//! Row types: one read struct per table (`Queryable`) and one write struct (`Insertable`).

use super::schema::*;
use crate::domain::{ChannelKind, NotificationStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub webhook_secret: String,
    pub created_at: DateTime<Utc>,
    /// The secret before the last rotation, still signing webhooks until its expiry.
    pub previous_webhook_secret: Option<String>,
    pub previous_webhook_secret_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub key_prefix: String,
    pub key_hash: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub rate_limit: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: &'a str,
    pub key_prefix: &'a str,
    pub key_hash: &'a str,
    pub role: &'a str,
    pub rate_limit: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub token_version: i32,
    pub disabled_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, serde::Serialize)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub status: NotificationStatus,
    pub channel: ChannelKind,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub data: serde_json::Value,
    pub target_date: Option<DateTime<Utc>>,
    pub lead_time: Option<String>,
    pub send_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub timezone: Option<String>,
    pub cron: Option<String>,
    pub series_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub group_key: Option<String>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub event_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub event_slot: Option<i32>,
    /// E-mail only: the template of an HTML alternative part.
    pub html: Option<String>,
    /// What the provider reported after accepting the message (`delivered`, `undelivered`).
    pub delivery_status: Option<String>,
    pub delivery_status_at: Option<DateTime<Utc>>,
    /// A stored template rendered at send time instead of `subject`, `body` and `html`.
    pub template: Option<String>,
    /// The pinned version of `template`; `None` renders its latest version.
    pub template_version: Option<i32>,
    /// The recipient's external id, when the notification names one.
    pub recipient_id: Option<String>,
    pub category: Option<String>,
    /// Sent through the recipient's quiet hours.
    pub urgent: bool,
    /// The channels still to try, in order, should the current one fail permanently.
    pub fallback: Vec<String>,
    /// How many fallback hops were taken.
    pub channel_index: i32,
    /// Sent in one message with the recipient's other notifications of this key.
    pub digest_key: Option<String>,
    /// ISO 8601 duration the first due notification of the key waits for the others.
    pub digest_window: Option<String>,
    pub digest_subject: Option<String>,
    pub digest_body: Option<String>,
    /// When the digest this notification waits for goes out.
    pub digest_release_at: Option<DateTime<Utc>>,
    /// The notification that carried (or carries) this one's digest; its own id on the carrier.
    pub digest_of: Option<Uuid>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub status: NotificationStatus,
    pub channel: ChannelKind,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub data: serde_json::Value,
    pub target_date: Option<DateTime<Utc>>,
    pub lead_time: Option<String>,
    pub send_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub timezone: Option<String>,
    pub cron: Option<String>,
    pub series_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub group_key: Option<String>,
    pub max_attempts: i32,
    pub event_id: Option<Uuid>,
    pub event_slot: Option<i32>,
    pub idempotency_key: Option<String>,
    pub html: Option<String>,
    pub template: Option<String>,
    pub template_version: Option<i32>,
    pub recipient_id: Option<String>,
    pub category: Option<String>,
    pub urgent: bool,
    pub fallback: Vec<String>,
    pub digest_key: Option<String>,
    pub digest_window: Option<String>,
    pub digest_subject: Option<String>,
    pub digest_body: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = delivery_attempts)]
pub struct DeliveryAttempt {
    pub id: Uuid,
    pub notification_id: Uuid,
    pub tenant_id: Uuid,
    pub attempt_number: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    pub error: Option<String>,
    pub response_summary: Option<String>,
    /// The provider's id of the message (an SMS `sid`).
    pub provider_message_id: Option<String>,
    /// The latest status the provider reported for it.
    pub provider_status: Option<String>,
    pub provider_status_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = delivery_attempts)]
pub struct NewDeliveryAttempt {
    pub id: Uuid,
    pub notification_id: Uuid,
    pub tenant_id: Uuid,
    pub attempt_number: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    pub error: Option<String>,
    pub response_summary: Option<String>,
    pub provider_message_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub error: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rules)]
pub struct Rule {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_type: String,
    /// With `recipient_path`, the channel; with `recipient_id_path`, an optional one.
    #[diesel(treat_none_as_null = true)]
    pub channel: Option<String>,
    /// Where the address is; `None` for a rule naming a recipient.
    #[diesel(treat_none_as_null = true)]
    pub recipient_path: Option<String>,
    pub target_date_path: String,
    #[diesel(treat_none_as_null = true)]
    pub timezone_path: Option<String>,
    pub lead_times: Vec<String>,
    #[diesel(treat_none_as_null = true)]
    pub subject: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(treat_none_as_null = true)]
    pub html: Option<String>,
    #[diesel(treat_none_as_null = true)]
    pub template: Option<String>,
    #[diesel(treat_none_as_null = true)]
    pub template_version: Option<i32>,
    /// Where the recipient's external id is, for a rule naming a recipient.
    #[diesel(treat_none_as_null = true)]
    pub recipient_id_path: Option<String>,
    #[diesel(treat_none_as_null = true)]
    pub category: Option<String>,
    /// With `recipient_id_path`: channels copied onto each notification as its fallback.
    pub fallback: Vec<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = series)]
pub struct Series {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub cron: String,
    pub timezone: String,
    pub ends_at: Option<DateTime<Utc>>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version of a stored template.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = templates)]
pub struct StoredTemplate {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub version: i32,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub digest: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = recipients)]
pub struct RecipientRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub webhook_url: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub preferred_channel: Option<String>,
    pub preferences: serde_json::Value,
    pub quiet_hours: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = recipient_defaults)]
pub struct RecipientDefaultsRow {
    pub tenant_id: Uuid,
    pub preferences: serde_json::Value,
    pub quiet_hours: Option<serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}
