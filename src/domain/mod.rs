//! Parsed input types: each has one constructor that checks it, and is trusted after.
mod email_address;
mod event_type;
mod phone_number;
mod recipient;
mod status;
mod webhook_url;

pub mod cron_spec;
pub mod lead_time;
pub mod local_time;
pub mod time_zone;

pub use cron_spec::CronSpec;
pub use email_address::EmailAddress;
pub use event_type::EventType;
pub use lead_time::LeadTime;
pub use phone_number::PhoneNumber;
pub use recipient::Recipient;
pub use status::{AccessRole, NotificationStatus};
pub use time_zone::TimeZone;
pub use webhook_url::WebhookUrl;
