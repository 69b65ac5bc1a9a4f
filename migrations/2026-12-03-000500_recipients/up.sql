-- Recipients: whom notifications go to, addressed by the caller's own id, with their addresses,
-- zone, locale, preferences ({"billing": {"email": false}}: a category's channel allowed or
-- opted out; "*" for every category) and quiet hours ({"start": "21:00", "end": "08:00"}).
CREATE TABLE recipients (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT,
    email TEXT,
    phone TEXT,
    webhook_url TEXT,
    timezone TEXT,
    locale TEXT,
    preferred_channel TEXT CHECK (preferred_channel IN ('email', 'sms', 'webhook')),
    preferences JSONB NOT NULL DEFAULT '{}'::jsonb,
    quiet_hours JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX recipients_list_idx ON recipients (tenant_id, created_at DESC, id DESC);

-- A tenant's defaults under every recipient's own settings.
CREATE TABLE recipient_defaults (
    tenant_id UUID PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    preferences JSONB NOT NULL DEFAULT '{}'::jsonb,
    quiet_hours JSONB,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A notification may name a recipient (by external id) and a category instead of only an
-- address; its preferences and quiet hours are applied when the send is claimed.
ALTER TABLE notifications
    ADD COLUMN recipient_id TEXT,
    ADD COLUMN category TEXT,
    ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX notifications_recipient_id_idx ON notifications (tenant_id, recipient_id, created_at DESC, id DESC)
    WHERE recipient_id IS NOT NULL;

-- `suppressed`: not sent because the recipient opted out (the reason is in last_error).
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('scheduled', 'sending', 'sent', 'cancelled', 'expired', 'dead', 'suppressed'));

-- A rule may name a recipient (a JSON Pointer to its external id in the payload) and a category
-- instead of an address; the channel is then optional (the recipient's preferences choose).
ALTER TABLE rules
    ALTER COLUMN channel DROP NOT NULL,
    ALTER COLUMN recipient_path DROP NOT NULL,
    ADD COLUMN recipient_id_path TEXT,
    ADD COLUMN category TEXT,
    ADD CONSTRAINT rules_addressed_check CHECK (
        (recipient_id_path IS NULL AND category IS NULL AND channel IS NOT NULL AND recipient_path IS NOT NULL)
        OR (recipient_id_path IS NOT NULL AND category IS NOT NULL AND recipient_path IS NULL));
