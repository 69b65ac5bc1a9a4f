DROP INDEX IF EXISTS series_tenant_active_idx;
