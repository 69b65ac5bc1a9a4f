//! Request and response bodies as the document describes them: `#/components/schemas/…` and
//! the bodies some operations describe inline. Field docs are the schema descriptions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::openapi::schema::{AdditionalProperties, SchemaType, Type};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "validation_failed", "message": "lead_time: expected an ISO-8601 duration like P3D", "field": "lead_time"}}))]
pub struct Error {
    #[schema(inline)]
    pub error: ErrorError,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorError {
    /// Machine-readable error code, e.g. `bad_request` (400), `unauthorized` (401), `forbidden` (403), `not_found` (404), `method_not_allowed` (405), `conflict` (409), `payload_too_large` (413), `validation_failed` (422), `rate_limited` (429), `limit_exceeded` (429), `unavailable` (503), `internal` (500). Clients should accept codes not listed here.
    #[schema(example = json!("validation_failed"))]
    pub code: String,
    /// Human-readable; field errors start with the field name. Quotes at most about 200 characters of the offending input.
    pub message: String,
    /// The offending field (a JSON path such as `data.items[2]` inside objects), query parameter or header, when there is one.
    #[schema(required = false)]
    pub field: String,
    /// With `limit_exceeded`: the setting whose cap was reached, e.g. `CHIME_MAX_PENDING_NOTIFICATIONS`.
    #[schema(required = false, example = json!("CHIME_MAX_ACTIVE_SERIES"))]
    pub limit: String,
    /// With a batch's `validation_failed`: every bad item, by its index in `items`.
    #[schema(inline, required = false)]
    pub items: Vec<ErrorErrorItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorErrorItem {
    pub index: i64,
    /// The item's offending field; null when the item is not an object.
    pub field: Option<String>,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct Notification {
    pub id: Uuid,
    #[schema(schema_with = notification_status)]
    pub status: Status,
    #[schema(inline)]
    pub channel: Channel,
    /// E-mail address, E.164 phone number or http(s) URL, by channel.
    pub recipient: String,
    /// E-mail subject template.
    #[schema(required = true)]
    pub subject: Option<String>,
    /// Message template (`{{name}}` variables from `data`).
    pub body: String,
    /// Template variables; also the webhook payload.
    pub data: HashMap<String, serde_json::Value>,
    #[schema(required = true)]
    pub target_date: Option<DateTime<Utc>>,
    /// ISO-8601 duration, e.g. `P3D`, `PT90M`.
    #[schema(required = true, example = json!("P3D"))]
    pub lead_time: Option<String>,
    /// When it is (or was) due: `target_date - lead_time`, or as given.
    pub send_at: DateTime<Utc>,
    /// When the next retry is due; set only while a failed notification waits to be retried.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// IANA time zone name.
    #[schema(required = true, example = json!("Europe/Berlin"))]
    pub timezone: Option<String>,
    /// Cron expression of the recurring series this occurrence belongs to.
    #[schema(required = true)]
    pub cron: Option<String>,
    #[schema(required = true)]
    pub series_id: Option<Uuid>,
    /// Not sent after this time (default: `target_date`).
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub group_key: Option<String>,
    #[schema(minimum = 0)]
    pub attempts: i64,
    #[schema(minimum = 1, maximum = 100)]
    pub max_attempts: i64,
    /// For `suppressed`, the reason: `opted_out: …`, `off_by_default: …`, `no_address: …` or `recipient_deleted: …`.
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub sent_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The event this notification was created from.
    #[schema(required = true)]
    pub event_id: Option<Uuid>,
    #[schema(required = true)]
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// E-mail only: the HTML alternative's template.
    #[schema(required = true)]
    pub html: Option<String>,
    /// The stored template rendered at send time, if any.
    #[schema(required = true)]
    pub template: Option<String>,
    /// Its pinned version; `null`: the latest when sent.
    #[schema(required = true)]
    pub template_version: Option<i64>,
    /// What the provider reported after accepting the message (SMS status callbacks): `delivered` or `undelivered`; `null` until then. `status` stays `sent` either way.
    #[schema(required = true)]
    pub delivery_status: Option<String>,
    #[schema(required = true)]
    pub delivery_status_at: Option<DateTime<Utc>>,
    /// The recipient's external id, when the notification names a recipient; its channel and address came from them.
    #[schema(required = true)]
    pub recipient_id: Option<String>,
    /// The category its recipient's preferences are read for.
    #[schema(required = true)]
    pub category: Option<String>,
    /// Sent through the recipient's quiet hours.
    pub urgent: bool,
    /// The channels tried, in order, after the first one fails permanently.
    #[schema(inline)]
    pub fallback: Vec<Channel>,
    /// How many fallback hops were taken: 0 on the first channel, 1 on `fallback[0]`, and so on. `channel` and `recipient` are those of the current hop.
    pub channel_index: i64,
    /// The digest this notification is part of, if any.
    #[schema(required = true)]
    pub digest: Option<NotificationDigest>,
    /// The notification whose send carries (carried) this one in a digest; its own id on that notification.
    #[schema(required = true)]
    pub digest_of: Option<Uuid>,
}

/// A notification's digest.
#[derive(Serialize, ToSchema)]
pub struct NotificationDigest {
    pub key: String,
    /// ISO 8601 duration, canonical form.
    pub window: String,
    #[schema(required = true)]
    pub subject: Option<String>,
    #[schema(required = true)]
    pub body: Option<String>,
    /// When the digest it waits for goes out; null until it fell due.
    #[schema(required = true)]
    pub release_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub enum Status {
    #[serde(rename = "scheduled")]
    Scheduled,
    #[serde(rename = "sending")]
    Sending,
    #[serde(rename = "sent")]
    Sent,
    #[serde(rename = "cancelled")]
    Cancelled,
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "dead")]
    Dead,
    #[serde(rename = "suppressed")]
    Suppressed,
}

#[derive(Serialize, ToSchema)]
pub enum Channel {
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "sms")]
    Sms,
    #[serde(rename = "webhook")]
    Webhook,
}

