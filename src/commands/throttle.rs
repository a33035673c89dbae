//! A per-PR limit on the commands anyone may run (`help`, `check`, `template`, `status`) and
//! on invalid and refused commands, so a loop of comments (or of bots quoting each other) cannot
//! burn the installation's API budget or flood the conversation with replies.
//!
//! In memory: the limit protects one process's API budget, and forgetting it on restart is
//! harmless. Each use is keyed by the delivery and the command's line, so a retried delivery
//! does not count its commands twice.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Commands anyone may run, invalid and refused ones included, per pull request and [`WINDOW`].
pub const LIMIT: usize = 5;
/// Command lines of one comment that are run; the rest are refused together, with one audit
/// row, so a comment of thousands of command lines costs what ten do.
pub const MAX_COMMANDS_PER_COMMENT: usize = 10;
/// The window [`LIMIT`] applies to.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Pull requests tracked before idle ones are forgotten.
const CAPACITY: usize = 4096;

/// Whether a command may run now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit. `notify` is true for the first refusal of the window only: the
    /// commenter is told once, later refusals just get a reaction (a reply per refusal would
    /// feed the very loop the limit stops).
    Throttled {
        notify: bool,
    },
}

#[derive(Debug, Default)]
struct PrWindow {
    /// When each counted use happened, with its key, oldest first.
    uses: VecDeque<(Instant, String)>,
    /// The refusal that told the commenter, with its key.
    notified: Option<(Instant, String)>,
}

/// Sliding-window counters per pull request.
#[derive(Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    prs: Mutex<HashMap<String, PrWindow>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(LIMIT, WINDOW)
    }
}

impl Throttle {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            prs: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a use of `pr` identified by `key` (delivery id and line) at `now`, unless the
    /// same key was counted before.
    pub fn check(&self, pr: &str, key: &str, now: Instant) -> Verdict {
        let mut prs = self.prs.lock().unwrap_or_else(|p| p.into_inner());
        if prs.len() >= CAPACITY && !prs.contains_key(pr) {
            let window = self.window;
            prs.retain(|_, w| {
                w.uses
                    .back()
                    .is_some_and(|(at, _)| now.saturating_duration_since(*at) < window)
            });
        }
        let state = prs.entry(pr.to_string()).or_default();
        while state
            .uses
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= self.window)
        {
            state.uses.pop_front();
        }
        if state.uses.iter().any(|(_, k)| k == key) {
            return Verdict::Allowed;
        }
        if state.uses.len() < self.limit {
            state.uses.push_back((now, key.to_string()));
            return Verdict::Allowed;
        }
        let notify = match &state.notified {
            Some((_, k)) if k == key => true,
            Some((at, _)) => now.saturating_duration_since(*at) >= self.window,
            None => true,
        };
        if notify {
            state.notified = Some((now, key.to_string()));
        }
        Verdict::Throttled { notify }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_pull_request_and_window() {
        let throttle = Throttle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(throttle.check("a#1", "d1:1", t0), Verdict::Allowed);
        assert_eq!(throttle.check("a#1", "d2:1", t0), Verdict::Allowed);
        assert_eq!(
            throttle.check("a#1", "d3:1", t0),
            Verdict::Throttled { notify: true }
        );
        assert_eq!(
            throttle.check("a#1", "d4:1", t0),
            Verdict::Throttled { notify: false }
        );
        // Another PR has its own budget.
        assert_eq!(throttle.check("a#2", "d5:1", t0), Verdict::Allowed);
        // A minute later the window has moved on.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(throttle.check("a#1", "d6:1", later), Verdict::Allowed);
    }

    #[test]
    fn a_retried_delivery_is_not_counted_twice() {
        let throttle = Throttle::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(throttle.check("a#1", "d1:1", t0), Verdict::Allowed);
        assert_eq!(throttle.check("a#1", "d1:1", t0), Verdict::Allowed);
        assert_eq!(
            throttle.check("a#1", "d2:1", t0),
            Verdict::Throttled { notify: true }
        );
        // The retry of the notified refusal notifies again (its first reply may be lost).
        assert_eq!(
            throttle.check("a#1", "d2:1", t0),
            Verdict::Throttled { notify: true }
        );
    }
}
