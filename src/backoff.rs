//! The one retry schedule: how long to wait after a transient failure, for a GitHub call retried
//! in-process ([`crate::github::RetryPolicy`]) and for a delivery retried by the queue
//! ([`crate::queue`]). One formula, so that both layers back off the same way and the numbers
//! in docs/reliability.md hold for both.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with "equal jitter": after `n` failed attempts the ceiling is
/// `base * 2^(n-1)`, capped at `max`, and the wait is drawn between half the ceiling and all of
/// it. The cap bounds every wait; the jitter keeps many callers failing together from retrying
/// together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling after the first failure.
    pub base: Duration,
    /// The largest ceiling, whatever the number of failures.
    pub max: Duration,
}

impl Backoff {
    /// The wait after `failed_attempts` failures, with a random jitter.
    pub fn delay(&self, failed_attempts: u32) -> Duration {
        self.delay_with_jitter(failed_attempts, rand::rng().random_range(0.0..=1.0))
    }

    /// The wait after `failed_attempts` failures for a given `jitter` in `0.0..=1.0`: `0.0` gives
    /// half the ceiling, `1.0` all of it. Pure, so the schedule can be tested exactly.
    pub fn delay_with_jitter(&self, failed_attempts: u32, jitter: f64) -> Duration {
        let ceiling = self.ceiling(failed_attempts);
        let half = ceiling / 2;
        half + (ceiling - half).mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// `base * 2^(failed_attempts - 1)`, at most `max` (at least one failure is assumed).
    fn ceiling(&self, failed_attempts: u32) -> Duration {
        let exponent = failed_attempts.saturating_sub(1).min(31);
        self.base.saturating_mul(1u32 << exponent).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_ceiling_doubles_per_failure_up_to_the_cap() {
        let backoff = Backoff {
            base: secs(2),
            max: secs(15 * 60),
        };
        let ceilings: Vec<u64> = (1..=11)
            .map(|n| backoff.delay_with_jitter(n, 1.0).as_secs())
            .collect();
        assert_eq!(ceilings, [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(backoff.delay_with_jitter(u32::MAX, 1.0), secs(900));
    }

    #[test]
    fn the_jitter_spans_half_the_ceiling_to_all_of_it() {
        let backoff = Backoff {
            base: Duration::from_millis(500),
            max: secs(20),
        };
        assert_eq!(
            backoff.delay_with_jitter(1, 0.0),
            Duration::from_millis(250)
        );
        assert_eq!(
            backoff.delay_with_jitter(1, 0.5),
            Duration::from_millis(375)
        );
        assert_eq!(
            backoff.delay_with_jitter(1, 1.0),
            Duration::from_millis(500)
        );
        assert_eq!(backoff.delay_with_jitter(3, 0.0), secs(1));
        assert_eq!(
            backoff.delay_with_jitter(3, 7.0),
            secs(2),
            "jitter is clamped"
        );
    }

    #[test]
    fn no_failure_counts_as_the_first() {
        let backoff = Backoff {
            base: secs(1),
            max: secs(60),
        };
        assert_eq!(backoff.delay_with_jitter(0, 1.0), secs(1));
    }

    #[test]
    fn a_random_delay_stays_within_the_schedule() {
        let backoff = Backoff {
            base: secs(1),
            max: secs(60),
        };
        for n in 1..=8 {
            let delay = backoff.delay(n);
            assert!(
                backoff.delay_with_jitter(n, 0.0) <= delay
                    && delay <= backoff.delay_with_jitter(n, 1.0),
                "{n}: {delay:?}"
            );
        }
    }
}
