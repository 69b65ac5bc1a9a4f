//! How long before a notification's target date it is sent, as an ISO-8601 duration.

use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

const SYNTAX_ERROR: &str = "expected an ISO-8601 duration like P3D";
const MAX_DAYS: i64 = 3650;
const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A non-negative, fixed-length duration of at most 3650 days.
///
/// Accepts `PnW`, `PnD`, `PTnH`, `PTnM`, `PTnS` (seconds may carry up to nine fractional
/// digits) and their combinations. Months and years are rejected because their length
/// depends on the calendar date they are applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeadTime(Duration);

impl LeadTime {
    /// No lead: sent at the target date.
    pub const ZERO: LeadTime = LeadTime(Duration::zero());

    pub fn parse(s: &str) -> Result<LeadTime, String> {
        let total_nanos = parse_nanos(s)?;
        if total_nanos > MAX_DAYS as u128 * 86_400 * NANOS_PER_SEC {
            return Err(format!(
                "lead time must be at most {MAX_DAYS} days (P{MAX_DAYS}D)"
            ));
        }
        // Both fit comfortably: the bound above keeps seconds far below i64::MAX.
        let secs = (total_nanos / NANOS_PER_SEC) as i64;
        let nanos = (total_nanos % NANOS_PER_SEC) as i64;
        Ok(LeadTime(
            Duration::seconds(secs) + Duration::nanoseconds(nanos),
        ))
    }

    pub fn duration(&self) -> Duration {
        self.0
    }

    /// Canonical form: days, then hours, minutes and seconds; `PT0S` for zero.
    pub fn to_iso(&self) -> String {
        let total_secs = self.0.num_seconds();
        let nanos = self.0.subsec_nanos();
        let (days, rem) = (total_secs / 86_400, total_secs % 86_400);
        let (hours, minutes, secs) = (rem / 3600, rem % 3600 / 60, rem % 60);

        let mut out = String::from("P");
        if days > 0 {
            out.push_str(&format!("{days}D"));
        }
        if hours > 0 || minutes > 0 || secs > 0 || nanos > 0 || days == 0 {
            out.push('T');
            if hours > 0 {
                out.push_str(&format!("{hours}H"));
            }
            if minutes > 0 {
                out.push_str(&format!("{minutes}M"));
            }
            if nanos > 0 {
                let frac = format!("{nanos:09}");
                out.push_str(&format!("{secs}.{}S", frac.trim_end_matches('0')));
            } else if secs > 0 || (days == 0 && hours == 0 && minutes == 0) {
                out.push_str(&format!("{secs}S"));
            }
        }
        out
    }
}

impl fmt::Display for LeadTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl TryFrom<String> for LeadTime {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        LeadTime::parse(&s)
    }
}

impl From<LeadTime> for String {
    fn from(lead: LeadTime) -> Self {
        lead.to_iso()
    }
}

/// Parses the designator grammar into nanoseconds; u128 so no input can overflow
/// before the range check.
fn parse_nanos(s: &str) -> Result<u128, String> {
    let syntax = || SYNTAX_ERROR.to_owned();
    if s.starts_with('-') {
        return Err("lead time must not be negative".to_owned());
    }
    let rest = s.strip_prefix('P').ok_or_else(syntax)?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return Err(syntax()),
        None => (rest, None),
    };
    if date_part.is_empty() && time_part.is_none() {
        return Err(syntax());
    }

    let mut total: u128 = 0;
    // Designators must appear in this order, each at most once.
    let date_units: [(char, u128); 2] = [('W', 7 * 86_400), ('D', 86_400)];
    let time_units: [(char, u128); 3] = [('H', 3600), ('M', 60), ('S', 1)];

    for (number, unit) in components(date_part)? {
        if unit == 'Y' || unit == 'M' {
            return Err("months and years are not fixed durations; use days".to_owned());
        }
        total += component_nanos(number, unit, &date_units, false)?;
    }
    check_order(date_part, &date_units)?;

    if let Some(time_part) = time_part {
        for (number, unit) in components(time_part)? {
            total += component_nanos(number, unit, &time_units, unit == 'S')?;
        }
        check_order(time_part, &time_units)?;
    }
    Ok(total)
}

/// Splits `3D12H` into `[("3", 'D'), ("12", 'H')]`.
fn components(part: &str) -> Result<Vec<(&str, char)>, String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in part.char_indices() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            continue;
        }
        if i == start {
            return Err(SYNTAX_ERROR.to_owned());
        }
        out.push((&part[start..i], c));
        start = i + c.len_utf8();
    }
    if start != part.len() {
        return Err(SYNTAX_ERROR.to_owned());
    }
    Ok(out)
}

fn check_order(part: &str, units: &[(char, u128)]) -> Result<(), String> {
    let mut last = None;
    for c in part.chars().filter(|c| c.is_ascii_alphabetic()) {
        let idx = units
            .iter()
            .position(|(u, _)| *u == c)
            .ok_or_else(|| SYNTAX_ERROR.to_owned())?;
        if last.is_some_and(|l| idx <= l) {
            return Err(SYNTAX_ERROR.to_owned());
        }
        last = Some(idx);
    }
    Ok(())
}

