ALTER TABLE rules DROP COLUMN fallback;
