//! Parsed input types: each has one constructor that checks it, and is trusted after.
mod category;
/// Stores a domain enum in a TEXT column by its name (`as_str` / `FromStr`): the column keeps
/// its text, and a row with a name this version does not know fails to load rather than being
/// guessed at.
macro_rules! text_column {
    ($t:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write as _;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                text.parse::<$t>().map_err(|e| e.to_string().into())
            }
        }
    };
}

mod channel_kind;
mod email_address;
mod event_type;
mod ids;
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
pub mod webhook_secret;

pub use category::Category;
pub use channel_kind::{ChannelKind, UnknownChannel};
pub use cron_spec::CronSpec;
pub use email_address::{is_fully_qualified_domain, EmailAddress};
pub use event_type::EventType;
pub use ids::{NotificationId, TenantId};
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
