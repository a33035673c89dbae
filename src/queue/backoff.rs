//! Exponential backoff with jitter for transient failures.

use std::time::Duration;

use rand::Rng;

/// Delay before attempt `n + 1` after `n` failed attempts: `base * 2^(n-1)`, capped, plus up
/// to 50% random jitter so that many deliveries failing together do not retry together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn delay(&self, failed_attempts: u32) -> Duration {
        let exponent = failed_attempts.saturating_sub(1).min(20);
        let raw = self.base.saturating_mul(1u32 << exponent).min(self.max);
        let jitter = rand::rng().random_range(0.0..0.5);
        raw + raw.mul_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_the_cap() {
        let backoff = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        for (attempts, raw) in [(1, 1), (2, 2), (3, 4), (4, 8), (10, 60), (40, 60)] {
            let delay = backoff.delay(attempts);
            let raw = Duration::from_secs(raw);
            assert!(
                delay >= raw && delay <= raw.mul_f64(1.5),
                "{attempts}: {delay:?}"
            );
        }
    }
}
