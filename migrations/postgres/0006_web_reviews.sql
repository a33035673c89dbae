-- What the web pages show: one row per pull request as its last evaluation left it, the
-- reviewers asked or awaited with when they were first asked, and the history of outcomes.
-- Timestamps are TIMESTAMPTZ.

CREATE TABLE web_reviews (
    repo          TEXT    NOT NULL,
    pr_number     BIGINT      NOT NULL,
    title         TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    open          BOOLEAN     NOT NULL,
    state         TEXT    NOT NULL
                  CHECK (state IN ('gaps', 'awaiting', 'approved', 'skipped', 'no_docs', 'invalid')),
    reason        TEXT    NOT NULL,
    head_sha      TEXT    NOT NULL,
    docs          BIGINT NOT NULL,
    team          TEXT,
    awaited       JSONB   NOT NULL DEFAULT '[]', -- JSON [{"reviewer", "since"}], oldest first
    waiting_since TIMESTAMPTZ,                       -- the oldest awaited reviewer's request
    detail        JSONB   NOT NULL,              -- JSON: docs, gaps, requirements, approvals
    first_seen_at TIMESTAMPTZ NOT NULL,
    evaluated_at  TIMESTAMPTZ NOT NULL,
    approved_at   TIMESTAMPTZ,
    closed_at     TIMESTAMPTZ,
    PRIMARY KEY (repo, pr_number)
);

-- The board: open (or closed) reviews with docs, oldest first or longest waiting first.
CREATE INDEX web_reviews_board ON web_reviews (open, first_seen_at) WHERE docs > 0;
CREATE INDEX web_reviews_waiting ON web_reviews (open, waiting_since) WHERE docs > 0;

CREATE TABLE web_review_requests (
    repo         TEXT    NOT NULL,
    pr_number     BIGINT      NOT NULL,
    reviewer     TEXT    NOT NULL, -- `@login` or `@org/team`, lower case
    requested_at TIMESTAMPTZ NOT NULL,
    awaited      BOOLEAN     NOT NULL,
    PRIMARY KEY (repo, pr_number, reviewer)
);

-- "Waiting on me".
CREATE INDEX web_review_requests_reviewer ON web_review_requests (reviewer, awaited);

CREATE TABLE web_evaluations (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo      TEXT    NOT NULL,
    pr_number     BIGINT      NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    head_sha  TEXT    NOT NULL,
    state     TEXT    NOT NULL,
    reason    TEXT    NOT NULL
);

CREATE INDEX web_evaluations_pr ON web_evaluations (repo, pr_number, seq);
