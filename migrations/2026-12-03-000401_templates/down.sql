ALTER TABLE rules DROP COLUMN template_version;
ALTER TABLE rules DROP COLUMN template;
ALTER TABLE rules DROP COLUMN html;
DROP INDEX IF EXISTS notifications_template_idx;
ALTER TABLE notifications DROP COLUMN template_version;
ALTER TABLE notifications DROP COLUMN template;
DROP TABLE templates;
