//! Prometheus metrics through `prometheus-client`: process-wide counters and histograms updated
//! where things happen, and the encoding of a scrape. A leaf: every layer records here, and the
//! gauges read from Redis and PostgreSQL at scrape time are read by `api::ops` and handed in.
//!
//! `monitoring/` (alert rules, Grafana dashboard) uses these names; a test checks that every name
//! it uses is served.

use crate::domain::ChannelKind;
use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SendLabels {
    pub channel: String,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabel {
    pub channel: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: &'static str,
}

/// The route label of requests no route matched: raw paths would make a label per URL.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Lag buckets, in seconds: from 1 ms (the normal case) to 5 minutes (an outage).
const LAG_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0,
];
const HTTP_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

fn lag_histogram() -> Histogram {
    Histogram::new(LAG_BUCKETS)
}

fn http_histogram() -> Histogram {
    Histogram::new(HTTP_BUCKETS)
}

type HistogramFamily<S> = Family<S, Histogram, fn() -> Histogram>;

/// The process-wide metrics. Handles are cheap clones of shared cells.
pub struct Metrics {
    sends: Family<SendLabels, Counter>,
    delivery_lag: HistogramFamily<ChannelLabel>,
    http: HistogramFamily<HttpLabels>,
    reconcile_passes: Counter,
    reconcile_repairs: Counter,
    promoted: Counter,
    stale_dropped: Counter,
    events_processed: Family<OutcomeLabel, Counter>,
    suppressed: Family<ReasonLabel, Counter>,
    held: Counter,
    leader: Gauge,
}

pub const SEND_OUTCOMES: [&str; 4] = ["sent", "retry", "dead", "expired"];
const EVENT_OUTCOMES: [&str; 3] = ["processed", "ignored", "failed"];

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let m = Metrics {
        sends: Family::default(),
        delivery_lag: Family::new_with_constructor(lag_histogram),
        http: Family::new_with_constructor(http_histogram),
        reconcile_passes: Counter::default(),
        reconcile_repairs: Counter::default(),
        promoted: Counter::default(),
        stale_dropped: Counter::default(),
        events_processed: Family::default(),
        suppressed: Family::default(),
        held: Counter::default(),
        leader: Gauge::default(),
    };
    for why in crate::recipients::Suppression::ALL {
        let _ = m
            .suppressed
            .get_or_create(&ReasonLabel { reason: why.code() });
    }
    // Every series exists from the start at 0: `increase()` over a series that appears at 1
    // misses that first increment (the first dead letter would not fire an alert).
    for kind in [ChannelKind::Email, ChannelKind::Sms, ChannelKind::Webhook] {
        for outcome in SEND_OUTCOMES {
            let _ = m.sends.get_or_create(&SendLabels {
                channel: kind.as_str().to_owned(),
                outcome,
            });
        }
    }
    for outcome in EVENT_OUTCOMES {
        let _ = m.events_processed.get_or_create(&OutcomeLabel { outcome });
    }
    m
});

/// One delivery attempt ended: `outcome` is sent, retry, dead, expired or fallback (failed for good
/// on this channel, going on with the next).
pub fn send_outcome(channel: &str, outcome: &'static str) {
    METRICS
        .sends
        .get_or_create(&SendLabels {
            channel: channel.to_owned(),
            outcome,
        })
        .inc();
}

/// Lag from the due time to the start of the provider call.
pub fn delivery_lag(channel: &str, lag: Duration) {
    METRICS
        .delivery_lag
        .get_or_create(&ChannelLabel {
            channel: channel.to_owned(),
        })
        .observe(lag.as_secs_f64());
}

pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    // Clients choose the method: only the standard ones get their own series.
    let method = match method {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
        _ => "OTHER",
    };
    METRICS
        .http
        .get_or_create(&HttpLabels {
            route: route.to_owned(),
            method: method.to_owned(),
            status,
        })
        .observe(took.as_secs_f64());
}

pub fn reconcile_pass() {
    METRICS.reconcile_passes.inc();
}

/// Schedule entries a reconcile pass found missing and put back.
pub fn reconcile_repairs(n: u64) {
    METRICS.reconcile_repairs.inc_by(n);
}

pub fn promoted(n: u64) {
    METRICS.promoted.inc_by(n);
}

pub fn stale_dropped(n: u64) {
    METRICS.stale_dropped.inc_by(n);
}

