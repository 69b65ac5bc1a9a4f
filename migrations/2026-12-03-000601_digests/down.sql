DROP INDEX notifications_digest_idx;
DROP INDEX notifications_digest_of_idx;
ALTER TABLE notifications
    DROP COLUMN digest_key, DROP COLUMN digest_window, DROP COLUMN digest_subject,
    DROP COLUMN digest_body, DROP COLUMN digest_release_at, DROP COLUMN digest_of;
