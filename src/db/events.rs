//! Queries on the events table.
