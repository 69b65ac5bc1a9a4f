-- Login names the tenant, so an address only has to be unique within its tenant; one tenant can
-- no longer learn that an address exists in another.
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX users_tenant_email_idx ON users (tenant_id, email);
-- A JWT carries the version it was issued at; a role or password change bumps it, so older
-- tokens stop working.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- Requests per second allowed to one key, on top of its tenant's limit; NULL: only the tenant's.
ALTER TABLE api_keys ADD COLUMN rate_limit INTEGER CHECK (rate_limit > 0);
