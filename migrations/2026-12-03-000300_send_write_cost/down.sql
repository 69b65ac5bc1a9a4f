ALTER TABLE notifications RESET (fillfactor);
DROP INDEX notifications_event_slot_idx;
CREATE UNIQUE INDEX notifications_event_slot_idx ON notifications (event_id, event_slot);
DROP INDEX notifications_idempotency_idx;
CREATE UNIQUE INDEX notifications_idempotency_idx ON notifications (tenant_id, idempotency_key);