/// An event's outcome was committed: processed, ignored or failed.
pub fn event_processed(outcome: &'static str) {
    METRICS
        .events_processed
        .get_or_create(&OutcomeLabel { outcome })
        .inc();
}

/// A claimed send to a recipient was not made: `reason` is opted_out, off_by_default,
/// no_address or recipient_deleted.
pub fn suppressed(reason: &'static str) {
    METRICS
        .suppressed
        .get_or_create(&ReasonLabel { reason })
        .inc();
}

/// A claimed send was held until the end of its recipient's quiet hours.
pub fn held(n: u64) {
    METRICS.held.inc_by(n);
}

pub fn set_leader(leading: bool) {
    METRICS.leader.set(i64::from(leading));
}

/// Counts stop here (an index scan of at most this many entries); a gauge at the cap reads
/// "at least".
pub const GAUGE_COUNT_CAP: i64 = 100_000;
/// A notification this late is overdue (normal lag is milliseconds; this leaves room for the
/// reconciler's own sweep and a leader failover).
pub const OVERDUE_AFTER: Duration = Duration::from_secs(30);

/// Sizes of the Redis queues, for the gauges.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueGauges {
    pub schedule: i64,
    pub ready: i64,
    pub pending: i64,
}

/// Counts read from PostgreSQL, each capped at [`GAUGE_COUNT_CAP`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DbGauges {
    pub overdue: i64,
    pub oldest_overdue: Option<DateTime<Utc>>,
    pub events_backlog: i64,
    pub dead_letters: i64,
}

/// What the stores answered at the last read; a part that never answered is left out.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreGauges {
    pub queues: Option<QueueGauges>,
    pub db: Option<DbGauges>,
    /// When `db` was read, to age the oldest overdue notification.
    pub db_read_at: Option<DateTime<Utc>>,
}

impl Collector for StoreGauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut gauge = |name: &str, help: &str, value: f64| {
            let g = ConstGauge::new(value);
            let m = encoder.encode_descriptor(name, help, None, g.metric_type())?;
            g.encode(m)
        };
        if let Some(q) = self.queues {
            gauge(
                "chime_schedule_size",
                "Notifications waiting in the Redis schedule",
                q.schedule as f64,
            )?;
            gauge(
                "chime_ready_queue_depth",
                "Ready stream entries not yet acknowledged",
                q.ready as f64,
            )?;
            gauge(
                "chime_ready_pending",
                "Ready stream entries read by a sender but not yet acknowledged",
                q.pending as f64,
            )?;
        }
        if let Some(d) = self.db {
            gauge(
                "chime_events_backlog",
                "Events received and not yet handled (capped at 100000)",
                d.events_backlog as f64,
            )?;
            gauge(
                "chime_dead_letters",
                "Notifications in the dead-letter queue (capped at 100000)",
                d.dead_letters as f64,
            )?;
            gauge(
                "chime_overdue_notifications",
                "Scheduled notifications due more than 30 s ago (capped at 100000)",
                d.overdue as f64,
            )?;
            let oldest = match (d.oldest_overdue, self.db_read_at) {
                (Some(due), Some(read)) => {
                    ((read - due).num_milliseconds() as f64 / 1000.0).max(0.0)
                }
                _ => 0.0,
            };
            gauge(
                "chime_oldest_overdue_seconds",
                "How late the oldest overdue notification is (0 when none is)",
                oldest,
            )?;
        }
        Ok(())
    }
}

/// Resident memory and CPU time of this process, read from /proc at scrape time.
#[derive(Debug)]
struct ProcessCollector;

/// (resident bytes, CPU seconds) from /proc/self/stat.
#[cfg(target_os = "linux")]
fn process_usage() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which may hold spaces, closed by the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // stat(5) numbers fields from 1 with the pid; `rest` starts at field 3 (state).
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let rss_pages: f64 = fields.get(21)?.parse().ok()?;
    // SAFETY: sysconf only reads configuration values.
    let (ticks, page) = unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if ticks <= 0 || page <= 0 {
        return None;
    }
    Some((rss_pages * page as f64, (utime + stime) / ticks as f64))
}

