//! domain
pub mod cron_spec;
pub mod lead_time;
pub mod local_time;
pub mod time_zone;
