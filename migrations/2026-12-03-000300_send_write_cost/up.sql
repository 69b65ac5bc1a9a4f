-- Every claim and outcome UPDATE changes `status`, which indexes read, so it writes a new entry
-- into every index whose predicate the row meets. The two unique indexes below only ever decide
-- anything for rows with an idempotency key or an event: partial, they are no longer written for
-- the others (most sends) on create, claim and outcome.
DROP INDEX notifications_idempotency_idx;
CREATE UNIQUE INDEX notifications_idempotency_idx ON notifications (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
DROP INDEX notifications_event_slot_idx;
CREATE UNIQUE INDEX notifications_event_slot_idx ON notifications (event_id, event_slot)
    WHERE event_id IS NOT NULL;
-- Room on each page for the versions a claim and its outcome write, so they stay on the row's
-- page (one heap page dirtied, and pruned in place) instead of moving to another.
ALTER TABLE notifications SET (fillfactor = 80);
