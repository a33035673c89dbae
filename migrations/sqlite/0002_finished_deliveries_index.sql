-- Retention deletes finished deliveries oldest first: index them by the time they finished, so a
-- prune batch reads only the rows it deletes. Unfinished deliveries are not in the index.
CREATE INDEX deliveries_finished_at ON deliveries (finished_at)
    WHERE status IN ('done', 'coalesced', 'failed');
