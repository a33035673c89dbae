//! When to try a GitHub request again, and how long to wait first.
//!
//! The decision is a pure function of the call's idempotency, the attempt number and what came back,
//! so it can be tested without a server. Two rules matter most:
//! - a non-idempotent create (new comment, check run, reaction, reviewer request) is never repeated
//!   after a 5xx or a network failure, because GitHub may already have applied it;
//! - rate limits are honoured: `Retry-After` (secondary limit) and `X-RateLimit-Reset` (primary limit)
//!   say when to come back. Short waits happen in-process; long ones become
//!   [`GithubError::RateLimited`](super::GithubError::RateLimited) so the queue reschedules the work.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;

use crate::backoff::Backoff;

/// How hard to retry transient failures. Chosen once per [`GithubApp`](super::GithubApp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts per call, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Longest wait before the second attempt, doubled for each further one ([`Backoff::base`]).
    pub base_delay: Duration,
    /// Upper bound of one wait ([`Backoff::max`]).
    pub max_delay: Duration,
    /// Longest rate-limit wait done in-process; beyond it the call fails with `RateLimited`.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// Whether repeating a request can change the outcome on GitHub's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, PUT, DELETE, PATCH of a known resource: safe to send again.
    Idempotent,
    /// POST that creates something: repeated only when GitHub certainly did not apply it (rate limits).
    Create,
}

/// What one attempt produced, as far as retrying is concerned.
#[derive(Debug)]
pub(crate) enum Attempt<'a> {
    /// GitHub answered with a non-success status.
    Status {
        status: u16,
        headers: &'a HeaderMap,
        body: &'a str,
    },
    /// The request failed before a response arrived (connect error, reset, timeout).
    Network,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then send again.
    RetryAfter(Duration),
    /// Stop: a rate limit lifts at this moment, later than we wait in-process.
    RateLimited(DateTime<Utc>),
    /// Stop and report the failure as it is.
    GiveUp,
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1-based) failed.
    pub(crate) fn decide(
        &self,
        idempotency: Idempotency,
        attempt: u32,
        outcome: &Attempt<'_>,
        now: DateTime<Utc>,
    ) -> Decision {
        let more_allowed = attempt < self.max_attempts;
        match outcome {
            Attempt::Network
            | Attempt::Status {
                status: 500..=599, ..
            } => {
                if idempotency == Idempotency::Idempotent && more_allowed {
                    Decision::RetryAfter(self.backoff(attempt))
                } else {
                    Decision::GiveUp
                }
            }
            Attempt::Status {
                status,
                headers,
                body,
            } => match rate_limit_wait(*status, headers, body, now) {
                Some(wait) => self.wait_for_limit(wait, more_allowed, now),
                None if *status == 429 => {
                    let wait = self.backoff(attempt);
                    self.wait_for_limit(wait, more_allowed, now)
                }
                None => Decision::GiveUp,
            },
        }
    }

    fn wait_for_limit(&self, wait: Duration, more_allowed: bool, now: DateTime<Utc>) -> Decision {
        if more_allowed && wait <= self.max_wait {
            Decision::RetryAfter(wait)
        } else {
            let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
            Decision::RateLimited(
                now.checked_add_signed(wait)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            )
        }
    }

    /// The shared schedule ([`Backoff`]) with this policy's base and cap.
    fn backoff(&self, attempt: u32) -> Duration {
        Backoff {
            base: self.base_delay,
            max: self.max_delay,
        }
        .delay(attempt)
    }
}

/// How long a rate-limit answer asks us to wait, when it is one.
///
/// Secondary limits carry `Retry-After` (seconds); primary limits carry `X-RateLimit-Remaining: 0`
/// and `X-RateLimit-Reset` (epoch seconds). A secondary-limit 403 without `Retry-After` means
/// "wait at least a minute" per GitHub's documentation.
fn rate_limit_wait(
    status: u16,
    headers: &HeaderMap,
    body: &str,
    now: DateTime<Utc>,
) -> Option<Duration> {
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(seconds) = header_u64(headers, "retry-after") {
        return Some(Duration::from_secs(seconds));
    }
    if header_u64(headers, "x-ratelimit-remaining") == Some(0)
        && let Some(reset) = header_u64(headers, "x-ratelimit-reset")
    {
        let reset = i64::try_from(reset).unwrap_or(i64::MAX);
        let seconds = (reset - now.timestamp()).max(0).unsigned_abs();
        // One extra second: GitHub's reset is whole seconds and clocks differ slightly.
        return Some(Duration::from_secs(seconds + 1));
    }
    if body.to_ascii_lowercase().contains("secondary rate limit") {
        return Some(Duration::from_secs(60));
    }
    None
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
        }
    }

    fn status(code: u16, headers: &HeaderMap) -> Attempt<'_> {
        Attempt::Status {
            status: code,
            headers,
            body: "",
        }
    }

    #[test]
    fn server_errors_retry_only_idempotent_calls() {
        let h = HeaderMap::new();
        let now = Utc::now();
        assert!(matches!(
            policy().decide(Idempotency::Idempotent, 1, &status(502, &h), now),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            policy().decide(Idempotency::Create, 1, &status(502, &h), now),
            Decision::GiveUp
        );
        assert_eq!(
            policy().decide(Idempotency::Create, 1, &Attempt::Network, now),
            Decision::GiveUp
        );
        assert_eq!(
            policy().decide(Idempotency::Idempotent, 3, &status(502, &h), now),
            Decision::GiveUp
        );
    }

    #[test]
    fn secondary_limit_waits_retry_after_even_for_creates() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            policy().decide(Idempotency::Create, 1, &status(403, &h), Utc::now()),
            Decision::RetryAfter(Duration::from_secs(7))
        );
    }

    #[test]
    fn long_primary_limit_becomes_rate_limited_until_reset() {
        let now = Utc::now();
        let reset = now.timestamp() + 3600;
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset", reset.to_string().parse().unwrap());
        match policy().decide(Idempotency::Idempotent, 1, &status(403, &h), now) {
            Decision::RateLimited(until) => assert!(until.timestamp() >= reset),
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    #[test]
    fn plain_forbidden_and_not_found_are_final() {
        let h = HeaderMap::new();
        for code in [403, 404, 422] {
            assert_eq!(
                policy().decide(Idempotency::Idempotent, 1, &status(code, &h), Utc::now()),
                Decision::GiveUp
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = policy();
        for attempt in 1..10 {
            let d = p.backoff(attempt);
            assert!(d <= p.max_delay);
            assert!(d >= p.base_delay.min(p.max_delay) / 2);
        }
        assert!(p.backoff(2) >= Duration::from_millis(100));
    }
}