/// Give `send_at`, or `target_date` with an optional `lead_time` (`send_at = target_date - lead_time`), or a `cron` expression for a recurring series. Unknown fields are a `400`. Address it either with `channel` + `recipient` (an address), or with `recipient_id` + `category` (a stored recipient): the channel is then the first of `channels` (or `channel`; by default the recipient's `preferred_channel`, then email, sms, webhook) for which the recipient has an address and allows the category. An unknown recipient, or a category with no allowed channel, is a `422` naming `recipient_id`, `category` or `channels`. The preferences are read again when the send is claimed: an opt-out after scheduling ends it `suppressed`; a send due inside the recipient's quiet hours is held until they end unless `urgent`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "email", "recipient": "ada@example.com", "subject": "Your card expires soon", "body": "Hi {{name}}, your card ends on {{target_date}}.", "data": {"name": "Ada"}, "target_date": "2026-12-01T09:00:00Z", "lead_time": "P3D", "timezone": "Europe/Berlin", "group_key": "invoice-123", "max_attempts": 5, "idempotency_key": "inv-123-reminder-1"}))]
pub struct NotificationCreate {
    #[schema(required = false, schema_with = create_channel)]
    pub channel: Channel,
    /// E-mail address | E.164 phone number | http(s) URL. Not with `recipient_id`.
    #[schema(required = false)]
    pub recipient: String,
    /// E-mail only; a template like `body`.
    #[schema(max_length = 65536)]
    pub subject: Option<String>,
    /// Template (`{{name}}` variables from `data`); required for email and sms. Rendered once against `data` when written: over its render budget or output size (256 KiB; 1,600 characters for sms) is a 422 naming the field.
    #[schema(max_length = 65536)]
    pub body: Option<String>,
    /// Template variables (and the webhook payload).
    pub data: Option<HashMap<String, serde_json::Value>>,
    pub target_date: Option<DateTime<Utc>>,
    /// ISO-8601 duration, e.g. `P3D`, `PT90M`.
    #[schema(example = json!("P3D"))]
    pub lead_time: Option<String>,
    /// Instead of `target_date` - `lead_time`.
    pub send_at: Option<DateTime<Utc>>,
    /// IANA name; local times and cron are interpreted in it.
    pub timezone: Option<String>,
    /// Makes a recurring series, e.g. `0 9 * * MON`; not combined with `send_at`, `target_date` or `lead_time`.
    #[schema(example = json!("0 9 * * MON"))]
    pub cron: Option<String>,
    /// With `cron`: no occurrence after this time.
    pub ends_at: Option<DateTime<Utc>>,
    /// Default: `target_date`.
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(min_length = 1, max_length = 200)]
    pub group_key: Option<String>,
    /// Default: the retry schedule's length + 1.
    #[schema(minimum = 1, maximum = 100)]
    pub max_attempts: Option<i64>,
    /// Also accepted as the `Idempotency-Key` header.
    #[schema(min_length = 1, max_length = 200)]
    pub idempotency_key: Option<String>,
    /// E-mail only: a template for an HTML alternative part (`multipart/alternative`); values from `data` are HTML-escaped.
    #[schema(max_length = 65536)]
    pub html: Option<String>,
    /// A stored template (`/templates`) to render instead of `subject`, `body` and `html`, which may then not be given. Unknown: a 422 naming `template`.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    pub template: Option<String>,
    /// Pins a version of `template`; without it the version that is latest when the message is sent is rendered.
    #[schema(minimum = 1)]
    pub template_version: Option<i64>,
    /// A stored recipient's external id, instead of `recipient`.
    #[schema(min_length = 1, max_length = 200)]
    pub recipient_id: Option<String>,
    /// Required with `recipient_id`: what the recipient's preferences are read for, e.g. `billing`.
    #[schema(min_length = 1, max_length = 64)]
    pub category: Option<String>,
    /// With `recipient_id`: the acceptable channels, in order of preference.
    #[schema(inline, min_items = 1)]
    pub channels: Option<Vec<Channel>>,
    /// Sent even inside the recipient's quiet hours. Default false.
    pub urgent: Option<bool>,
    /// With `recipient_id` (not with `digest`): the channels to try, in order, when the chosen one fails permanently (a refused address, an SMTP 5xx, a 4xx from the provider, retries exhausted). Each is sent at most once and never after the next one was switched to, also across crashes. Each needs an address of the recipient (`422` naming `fallback[i]`) and differs from the others and the first channel; not with `cron`.
    #[schema(inline, max_items = 2)]
    pub fallback: Option<Vec<Channel>>,
    /// With `recipient_id`: notifications to the recipient with the same `key` go out as one message. The first one due waits `window` for the others (those due meanwhile join it, as do sends released together at the end of quiet hours); then one message is rendered by `body` (else the stored template's digest text, else each item's subject and body on a line) over `items` (each with its rendered `subject` and `body`, `data`, `id`, `send_at`) and `count`. Each ends `sent` with `digest_of` naming the notification that carried the message; one cancelled before the release is left out. Errors: `422` naming `digest.window` (PT1S to P7D), `digest.key`, `digest.body`, `digest.subject`, or `digest` (without `recipient_id`, with `cron`).
    pub digest: Option<DigestInput>,
}

