//! Wall-clock time in a zone, with the DST rules of DESIGN.md:
//! a local time inside a spring-forward gap moves forward to the end of the gap,
//! an ambiguous one (fall back) resolves to its first occurrence.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

const INSTANT_ERROR: &str = "expected an RFC 3339 date-time like 2026-12-01T09:00:00Z";

/// Maps a local wall-clock time in `tz` to the instant it denotes.
pub fn resolve_local(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => gap_end(naive, tz),
    }
}

/// The transition instant that skips over `naive`, i.e. the first instant whose
/// wall-clock is past the gap.
fn gap_end(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    // Real offsets stay within ±16h, so a day either side of the naive time read as
    // UTC has a wall-clock before and after it. Whole seconds keep the search on the
    // lattice that tzdb transitions lie on; plain i64 arithmetic cannot overflow at
    // chrono's range limits the way wall-clock conversion can.
    let base = naive.and_utc().timestamp();
    let wall_before = |secs: i64| -> bool {
        let offset = DateTime::from_timestamp(secs, 0)
            .map(|t| {
                i64::from(
                    tz.offset_from_utc_datetime(&t.naive_utc())
                        .fix()
                        .local_minus_utc(),
                )
            })
            .unwrap_or(0);
        let wall = secs + offset;
        wall < base || (wall == base && naive.nanosecond() > 0)
    };
    let (mut lo, mut hi) = (base - 86_400, base + 86_400);
    // Invariant: wall(lo) < naive <= wall(hi). The bisection ends on an instant where
    // the wall-clock jumps over `naive`, which for a nonexistent time is the transition.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if wall_before(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The wall-clock of `instant` in `tz`; `None` only at the edges of chrono's range.
pub(crate) fn wall_clock(instant: DateTime<Utc>, tz: Tz) -> Option<NaiveDateTime> {
    let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
    instant.naive_utc().checked_add_offset(offset)
}

/// Parses an instant given by an API client.
///
/// An RFC 3339 date-time with an offset is taken as is (the offset wins over `tz`); a
/// date-time without offset (`2026-12-01T09:00:00`, fractional seconds allowed) or a date
/// alone (`2026-12-01`, meaning local midnight) is read in `tz`, UTC if none.
pub fn parse_instant(s: &str, tz: Option<Tz>) -> Result<DateTime<Utc>, String> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc));
    }
    // chrono's `%Y` also takes signed and five-digit years; RFC 3339 has four digits.
    let four_digit_year = s.len() >= 5 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if !four_digit_year || s.as_bytes()[4] != b'-' {
        return Err(INSTANT_ERROR.to_owned());
    }
    let tz = tz.unwrap_or(chrono_tz::UTC);
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .ok_or_else(|| INSTANT_ERROR.to_owned())?;
    Ok(resolve_local(naive, tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Australia::Lord_Howe, Europe::Berlin};

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn unambiguous_times_map_directly() {
        assert_eq!(
            resolve_local(local("2027-01-15T09:00:00"), New_York),
            utc("2027-01-15T14:00:00Z")
        );
        assert_eq!(
            resolve_local(local("2027-07-15T09:00:00"), Berlin),
            utc("2027-07-15T07:00:00Z")
        );
    }

    #[test]
    fn spring_forward_gap_moves_to_the_transition() {
        // New York 2027-03-14: 02:00 EST jumps to 03:00 EDT at 07:00Z.
        assert_eq!(
            resolve_local(local("2027-03-14T02:30:00"), New_York),
            utc("2027-03-14T07:00:00Z")
        );
        assert_eq!(
            resolve_local(local("2027-03-14T02:00:00"), New_York),
            utc("2027-03-14T07:00:00Z")
        );
        assert_eq!(
            resolve_local(local("2027-03-14T03:00:00"), New_York),
            utc("2027-03-14T07:00:00Z")
        );
        assert_eq!(
            resolve_local(local("2027-03-14T01:59:59"), New_York),
            utc("2027-03-14T06:59:59Z")
        );
        // Berlin 2027-03-28: 02:00 CET jumps to 03:00 CEST at 01:00Z.
        assert_eq!(
            resolve_local(local("2027-03-28T02:15:00"), Berlin),
            utc("2027-03-28T01:00:00Z")
        );
        // Lord Howe 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11:00) at 15:30Z the day before.
        assert_eq!(
            resolve_local(local("2026-10-04T02:15:00"), Lord_Howe),
            utc("2026-10-03T15:30:00Z")
        );
        assert_eq!(
            resolve_local(local("2026-10-04T02:30:00"), Lord_Howe),
            utc("2026-10-03T15:30:00Z")
        );
    }

    #[test]
    fn gap_with_fractional_seconds_still_lands_on_the_transition() {
        let naive = local("2027-03-14T02:59:59") + chrono::Duration::milliseconds(999);
        assert_eq!(resolve_local(naive, New_York), utc("2027-03-14T07:00:00Z"));
    }

    #[test]
    fn fall_back_resolves_to_the_first_occurrence() {
        // New York 2027-11-07: 01:00-02:00 happens twice, first in EDT (-4).
        assert_eq!(
            resolve_local(local("2027-11-07T01:30:00"), New_York),
            utc("2027-11-07T05:30:00Z")
        );
        assert_eq!(
            resolve_local(local("2027-11-07T02:00:00"), New_York),
            utc("2027-11-07T07:00:00Z")
        );
        // Berlin 2027-10-31: 02:00-03:00 twice, first in CEST (+2).
        assert_eq!(
            resolve_local(local("2027-10-31T02:30:00"), Berlin),
            utc("2027-10-31T00:30:00Z")
        );
        // Lord Howe 2027-04-04: 01:30-02:00 twice, first at +11:00.
        assert_eq!(
            resolve_local(local("2027-04-04T01:45:00"), Lord_Howe),
            utc("2027-04-03T14:45:00Z")
        );
    }

    #[test]
    fn parse_instant_offset_wins() {
        assert_eq!(
            parse_instant("2026-12-01T09:00:00+01:00", Some(New_York)).unwrap(),
            utc("2026-12-01T08:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-01T09:00:00Z", None).unwrap(),
            utc("2026-12-01T09:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-01T09:00:00.250Z", None).unwrap(),
            utc("2026-12-01T09:00:00.250Z")
        );
    }

    #[test]
    fn parse_instant_local_times_use_the_zone() {
        assert_eq!(
            parse_instant("2026-12-01T09:00:00", Some(Berlin)).unwrap(),
            utc("2026-12-01T08:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-01T09:00:00.5", Some(Berlin)).unwrap(),
            utc("2026-12-01T08:00:00.5Z")
        );
        assert_eq!(
            parse_instant("2026-12-01T09:00:00", None).unwrap(),
            utc("2026-12-01T09:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-01", Some(New_York)).unwrap(),
            utc("2026-12-01T05:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-12-01", None).unwrap(),
            utc("2026-12-01T00:00:00Z")
        );
        // Local input gets the DST rules too.
        assert_eq!(
            parse_instant("2027-03-14T02:30:00", Some(New_York)).unwrap(),
            utc("2027-03-14T07:00:00Z")
        );
    }

    #[test]
    fn parse_instant_rejects_garbage() {
        for bad in [
            "",
            "tomorrow",
            "2026-13-01",
            "2026-12-01T25:00:00",
            "2026-12-01 09:00",
            "2026-12-01T09:00:00+25:00",
            "1733043600",
            "+2026-12-01T09:00:00",
            "-0001-12-01",
            "12026-12-01",
            "2026-12-01T09:00:00 ",
        ] {
            assert_eq!(
                parse_instant(bad, None).unwrap_err(),
                INSTANT_ERROR,
                "{bad:?}"
            );
        }
    }
}

