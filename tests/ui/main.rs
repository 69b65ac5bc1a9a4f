//! Dashboard suite: the HTTP API the dashboard reads (stats, filters, timeline, bulk actions)
//! and the page itself, driven in a real headless Chromium through chromedriver.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod browser;
mod bulk;
mod load;
mod plans;
mod webdriver;
