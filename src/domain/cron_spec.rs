//! Recurring schedules as Unix cron expressions, evaluated on a zone's wall-clock.
//!
//! The `cron` crate wants seconds first and numbers days of the week 1–7 from Sunday,
//! and it requires day-of-month AND day-of-week to match. Users write Unix cron: five
//! fields, days of the week 0–7 with both 0 and 7 meaning Sunday, and when both day
//! fields are restricted a day matching EITHER fires. This module translates once at
//! parse time, so evaluation only deals with the crate's form.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::local_time::{resolve_local, wall_clock};

const FIELD_COUNT_ERROR: &str = "expected a cron expression with 5 fields \
     (minute hour day-of-month month day-of-week) or 6 with seconds first";

/// Crate day-of-week names indexed by Unix day number (0 = Sunday).
const DOW_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A validated cron expression.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CronSpec {
    source: String,
    /// One schedule, or two whose union is the Unix day-of-month OR day-of-week rule.
    schedules: Vec<cron::Schedule>,
}

impl CronSpec {
    /// Parses `min hour dom mon dow`, `sec min hour dom mon dow`, or one of
    /// `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly`.
    pub fn parse(s: &str) -> Result<CronSpec, String> {
        let text = s.trim();
        let expanded = match text.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => text,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let (sec, [min, hour, dom, mon, dow]) = match fields.as_slice() {
            [min, hour, dom, mon, dow] => ("0", [*min, *hour, *dom, *mon, *dow]),
            [sec, min, hour, dom, mon, dow] => (*sec, [*min, *hour, *dom, *mon, *dow]),
            _ => return Err(FIELD_COUNT_ERROR.to_owned()),
        };
        let invalid = |reason: String| format!("invalid cron expression '{text}': {reason}");

        // Unix cron ORs the two day fields only when neither starts with '*', so
        // `*/2` counts as unrestricted even though it selects some days.
        let restricted = |f: &str| !(f.starts_with('*') || f.starts_with('?'));
        let both_restricted = restricted(dom) && restricted(dow);
        let dow = translate_day_of_week(dow).map_err(invalid)?;
        let day_pairs = if both_restricted {
            vec![(dom, "*"), ("*", dow.as_str())]
        } else {
            vec![(dom, dow.as_str())]
        };
        let schedules = day_pairs
            .into_iter()
            .map(|(dom, dow)| {
                format!("{sec} {min} {hour} {dom} {mon} {dow}")
                    .parse::<cron::Schedule>()
                    .map_err(|e| invalid(diagnose([sec, min, hour, dom, mon], &e)))
            })
            .collect::<Result<Vec<_>, _>>()?;

        // Catches e.g. `0 0 30 2 *`, which parses but would never fire.
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        if schedules.iter().all(|s| s.after(&epoch).next().is_none()) {
            return Err(invalid("it never fires".to_owned()));
        }
        Ok(CronSpec {
            source: text.to_owned(),
            schedules,
        })
    }

    /// The expression as the user wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The first fire time strictly after `after`, with the schedule read on the
    /// wall-clock of `tz`: a time skipped by spring-forward fires at the end of the gap,
    /// a time repeated by fall-back fires once, at its first occurrence.
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        // The crate walks the wall-clock as if it were UTC, so it never applies zone
        // rules of its own; resolve_local applies ours. Local times at or before the
        // wall-clock of `after` always resolve to instants at or before `after`, so the
        // walk can start there. It then skips candidates that resolve into the past:
        // the second pass through a repeated hour, and gap times already fired at the
        // gap's end.
        let wall = wall_clock(after, tz)?.and_utc();
        self.schedules
            .iter()
            .filter_map(|schedule| {
                schedule
                    .after(&wall)
                    .map(|local| resolve_local(local.naive_utc(), tz))
                    .find(|instant| *instant > after)
            })
            .min()
    }

    /// The next `count` fire times after `after`, strictly increasing. Times that
    /// collapse onto the same instant (several in one DST gap) fire once.
    pub fn upcoming(&self, after: DateTime<Utc>, tz: Tz, count: usize) -> Vec<DateTime<Utc>> {
        let mut times = Vec::with_capacity(count.min(1024));
        let mut cursor = after;
        while times.len() < count {
            match self.next_after(cursor, tz) {
                Some(next) => {
                    times.push(next);
                    cursor = next;
                }
                None => break,
            }
        }
        times
    }
}

