//! When to try again: the configured schedule with ±20 % jitter, which a provider's
//! `Retry-After` may lengthen (up to a cap) but never shorten. Pure code, tested as such.

use rand::Rng;
use std::time::Duration;

/// A provider may ask for more time than our schedule, but never more than this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);
const MIN_DELAY: Duration = Duration::from_millis(10);

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    delays: Vec<Duration>,
    jitter: f64,
}

impl RetryPolicy {
    pub fn new(delays: Vec<Duration>) -> RetryPolicy {
        RetryPolicy {
            delays,
            jitter: 0.2,
        }
    }

    /// The delay after failed attempt number `attempt` (1-based), or `None` when no attempts
    /// remain. Past the end of the schedule the last delay repeats (for `max_attempts` above
    /// the schedule's length).
    pub fn next_delay(
        &self,
        attempt: i32,
        max_attempts: i32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Option<Duration> {
        if attempt >= max_attempts {
            return None;
        }
        let index = (attempt.max(1) as usize - 1).min(self.delays.len().saturating_sub(1));
        let base = *self.delays.get(index)?;
        let factor = 1.0 + rng.gen_range(-self.jitter..=self.jitter);
        let jittered = base.mul_f64(factor);
        // `Retry-After` is the least a provider wants us to wait, not a replacement for the
        // schedule: taken as is, `429 Retry-After: 0` would use up every attempt in
        // milliseconds, and many notifications told the same would retry in one burst. The
        // jittered delay stays the floor, which keeps the schedule's spread and pace.
        let delay = match retry_after {
            Some(asked) => jittered.max(asked.min(MAX_RETRY_AFTER.max(base))),
            None => jittered,
        };
        Some(delay.max(MIN_DELAY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(vec![
            Duration::from_secs(5),
            Duration::from_secs(300),
            Duration::from_secs(1800),
        ])
    }

    #[test]
    fn follows_the_schedule_within_jitter() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let d = policy().next_delay(1, 4, None, &mut rng).unwrap();
            assert!(
                d >= Duration::from_secs(4) && d <= Duration::from_secs(6),
                "{d:?}"
            );
            let d = policy().next_delay(2, 4, None, &mut rng).unwrap();
            assert!(
                d >= Duration::from_secs(240) && d <= Duration::from_secs(360),
                "{d:?}"
            );
        }
    }

    #[test]
    fn stops_at_max_attempts_and_repeats_the_last_delay_beyond_the_schedule() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(policy().next_delay(4, 4, None, &mut rng), None);
        let d = policy().next_delay(9, 20, None, &mut rng).unwrap();
        assert!(d >= Duration::from_secs(1440) && d <= Duration::from_secs(2160));
    }

    #[test]
    fn retry_after_lengthens_a_delay_up_to_the_cap() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let asked = Duration::from_secs(42);
        assert_eq!(
            policy().next_delay(1, 4, Some(asked), &mut rng),
            Some(asked)
        );
        let huge = Duration::from_secs(30 * 86_400);
        assert_eq!(
            policy().next_delay(1, 4, Some(huge), &mut rng),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_never_shortens_the_schedule() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for _ in 0..200 {
            for asked in [0, 1, 3] {
                let asked = Duration::from_secs(asked);
                let d = policy().next_delay(1, 4, Some(asked), &mut rng).unwrap();
                assert!(
                    d >= Duration::from_secs(4) && d <= Duration::from_secs(6),
                    "Retry-After {asked:?} gave {d:?}"
                );
                let d = policy().next_delay(3, 4, Some(asked), &mut rng).unwrap();
                assert!(d >= Duration::from_secs(1440), "{d:?}");
            }
            // Asked for a little more than the jittered delay: what was asked wins.
            let asked = Duration::from_millis(5_900);
            let d = policy().next_delay(1, 4, Some(asked), &mut rng).unwrap();
            assert!(d >= asked && d <= Duration::from_secs(6), "{d:?}");
        }
    }
}
