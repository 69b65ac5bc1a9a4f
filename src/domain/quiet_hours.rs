//! Quiet hours: a daily window of local wall-clock time (`21:00`–`08:00`) during which a
//! recipient gets no sends; one due inside it is held until the window ends.

use super::local_time;
use chrono::{DateTime, Days, LocalResult, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
}

fn parse_hhmm(field: &str, value: Option<&Value>) -> Result<NaiveTime, (String, String)> {
    let bad = || {
        (
            field.to_owned(),
            "expected a local time like \"21:00\"".to_owned(),
        )
    };
    let s = value.and_then(Value::as_str).ok_or_else(bad)?;
    if s.len() != 5 {
        return Err(bad());
    }
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| bad())
}

impl QuietHours {
    /// Parses `{"start": "21:00", "end": "08:00"}`; errors name the field below `field`.
    pub fn parse(field: &str, value: &Value) -> Result<QuietHours, (String, String)> {
        let Value::Object(map) = value else {
            return Err((
                field.into(),
                "expected {\"start\": \"21:00\", \"end\": \"08:00\"}".into(),
            ));
        };
        if let Some(other) = map.keys().find(|k| *k != "start" && *k != "end") {
            return Err((format!("{field}.{other}"), "unknown field".into()));
        }
        let start = parse_hhmm(&format!("{field}.start"), map.get("start"))?;
        let end = parse_hhmm(&format!("{field}.end"), map.get("end"))?;
        if start == end {
            return Err((
                format!("{field}.end"),
                "must differ from start (an empty or a whole-day window)".into(),
            ));
        }
        Ok(QuietHours { start, end })
    }

    /// Reads a stored value back; it was checked when written.
    pub fn from_stored(value: Option<&Value>) -> Option<QuietHours> {
        value.and_then(|v| QuietHours::parse("quiet_hours", v).ok())
    }

    pub fn to_json(self) -> Value {
        json!({"start": self.start.format("%H:%M").to_string(), "end": self.end.format("%H:%M").to_string()})
    }

    fn contains(self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When a send due at `at` may go out: `None` when `at` is outside the window (in `tz`'s
    /// wall-clock), else the first instant after `at` at which the window has ended. An end
    /// inside a spring-forward gap moves to the end of the gap; an end that occurs twice (fall
    /// back) is its first occurrence after `at`.
    pub fn release(self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let wall = local_time::wall_clock(at, tz)?;
        if !self.contains(wall.time()) {
            return None;
        }
        let mut day = wall.date();
        if self.start > self.end && wall.time() >= self.start {
            day = day.checked_add_days(Days::new(1))?;
        }
        let end = day.and_time(self.end);
        let released = match tz.from_local_datetime(&end) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                let (first, second) = (a.min(b), a.max(b));
                if first > at {
                    first
                } else {
                    second
                }
            }
            LocalResult::None => local_time::resolve_local(end, tz),
        };
        Some(released.max(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Europe::Berlin};

    fn window(start: &str, end: &str) -> QuietHours {
        QuietHours::parse("quiet_hours", &json!({"start": start, "end": end})).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_window_over_midnight_holds_until_the_next_morning() {
        let w = window("21:00", "08:00");
        // 22:30 Berlin (CET, UTC+1) → 08:00 the next day.
        assert_eq!(
            w.release(utc("2027-01-15T21:30:00Z"), Berlin),
            Some(utc("2027-01-16T07:00:00Z"))
        );
        // 06:00 Berlin → 08:00 the same day.
        assert_eq!(
            w.release(utc("2027-01-16T05:00:00Z"), Berlin),
            Some(utc("2027-01-16T07:00:00Z"))
        );
        assert_eq!(w.release(utc("2027-01-16T07:00:00Z"), Berlin), None);
        assert_eq!(w.release(utc("2027-01-16T12:00:00Z"), Berlin), None);
    }

    #[test]
    fn a_window_within_a_day() {
        let w = window("12:00", "13:30");
        assert_eq!(
            w.release(utc("2027-07-01T10:15:00Z"), Berlin),
            Some(utc("2027-07-01T11:30:00Z"))
        );
        assert_eq!(w.release(utc("2027-07-01T09:59:00Z"), Berlin), None);
    }

    #[test]
    fn an_end_inside_the_spring_forward_gap_moves_to_the_gap_end() {
        // New York 2027-03-14: 02:00 EST jumps to 03:00 EDT at 07:00Z; 02:30 does not exist.
        let w = window("22:00", "02:30");
        assert_eq!(
            w.release(utc("2027-03-14T05:00:00Z"), New_York), // 00:00 EST
            Some(utc("2027-03-14T07:00:00Z"))
        );
        assert_eq!(
            w.release(utc("2027-03-14T03:30:00Z"), New_York), // 22:30 EST the evening before
            Some(utc("2027-03-14T07:00:00Z"))
        );
        // 03:10 EDT, just after the jump: outside the window.
        assert_eq!(w.release(utc("2027-03-14T07:10:00Z"), New_York), None);
        // The next night the end is 02:30 EDT again.
        assert_eq!(
            w.release(utc("2027-03-15T03:00:00Z"), New_York), // 23:00 EDT
            Some(utc("2027-03-15T06:30:00Z"))
        );
    }

    #[test]
    fn an_end_that_occurs_twice_is_the_next_occurrence() {
        // New York 2027-11-07: 01:59 EDT falls back to 01:00 EST at 06:00Z; 01:30 occurs twice.
        let w = window("23:00", "01:30");
        assert_eq!(
            w.release(utc("2027-11-07T04:00:00Z"), New_York), // 00:00 EDT
            Some(utc("2027-11-07T05:30:00Z"))                 // 01:30 EDT
        );
        // 01:10 EST (the second 01:10) is inside; the window ends at the second 01:30.
        assert_eq!(
            w.release(utc("2027-11-07T06:10:00Z"), New_York),
            Some(utc("2027-11-07T06:30:00Z"))
        );
    }

    #[test]
    fn bad_windows_name_their_field() {
        let cases = [
            (json!("21-8"), "quiet_hours"),
            (json!({"start": "9pm", "end": "08:00"}), "quiet_hours.start"),
            (json!({"start": "21:00"}), "quiet_hours.end"),
            (json!({"start": "21:00", "end": "25:00"}), "quiet_hours.end"),
            (json!({"start": "08:00", "end": "08:00"}), "quiet_hours.end"),
            (
                json!({"start": "21:00", "end": "08:00", "tz": "x"}),
                "quiet_hours.tz",
            ),
        ];
        for (value, field) in cases {
            assert_eq!(
                QuietHours::parse("quiet_hours", &value).unwrap_err().0,
                field
            );
        }
        let w = window("21:00", "08:00");
        assert_eq!(QuietHours::from_stored(Some(&w.to_json())), Some(w));
    }
}
