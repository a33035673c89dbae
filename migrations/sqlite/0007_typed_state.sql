-- The published check run's state in columns of its own, where it was one
-- "status:digest:notes" text (or "status:digest", from before the annotations' digest was
-- kept); and the audit outcome as a kind and a detail, where it was "refused: <rule>" text.

ALTER TABLE pr_state ADD COLUMN check_status TEXT CHECK (check_status IN ('completed', 'in_progress'));
ALTER TABLE pr_state ADD COLUMN check_digest TEXT;
ALTER TABLE pr_state ADD COLUMN check_notes TEXT;

-- Every expression of an UPDATE reads the row as it was, so the split takes two statements:
-- status and the rest, then the rest into digest and notes. A text of another form is left
-- unknown (all NULL): the next evaluation publishes a fresh run, as it would have.
UPDATE pr_state SET
    check_status = substr(check_hash, 1, instr(check_hash, ':') - 1),
    check_digest = substr(check_hash, instr(check_hash, ':') + 1)
WHERE check_hash LIKE 'completed:%' OR check_hash LIKE 'in_progress:%';
UPDATE pr_state SET
    check_digest = CASE WHEN instr(check_digest, ':') > 0
                        THEN substr(check_digest, 1, instr(check_digest, ':') - 1)
                        ELSE check_digest END,
    check_notes  = CASE WHEN instr(check_digest, ':') > 0
                        THEN substr(check_digest, instr(check_digest, ':') + 1) END
WHERE check_digest IS NOT NULL;

ALTER TABLE pr_state DROP COLUMN check_hash;

-- SQLite cannot add a CHECK to an existing column: the audit log is copied into a new table.
CREATE TABLE audit_log_typed (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    repo           TEXT    NOT NULL,
    pr_number      INTEGER NOT NULL,
    head_sha       TEXT,
    actor          TEXT    NOT NULL,
    command        TEXT    NOT NULL,
    reason         TEXT,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('done', 'refused', 'invalid')),
    outcome_detail TEXT    -- the rule that refused, or why the command is invalid
);

-- Texts of no known form are kept whole, as the message of an invalid command.
INSERT INTO audit_log_typed
    (seq, at, repo, pr_number, head_sha, actor, command, reason, outcome, outcome_detail)
SELECT seq, at, repo, pr_number, head_sha, actor, command, reason,
       CASE WHEN outcome = 'done' THEN 'done'
            WHEN outcome LIKE 'refused: %' THEN 'refused'
            ELSE 'invalid' END,
       CASE WHEN outcome = 'done' THEN NULL
            WHEN outcome LIKE 'refused: %' OR outcome LIKE 'invalid: %'
                THEN substr(outcome, instr(outcome, ': ') + 2)
            ELSE outcome END
FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_typed RENAME TO audit_log;
CREATE INDEX audit_log_repo_at ON audit_log (repo, at);
CREATE INDEX audit_log_at ON audit_log (at);
