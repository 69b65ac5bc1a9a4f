//! API suite: every endpoint of the notifications API, auth, roles, tenant isolation, errors and
//! operations endpoints, against the real PostgreSQL and Redis.

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod auth_limits;
mod batch;
mod callbacks;
mod digests_fallback;
mod errors;
mod metrics;
mod notifications;
mod openapi;
mod ops;
mod recipients;
mod schedule;
mod templates;
mod users;
