ALTER TABLE api_keys DROP COLUMN rate_limit;
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN disabled_at;
ALTER TABLE users DROP COLUMN token_version;
DROP INDEX users_tenant_email_idx;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