/// The digest a notification joins.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestInput {
    #[schema(min_length = 1, max_length = 200)]
    pub key: String,
    /// ISO 8601 duration, PT1S to P7D, e.g. PT1H.
    #[schema(example = "PT1H")]
    pub window: String,
    /// Template of the digest's subject; default: the subject of the notification that carries it.
    pub subject: Option<String>,
    /// Template of the digest's text, over `items` and `count`.
    pub body: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationBatch {
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<NotificationCreate>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationBatchResult {
    #[schema(inline)]
    pub items: Vec<NotificationBatchResultItem>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationBatchResultItem {
    /// False when the item's `idempotency_key` was already stored or repeated earlier in the batch.
    pub created: bool,
    pub notification: Notification,
}

/// Changes a `scheduled` notification; the schedule moves with its times. Fields left out keep their values; `null` clears an optional one.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target_date": "2026-12-15T09:00:00Z"}))]
pub struct NotificationPatch {
    pub target_date: Option<DateTime<Utc>>,
    /// ISO-8601 duration, e.g. `P3D`, `PT90M`.
    #[schema(example = json!("P3D"))]
    pub lead_time: Option<String>,
    /// Instead of `target_date` - `lead_time`.
    pub send_at: Option<DateTime<Utc>>,
    /// Default: `target_date`.
    pub expires_at: Option<DateTime<Utc>>,
    /// IANA name; local times and cron are interpreted in it.
    pub timezone: Option<String>,
    /// E-mail only; a template like `body`.
    #[schema(max_length = 65536)]
    pub subject: Option<String>,
    /// Template (`{{name}}` variables from `data`); required for email and sms. Rendered once against `data` when written: over its render budget or output size (256 KiB; 1,600 characters for sms) is a 422 naming the field.
    #[schema(max_length = 65536)]
    pub body: Option<String>,
    /// Template variables (and the webhook payload).
    pub data: Option<HashMap<String, serde_json::Value>>,
    /// E-mail address | E.164 phone number | http(s) URL.
    #[schema(required = false)]
    pub recipient: String,
    /// E-mail only: the HTML alternative's template; `null` removes it. Not for a notification that names a stored template.
    #[schema(max_length = 65536)]
    pub html: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group_key": "invoice-123"}))]
pub struct GroupCancel {
    #[schema(min_length = 1, max_length = 200)]
    pub group_key: String,
}

#[derive(Serialize, ToSchema)]
pub struct CancelCount {
    /// How many pending notifications were cancelled.
    #[schema(minimum = 0)]
    pub cancelled: i64,
}

#[derive(Serialize, ToSchema)]
pub struct EventCancelled {
    /// How many pending notifications were cancelled.
    #[schema(minimum = 0)]
    pub cancelled: i64,
    pub event_id: Uuid,
    #[schema(inline)]
    pub status: EventCancelledStatus,
}

/// The event's status after the cancellation.
#[derive(Serialize, ToSchema)]
pub enum EventCancelledStatus {
    #[serde(rename = "received")]
    Received,
    #[serde(rename = "processed")]
    Processed,
    #[serde(rename = "ignored")]
    Ignored,
    #[serde(rename = "failed")]
    Failed,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryAttempt {
    #[schema(minimum = 1)]
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    #[schema(inline)]
    pub outcome: DeliveryAttemptOutcome,
    #[schema(required = true)]
    pub error: Option<String>,
    /// Summary of the provider's response.
    #[schema(required = true)]
    pub response: Option<String>,
    /// The provider's id of the message (an SMS `sid`).
    #[schema(required = true)]
    pub provider_message_id: Option<String>,
    /// The latest status the provider reported for it (`sent`, `delivered`, `undelivered`, …).
    #[schema(required = true)]
    pub provider_status: Option<String>,
    #[schema(required = true)]
    pub provider_status_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub enum DeliveryAttemptOutcome {
    #[serde(rename = "success")]
    Success,
    #[serde(rename = "transient_failure")]
    TransientFailure,
    #[serde(rename = "permanent_failure")]
    PermanentFailure,
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "refused")]
    Refused,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryAttemptList {
    pub items: Vec<DeliveryAttempt>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cron": "30 2 * * *", "timezone": "America/New_York", "after": "2027-03-13T00:00:00Z", "count": 5}))]
pub struct CronPreviewRequest {
    #[schema(example = json!("30 2 * * *"))]
    pub cron: String,
    /// IANA name (default UTC).
    pub timezone: Option<String>,
    /// Default: now.
    pub after: Option<DateTime<Utc>>,
    /// How many fire times (default 5).
    #[schema(minimum = 1, maximum = 100)]
    pub count: Option<i64>,
}

/// The next fire times with the DST rules applied: a local time that does not exist moves forward to the first valid instant; an ambiguous one fires once, at its first occurrence.
#[derive(Serialize, ToSchema)]
pub struct CronPreview {
    pub cron: String,
    /// The time zone applied (`UTC` when none was given).
    pub timezone: String,
    /// The times are after this instant (now when none was given).
    pub after: DateTime<Utc>,
    pub times: Vec<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "card.expiring", "payload": {"email": "ada@example.com", "target_date": "2026-12-01T09:00:00Z", "name": "Ada"}, "idempotency_key": "evt-991"}))]
pub struct EventCreate {
    /// Letters, digits and `. _ - : /`, at most 200 characters.
    #[schema(pattern = "^[A-Za-z0-9._:/-]{1,200}$", example = json!("card.expiring"))]
    pub r#type: String,
    pub payload: HashMap<String, serde_json::Value>,
    #[schema(min_length = 1, max_length = 200)]
    pub idempotency_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<EventCreate>,
}

#[derive(Serialize, ToSchema)]
pub struct EventBatchResult {
    #[schema(inline)]
    pub items: Vec<EventBatchResultItem>,
}

#[derive(Serialize, ToSchema)]
pub struct EventBatchResultItem {
    /// False when the item's `idempotency_key` was already stored or repeated earlier in the batch.
    pub created: bool,
    pub event: Event,
}

#[derive(Serialize, ToSchema)]
pub struct Event {
    pub id: Uuid,
    pub r#type: String,
    pub payload: HashMap<String, serde_json::Value>,
    #[schema(inline)]
    pub status: EventStatus,
    #[schema(required = true, example = json!("payload.target_date is missing"))]
    pub error: Option<String>,
    pub notification_ids: Vec<Uuid>,
    #[schema(required = true)]
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub processed_at: Option<DateTime<Utc>>,
}

/// `ignored`: no rule and nothing to schedule; `failed`: see `error`.
#[derive(Serialize, ToSchema)]
pub enum EventStatus {
    #[serde(rename = "received")]
    Received,
    #[serde(rename = "processed")]
    Processed,
    #[serde(rename = "ignored")]
    Ignored,
    #[serde(rename = "failed")]
    Failed,
}

#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Either an address (`channel` + `recipient_path`) or a stored recipient (`recipient_id_path` + `category`, with an optional `channel`: without one, the recipient's preferences choose it per event). Unknown fields are a `400`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"event_type": "card.expiring", "channel": "email", "recipient_path": "/email", "target_date_path": "/target_date", "lead_times": ["P7D", "P1D"], "subject": "Your card expires soon", "body": "Hi {{name}}", "timezone_path": "/tz"}))]
pub struct RuleInput {
    /// Letters, digits and `. _ - : /`, at most 200 characters.
    #[schema(pattern = "^[A-Za-z0-9._:/-]{1,200}$", example = json!("card.expiring"))]
    pub event_type: String,
    #[schema(schema_with = rule_input_channel)]
    pub channel: Option<Channel>,
    /// JSON Pointer into the event payload: the address. Not with `recipient_id_path`.
    #[schema(example = json!("/email"))]
    pub recipient_path: Option<String>,
    /// JSON Pointer into the event payload.
    #[schema(example = json!("/target_date"))]
    pub target_date_path: String,
    /// JSON Pointer into the event payload.
    #[schema(example = json!("/tz"))]
    pub timezone_path: Option<String>,
    /// One notification per lead time.
    #[schema(inline, min_items = 1, example = json!(["P7D", "P1D"]))]
    pub lead_times: Vec<LeadTime>,
    pub subject: Option<String>,
    #[schema(required = false, example = json!("Hi {{name}}"))]
    pub body: String,
    /// E-mail only: a template for an HTML alternative part (`multipart/alternative`); values from `data` are HTML-escaped.
    #[schema(max_length = 65536)]
    pub html: Option<String>,
    /// A stored template (`/templates`) to render instead of `subject`, `body` and `html`, which may then not be given. Unknown: a 422 naming `template`.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    pub template: Option<String>,
    /// Pins a version of `template`; without it the version that is latest when the message is sent is rendered.
    #[schema(minimum = 1)]
    pub template_version: Option<i64>,
    /// JSON Pointer into the event payload: a stored recipient's external id. An unknown recipient, or one with no allowed channel, fails the event with an error naming the path.
    #[schema(example = json!("/customer_id"))]
    pub recipient_id_path: Option<String>,
    /// Required with `recipient_id_path`: what the recipient's preferences are read for.
    #[schema(min_length = 1, max_length = 64, example = json!("billing"))]
    pub category: Option<String>,
    /// With `recipient_id_path` (`422` naming `fallback` otherwise): the channels to try, in order, when the chosen one fails permanently, copied onto each notification the rule creates. Each differs from the others and from `channel` (`422` naming `fallback[i]`); channels the recipient has no address for, or the one chosen for the event, are left out when the event is handled.
    #[schema(inline, max_items = 2)]
    pub fallback: Option<Vec<Channel>>,
}

/// ISO-8601 duration, e.g. `P3D`, `PT90M`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!("P3D"))]
pub struct LeadTime(pub String);

#[derive(Serialize, ToSchema)]
pub struct Rule {
    pub id: Uuid,
    /// Letters, digits and `. _ - : /`, at most 200 characters.
    #[schema(pattern = "^[A-Za-z0-9._:/-]{1,200}$", example = json!("card.expiring"))]
    pub event_type: String,
    #[schema(required = true, schema_with = or_null::<Channel>)]
    pub channel: Option<Channel>,
    /// JSON Pointer into the event payload.
    #[schema(required = true, example = json!("/email"))]
    pub recipient_path: Option<String>,
    /// JSON Pointer into the event payload.
    #[schema(example = json!("/target_date"))]
    pub target_date_path: String,
    /// JSON Pointer into the event payload.
    #[schema(required = true, example = json!("/tz"))]
    pub timezone_path: Option<String>,
    /// One notification per lead time.
    #[schema(inline, min_items = 1, example = json!(["P7D", "P1D"]))]
    pub lead_times: Vec<LeadTime>,
    #[schema(required = true)]
    pub subject: Option<String>,
    #[schema(example = json!("Hi {{name}}"))]
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// E-mail only: a template for an HTML alternative part (`multipart/alternative`); values from `data` are HTML-escaped.
    #[schema(required = true, max_length = 65536)]
    pub html: Option<String>,
    /// A stored template (`/templates`) to render instead of `subject`, `body` and `html`, which may then not be given. Unknown: a 422 naming `template`.
    #[schema(required = true, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    pub template: Option<String>,
    /// Pins a version of `template`; without it the version that is latest when the message is sent is rendered.
    #[schema(required = true, minimum = 1)]
    pub template_version: Option<i64>,
    /// JSON Pointer into the event payload: a stored recipient's external id. An unknown recipient, or one with no allowed channel, fails the event with an error naming the path.
    #[schema(required = true, example = json!("/customer_id"))]
    pub recipient_id_path: Option<String>,
    /// Required with `recipient_id_path`: what the recipient's preferences are read for.
    #[schema(required = true, example = json!("billing"))]
    pub category: Option<String>,
    /// The channels each notification falls back to, in order (empty without any); see `RuleInput.fallback`.
    #[schema(inline, max_items = 2)]
    pub fallback: Vec<Channel>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
}

/// A recurring reminder; each occurrence is its own notification with this `series_id`.
#[derive(Serialize, ToSchema)]
pub struct Series {
    pub id: Uuid,
    pub cron: String,
    pub timezone: String,
    #[schema(required = true)]
    pub ends_at: Option<DateTime<Utc>>,
    #[schema(inline)]
    pub status: SeriesStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The latest 50 occurrences, newest first.
    #[schema(required = false)]
    pub occurrences: Vec<Notification>,
    /// Only in the response to a cancel: how many pending occurrences it cancelled.
    #[schema(required = false, minimum = 0)]
    pub cancelled: i64,
}

#[derive(Serialize, ToSchema)]
pub enum SeriesStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "cancelled")]
    Cancelled,
    #[serde(rename = "ended")]
    Ended,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "billing", "role": "member", "rate_limit": 20}))]
