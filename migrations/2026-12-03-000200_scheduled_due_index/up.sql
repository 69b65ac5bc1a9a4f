-- The horizon loader reads scheduled rows by due time, page by page from a (due_at, id) position.
CREATE INDEX notifications_scheduled_due_idx ON notifications (due_at, id) WHERE status = 'scheduled';
