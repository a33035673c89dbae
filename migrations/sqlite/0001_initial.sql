-- Timestamps are INTEGER microseconds since the Unix epoch, UTC (sortable, same precision as
-- PostgreSQL's TIMESTAMPTZ).

-- Webhook deliveries: the durable queue. `seq` is the arrival order that per-PR ordering and
-- claims follow; AUTOINCREMENT guarantees it never goes backwards.
CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    event           TEXT    NOT NULL,
    action          TEXT,
    installation_id INTEGER,
    repo            TEXT,
    pr_key          TEXT,
    coalescable     INTEGER NOT NULL DEFAULT 0 CHECK (coalescable IN (0, 1)),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'done', 'coalesced', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    claimed_by      TEXT,
    received_at     INTEGER NOT NULL,
    available_at    INTEGER NOT NULL,
    lease_until     INTEGER,
    finished_at     INTEGER
);

-- Payloads live apart from the queue columns: SQLite rewrites a whole row on every update, and
-- a claim or completion must not copy a 20 KB payload each time it changes a status.
CREATE TABLE delivery_payloads (
    seq     INTEGER PRIMARY KEY REFERENCES deliveries (seq) ON DELETE CASCADE,
    payload TEXT    NOT NULL
);

-- Claims walk pending (and expired processing) deliveries in arrival order.
CREATE INDEX deliveries_status_seq ON deliveries (status, seq);
-- Per-PR checks: is an older delivery unfinished, is one held under a live lease.
CREATE INDEX deliveries_pr_status_seq ON deliveries (pr_key, status, seq) WHERE pr_key IS NOT NULL;

-- What the bot remembers about one pull request between evaluations.
CREATE TABLE pr_state (
    repo           TEXT    NOT NULL,
    pr_number      INTEGER NOT NULL,
    comment_id     INTEGER,
    comment_hash   TEXT,
    check_head_sha TEXT,
    check_run_id   INTEGER,
    check_hash     TEXT,
    skip           TEXT,                       -- JSON {"by", "reason", "at"} or NULL
    requested      TEXT    NOT NULL DEFAULT '[]', -- JSON array of logins and org/team slugs
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (repo, pr_number),
    CHECK ((check_head_sha IS NULL) = (check_run_id IS NULL))
);

-- Every state-changing or refused command.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    repo      TEXT    NOT NULL,
    pr_number INTEGER NOT NULL,
    head_sha  TEXT,
    actor     TEXT    NOT NULL,
    command   TEXT    NOT NULL,
    reason    TEXT,
    outcome   TEXT    NOT NULL
);

CREATE INDEX audit_log_repo_at ON audit_log (repo, at);
CREATE INDEX audit_log_at ON audit_log (at);