pub struct ApiKeyCreate {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(inline)]
    pub role: Role,
    /// This key's own limit in requests per second (burst of one second), counted across all replicas, on top of the tenant's `CHIME_RATE_LIMIT`. `null`: only the tenant's limit.
    #[schema(minimum = 1, maximum = 1000000)]
    pub rate_limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub enum Role {
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "member")]
    Member,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyCreated {
    pub id: Uuid,
    pub name: String,
    #[schema(inline)]
    pub role: Role,
    /// The secret (`chk_…`). Shown only in this response; stored as a digest.
    #[schema(example = json!("chk_…"))]
    pub key: String,
    pub created_at: DateTime<Utc>,
    /// This key's own limit in requests per second (burst of one second), counted across all replicas, on top of the tenant's `CHIME_RATE_LIMIT`. `null`: only the tenant's limit.
    #[schema(minimum = 1, maximum = 1000000)]
    pub rate_limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    #[schema(format = "email")]
    pub email: String,
    #[schema(format = "password", min_length = 10, max_length = 1024)]
    pub password: String,
    #[schema(schema_with = or_null::<UserCreateRole>)]
    pub role: Option<UserCreateRole>,
}

#[derive(Serialize, ToSchema)]
#[schema(default = json!("member"))]
pub enum UserCreateRole {
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "member")]
    Member,
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    #[schema(format = "email")]
    pub email: String,
    #[schema(inline)]
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// A disabled user cannot sign in and its tokens are refused.
    pub disabled: bool,
    #[schema(required = true)]
    pub disabled_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct UserPatch {
    #[schema(schema_with = or_null::<Role>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    #[schema(format = "password", min_length = 10, max_length = 1024)]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant's id or name. Without it: the default tenant (the one `CHIME_BOOTSTRAP_ADMIN_KEY` creates).
    pub tenant: Option<String>,
    #[schema(format = "email")]
    pub email: String,
    #[schema(format = "password")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// HS256 JWT with `sub`, `tenant`, `role`, `exp` and `ver` (the user's token version: a role or password change, disabling or deleting the user ends it).
    pub token: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub tenant_id: Uuid,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tenant": "acme", "email": "founder@acme.example", "password": "correct horse battery"}))]
pub struct RegisterRequest {
    /// The new tenant's name, used to sign in.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    pub tenant: String,
    #[schema(format = "email")]
    pub email: String,
    #[schema(format = "password", min_length = 10, max_length = 1024)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    #[schema(inline)]
    pub tenant: RegisteredTenant,
    pub user: User,
    /// An admin API key of the new tenant (`chk_…`), shown only here.
    pub admin_key: String,
    /// A JWT for the new user; `null` when the server has no `CHIME_JWT_SECRET`.
    #[schema(required = true)]
    pub token: Option<String>,
    #[schema(required = true)]
    pub expires_in: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredTenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    /// Signs this tenant's webhooks (Standard Webhooks, HMAC-SHA256).
    #[schema(example = json!("whsec_…"))]
    pub webhook_secret: String,
    pub created_at: DateTime<Utc>,
    /// The secret before the last rotation while it still signs (both signatures are sent).
    #[schema(required = true)]
    pub previous_webhook_secret: Option<String>,
    /// When the previous secret stops signing.
    #[schema(required = true)]
    pub previous_webhook_secret_expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(inline)]
    pub status: HealthStatus,
}