/// Real DST transitions shared by the property tests of this module and `cron_spec`.
#[cfg(test)]
pub(crate) mod transitions {
    use chrono::{DateTime, Duration, NaiveDateTime, Utc};
    use chrono_tz::{America::New_York, Australia::Lord_Howe, Europe::Berlin, Tz};
    use proptest::test_runner::{Config, RngSeed};

    pub(crate) struct Transition {
        pub tz: Tz,
        /// The instant the offset changes.
        pub at: DateTime<Utc>,
        /// UTC offsets in seconds just before and from `at` on.
        pub before: i64,
        pub after: i64,
    }

    const H: i64 = 3600;

    pub(crate) fn all() -> Vec<Transition> {
        let t = |tz, at: &str, before, after| Transition {
            tz,
            at: at.parse().expect("fixture instant"),
            before,
            after,
        };
        vec![
            t(New_York, "2027-03-14T07:00:00Z", -5 * H, -4 * H),
            t(New_York, "2027-11-07T06:00:00Z", -4 * H, -5 * H),
            t(Berlin, "2027-03-28T01:00:00Z", H, 2 * H),
            t(Berlin, "2027-10-31T01:00:00Z", 2 * H, H),
            t(Lord_Howe, "2026-10-03T15:30:00Z", 21 * H / 2, 11 * H),
            t(Lord_Howe, "2027-04-03T15:00:00Z", 11 * H, 21 * H / 2),
        ]
    }

