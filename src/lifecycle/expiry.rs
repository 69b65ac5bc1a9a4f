//! When a notification expires: at its `expires_at`, which defaults to its `target_date`, with a
//! grace for an attempt that fell due in time.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The instant after which a notification is not sent: `expires_at`, or else `target_date`.
pub fn expiry(
    expires_at: Option<DateTime<Utc>>,
    target_date: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    expires_at.or(target_date)
}

/// How late after its expiry an attempt that fell due in time may still start. A reminder due
/// exactly at its expiry (`target_date` without a lead time, or a lead time of `PT0S`) always
/// starts a little after it; so does any send delayed by a scheduler failover or a backlog.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(60);

/// Whether an attempt must not be sent because its notification expired: it fell due after the
/// expiry (a retry scheduled past it), or it starts more than [`EXPIRY_GRACE`] after the expiry.
pub fn is_expired(
    expiry: Option<DateTime<Utc>>,
    due_at: DateTime<Utc>,
    started_at: DateTime<Utc>,
) -> bool {
    let grace = chrono::Duration::from_std(EXPIRY_GRACE).unwrap_or_default();
    expiry.is_some_and(|expiry| due_at > expiry || started_at > expiry + grace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    fn grace() -> i64 {
        EXPIRY_GRACE.as_secs() as i64
    }

    #[test]
    fn the_expiry_defaults_to_the_target_date() {
        assert_eq!(expiry(Some(at(5)), Some(at(9))), Some(at(5)));
        assert_eq!(expiry(None, Some(at(9))), Some(at(9)));
        assert_eq!(expiry(None, None), None);
    }

    #[test]
    fn without_an_expiry_nothing_expires() {
        assert!(!is_expired(None, at(0), at(10 * 86_400)));
    }

    #[test]
    fn due_exactly_at_the_expiry_and_started_on_time_is_sent() {
        // target_date only, or a lead time of PT0S: due at the expiry, started just after it.
        assert!(!is_expired(Some(at(0)), at(0), at(0)));
        assert!(!is_expired(Some(at(0)), at(0), at(1)));
        assert!(!is_expired(Some(at(0)), at(0), at(grace())));
        assert!(!is_expired(Some(at(10)), at(0), at(5)));
    }

    #[test]
    fn an_attempt_due_after_the_expiry_expires() {
        // A retry scheduled past the expiry, however promptly it starts.
        assert!(is_expired(Some(at(0)), at(1), at(1)));
    }

    #[test]
    fn an_attempt_started_past_the_grace_expires() {
        assert!(is_expired(Some(at(0)), at(0), at(grace() + 1)));
        assert!(is_expired(Some(at(0)), at(-3600), at(grace() + 1)));
        assert!(!is_expired(Some(at(0)), at(-3600), at(grace())));
    }
}
