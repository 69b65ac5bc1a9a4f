ALTER TABLE notifications DROP COLUMN fallback, DROP COLUMN channel_index;
