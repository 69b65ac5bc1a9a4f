DROP INDEX IF EXISTS notifications_scheduled_send_at_idx;
DROP INDEX IF EXISTS series_list_idx;
DROP INDEX IF EXISTS events_tenant_received_idx;
DROP INDEX IF EXISTS delivery_attempts_tenant_finished_idx;
DROP INDEX IF EXISTS notifications_recipient_idx;
DROP INDEX IF EXISTS notifications_send_at_idx;
DROP INDEX IF EXISTS notifications_tenant_due_idx;
