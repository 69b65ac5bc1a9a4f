-- Tenants isolate everything; each signs its webhooks with its own secret.
CREATE TABLE tenants (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    webhook_secret TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- API keys are high-entropy random strings, so a SHA-256 digest is enough to store them.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);

-- Login takes only an e-mail address, so addresses are unique across tenants.
CREATE TABLE users (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'cancelled', 'expired', 'dead')),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL DEFAULT '',
    data JSONB NOT NULL DEFAULT '{}'::jsonb,
    target_date TIMESTAMPTZ,
    lead_time TEXT,
    send_at TIMESTAMPTZ NOT NULL,
    -- When the scheduler should next hand it to a sender: send_at, then each retry time.
    due_at TIMESTAMPTZ NOT NULL,
    timezone TEXT,
    cron TEXT,
    series_id UUID,
    expires_at TIMESTAMPTZ,
    group_key TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
    last_error TEXT,
    sent_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    claimed_at TIMESTAMPTZ,
    event_id UUID,
    idempotency_key TEXT,
    -- Bumped on every reschedule, cancel and retry; queue entries carry it so stale ones are dropped.
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- NULLs never collide, so rows without a key are unconstrained.
CREATE UNIQUE INDEX notifications_idempotency_idx ON notifications (tenant_id, idempotency_key);
CREATE INDEX notifications_list_idx ON notifications (tenant_id, created_at DESC, id DESC);
CREATE INDEX notifications_status_idx ON notifications (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX notifications_group_idx ON notifications (tenant_id, group_key) WHERE group_key IS NOT NULL;
CREATE INDEX notifications_event_idx ON notifications (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX notifications_series_idx ON notifications (series_id) WHERE series_id IS NOT NULL;
-- The reconciler's scan of everything that still has to be delivered.
CREATE INDEX notifications_pending_idx ON notifications (due_at) WHERE status IN ('scheduled', 'sending');

CREATE TABLE delivery_attempts (
    id UUID PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    attempt_number INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'transient_failure', 'permanent_failure', 'expired', 'refused')),
    error TEXT,
    response_summary TEXT
);
CREATE INDEX delivery_attempts_notification_idx ON delivery_attempts (notification_id, attempt_number);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id UUID,
    detail JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject_idx ON audit_log (tenant_id, subject_id);
