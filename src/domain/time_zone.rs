//! An IANA time zone, validated once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An IANA time zone such as `Europe/Berlin` or `UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Accepts names from the IANA tz database only: no abbreviations like `CEST`
    /// that are not zone names, no bare offsets like `+02:00`.
    pub fn parse(s: &str) -> Result<TimeZone, String> {
        s.parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| format!("unknown IANA time zone '{s}'"))
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::UTC)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        TimeZone::parse(&s)
    }
}

impl From<TimeZone> for String {
    fn from(tz: TimeZone) -> Self {
        tz.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iana_names() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.tz(), chrono_tz::Europe::Berlin);
        assert_eq!(berlin.name(), "Europe/Berlin");
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert_eq!(TimeZone::parse("UTC").unwrap().tz(), chrono_tz::UTC);
        assert_eq!(
            TimeZone::parse("Australia/Lord_Howe").unwrap().tz(),
            chrono_tz::Australia::Lord_Howe
        );
    }

    #[test]
    fn rejects_unknown_names_and_offsets() {
        assert_eq!(
            TimeZone::parse("Mars/Base").unwrap_err(),
            "unknown IANA time zone 'Mars/Base'"
        );
        for bad in ["", "+02:00", "europe/berlin", " Europe/Berlin", "Z"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn default_is_utc() {
        assert_eq!(TimeZone::default().tz(), chrono_tz::UTC);
        assert_eq!(TimeZone::default().name(), "UTC");
    }

    #[test]
    fn serde_round_trip_goes_through_parse() {
        let tz: TimeZone = serde_json::from_str("\"America/New_York\"").unwrap();
        assert_eq!(tz.tz(), chrono_tz::America::New_York);
        assert_eq!(serde_json::to_string(&tz).unwrap(), "\"America/New_York\"");
        assert!(serde_json::from_str::<TimeZone>("\"Mars/Base\"").is_err());
    }
}
