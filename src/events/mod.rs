//! Turning things that happened into notifications: the event-handler role (rules, JSON-Pointer
//! extraction, the built-in handler). Series advance lives in `lifecycle::series`.

pub mod handler;
pub mod pointer;
pub mod queue;
pub mod worker;