fn component_nanos(
    number: &str,
    unit: char,
    units: &[(char, u128)],
    fraction_allowed: bool,
) -> Result<u128, String> {
    let syntax = || SYNTAX_ERROR.to_owned();
    let (_, secs_per_unit) = units.iter().find(|(u, _)| *u == unit).ok_or_else(syntax)?;
    // ISO-8601 allows either a dot or a comma as the decimal sign.
    let (int, frac) = match number.split_once(['.', ',']) {
        Some((int, frac)) if fraction_allowed => (int, Some(frac)),
        Some(_) => return Err(syntax()),
        None => (number, None),
    };
    // Twelve digits already exceed the 3650-day bound in any unit; refusing longer
    // numbers keeps the arithmetic below from overflowing.
    if int.is_empty() || int.len() > 12 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let int: u128 = int.parse().map_err(|_| syntax())?;
    let frac_nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<9}");
            padded.parse::<u128>().map_err(|_| syntax())?
        }
        Some(_) => return Err(syntax()),
    };
    Ok(int * secs_per_unit * NANOS_PER_SEC + frac_nanos * secs_per_unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        LeadTime::parse(s).unwrap().to_iso()
    }

    #[test]
    fn parses_common_forms() {
        let cases = [
            ("P3D", Duration::days(3)),
            ("PT90M", Duration::minutes(90)),
            ("P1DT12H", Duration::hours(36)),
            ("PT0S", Duration::zero()),
            ("P0D", Duration::zero()),
            ("P2W", Duration::days(14)),
            ("PT1.5S", Duration::milliseconds(1500)),
            ("PT0,25S", Duration::milliseconds(250)),
            ("P1DT2H3M4S", Duration::seconds(86_400 + 7200 + 180 + 4)),
            ("P3650D", Duration::days(3650)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                LeadTime::parse(input).unwrap().duration(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn canonical_iso() {
        assert_eq!(iso("P3D"), "P3D");
        assert_eq!(iso("PT90M"), "PT1H30M");
        assert_eq!(iso("P1DT12H"), "P1DT12H");
        assert_eq!(iso("PT36H"), "P1DT12H");
        assert_eq!(iso("PT0S"), "PT0S");
        assert_eq!(iso("P0D"), "PT0S");
        assert_eq!(iso("P2W"), "P14D");
        assert_eq!(iso("PT1.5S"), "PT1.5S");
        assert_eq!(iso("PT0.000000001S"), "PT0.000000001S");
        assert_eq!(iso("P1DT0.5S"), "P1DT0.5S");
        assert_eq!(iso("PT3600S"), "PT1H");
        assert_eq!(iso("PT61S"), "PT1M1S");
        assert_eq!(LeadTime::parse("PT90M").unwrap().to_string(), "PT1H30M");
    }

    #[test]
    fn canonical_form_parses_back_to_the_same_value() {
        for input in [
            "P3D",
            "PT90M",
            "P1DT12H",
            "PT0S",
            "P2W",
            "PT1.5S",
            "P10DT0.25S",
        ] {
            let lead = LeadTime::parse(input).unwrap();
            assert_eq!(LeadTime::parse(&lead.to_iso()).unwrap(), lead, "{input}");
        }
    }

    #[test]
    fn rejects_months_and_years_with_a_reason() {
        for input in ["P1M", "P1Y", "P1Y2D", "P1YT1H"] {
            assert_eq!(
                LeadTime::parse(input).unwrap_err(),
                "months and years are not fixed durations; use days",
                "{input}"
            );
        }
        // Minutes live after the T and are fine.
        assert!(LeadTime::parse("PT1M").is_ok());
    }

    #[test]
    fn rejects_malformed_input() {
        for input in [
            "",
            "P",
            "PT",
            "3D",
            "P3",
            "PD",
            "P3DT",
            "P1.5D",
            "PT1.5H",
            "PT1.S",
            "PT.5S",
            "P3d",
            "pt1h",
            "PT1H1H",
            "PT1M1H",
            "P1DT1D",
            "PT1S1M",
            "P1D2W",
            "PT1.1234567891S",
            "P 3D",
            "PT1H ",
            "PT+1H",
            "P3X",
            "PTH",
            "P3DT4",
            "PT1HT1M",
        ] {
            assert_eq!(
                LeadTime::parse(input).unwrap_err(),
                SYNTAX_ERROR,
                "{input:?} should be rejected"
            );
        }
    }

    #[test]
    fn rejects_negative_and_huge_durations() {
        assert!(LeadTime::parse("-P1D").unwrap_err().contains("negative"));
        assert!(LeadTime::parse("P3651D").unwrap_err().contains("3650"));
        assert!(LeadTime::parse("PT87600H1S").unwrap_err().contains("3650"));
        assert!(LeadTime::parse("P999999999999D")
            .unwrap_err()
            .contains("3650"));
        assert_eq!(
            LeadTime::parse("P99999999999999999999999D").unwrap_err(),
            SYNTAX_ERROR
        );
    }

    #[test]
    fn serde_uses_the_iso_string() {
        let lead: LeadTime = serde_json::from_str("\"PT90M\"").unwrap();
        assert_eq!(serde_json::to_string(&lead).unwrap(), "\"PT1H30M\"");
        assert!(serde_json::from_str::<LeadTime>("\"P1M\"").is_err());
    }
}
