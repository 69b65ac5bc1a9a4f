//! End-to-end: the real `chime` binary, one process per role, killed and disturbed on purpose.

#[path = "../support/mod.rs"]
mod support;

mod bench;
mod cli;
mod crashes;
mod digest_crash;
mod fallback;
mod faults;
mod features;
mod logs;
mod operator;
mod private_redis;
mod processes;
mod readme;
mod sdk;
mod startup;
