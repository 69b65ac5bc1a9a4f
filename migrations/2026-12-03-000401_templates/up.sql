-- Named, versioned message templates per tenant. A change is a new version; sends that name a
-- template without a version render its latest version when they are sent.
CREATE TABLE templates (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    version INT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    html TEXT,
    digest TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name, version)
);

ALTER TABLE notifications ADD COLUMN template TEXT;
ALTER TABLE notifications ADD COLUMN template_version INT;
CREATE INDEX notifications_template_idx ON notifications (tenant_id, template)
    WHERE template IS NOT NULL AND status IN ('scheduled', 'sending');

ALTER TABLE rules ADD COLUMN html TEXT;
ALTER TABLE rules ADD COLUMN template TEXT;
ALTER TABLE rules ADD COLUMN template_version INT;
