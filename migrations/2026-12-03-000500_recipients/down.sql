DELETE FROM notifications WHERE status = 'suppressed';
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('scheduled', 'sending', 'sent', 'cancelled', 'expired', 'dead'));
DROP INDEX notifications_recipient_id_idx;
ALTER TABLE notifications DROP COLUMN recipient_id, DROP COLUMN category, DROP COLUMN urgent;
DROP TABLE recipient_defaults;
DROP TABLE recipients;
