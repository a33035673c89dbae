//! How long after a comment was written its commands may still run, and how long the store
//! keeps which delivery ran them: together they keep a replayed delivery from running a
//! comment's commands a second time.

use std::time::Duration;

/// How long after GitHub last changed a comment (or submitted a review) a delivery of it may
/// still run its commands. GitHub delivers within seconds, its own redelivery reaches back three
/// days, and a retry keeps the time of the first attempt: only a replayed delivery comes later.
pub const MAX_DELIVERY_DELAY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long the store remembers which delivery ran a comment's commands: past
/// [`MAX_DELIVERY_DELAY`] (and a day for clocks that disagree) a replay is refused by its age.
pub const COMMAND_RUNS_KEPT: Duration =
    Duration::from_secs(MAX_DELIVERY_DELAY.as_secs() + 24 * 3600);
