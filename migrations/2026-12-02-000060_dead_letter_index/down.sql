DROP INDEX IF EXISTS notifications_dead_idx;
