-- The dashboard's queries (GET /stats, sorted and filtered lists). Each stays an index range
-- scan bounded by a LIMIT, so an open dashboard does not compete with delivery.
-- Due soon / overdue / forecast: index-only with the channel included.
CREATE INDEX notifications_tenant_due_idx ON notifications (tenant_id, due_at) INCLUDE (channel)
    WHERE status IN ('scheduled', 'sending');
-- `sort=send_at` and the due range filter.
CREATE INDEX notifications_send_at_idx ON notifications (tenant_id, send_at, id);
-- `recipient=` filter, newest first.
CREATE INDEX notifications_recipient_idx ON notifications (tenant_id, recipient, created_at DESC, id DESC);
-- Sends per minute and delivery lag over a recent window.
CREATE INDEX delivery_attempts_tenant_finished_idx ON delivery_attempts (tenant_id, finished_at) INCLUDE (outcome);
-- A tenant's events backlog.
CREATE INDEX events_tenant_received_idx ON events (tenant_id, created_at) WHERE status = 'received';
-- The series list, newest first.
CREATE INDEX series_list_idx ON series (tenant_id, created_at DESC, id DESC);
-- The upcoming list (`status=scheduled&sort=send_at`): only pending rows, so sends do not grow it.
CREATE INDEX notifications_scheduled_send_at_idx ON notifications (tenant_id, send_at, id) WHERE status = 'scheduled';
