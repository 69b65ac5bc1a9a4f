-- Dead letters by tenant and age: /metrics counts them (an index-only scan of this small index,
-- never of the table), and dead-letter lists filter them by tenant and time.
CREATE INDEX notifications_dead_idx ON notifications (tenant_id, updated_at) WHERE status = 'dead';
