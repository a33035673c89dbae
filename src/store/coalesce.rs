//! Which delivery a claim takes once the oldest unfinished delivery of a PR is eligible.
//!
//! Kept apart from the SQL so both backends apply exactly the same rule.

/// An unfinished delivery of the same PR that arrived after the claim's candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Follower {
    /// Arrival order.
    pub seq: i64,
    pub coalescable: bool,
    /// Pending and available now (not waiting for a retry time, not held by a worker).
    pub ready: bool,
}

/// The arrival sequence number of the delivery to claim.
///
/// `candidate` is the oldest unfinished delivery of its PR; `followers` are the PR's later
/// unfinished deliveries in arrival order. When the candidate is coalescable, the claim takes the
/// newest delivery of the unbroken run of ready, coalescable followers; the first delivery that
/// is not coalescable (or not ready) ends the run, so it and everything after it keep their order.
pub(crate) fn target(candidate: i64, candidate_coalescable: bool, followers: &[Follower]) -> i64 {
    if !candidate_coalescable {
        return candidate;
    }
    followers
        .iter()
        .take_while(|follower| follower.coalescable && follower.ready)
        .last()
        .map_or(candidate, |follower| follower.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follower(seq: i64, coalescable: bool, ready: bool) -> Follower {
        Follower {
            seq,
            coalescable,
            ready,
        }
    }

    #[test]
    fn takes_the_newest_of_a_coalescable_run() {
        let followers = [follower(2, true, true), follower(5, true, true)];
        assert_eq!(target(1, true, &followers), 5);
    }

    #[test]
    fn a_non_coalescable_delivery_ends_the_run() {
        let followers = [
            follower(2, true, true),
            follower(3, false, true),
            follower(4, true, true),
        ];
        assert_eq!(target(1, true, &followers), 2);
    }

    #[test]
    fn a_delivery_waiting_for_its_retry_time_ends_the_run() {
        let followers = [follower(2, true, false), follower(3, true, true)];
        assert_eq!(target(1, true, &followers), 1);
    }

    #[test]
    fn a_non_coalescable_candidate_is_taken_itself() {
        let followers = [follower(2, true, true)];
        assert_eq!(target(1, false, &followers), 1);
    }
}