    impl Transition {
        /// Independent of chrono-tz's local-time lookup: the instants whose wall-clock
        /// is `local`, from the two offsets around this transition alone.
        pub fn occurrences(&self, local: NaiveDateTime) -> Vec<DateTime<Utc>> {
            let as_utc = local.and_utc();
            let mut out = Vec::new();
            let early = as_utc - Duration::seconds(self.before);
            if early < self.at {
                out.push(early);
            }
            let late = as_utc - Duration::seconds(self.after);
            if late >= self.at {
                out.push(late);
            }
            out
        }

        /// Local wall-clock at the transition in the pre-transition offset.
        pub fn local_before(&self) -> NaiveDateTime {
            self.at.naive_utc() + Duration::seconds(self.before)
        }
    }

    /// Reproducible runs: a fixed seed, no regression files written into the tree.
    pub(crate) fn proptest_config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0x0C41_3E55),
            failure_persistence: None,
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod properties {
    use super::transitions::{self, Transition};
    use super::*;
    use chrono::{Duration, Offset};
    use proptest::prelude::*;

    const TWO_DAYS: i64 = 2 * 86_400;

    #[test]
    fn fixture_matches_the_tz_database() {
        for t in transitions::all() {
            let offset_at = |instant: DateTime<Utc>| {
                i64::from(
                    instant
                        .with_timezone(&t.tz)
                        .offset()
                        .fix()
                        .local_minus_utc(),
                )
            };
            assert_eq!(offset_at(t.at - Duration::seconds(1)), t.before, "{}", t.at);
            assert_eq!(offset_at(t.at), t.after, "{}", t.at);
        }
    }

    fn case(t: &Transition, delta_secs: i64, nanos: u32) -> NaiveDateTime {
        t.local_before() + Duration::seconds(delta_secs) + Duration::nanoseconds(i64::from(nanos))
    }

    proptest! {
        #![proptest_config(transitions::proptest_config(400))]

        #[test]
        fn resolve_local_follows_the_dst_rules(
            which in 0..6usize,
            delta in -TWO_DAYS..=TWO_DAYS,
            nanos in prop_oneof![Just(0u32), 0..1_000_000_000u32],
        ) {
            let t = &transitions::all()[which];
            let local = case(t, delta, nanos);
            let resolved = resolve_local(local, t.tz);
            let wall = resolved.with_timezone(&t.tz).naive_local();
            let occurrences = t.occurrences(local);

            prop_assert!(wall >= local, "{local} -> {resolved} (wall {wall})");
            match occurrences.as_slice() {
                // In the gap: the transition itself, i.e. the gap's end.
                [] => {
                    prop_assert_eq!(resolved, t.at);
                    prop_assert_eq!(wall, t.at.naive_utc() + Duration::seconds(t.after));
                }
                [only] => {
                    prop_assert_eq!(resolved, *only);
                    prop_assert_eq!(wall, local);
                }
                // Repeated by fall-back: the earlier one.
                [first, second] => {
                    prop_assert!(first < second);
                    prop_assert_eq!(resolved, *first);
                    prop_assert_eq!(wall, local);
                }
                _ => unreachable!("two offsets give at most two occurrences"),
            }
        }

        #[test]
        fn resolve_local_is_monotonic(
            which in 0..6usize,
            a in -TWO_DAYS..=TWO_DAYS,
            b in -TWO_DAYS..=TWO_DAYS,
        ) {
            let t = &transitions::all()[which];
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(resolve_local(case(t, lo, 0), t.tz) <= resolve_local(case(t, hi, 0), t.tz));
        }
    }
}