#[derive(Serialize, ToSchema)]
pub enum HealthStatus {
    #[serde(rename = "ok")]
    Ok,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(inline)]
    pub postgres: ReadinessPostgres,
    #[schema(inline)]
    pub redis: ReadinessPostgres,
}

#[derive(Serialize, ToSchema)]
pub enum ReadinessPostgres {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "down")]
    Down,
}

#[derive(Serialize, ToSchema)]
pub struct NotReady {
    #[serde(flatten)]
    pub error: Error,
    #[schema(required = false)]
    pub checks: Readiness,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    #[schema(inline)]
    pub role: Role,
    /// The key's first characters, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// This key's own limit in requests per second (burst of one second), counted across all replicas, on top of the tenant's `CHIME_RATE_LIMIT`. `null`: only the tenant's limit.
    #[schema(minimum = 1, maximum = 1000000)]
    pub rate_limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Stats {
    #[schema(required = false)]
    pub generated_at: DateTime<Utc>,
    #[schema(inline, required = false)]
    pub counts: StatsCounts,
    #[schema(required = false)]
    pub count_cap: i64,
    #[schema(inline, required = false)]
    pub due: StatsDue,
    #[schema(inline, required = false)]
    pub overdue: StatsOverdue,
    #[schema(inline, required = false)]
    pub lag: StatsLag,
    /// Delivery attempts by outcome for each of the last 60 minutes.
    #[schema(inline, required = false)]
    pub sends_per_minute: Vec<StatsSendsPerMinuteItem>,
    #[schema(inline, required = false)]
    pub forecast: StatsForecast,
    #[schema(required = false)]
    pub events_backlog: i64,
    #[schema(inline, required = false)]
    pub queues: StatsQueues,
}

/// Per status, each counting no further than `count_cap`.
#[derive(Serialize, ToSchema)]
pub struct StatsCounts {
    #[schema(required = false)]
    pub scheduled: i64,
    #[schema(required = false)]
    pub sending: i64,
    #[schema(required = false)]
    pub sent: i64,
    #[schema(required = false)]
    pub cancelled: i64,
    #[schema(required = false)]
    pub expired: i64,
    #[schema(required = false)]
    pub dead: i64,
    #[schema(required = false)]
    pub suppressed: i64,
}

/// Pending notifications due from now within an hour / a day.
#[derive(Serialize, ToSchema)]
pub struct StatsDue {
    #[schema(required = false)]
    pub next_hour: i64,
    #[schema(required = false)]
    pub next_day: i64,
}

/// Due and not yet sent.
#[derive(Serialize, ToSchema)]
pub struct StatsOverdue {
    #[schema(required = false)]
    pub count: i64,
    pub oldest_due_at: Option<DateTime<Utc>>,
    pub oldest_age_seconds: Option<f64>,
}

/// From due time to the provider call, successful attempts of the last 5 minutes.
#[derive(Serialize, ToSchema)]
pub struct StatsLag {
    #[schema(required = false)]
    pub window_seconds: i64,
    #[schema(required = false)]
    pub samples: i64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsSendsPerMinuteItem {
    #[schema(required = false)]
    pub minute: DateTime<Utc>,
    #[schema(required = false)]
    pub success: i64,
    #[schema(required = false)]
    pub transient_failure: i64,
    #[schema(required = false)]
    pub permanent_failure: i64,
    #[schema(required = false)]
    pub expired: i64,
    #[schema(required = false)]
    pub refused: i64,
}

/// Pending sends by due time and channel.
#[derive(Serialize, ToSchema)]
pub struct StatsForecast {
    /// 24 hours from the current hour.
    #[schema(inline, required = false)]
    pub hourly: Vec<StatsForecastHourlyItem>,
    /// 7 days from today (UTC).
    #[schema(inline, required = false)]
    pub daily: Vec<StatsForecastDailyItem>,
    #[schema(required = false)]
    pub truncated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct StatsForecastHourlyItem {
    #[schema(required = false)]
    pub start: DateTime<Utc>,
    #[schema(required = false)]
    pub email: i64,
    #[schema(required = false)]
    pub sms: i64,
    #[schema(required = false)]
    pub webhook: i64,
    #[schema(required = false)]
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StatsForecastDailyItem {
    #[schema(required = false)]
    pub start: DateTime<Utc>,
    #[schema(required = false)]
    pub email: i64,
    #[schema(required = false)]
    pub sms: i64,
    #[schema(required = false)]
    pub webhook: i64,
    #[schema(required = false)]
    pub total: i64,
}

/// The deployment's Redis queues; only `error` when Redis does not answer.
#[derive(Serialize, ToSchema)]
pub struct StatsQueues {
    #[schema(required = false)]
    pub schedule: i64,
    #[schema(required = false)]
    pub ready: i64,
    #[schema(required = false)]
    pub pending: i64,
    #[schema(required = false)]
    pub events: i64,
    #[schema(inline, required = false)]
    pub leader: StatsQueuesLeader,
    #[schema(required = false)]
    pub error: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatsQueuesLeader {
    #[schema(required = false)]
    pub present: bool,
    #[schema(required = false)]
    pub ttl_ms: i64,
}

/// The list's filters (a cancel needs at least one); `status`, if given, must be the one the action applies to.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[schema(inline, required = false)]
    pub channel: Channel,
    #[schema(required = false)]
    pub recipient: String,
    #[schema(required = false)]
    pub recipient_id: String,
    #[schema(required = false)]
    pub group_key: String,
    #[schema(required = false)]
    pub idempotency_key: String,
    #[schema(required = false)]
    pub event_id: Uuid,
    #[schema(required = false)]
    pub series_id: Uuid,
    #[schema(required = false)]
    pub due_after: DateTime<Utc>,
    #[schema(required = false)]
    pub due_before: DateTime<Utc>,
    #[schema(required = false)]
    pub status: String,
    #[schema(required = false, default = json!(false))]
    pub dry_run: bool,
    #[schema(required = false, minimum = 1, maximum = 1000, default = json!(1000))]
    pub limit: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(default = json!("created_at"))]
pub enum ListNotificationsSort {
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "send_at")]
    SendAt,
    #[serde(rename = "-send_at")]
    SendAtDesc,
}

#[derive(Serialize, ToSchema)]
pub enum ListEventsStatus {
    #[serde(rename = "received")]
    Received,
    #[serde(rename = "processed")]
    Processed,
    #[serde(rename = "ignored")]
    Ignored,
    #[serde(rename = "failed")]
    Failed,
}

#[derive(Serialize, ToSchema)]
pub struct ListApiKeysResponse {
    pub items: Vec<ApiKey>,
}

#[derive(Serialize, ToSchema)]
pub struct ListUsersResponse {
    pub items: Vec<User>,
}

#[derive(Serialize, ToSchema)]
pub struct CancelMatchingResponse {
    #[schema(required = false)]
    pub dry_run: bool,
    #[schema(required = false)]
    pub matched: i64,
    #[schema(required = false)]
    pub cancelled: i64,
    #[schema(required = false)]
    pub remaining: i64,
    #[schema(required = false)]
    pub more: bool,
    #[schema(inline, required = false)]
    pub skipped: Vec<CancelMatchingResponseSkippedItem>,
}

#[derive(Serialize, ToSchema)]
pub struct CancelMatchingResponseSkippedItem {
    #[schema(required = false)]
    pub id: Uuid,
    #[schema(required = false)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReplayMatchingResponse {
    #[schema(required = false)]
    pub dry_run: bool,
    #[schema(required = false)]
    pub matched: i64,
    #[schema(required = false)]
    pub replayed: i64,
    #[schema(required = false)]
    pub remaining: i64,
    #[schema(required = false)]
    pub more: bool,
    #[schema(inline, required = false)]
    pub skipped: Vec<ReplayMatchingResponseSkippedItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplayMatchingResponseSkippedItem {
    #[schema(required = false)]
    pub id: Uuid,
    #[schema(required = false)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct GetMeResponse {
    #[schema(inline, required = false)]
    pub tenant: GetMeResponseTenant,
    #[schema(inline, required = false)]
    pub role: Role,
    #[schema(required = false)]
    pub actor: String,
    #[schema(required = false)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GetMeResponseTenant {
    #[schema(required = false)]
    pub id: Uuid,
    #[schema(required = false)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GetTimelineResponse {
    #[schema(required = false)]
    pub notification: Notification,
    #[schema(inline, required = false)]
    pub created_by: GetTimelineResponseCreatedBy,
    #[schema(inline, required = false)]
    pub items: Vec<GetTimelineResponseItem>,
    #[schema(inline, required = false)]
    pub rendered: GetTimelineResponseRendered,
}

#[derive(Serialize, ToSchema)]
pub struct GetTimelineResponseCreatedBy {
    #[schema(required = false)]
    pub actor: String,
    /// The actor's name, when the actor is a user or a named key.
    #[schema(required = false)]
    pub name: Option<String>,
    #[schema(required = false)]
    pub event_id: Uuid,
    #[schema(required = false)]
    pub series_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct GetTimelineResponseItem {
    #[schema(required = false)]
    pub at: DateTime<Utc>,
    #[schema(inline, required = false)]
    pub kind: GetTimelineResponseItemKind,
    #[schema(required = false)]
    pub number: i64,
    #[schema(required = false)]
    pub outcome: String,
    #[schema(required = false)]
    pub duration_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    #[schema(required = false)]
    pub action: String,
    #[schema(required = false)]
    pub actor: String,
    #[schema(required = false)]
    pub status: String,
    // Who created it (`created`); a description here would wrap the inline schema in a `oneOf`.
    #[schema(inline, required = false)]
    pub by: GetTimelineResponseCreatedBy,
    /// What the audit entry records (`audit`); `send time` (`scheduled`).
    #[schema(required = false)]
    pub detail: serde_json::Value,
    /// The actor's name (`audit`), when the actor is a user or a named key.
    #[schema(required = false)]
    pub name: Option<String>,
    /// The attempt under way (`claimed`).
    #[schema(required = false)]
    pub attempt: i64,
}

#[derive(Serialize, ToSchema)]
pub enum GetTimelineResponseItemKind {
    #[serde(rename = "created")]
    Created,
    #[serde(rename = "scheduled")]
    Scheduled,
    #[serde(rename = "attempt")]
    Attempt,
    #[serde(rename = "audit")]
    Audit,
    #[serde(rename = "claimed")]
    Claimed,
    #[serde(rename = "ended")]
    Ended,
}

#[derive(Serialize, ToSchema)]
pub struct GetTimelineResponseRendered {
    pub subject: Option<String>,
    pub body: Option<String>,
    pub error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ListSeriesResponse {
    #[schema(inline, required = false)]
    pub items: Vec<ListSeriesResponseItem>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ListSeriesResponseItem {
    #[schema(required = false)]
    pub id: Uuid,
    #[schema(required = false)]
    pub cron: String,
    #[schema(required = false)]
    pub timezone: String,
    pub ends_at: Option<DateTime<Utc>>,
    #[schema(required = false)]
    pub status: String,
    #[schema(required = false)]
    pub created_at: DateTime<Utc>,
    #[schema(schema_with = or_null::<ListSeriesResponseItemPendingOccurrence>)]
    pub pending_occurrence: Option<ListSeriesResponseItemPendingOccurrence>,
    /// The next three after the pending occurrence.
    #[schema(required = false)]
    pub next_fire_times: Vec<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ListSeriesResponseItemPendingOccurrence {
    #[schema(required = false)]
    pub id: Uuid,
    #[schema(required = false)]
    pub due_at: DateTime<Utc>,
}

// The body of a rotation; without one, the default grace period applies.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecretRotation {
    /// ISO-8601 duration the previous secret keeps signing, at most `P30D`; `PT0S` stops it at once. Default: `CHIME_WEBHOOK_SECRET_GRACE` (24 hours).
    #[schema(required = false, example = json!("PT24H"))]
    pub grace_period: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", example = json!("card-expiring"))]
    pub name: String,
    /// E-mail subject template.
    #[schema(max_length = 65536)]
    pub subject: Option<String>,
    /// Message template (the SMS text, the e-mail's plain text, the webhook's `body`).
    #[schema(max_length = 65536)]
    pub body: String,
    /// HTML alternative template for e-mails; values are HTML-escaped.
    #[schema(max_length = 65536)]
    pub html: Option<String>,
    /// Template of a digest over several messages (`items`).
    #[schema(max_length = 65536)]
    pub digest: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateVersionInput {
    /// E-mail subject template.
    #[schema(max_length = 65536)]
    pub subject: Option<String>,
    /// Message template (the SMS text, the e-mail's plain text, the webhook's `body`).
    #[schema(max_length = 65536)]
    pub body: String,
    /// HTML alternative template for e-mails; values are HTML-escaped.
    #[schema(max_length = 65536)]
    pub html: Option<String>,
    /// Template of a digest over several messages (`items`).
    #[schema(max_length = 65536)]
    pub digest: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Template {
    pub name: String,
    #[schema(minimum = 1)]
    pub version: i64,
    #[schema(required = true)]
    pub subject: Option<String>,
    pub body: String,
    #[schema(required = true)]
    pub html: Option<String>,
    #[schema(required = true)]
    pub digest: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<Template>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplatePreviewRequest {
    /// Sample template variables.
    pub data: Option<HashMap<String, serde_json::Value>>,
    /// Default: the latest.
    #[schema(minimum = 1)]
    pub version: Option<i64>,
    #[schema(schema_with = preview_channel)]
    pub channel: Option<Channel>,
}

#[derive(Serialize, ToSchema)]
pub struct TemplatePreview {
    pub name: String,
    pub version: i64,
    #[schema(inline)]
    pub channel: Channel,
    #[schema(required = true)]
    pub subject: Option<String>,
    pub body: String,
    #[schema(required = true)]
    pub html: Option<String>,
    /// The digest text, rendered over the sample data (its messages as `items`).
    #[schema(required = true)]
    pub digest: Option<String>,
}

// A provider's status callback, form-encoded; parameters besides these two are accepted (and
// signed) but not read; `api::openapi` adds their `additionalProperties`.
#[derive(Serialize, ToSchema)]
pub struct SmsStatusReport {
    /// The `sid` the provider answered the send with.
    #[serde(rename = "MessageSid")]
    pub message_sid: String,
    /// `delivered`/`read` and `undelivered`/`failed`/`canceled` set the notification's `delivery_status`; others are kept on the attempt only.
    #[serde(rename = "MessageStatus")]
    #[schema(example = json!("delivered"))]
    pub message_status: String,
}

/// Per category (or `*` for every category): per channel, `true` (allowed) or `false` (opted out). A recipient's own category, then its `*`, then the tenant default's category, then its `*`; allowed when none says.
#[derive(Serialize)]
pub struct Preferences;

impl PartialSchema for Preferences {
    fn schema() -> RefOr<Schema> {
        let channels = ["email", "sms", "webhook"].into_iter().fold(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(AdditionalProperties::FreeForm(false))),
            |object, channel| {
                object.property(channel, ObjectBuilder::new().schema_type(Type::Boolean))
            },
        );
        // The derive writes `example` too; `examples` would differ from every other schema.
        #[allow(deprecated)]
        let schema = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Per category (or `*` for every category): per channel, `true` (allowed) or `false` (opted out). A recipient's own category, then its `*`, then the tenant default's category, then its `*`; allowed when none says.",
            ))
            .additional_properties(Some(channels))
            .example(Some(serde_json::json!({"marketing": {"email": false}, "*": {"sms": true}})));
        schema.into()
    }
}

impl ToSchema for Preferences {}

/// A daily window of local wall-clock time (`HH:MM`, in the recipient's `timezone`, UTC without one) in which nothing is sent; a send due inside is held until the window ends (DST-correct: an end inside a spring-forward gap moves to the jump). `start` after `end` spans midnight.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = json!("21:00"))]
    pub start: String,
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = json!("08:00"))]
    pub end: String,
}

/// Every field of a recipient; `PUT` clears what is left out. A field that does not parse is a `422` naming it (`preferences.billing.fax`, `quiet_hours.start`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    /// Optional; must equal the id in the path.
    #[schema(
        required = false,
        min_length = 1,
        max_length = 200,
        pattern = "^[A-Za-z0-9_.:@+|-]+$"
    )]
    pub id: String,
    #[schema(max_length = 200)]
    pub name: Option<String>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub webhook_url: Option<String>,
    /// IANA name; quiet hours are read in it.
    pub timezone: Option<String>,
    #[schema(example = json!("pt-BR"))]
    pub locale: Option<String>,
    #[schema(schema_with = or_null::<Channel>)]
    pub preferred_channel: Option<Channel>,
    pub preferences: Option<Preferences>,
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientCreate {
    /// The caller's own id for the recipient (`batch` is reserved).
    #[schema(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_.:@+|-]+$")]
    pub id: String,
    #[schema(max_length = 200)]
    pub name: Option<String>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub webhook_url: Option<String>,
    /// IANA name; quiet hours are read in it.
    pub timezone: Option<String>,
    #[schema(example = json!("pt-BR"))]
    pub locale: Option<String>,
    #[schema(schema_with = or_null::<Channel>)]
    pub preferred_channel: Option<Channel>,
    pub preferences: Option<Preferences>,
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Serialize, ToSchema)]
pub struct Recipient {
    /// The caller's own id for the recipient (`batch` is reserved).
    #[schema(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_.:@+|-]+$")]
    pub id: String,
    #[schema(required = true, max_length = 200)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub email: Option<String>,
    /// E.164.
    #[schema(required = true)]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub webhook_url: Option<String>,
    /// IANA name; quiet hours are read in it.
    #[schema(required = true)]
    pub timezone: Option<String>,
    #[schema(required = true, example = json!("pt-BR"))]
    pub locale: Option<String>,
    #[schema(required = true, schema_with = or_null::<Channel>)]
    pub preferred_channel: Option<Channel>,
    pub preferences: Preferences,
    #[schema(required = true)]
    pub quiet_hours: Option<QuietHours>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientPage {
    pub items: Vec<Recipient>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBatch {
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<RecipientCreate>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientBatchResult {
    #[schema(inline)]
    pub items: Vec<RecipientBatchResultItem>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientBatchResultItem {
    /// False when it replaced an existing recipient.
    pub created: bool,
    pub recipient: Recipient,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientDefaults {
    pub preferences: Option<Preferences>,
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Serialize, ToSchema)]
pub struct Unsubscribed {
    #[schema(schema_with = always_true)]
    pub unsubscribed: bool,
    pub category: String,
    #[schema(inline)]
    pub channel: Channel,
}

/// A boolean that is always `true`.
fn always_true() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .into()
}

/// A schema with a description, for enum fields: utoipa wraps a described inline enum in
/// `oneOf`, and `schema_with` drops the field's doc comment.
fn described(mut schema: RefOr<Schema>, description: &str) -> RefOr<Schema> {
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        object.description = Some(description.to_string());
    }
    schema
}

fn notification_status() -> RefOr<Schema> {
    described(
        Status::schema(),
        "`suppressed`: not sent because, when its send was claimed, its recipient had opted out of its category on its channel (or had no address for it, or was deleted); `last_error` says which.",
    )
}

fn create_channel() -> RefOr<Schema> {
    described(
        Channel::schema(),
        "Required with `recipient`; with `recipient_id`, the one channel to use.",
    )
}

fn rule_input_channel() -> RefOr<Schema> {
    described(
        or_null::<Channel>(),
        "Required with `recipient_path`; optional with `recipient_id_path`.",
    )
}

fn preview_channel() -> RefOr<Schema> {
    described(
        or_null::<Channel>(),
        "Whose output limit applies (default `email`); only e-mail renders `html`.",
    )
}

/// `T`'s own schema with `null` among its types, where utoipa would write
/// `oneOf: [{type: null}, T]`: the SDK generators name a nullable enum or object after that
/// shape, so this keeps their names.
fn or_null<T: PartialSchema>() -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        if let SchemaType::Type(ty) = object.schema_type.clone() {
            object.schema_type = SchemaType::from_iter([ty, Type::Null]);
        }
    }
    schema
}
