-- Counting a tenant's active series (for CHIME_MAX_ACTIVE_SERIES) without reading the table.
CREATE INDEX series_tenant_active_idx ON series (tenant_id) WHERE status = 'active';
