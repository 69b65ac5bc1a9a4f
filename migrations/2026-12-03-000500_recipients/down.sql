DELETE FROM rules WHERE recipient_id_path IS NOT NULL;
ALTER TABLE rules
    DROP CONSTRAINT rules_addressed_check,
    DROP COLUMN recipient_id_path,
    DROP COLUMN category,
    ALTER COLUMN channel SET NOT NULL,
    ALTER COLUMN recipient_path SET NOT NULL;
DELETE FROM notifications WHERE status = 'suppressed';
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('scheduled', 'sending', 'sent', 'cancelled', 'expired', 'dead'));
DROP INDEX notifications_recipient_id_idx;
ALTER TABLE notifications DROP COLUMN recipient_id, DROP COLUMN category, DROP COLUMN urgent;
DROP TABLE recipient_defaults;
DROP TABLE recipients;
