//! Turning things that happened into notifications: the event-handler role (rules, JSON-Pointer
//! extraction, the built-in handler) and recurring series.

pub mod handler;
pub mod pointer;
pub mod queue;
pub mod series;
pub mod worker;