impl CronSpec {
    /// The first two consecutive fire times, among the next `fires` after `after`, that come
    /// less than `min` apart. Read on the UTC wall-clock: a zone's DST change can bring one
    /// pair of fires closer once, which a per-series floor need not catch.
    ///
    /// Every fire day repeats the same times of day (the second, minute and hour fields do
    /// not depend on the day), so the closest pair shows within the first two fire days;
    /// `fires` should cover that (two days of fires at the smallest allowed interval).
    pub fn fires_closer_than(
        &self,
        after: DateTime<Utc>,
        min: chrono::Duration,
        fires: usize,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let mut walks: Vec<_> = self
            .schedules
            .iter()
            .map(|s| s.after(&after).peekable())
            .collect();
        let mut previous: Option<DateTime<Utc>> = None;
        for _ in 0..fires {
            let next = walks.iter_mut().filter_map(|w| w.peek().copied()).min()?;
            for walk in walks.iter_mut() {
                if walk.peek() == Some(&next) {
                    walk.next();
                }
            }
            if let Some(p) = previous {
                if next - p < min {
                    return Some((p, next));
                }
            }
            previous = Some(next);
        }
        None
    }
}

impl PartialEq for CronSpec {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for CronSpec {}

impl fmt::Display for CronSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl TryFrom<String> for CronSpec {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        CronSpec::parse(&s)
    }
}

impl From<CronSpec> for String {
    fn from(spec: CronSpec) -> Self {
        spec.source
    }
}

/// Names the field the crate rejected. Its own message points a caret into the
/// rewritten six-field text the user never wrote, so each field is retried alone.
fn diagnose(fields: [&str; 5], error: &cron::error::Error) -> String {
    const NAMES: [(&str, &str); 5] = [
        ("second", "0-59"),
        ("minute", "0-59"),
        ("hour", "0-23"),
        ("day-of-month", "1-31"),
        ("month", "1-12 or JAN-DEC"),
    ];
    for (i, ((name, range), value)) in NAMES.iter().zip(fields).enumerate() {
        let mut alone = ["*"; 6];
        alone[i] = value;
        if alone.join(" ").parse::<cron::Schedule>().is_err() {
            return format!("{name} field '{value}' is not valid ({range})");
        }
    }
    // Every field is fine alone; fall back to the crate's reason without its echo.
    let text = error.to_string();
    text.lines().last().unwrap_or_default().to_owned()
}

/// Rewrites a Unix day-of-week field as a list of names the crate reads unambiguously.
/// Names avoid the numbering clash entirely; `*` stays `*` so the day-field OR rule
/// still sees an unrestricted field.
fn translate_day_of_week(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok(field.to_owned());
    }
    let mut days = BTreeSet::new();
    for item in field.split(',') {
        days.extend(unix_dow_item(item)?);
    }
    Ok(days
        .into_iter()
        .map(|d| DOW_NAMES[d as usize])
        .collect::<Vec<_>>()
        .join(","))
}