#[cfg(not(target_os = "linux"))]
fn process_usage() -> Option<(f64, f64)> {
    None
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some((rss, cpu)) = process_usage() else {
            return Ok(());
        };
        let g = ConstGauge::new(rss);
        let m = encoder.encode_descriptor(
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            None,
            g.metric_type(),
        )?;
        g.encode(m)?;
        let c = ConstCounter::new(cpu);
        let m = encoder.encode_descriptor(
            "process_cpu_seconds",
            "User and system CPU time spent in seconds",
            None,
            c.metric_type(),
        )?;
        c.encode(m)
    }
}

/// A registry per scrape: the shared metric cells plus this deployment's store gauges.
fn registry(store: StoreGauges) -> Registry {
    let m = &*METRICS;
    let mut r = Registry::default();
    // Counters are registered without `_total`: the encoder appends it.
    r.register(
        "chime_sends",
        "Delivery attempts by channel and outcome (sent, retry, dead, expired)",
        m.sends.clone(),
    );
    r.register(
        "chime_delivery_lag_seconds",
        "Lag from the due time to the provider call",
        m.delivery_lag.clone(),
    );
    r.register(
        "chime_http_request_duration_seconds",
        "HTTP request duration by route template, method and status",
        m.http.clone(),
    );
    r.register(
        "chime_reconcile_passes",
        "Reconcile passes completed (full and periodic)",
        m.reconcile_passes.clone(),
    );
    r.register(
        "chime_reconcile_repairs",
        "Schedule entries a reconcile pass found missing and put back",
        m.reconcile_repairs.clone(),
    );
    r.register(
        "chime_promoted",
        "Schedule entries moved to the ready stream",
        m.promoted.clone(),
    );
    r.register(
        "chime_stale_entries_dropped",
        "Queue entries dropped after a reschedule or cancel",
        m.stale_dropped.clone(),
    );
    r.register(
        "chime_events_processed",
        "Events handled, by outcome (processed, ignored, failed)",
        m.events_processed.clone(),
    );
    r.register(
        "chime_notifications_suppressed",
        "Sends to a recipient not made at claim time, by reason (opted_out, off_by_default, no_address, recipient_deleted)",
        m.suppressed.clone(),
    );
    r.register(
        "chime_notifications_held",
        "Sends held until the end of their recipient's quiet hours",
        m.held.clone(),
    );
    r.register(
        "chime_scheduler_leader",
        "1 while this process leads the scheduler",
        m.leader.clone(),
    );
    let build: Family<VersionLabel, Gauge> = Family::default();
    build
        .get_or_create(&VersionLabel {
            version: env!("CARGO_PKG_VERSION"),
        })
        .set(1);
    r.register(
        "chime_build_info",
        "Always 1; the version as a label",
        build,
    );
    r.register_collector(Box::new(store));
    r.register_collector(Box::new(ProcessCollector));
    r
}

/// The Prometheus text exposition (format 0.0.4) of `store` and the process-wide metrics.
pub fn text(store: StoreGauges) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut out, &registry(store))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels_are_as_monitoring_expects() {
        send_outcome("webhook", "sent");
        delivery_lag("webhook", Duration::from_millis(3));
        http_request("/api/v1/notifications/{id}", "GET", 200, Duration::ZERO);
        http_request(UNMATCHED_ROUTE, "BREW", 405, Duration::ZERO);
        event_processed("ignored");
        let out = text(StoreGauges::default()).expect("encodes");
        for needle in [
            "chime_sends_total{channel=\"webhook\",outcome=\"sent\"}",
            "chime_delivery_lag_seconds_bucket{channel=\"webhook\",le=\"0.005\"}",
            "chime_delivery_lag_seconds_bucket{channel=\"webhook\",le=\"300\"}",
            "chime_sends_total{channel=\"email\",outcome=\"dead\"} ",
            "route=\"/api/v1/notifications/{id}\",method=\"GET\",status=\"200\"",
            "chime_events_processed_total{outcome=\"ignored\"}",
            "{route=\"unmatched\",method=\"OTHER\",status=\"405\"}",
            "chime_build_info{version=\"",
            "# TYPE chime_reconcile_passes_total counter",
            "# TYPE chime_scheduler_leader gauge",
        ] {
            assert!(out.contains(needle), "{needle} missing from:\n{out}");
        }
        #[cfg(target_os = "linux")]
        {
            let (rss, _) = process_usage().expect("reads /proc/self/stat");
            assert!(rss > 1_000_000.0, "resident memory {rss}");
            assert!(out.contains("process_cpu_seconds_total "), "{out}");
        }
    }
}
