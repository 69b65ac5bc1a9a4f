//! Parsed input types: each has one constructor that checks it, and is trusted after.
mod category;
mod email_address;
mod event_type;
mod phone_number;
mod recipient;
mod status;
mod webhook_url;

pub mod cron_spec;
pub mod lead_time;
pub mod local_time;
pub mod preferences;
pub mod quiet_hours;
pub mod time_zone;

pub use category::Category;
pub use cron_spec::CronSpec;
pub use email_address::EmailAddress;
pub use event_type::EventType;
pub use lead_time::LeadTime;
pub use phone_number::PhoneNumber;
pub use preferences::Preferences;
pub use quiet_hours::QuietHours;
pub use recipient::Recipient;
pub use status::{AccessRole, NotificationStatus};
pub use time_zone::TimeZone;
pub use webhook_url::WebhookUrl;

/// RFC 3339 in UTC with a `Z`: how every time leaves Chime (responses, audit rows, templates).
pub fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
