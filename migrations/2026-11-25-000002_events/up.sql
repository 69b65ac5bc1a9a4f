CREATE TABLE events (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    payload JSONB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    error TEXT,
    idempotency_key TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX events_idempotency_idx ON events (tenant_id, idempotency_key);
CREATE INDEX events_list_idx ON events (tenant_id, created_at DESC, id DESC);
CREATE INDEX events_received_idx ON events (created_at) WHERE status = 'received';

CREATE TABLE rules (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient_path TEXT NOT NULL,
    target_date_path TEXT NOT NULL,
    timezone_path TEXT,
    lead_times TEXT[] NOT NULL,
    subject TEXT,
    body TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, event_type)
);

CREATE TABLE series (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    ends_at TIMESTAMPTZ,
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'ended')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE notifications
    ADD CONSTRAINT notifications_event_fk FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE SET NULL,
    ADD CONSTRAINT notifications_series_fk FOREIGN KEY (series_id) REFERENCES series (id) ON DELETE SET NULL;
-- A series never has two pending occurrences at once.
CREATE UNIQUE INDEX notifications_one_pending_per_series_idx ON notifications (series_id)
    WHERE series_id IS NOT NULL AND status IN ('scheduled', 'sending');
-- Re-processing an event never creates a second notification for the same lead time.
ALTER TABLE notifications ADD COLUMN event_slot INTEGER;
CREATE UNIQUE INDEX notifications_event_slot_idx ON notifications (event_id, event_slot);
