-- Webhook deliveries: the durable queue. `seq` is the arrival order that per-PR ordering and
-- claims follow.
CREATE TABLE deliveries (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT        NOT NULL UNIQUE,
    event           TEXT        NOT NULL,
    action          TEXT,
    installation_id BIGINT,
    repo            TEXT,
    pr_key          TEXT,
    coalescable     BOOLEAN     NOT NULL DEFAULT FALSE,
    status          TEXT        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'done', 'coalesced', 'failed')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    last_error      TEXT,
    claimed_by      TEXT,
    received_at     TIMESTAMPTZ NOT NULL,
    available_at    TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    -- Large payloads are TOASTed out of line, so status updates do not copy them.
    payload         TEXT        NOT NULL
);

-- Claims walk pending (and expired processing) deliveries in arrival order.
CREATE INDEX deliveries_status_seq ON deliveries (status, seq);
-- Per-PR checks: is an older delivery unfinished, is one held under a live lease.
CREATE INDEX deliveries_pr_status_seq ON deliveries (pr_key, status, seq) WHERE pr_key IS NOT NULL;

-- What the bot remembers about one pull request between evaluations.
CREATE TABLE pr_state (
    repo           TEXT        NOT NULL,
    pr_number      BIGINT      NOT NULL,
    comment_id     BIGINT,
    comment_hash   TEXT,
    check_head_sha TEXT,
    check_run_id   BIGINT,
    check_hash     TEXT,
    skip           JSONB,                          -- {"by", "reason", "at"} or NULL
    requested      JSONB       NOT NULL DEFAULT '[]', -- logins and org/team slugs
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo, pr_number),
    CHECK ((check_head_sha IS NULL) = (check_run_id IS NULL))
);

-- Every state-changing or refused command.
CREATE TABLE audit_log (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    repo      TEXT        NOT NULL,
    pr_number BIGINT      NOT NULL,
    head_sha  TEXT,
    actor     TEXT        NOT NULL,
    command   TEXT        NOT NULL,
    reason    TEXT,
    outcome   TEXT        NOT NULL
);

CREATE INDEX audit_log_repo_at ON audit_log (repo, at);
CREATE INDEX audit_log_at ON audit_log (at);
