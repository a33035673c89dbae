//! Random fault injection and a per-PR evaluation tracker, for the reliability tests.
//!
//! [`FakeGithub::chaos`] makes a seeded fraction of API calls fail the ways GitHub does under
//! stress: 502, 429 with `Retry-After`, 403 secondary rate limit with `Retry-After`, and a 502
//! *after* a write was applied (the answer is lost, the comment or check run exists). Another
//! fraction answers slowly. [`FakeGithub::track_evaluations`] detects two evaluations of the same
//! pull request at the same time.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::FakeGithub;
use super::state::Fault;

/// Seeded random faults for every API call (installation tokens included).
#[derive(Debug)]
pub struct Chaos {
    rate: f64,
    slow_rate: f64,
    slow: Duration,
    retry_after_secs: u64,
    rng: StdRng,
    stats: ChaosStats,
    /// `(method, path, times)`: the next writes there are applied, then answered 502.
    lose: Vec<(String, String, usize)>,
}

/// What the chaos did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChaosStats {
    /// Calls seen while chaos was on.
    pub calls: usize,
    /// 502 before anything happened.
    pub bad_gateway: usize,
    /// 502 after a write was applied (POST/PATCH only).
    pub lost_answers: usize,
    /// 429 + `Retry-After`.
    pub too_many_requests: usize,
    /// 403 secondary rate limit + `Retry-After`.
    pub secondary_rate_limits: usize,
    /// Answers delayed by the slow latency.
    pub slow: usize,
}

impl ChaosStats {
    /// Calls answered with an error.
    pub fn failures(&self) -> usize {
        self.bad_gateway + self.lost_answers + self.too_many_requests + self.secondary_rate_limits
    }
}

/// What chaos decided for one call.
pub(crate) enum Roll {
    /// Answer this fault without running the route.
    Before(Fault),
    /// Run the route (the write happens), then answer 502.
    AfterApplying,
    Pass,
}

impl Chaos {
    fn new(seed: u64) -> Self {
        Chaos {
            rate: 0.0,
            slow_rate: 0.0,
            slow: Duration::ZERO,
            retry_after_secs: 1,
            rng: StdRng::seed_from_u64(seed),
            stats: ChaosStats::default(),
            lose: Vec::new(),
        }
    }

    /// Decides the fate of one `method path` call; `delay` is the extra latency to add.
    pub(crate) fn roll(&mut self, method: &str, path: &str) -> (Roll, Duration) {
        self.stats.calls += 1;
        if let Some(rule) = self
            .lose
            .iter_mut()
            .find(|(m, p, times)| *times > 0 && m == method && p == path)
        {
            rule.2 -= 1;
            self.stats.lost_answers += 1;
            return (Roll::AfterApplying, Duration::ZERO);
        }
        let delay = if self.rng.random_bool(self.slow_rate) {
            self.stats.slow += 1;
            self.slow
        } else {
            Duration::ZERO
        };
        if !self.rng.random_bool(self.rate) {
            return (Roll::Pass, delay);
        }
        let write = method == "POST" || method == "PATCH";
        let roll = match self.rng.random_range(0..4) {
            0 if write => {
                self.stats.lost_answers += 1;
                Roll::AfterApplying
            }
            0 | 1 => {
                self.stats.bad_gateway += 1;
                Roll::Before(Fault::Status(502))
            }
            2 => {
                self.stats.too_many_requests += 1;
                Roll::Before(Fault::TooManyRequests {
                    retry_after_secs: self.retry_after_secs,
                })
            }
            _ => {
                self.stats.secondary_rate_limits += 1;
                Roll::Before(Fault::SecondaryRateLimit {
                    retry_after_secs: self.retry_after_secs,
                })
            }
        };
        (roll, delay)
    }
}

/// Open evaluations per PR, from the PR's `GET .../pulls/N/reviews` to the end of its next
/// check-run write (identified by the run's `external_id`, which is `owner/repo#N`).
#[derive(Debug, Default)]
pub struct EvaluationTracker {
    open: HashMap<String, usize>,
    /// Evaluations started and closed.
    pub started: usize,
    pub closed: usize,
    /// PRs seen with two evaluations open at once (one entry per occurrence).
    pub overlaps: Vec<String>,
}

impl EvaluationTracker {
    fn start(&mut self, pr: String) {
        self.started += 1;
        let open = self.open.entry(pr.clone()).or_default();
        *open += 1;
        if *open > 1 {
            self.overlaps.push(pr);
        }
    }

    fn close(&mut self, pr: &str) {
        if let Some(open) = self.open.get_mut(pr)
            && *open > 0
        {
            *open -= 1;
            self.closed += 1;
        }
    }
}

