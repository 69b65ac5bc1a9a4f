DROP INDEX notifications_event_slot_idx;
ALTER TABLE notifications DROP COLUMN event_slot;
DROP INDEX notifications_one_pending_per_series_idx;
ALTER TABLE notifications DROP CONSTRAINT notifications_series_fk, DROP CONSTRAINT notifications_event_fk;
DROP TABLE series;
DROP TABLE rules;
DROP TABLE events;
