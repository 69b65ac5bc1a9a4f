DROP INDEX IF EXISTS notifications_scheduled_due_idx;