/// Days (0 = Sunday .. 6 = Saturday) selected by one list item: `*`, `N`, `A-B`,
/// each optionally with `/STEP`.
fn unix_dow_item(item: &str) -> Result<Vec<u32>, String> {
    let bad = || format!("'{item}' is not a valid day-of-week (0-7 or SUN-SAT)");
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => {
            let step = parse_digits(step).ok_or_else(bad)?;
            if step == 0 {
                return Err(bad());
            }
            (base, Some(step))
        }
        None => (item, None),
    };
    let (start, end) = if base == "*" || base == "?" {
        (0, 7)
    } else if let Some((a, b)) = base.split_once('-') {
        let (a, b) = (
            unix_dow_value(a).ok_or_else(bad)?,
            unix_dow_value(b).ok_or_else(bad)?,
        );
        // `FRI-SUN` reads naturally; let a range end on Sunday as 7.
        let b = if b == 0 && a > 0 { 7 } else { b };
        if a > b {
            return Err(bad());
        }
        (a, b)
    } else {
        let a = unix_dow_value(base).ok_or_else(bad)?;
        // Like cronie, `N/STEP` runs from N to the end of the week.
        (a, if step.is_some() { 7 } else { a })
    };
    let step = step.unwrap_or(1) as usize;
    Ok((start..=end).step_by(step).map(|d| d % 7).collect())
}

fn unix_dow_value(s: &str) -> Option<u32> {
    const FULL_NAMES: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    if let Some(n) = parse_digits(s) {
        return (n <= 7).then_some(n);
    }
    (0..7u32).find(|&i| {
        DOW_NAMES[i as usize].eq_ignore_ascii_case(s)
            || FULL_NAMES[i as usize].eq_ignore_ascii_case(s)
    })
}

