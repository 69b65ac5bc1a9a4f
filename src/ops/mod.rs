//! What operators watch: the Prometheus metrics every layer records into (`metrics`, a leaf).
//! The HTTP probes and `/metrics` are served by `api::ops`.

pub mod metrics;
