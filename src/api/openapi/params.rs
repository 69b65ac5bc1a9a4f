//! Query strings of the list and search operations.

use super::schemas::*;
use chrono::{DateTime, Utc};
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListNotificationsQuery {
    /// Only this status.
    #[param(inline)]
    pub status: Option<Status>,
    /// Only this channel.
    #[param(inline)]
    pub channel: Option<Channel>,
    /// Only this group key.
    pub group_key: Option<String>,
    /// Only those created from this event.
    pub event_id: Option<Uuid>,
    /// Only this recipient (exact).
    pub recipient: Option<String>,
    /// Only notifications to this recipient (external id).
    pub recipient_id: Option<String>,
    /// Only the notification with this idempotency key.
    pub idempotency_key: Option<String>,
    /// Only occurrences of this recurring series.
    pub series_id: Option<Uuid>,
    /// Only those whose `send_at` is at or after this time (RFC 3339 with an offset).
    pub due_after: Option<DateTime<Utc>>,
    /// Only those whose `send_at` is before this time (RFC 3339 with an offset).
    pub due_before: Option<DateTime<Utc>>,
    /// Order: `created_at` (newest first, the default), `send_at` (earliest first) or `-send_at`. A cursor continues only the sort it came from.
    #[param(inline)]
    pub sort: Option<ListNotificationsSort>,
    /// Page size (at most 500).
    #[param(minimum = 1, maximum = 500, default = json!(50))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDeadLettersQuery {
    /// Only this channel.
    #[param(inline)]
    pub channel: Option<Channel>,
    /// Only this group key.
    pub group_key: Option<String>,
    /// Only those created from this event.
    pub event_id: Option<Uuid>,
    /// Only this recipient (exact).
    pub recipient: Option<String>,
    /// Only notifications to this recipient (external id).
    pub recipient_id: Option<String>,
    /// Only the notification with this idempotency key.
    pub idempotency_key: Option<String>,
    /// Only occurrences of this recurring series.
    pub series_id: Option<Uuid>,
    /// Only those whose `send_at` is at or after this time (RFC 3339 with an offset).
    pub due_after: Option<DateTime<Utc>>,
    /// Only those whose `send_at` is before this time (RFC 3339 with an offset).
    pub due_before: Option<DateTime<Utc>>,
    /// Order: `created_at` (newest first, the default), `send_at` (earliest first) or `-send_at`. A cursor continues only the sort it came from.
    #[param(inline)]
    pub sort: Option<ListNotificationsSort>,
    /// Page size (at most 500).
    #[param(minimum = 1, maximum = 500, default = json!(50))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEventsQuery {
    /// Only this event type.
    pub r#type: Option<String>,
    /// Only this status.
    #[param(inline)]
    pub status: Option<ListEventsStatus>,
    /// Page size (at most 500).
    #[param(minimum = 1, maximum = 500, default = json!(50))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListSeriesQuery {
    /// Only this status.
    #[param(inline)]
    pub status: Option<SeriesStatus>,
    /// Page size (at most 500).
    #[param(minimum = 1, maximum = 500, default = json!(50))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRecipientsQuery {
    #[param(minimum = 1, maximum = 500, default = json!(50))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
