ALTER TABLE tenants DROP COLUMN previous_webhook_secret_expires_at;
ALTER TABLE tenants DROP COLUMN previous_webhook_secret;
DROP INDEX IF EXISTS delivery_attempts_provider_message_idx;
ALTER TABLE delivery_attempts DROP COLUMN provider_status_at;
ALTER TABLE delivery_attempts DROP COLUMN provider_status;
ALTER TABLE delivery_attempts DROP COLUMN provider_message_id;
ALTER TABLE notifications DROP COLUMN delivery_status_at;
ALTER TABLE notifications DROP COLUMN delivery_status;
ALTER TABLE notifications DROP COLUMN html;
