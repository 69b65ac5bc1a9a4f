//! Queries on the rules table.
