-- The published check run's state in columns of its own, where it was one
-- "status:digest:notes" text (or "status:digest", from before the annotations' digest was
-- kept); and the audit outcome as a kind and a detail, where it was "refused: <rule>" text.

ALTER TABLE pr_state
    ADD COLUMN check_status TEXT CHECK (check_status IN ('completed', 'in_progress')),
    ADD COLUMN check_digest TEXT,
    ADD COLUMN check_notes  TEXT;

-- Every expression of an UPDATE reads the row as it was, so the split takes two statements:
-- status and the rest, then the rest into digest and notes. A text of another form is left
-- unknown (all NULL): the next evaluation publishes a fresh run, as it would have.
UPDATE pr_state SET
    check_status = substr(check_hash, 1, strpos(check_hash, ':') - 1),
    check_digest = substr(check_hash, strpos(check_hash, ':') + 1)
WHERE check_hash LIKE 'completed:%' OR check_hash LIKE 'in_progress:%';
UPDATE pr_state SET
    check_digest = CASE WHEN strpos(check_digest, ':') > 0
                        THEN substr(check_digest, 1, strpos(check_digest, ':') - 1)
                        ELSE check_digest END,
    check_notes  = CASE WHEN strpos(check_digest, ':') > 0
                        THEN substr(check_digest, strpos(check_digest, ':') + 1) END
WHERE check_digest IS NOT NULL;

ALTER TABLE pr_state DROP COLUMN check_hash;

ALTER TABLE audit_log ADD COLUMN outcome_detail TEXT; -- the rule that refused, or why invalid

-- Texts of no known form are kept whole, as the message of an invalid command.
UPDATE audit_log SET
    outcome = CASE WHEN outcome = 'done' THEN 'done'
                   WHEN outcome LIKE 'refused: %' THEN 'refused'
                   ELSE 'invalid' END,
    outcome_detail = CASE WHEN outcome = 'done' THEN NULL
                          WHEN outcome LIKE 'refused: %' OR outcome LIKE 'invalid: %'
                              THEN substr(outcome, strpos(outcome, ': ') + 2)
                          ELSE outcome END;

ALTER TABLE audit_log
    ADD CONSTRAINT audit_log_outcome CHECK (outcome IN ('done', 'refused', 'invalid'));