/// Plain decimal digits only: `str::parse` would also take a leading `+`.
fn parse_digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike, Weekday};
    use chrono_tz::{America::New_York, Australia::Lord_Howe, Europe::Berlin, UTC};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn upcoming(expr: &str, tz: Tz, after: &str, count: usize) -> Vec<String> {
        CronSpec::parse(expr)
            .unwrap()
            .upcoming(utc(after), tz, count)
            .into_iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect()
    }

    /// Weekdays of the next `count` fires of a daily-at-noon-style expression in UTC.
    fn weekdays(expr: &str, count: usize) -> Vec<Weekday> {
        // 2027-01-03 is a Sunday.
        CronSpec::parse(expr)
            .unwrap()
            .upcoming(utc("2027-01-02T23:00:00Z"), UTC, count)
            .into_iter()
            .map(|t| t.weekday())
            .collect()
    }

    #[test]
    fn fires_closer_than_looks_past_the_first_pair() {
        let minute = chrono::Duration::seconds(60);
        let at = utc("2027-01-04T10:30:00Z");
        let close = |expr: &str, min: chrono::Duration| {
            CronSpec::parse(expr)
                .unwrap()
                .fires_closer_than(at, min, 3000)
                .map(|(a, b)| (b - a).num_seconds())
        };
        assert_eq!(close("* * * * * *", minute), Some(1));
        assert_eq!(close("*/30 * * * * *", minute), Some(30));
        assert_eq!(close("* * * * *", minute), None);
        assert_eq!(close("@hourly", minute), None);
        // 10:00 and 10:01 daily: the first two fires (tomorrow 10:00, 10:01) are a minute
        // apart, but from 10:00:30 the first pair is a day apart.
        let two = chrono::Duration::seconds(120);
        assert_eq!(close("0,1 10 * * *", two), Some(60));
        assert_eq!(
            CronSpec::parse("0,1 10 * * *")
                .unwrap()
                .fires_closer_than(utc("2027-01-04T10:00:30Z"), two, 3000)
                .map(|(a, b)| (b - a).num_seconds()),
            Some(60)
        );
        // Seconds 0 and 59 of minutes 59 and 0: one second apart across the hour.
        assert_eq!(
            close("0,59 0,59 * * * *", chrono::Duration::seconds(2)),
            Some(1)
        );
        // Union of the two day fields keeps its own fires.
        assert_eq!(close("0 12 1 * MON", minute), None);
        // Two days of fires at the floor: every minute is fine at one minute.
        let started = std::time::Instant::now();
        assert_eq!(close("*/1 * * * *", minute), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn spring_forward_fires_at_the_end_of_the_gap() {
        assert_eq!(
            upcoming("30 2 * * *", New_York, "2027-03-13T00:00:00Z", 3),
            [
                "2027-03-13T07:30:00Z",
                "2027-03-14T07:00:00Z",
                "2027-03-15T06:30:00Z"
            ]
        );
    }

    #[test]
    fn fall_back_fires_once_at_the_first_occurrence() {
        assert_eq!(
            upcoming("30 1 * * *", New_York, "2027-11-06T12:00:00Z", 2),
            ["2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"]
        );
        // Between the two 01:30s, and during the repeated hour: no second fire.
        for after in ["2027-11-07T05:45:00Z", "2027-11-07T06:10:00Z"] {
            assert_eq!(
                upcoming("30 1 * * *", New_York, after, 1),
                ["2027-11-08T06:30:00Z"],
                "after {after}"
            );
        }
    }

    #[test]
    fn gap_times_collapse_into_one_fire() {
        // Every 20 minutes through New York's skipped hour: 02:00, 02:20, 02:40 all
        // become 07:00Z, fired once, then 03:00 is that same instant too.
        assert_eq!(
            upcoming("*/20 * * * *", New_York, "2027-03-14T06:30:00Z", 4),
            [
                "2027-03-14T06:40:00Z",
                "2027-03-14T07:00:00Z",
                "2027-03-14T07:20:00Z",
                "2027-03-14T07:40:00Z"
            ]
        );
    }

    #[test]
    fn repeated_hour_fires_each_local_time_once() {
        // Berlin 2027-10-31: 02:00-03:00 happens twice (CEST then CET).
        assert_eq!(
            upcoming("0,30 2 * * *", Berlin, "2027-10-30T12:00:00Z", 3),
            [
                "2027-10-31T00:00:00Z",
                "2027-10-31T00:30:00Z",
                "2027-11-01T01:00:00Z"
            ]
        );
    }

    #[test]
    fn berlin_spring_forward() {
        // 2027-03-28 02:00 CET jumps to 03:00 CEST at 01:00Z.
        assert_eq!(
            upcoming("15 2 * * *", Berlin, "2027-03-27T00:00:00Z", 3),
            [
                "2027-03-27T01:15:00Z",
                "2027-03-28T01:00:00Z",
                "2027-03-29T00:15:00Z"
            ]
        );
    }

    #[test]
    fn lord_howe_half_hour_shift() {
        // 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11:00): 02:15 fires at 02:30 local.
        let fires = CronSpec::parse("15 2 * * *").unwrap().upcoming(
            utc("2026-10-02T00:00:00Z"),
            Lord_Howe,
            3,
        );
        let local: Vec<String> = fires
            .iter()
            .map(|t| t.with_timezone(&Lord_Howe).format("%F %R %:z").to_string())
            .collect();
        assert_eq!(
            local,
            [
                "2026-10-03 02:15 +10:30",
                "2026-10-04 02:30 +11:00",
                "2026-10-05 02:15 +11:00"
            ]
        );
        // 2027-04-04 02:00 (+11:00) falls back to 01:30 (+10:30): 01:45 fires once.
        assert_eq!(
            upcoming("45 1 * * *", Lord_Howe, "2027-04-03T00:00:00Z", 2),
            ["2027-04-03T14:45:00Z", "2027-04-04T15:15:00Z"]
        );
    }

    #[test]
    fn unix_day_of_week_numbering() {
        use Weekday::*;
        assert_eq!(weekdays("0 12 * * 1-5", 6), [Mon, Tue, Wed, Thu, Fri, Mon]);
        assert_eq!(
            weekdays("0 12 * * MON-FRI", 6),
            [Mon, Tue, Wed, Thu, Fri, Mon]
        );
        assert_eq!(weekdays("0 12 * * 0", 2), [Sun, Sun]);
        assert_eq!(weekdays("0 12 * * 7", 2), [Sun, Sun]);
        assert_eq!(weekdays("0 12 * * 6", 2), [Sat, Sat]);
        assert_eq!(weekdays("0 12 * * */2", 5), [Sun, Tue, Thu, Sat, Sun]);
        assert_eq!(weekdays("0 12 * * 1-5/2", 4), [Mon, Wed, Fri, Mon]);
        assert_eq!(weekdays("0 12 * * 5-7", 4), [Sun, Fri, Sat, Sun]);
        assert_eq!(weekdays("0 12 * * FRI-SUN", 4), [Sun, Fri, Sat, Sun]);
        assert_eq!(weekdays("0 12 * * 1,3,sat", 4), [Mon, Wed, Sat, Mon]);
        assert_eq!(weekdays("0 12 * * 0,7", 2), [Sun, Sun]);
        assert_eq!(weekdays("0 12 * * 1/3", 4), [Sun, Mon, Thu, Sun]);
        // The six-field form uses the same numbering.
        assert_eq!(weekdays("0 0 12 * * 1", 2), [Mon, Mon]);
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_restricted() {
        // Unix cron: the 1st of the month OR any Monday.
        let fires: Vec<_> = CronSpec::parse("0 12 1 * MON")
            .unwrap()
            .upcoming(utc("2027-01-30T00:00:00Z"), UTC, 4)
            .into_iter()
            .map(|t| t.date_naive().to_string())
            .collect();
        assert_eq!(
            fires,
            ["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22"]
        );
        let fires: Vec<_> = CronSpec::parse("0 12 13 * 5")
            .unwrap()
            .upcoming(utc("2027-08-10T00:00:00Z"), UTC, 3)
            .into_iter()
            .map(|t| t.date_naive().to_string())
            .collect();
        assert_eq!(fires, ["2027-08-13", "2027-08-20", "2027-08-27"]);
        // With a '*' day field only the other one counts, even when it is a step.
        assert_eq!(weekdays("0 12 */1 * MON", 2), [Weekday::Mon, Weekday::Mon]);
        let fires: Vec<_> = CronSpec::parse("0 12 13 * */2")
            .unwrap()
            .upcoming(utc("2027-08-10T00:00:00Z"), UTC, 2)
            .into_iter()
            .map(|t| t.date_naive().to_string())
            .collect();
        // Both must match: the next 13ths on a Sunday, Tuesday, Thursday or Saturday.
        assert_eq!(fires, ["2027-11-13", "2028-01-13"]);
    }

    #[test]
    fn five_and_six_field_forms_and_shorthands() {
        let t = |expr: &str| {
            CronSpec::parse(expr)
                .unwrap()
                .next_after(utc("2027-05-05T10:00:10Z"), UTC)
        };
        assert_eq!(t("*/15 * * * *"), Some(utc("2027-05-05T10:15:00Z")));
        assert_eq!(t("30 */15 * * * *"), Some(utc("2027-05-05T10:00:30Z")));
        assert_eq!(t("0 9 1 JAN,jul *"), Some(utc("2027-07-01T09:00:00Z")));
        assert_eq!(t("0 9-17/4 * * *"), Some(utc("2027-05-05T13:00:00Z")));
        assert_eq!(t("@daily"), Some(utc("2027-05-06T00:00:00Z")));
        assert_eq!(t("@hourly"), Some(utc("2027-05-05T11:00:00Z")));
        assert_eq!(t("@weekly"), Some(utc("2027-05-09T00:00:00Z")));
        assert_eq!(t("@monthly"), Some(utc("2027-06-01T00:00:00Z")));
        assert_eq!(t("@yearly"), Some(utc("2028-01-01T00:00:00Z")));
        assert_eq!(t("0 0 29 2 *"), Some(utc("2028-02-29T00:00:00Z")));
    }

    #[test]
    fn keeps_the_original_text() {
        let spec = CronSpec::parse(" 30 2 * * MON-FRI ").unwrap();
        assert_eq!(spec.as_str(), "30 2 * * MON-FRI");
        assert_eq!(spec.to_string(), "30 2 * * MON-FRI");
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(json, "\"30 2 * * MON-FRI\"");
        assert_eq!(serde_json::from_str::<CronSpec>(&json).unwrap(), spec);
        assert!(serde_json::from_str::<CronSpec>("\"61 * * * *\"").is_err());
    }

    #[test]
    fn errors_name_the_offending_field() {
        let err = |expr: &str| CronSpec::parse(expr).unwrap_err();
        assert_eq!(
            err("60 * * * *"),
            "invalid cron expression '60 * * * *': minute field '60' is not valid (0-59)"
        );
        assert_eq!(
            err("0 24 * * *"),
            "invalid cron expression '0 24 * * *': hour field '24' is not valid (0-23)"
        );
        assert_eq!(
            err("0 0 32 * *"),
            "invalid cron expression '0 0 32 * *': day-of-month field '32' is not valid (1-31)"
        );
        assert_eq!(
            err("0 0 1 FOO *"),
            "invalid cron expression '0 0 1 FOO *': month field 'FOO' is not valid (1-12 or JAN-DEC)"
        );
        assert_eq!(
            err("61 0 0 1 1 *"),
            "invalid cron expression '61 0 0 1 1 *': second field '61' is not valid (0-59)"
        );
        assert_eq!(
            err("0 0 * * 8"),
            "invalid cron expression '0 0 * * 8': '8' is not a valid day-of-week (0-7 or SUN-SAT)"
        );
    }

    #[test]
    fn rejects_invalid_expressions() {
        assert_eq!(CronSpec::parse("").unwrap_err(), FIELD_COUNT_ERROR);
        assert_eq!(CronSpec::parse("* * * *").unwrap_err(), FIELD_COUNT_ERROR);
        assert_eq!(
            CronSpec::parse("0 0 0 1 1 * 2030").unwrap_err(),
            FIELD_COUNT_ERROR
        );
        for bad in [
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * 32 * *",
            "* * * 13 *",
            "* * * * 8",
            "* * * * -1",
            "* * * * +1",
            "* * * * 5-1",
            "* * * * */0",
            "* * * * MOON",
            "* * * * 1,",
            "* * * * ñon",
            "*/0 * * * *",
            "a b c d e",
            "0 0 30 2 *",
            "@often",
            "61 * * * * *",
        ] {
            let err = CronSpec::parse(bad).unwrap_err();
            assert!(
                err.starts_with("invalid cron expression") || err == FIELD_COUNT_ERROR,
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn no_fires_past_the_supported_range_and_no_panics_at_the_edges() {
        let spec = CronSpec::parse("* * * * *").unwrap();
        assert!(spec.next_after(utc("2101-01-01T00:00:00Z"), UTC).is_none());
        assert!(spec
            .upcoming(DateTime::<Utc>::MAX_UTC, Lord_Howe, 2)
            .is_empty());
        assert!(spec.upcoming(DateTime::<Utc>::MIN_UTC, New_York, 2).len() <= 2);
    }

    #[test]
    fn fires_carry_the_schedule_wall_clock() {
        let spec = CronSpec::parse("0 9 * * 1-5").unwrap();
        for t in spec.upcoming(utc("2027-03-01T00:00:00Z"), Berlin, 40) {
            let local = t.with_timezone(&Berlin);
            assert_eq!((local.hour(), local.minute()), (9, 0));
            assert!(local.weekday().number_from_monday() <= 5);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::local_time::transitions;
    use chrono::{Datelike, Duration, DurationRound, NaiveDateTime, Offset, Timelike};
    use proptest::prelude::*;

    const TWO_DAYS: i64 = 2 * 86_400;

    /// A schedule given as sets, so the reference below can match without the crate.
    #[derive(Debug, Clone)]
    struct Sets {
        minutes: Vec<u32>,
        hours: Vec<u32>,
        /// 0 = Sunday; `None` means `*`.
        days: Option<Vec<u32>>,
        /// Write Sunday as 7 instead of 0.
        sunday_as_7: bool,
    }

    impl Sets {
        fn expression(&self) -> String {
            let list = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            let days = match &self.days {
                None => "*".to_owned(),
                Some(days) => {
                    let days: Vec<u32> = days
                        .iter()
                        .map(|&d| if d == 0 && self.sunday_as_7 { 7 } else { d })
                        .collect();
                    list(&days)
                }
            };
            format!("{} {} * * {days}", list(&self.minutes), list(&self.hours))
        }

        fn matches(&self, local: NaiveDateTime) -> bool {
            self.minutes.contains(&local.minute())
                && self.hours.contains(&local.hour())
                && self
                    .days
                    .as_ref()
                    .is_none_or(|d| d.contains(&local.weekday().num_days_from_sunday()))
        }
    }

    fn sets() -> impl Strategy<Value = Sets> {
        (
            proptest::sample::subsequence((0..60).collect::<Vec<u32>>(), 1..=4),
            // Mostly the small hours, where the transitions are.
            prop_oneof![
                3 => proptest::sample::subsequence((0..5).collect::<Vec<u32>>(), 1..=3),
                1 => proptest::sample::subsequence((0..24).collect::<Vec<u32>>(), 1..=6),
            ],
            prop_oneof![
                Just(None),
                proptest::sample::subsequence((0..7).collect::<Vec<u32>>(), 2..=7).prop_map(Some),
            ],
            any::<bool>(),
        )
            .prop_map(|(minutes, hours, days, sunday_as_7)| Sets {
                minutes,
                hours,
                days,
                sunday_as_7,
            })
    }

    /// Walks every minute after `after` and decides from wall-clocks alone whether
    /// the schedule fires there.
    fn reference(sets: &Sets, tz: Tz, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let wall = |i: DateTime<Utc>| i.with_timezone(&tz).naive_local();
        let minute = Duration::minutes(1);
        let mut i = after.duration_trunc(minute).unwrap() + minute;
        let mut out = Vec::new();
        while out.len() < count {
            let here = wall(i);
            let previous = wall(i - minute);
            // The first occurrence unless the same wall-clock was already shown under
            // the offset in force a day earlier.
            let earlier_offset = (i - Duration::days(1)).with_timezone(&tz).offset().fix();
            let twin = here.and_utc() - Duration::seconds(earlier_offset.local_minus_utc().into());
            let first = !(twin < i && wall(twin) == here);
            // Wall-clock jumped forward: the skipped minutes fire here.
            let mut skipped = previous + minute;
            let mut gap_hit = false;
            while skipped < here {
                gap_hit |= sets.matches(skipped);
                skipped += minute;
            }
            if (sets.matches(here) && first) || gap_hit {
                out.push(i);
            }
            i += minute;
        }
        out
    }

    proptest! {
        #![proptest_config(transitions::proptest_config(300))]

        #[test]
        fn upcoming_matches_a_minute_by_minute_walk(
            which in 0..6usize,
            delta in -TWO_DAYS..=TWO_DAYS,
            sub_minute_ms in prop_oneof![Just(0i64), 0..60_000i64],
            sets in sets(),
        ) {
            let t = &transitions::all()[which];
            let after = t.at + Duration::seconds(delta) + Duration::milliseconds(sub_minute_ms);
            let spec = CronSpec::parse(&sets.expression()).unwrap();
            let fires = spec.upcoming(after, t.tz, 4);

            prop_assert_eq!(fires.len(), 4);
            prop_assert!(fires[0] > after);
            prop_assert!(fires.windows(2).all(|w| w[0] < w[1]), "{:?}", fires);
            prop_assert_eq!(
                &fires,
                &reference(&sets, t.tz, after, 4),
                "{} in {} after {}", sets.expression(), t.tz, after
            );
        }
    }
}
