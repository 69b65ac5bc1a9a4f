//! A handful of process-wide counters and one latency histogram, rendered as Prometheus text.
//! Small enough that a metrics framework would cost more build time than it saves.

use actix_web::HttpResponse;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    /// For gauges kept in a counter cell.
    pub fn set(&self, v: u64) {
        self.0.store(v, Ordering::Relaxed);
    }
}

/// Bucket bounds in milliseconds.
const LAG_BUCKETS_MS: [u64; 12] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30_000, 300_000];

pub struct Histogram {
    buckets: [AtomicU64; 12],
    count: AtomicU64,
    sum_ms: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; 12],
            count: AtomicU64::new(0),
            sum_ms: AtomicU64::new(0),
        }
    }

    pub fn observe_ms(&self, ms: u64) {
        for (i, bound) in LAG_BUCKETS_MS.iter().enumerate() {
            if ms <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

pub static NOTIFICATIONS_PROMOTED: Counter = Counter::new();
pub static SENDS_SUCCEEDED: Counter = Counter::new();
pub static SENDS_RETRIED: Counter = Counter::new();
pub static SENDS_DEAD: Counter = Counter::new();
pub static SENDS_EXPIRED: Counter = Counter::new();
pub static STALE_ENTRIES_DROPPED: Counter = Counter::new();
pub static RECONCILED_ENTRIES: Counter = Counter::new();
pub static EVENTS_PROCESSED: Counter = Counter::new();
pub static LEADER: Counter = Counter::new();
/// Lag from the due time to the start of the provider call.
pub static DELIVERY_LAG: Histogram = Histogram::new();

pub fn text() -> String {
    let mut out = String::new();
    let counters: [(&str, &str, &Counter); 8] = [
        (
            "chime_promoted_total",
            "Schedule entries moved to the ready stream",
            &NOTIFICATIONS_PROMOTED,
        ),
        (
            "chime_sends_succeeded_total",
            "Notifications delivered",
            &SENDS_SUCCEEDED,
        ),
        (
            "chime_sends_retried_total",
            "Transient failures put back for a retry",
            &SENDS_RETRIED,
        ),
        (
            "chime_sends_dead_total",
            "Notifications moved to the dead-letter queue",
            &SENDS_DEAD,
        ),
        (
            "chime_sends_expired_total",
            "Notifications that expired before sending",
            &SENDS_EXPIRED,
        ),
        (
            "chime_stale_entries_dropped_total",
            "Queue entries dropped after a reschedule or cancel",
            &STALE_ENTRIES_DROPPED,
        ),
        (
            "chime_reconciled_entries_total",
            "Entries the reconciler put back into the schedule",
            &RECONCILED_ENTRIES,
        ),
        (
            "chime_events_processed_total",
            "Events turned into notifications",
            &EVENTS_PROCESSED,
        ),
    ];
    for (name, help, c) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
            c.get()
        );
    }
    let _ = writeln!(
        out,
        "# HELP chime_scheduler_leader 1 while this process leads the scheduler\n# TYPE chime_scheduler_leader gauge\nchime_scheduler_leader {}",
        LEADER.get()
    );
    let name = "chime_delivery_lag_seconds";
    let _ = writeln!(
        out,
        "# HELP {name} Lag from due time to the provider call\n# TYPE {name} histogram"
    );
    for (i, bound) in LAG_BUCKETS_MS.iter().enumerate() {
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"{}\"}} {}",
            *bound as f64 / 1000.0,
            DELIVERY_LAG.buckets[i].load(Ordering::Relaxed)
        );
    }
    let count = DELIVERY_LAG.count.load(Ordering::Relaxed);
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(
        out,
        "{name}_sum {}",
        DELIVERY_LAG.sum_ms.load(Ordering::Relaxed) as f64 / 1000.0
    );
    let _ = writeln!(out, "{name}_count {count}");
    out
}

pub async fn render() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text())
}
