//! Chime: a delayed-notification service.
//!
//! The modules follow the pipeline: `api` → `events` → `lifecycle` → `schedule` → `sender` →
//! `channels`, with `domain` at the bottom (`scripts/import-layers` checks the imports).
//! `recipients` decides, at create and at claim, where and whether a send to a recipient goes.
pub mod api;
pub mod channels;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod lifecycle;
pub mod ops;
pub mod recipients;
pub mod redis_conn;
pub mod schedule;
pub mod sender;
pub mod startup;
pub mod stream;
pub mod telemetry;
