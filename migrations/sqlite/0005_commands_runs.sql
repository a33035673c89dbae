-- The comment and review-body versions whose commands ran, with the delivery that ran them: a
-- delivery re-sent under another id (a replay) finds its version here and runs nothing. Kept
-- for a bounded time only, as a comment delivered long after it was written is not run at all.
CREATE TABLE command_runs (
    source      TEXT    NOT NULL CHECK (source IN ('issue_comment', 'review')),
    source_id   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    delivery_id TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (source, source_id, updated_at)
);

CREATE INDEX command_runs_recorded_at ON command_runs (recorded_at);