/// The PR whose reviews `GET /repos/{o}/{r}/pulls/{n}/reviews` lists.
fn reviews_of(method: &str, path: &str) -> Option<String> {
    if method != "GET" {
        return None;
    }
    let rest = path.strip_prefix("/repos/")?.strip_suffix("/reviews")?;
    let (repo, number) = rest.split_once("/pulls/")?;
    number.parse::<u64>().ok()?;
    Some(format!("{repo}#{number}"))
}

fn is_check_run_write(method: &str, path: &str) -> bool {
    (method == "POST" && path.ends_with("/check-runs"))
        || (method == "PATCH" && path.contains("/check-runs/"))
}

/// What the tracker must do once the call is answered.
pub(crate) enum Tracked {
    Nothing,
    /// The reviews were listed: an evaluation of this PR is under way (a failed listing is
    /// retried, so only a successful one counts; `304 Not Modified` is a successful listing).
    StartIfOk(String),
    /// A check-run write of this PR: its evaluation is done (whatever the answer).
    CloseAfter(String),
}

/// Called by the log layer before a call is routed: opens an evaluation, or reads the PR a
/// check-run write is for (buffering the body, which is given back unchanged).
pub(crate) async fn track(
    shared: &super::Shared,
    method: &str,
    path: &str,
    request: Request,
) -> (Request, Tracked) {
    if shared.lock().tracking.is_none() {
        return (request, Tracked::Nothing);
    }
    if let Some(pr) = reviews_of(method, path) {
        return (request, Tracked::StartIfOk(pr));
    }
    if !is_check_run_write(method, path) {
        return (request, Tracked::Nothing);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let pr = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("external_id")?.as_str().map(str::to_string));
    let request = Request::from_parts(parts, Body::from(bytes));
    match pr {
        Some(pr) => (request, Tracked::CloseAfter(pr)),
        None => (request, Tracked::Nothing),
    }
}

/// Called by the log layer once the call is answered.
pub(crate) fn answered(shared: &super::Shared, tracked: Tracked, status: u16) {
    let mut state = shared.lock();
    let Some(t) = state.tracking.as_mut() else {
        return;
    };
    match tracked {
        Tracked::StartIfOk(pr) if (200..300).contains(&status) || status == 304 => t.start(pr),
        Tracked::CloseAfter(pr) => t.close(&pr),
        _ => {}
    }
}

impl FakeGithub {
    /// Fails a `rate` fraction of API calls at random: 502, 429 or a secondary rate limit with
    /// `Retry-After: retry_after_secs`, or for writes a 502 after applying. `slow_rate` of the
    /// calls also wait `slow` first. Seeded: the same sequence of faults each run (which call
    /// meets which still depends on timing).
    pub fn chaos(
        &self,
        rate: f64,
        seed: u64,
        retry_after_secs: u64,
        slow_rate: f64,
        slow: Duration,
    ) -> &Self {
        let mut state = self.lock();
        let chaos = state.chaos.get_or_insert_with(|| Chaos::new(seed));
        chaos.rate = rate;
        chaos.slow_rate = slow_rate;
        chaos.slow = slow;
        chaos.retry_after_secs = retry_after_secs;
        chaos.rng = StdRng::seed_from_u64(seed);
        drop(state);
        self
    }

    /// The next `times` writes `method path` (path without prefix or query) are applied, then
    /// answered 502, as when GitHub's answer is lost on the way back.
    pub fn lose_answer_next(&self, method: &str, path: &str, times: usize) -> &Self {
        self.lock()
            .chaos
            .get_or_insert_with(|| Chaos::new(0))
            .lose
            .push((method.to_uppercase(), path.to_string(), times));
        self
    }

    /// Stops injecting random faults (what was injected stays in [`chaos_stats`](Self::chaos_stats)).
    pub fn calm(&self) -> &Self {
        if let Some(chaos) = self.lock().chaos.as_mut() {
            chaos.rate = 0.0;
            chaos.slow_rate = 0.0;
        }
        self
    }

    /// What the chaos injected so far.
    pub fn chaos_stats(&self) -> ChaosStats {
        self.lock()
            .chaos
            .as_ref()
            .map(|c| c.stats.clone())
            .unwrap_or_default()
    }

    /// Starts detecting concurrent evaluations of one PR (see [`EvaluationTracker`]).
    pub fn track_evaluations(&self) -> &Self {
        self.lock().tracking = Some(EvaluationTracker::default());
        self
    }

    /// `(started, closed, overlapping PRs)` of the tracked evaluations.
    pub fn evaluations(&self) -> (usize, usize, Vec<String>) {
        self.lock()
            .tracking
            .as_ref()
            .map(|t| (t.started, t.closed, t.overlaps.clone()))
            .unwrap_or_default()
    }
}
