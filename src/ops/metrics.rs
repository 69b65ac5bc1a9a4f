//! Prometheus metrics through `prometheus-client`: process-wide counters and histograms updated
//! where things happen, and gauges read from Redis and PostgreSQL at scrape time (cached for a
//! few seconds, bounded by timeouts so a scrape answers even while a dependency is down).
//!
//! `monitoring/` (alert rules, Grafana dashboard) uses these names; a test checks that every name
//! it uses is served.

use crate::api::openapi::responses;
use crate::api::AppState;
use crate::channels::ChannelKind;
use crate::db::{self, DbError};
use crate::schedule::Schedule;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

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

/// One delivery attempt ended: `outcome` is sent, retry, dead or expired.
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

/// How long gauges read from Redis and PostgreSQL are reused: scrapes from several Prometheus
/// servers, or a short scrape interval, cost the stores one read per this period.
const GAUGE_TTL: Duration = Duration::from_secs(5);
/// A store that does not answer within this is skipped: the last values are served instead.
const GAUGE_TIMEOUT: Duration = Duration::from_secs(2);
/// Counts stop here (an index scan of at most this many entries); a gauge at the cap reads
/// "at least".
pub const GAUGE_COUNT_CAP: i64 = 100_000;
/// A notification this late is overdue (normal lag is milliseconds; this leaves room for the
/// reconciler's own sweep and a leader failover).
pub const OVERDUE_AFTER: Duration = Duration::from_secs(30);

/// ($1 overdue cut-off, $2 cap). Each part is a scan of a partial index, stopped at the cap.
pub const STORE_GAUGES_SQL: &str = "SELECT \
       (SELECT count(*) FROM (SELECT 1 FROM notifications \
          WHERE status = 'scheduled' AND due_at < $1 LIMIT $2) x) AS overdue, \
       (SELECT min(due_at) FROM notifications \
          WHERE status = 'scheduled' AND due_at < $1) AS oldest_overdue, \
       (SELECT count(*) FROM (SELECT 1 FROM events WHERE status = 'received' LIMIT $2) x) \
          AS events_backlog, \
       (SELECT count(*) FROM (SELECT 1 FROM notifications WHERE status = 'dead' LIMIT $2) x) \
          AS dead_letters";

#[derive(QueryableByName, Debug, Clone, Copy)]
struct DbGauges {
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    oldest_overdue: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    events_backlog: i64,
    #[diesel(sql_type = BigInt)]
    dead_letters: i64,
}

pub use crate::schedule::QueueDepths;

pub async fn queue_depths(schedule: &Schedule) -> redis::RedisResult<QueueDepths> {
    schedule.depths().await
}

#[derive(Debug, Clone, Copy, Default)]
struct StoreGauges {
    queues: Option<QueueDepths>,
    db: Option<DbGauges>,
    /// When `db` was read, to age the oldest overdue notification.
    db_read_at: Option<DateTime<Utc>>,
}

/// Per Redis prefix: one process may serve several deployments (tests do).
static GAUGES: LazyLock<Mutex<HashMap<String, (Instant, StoreGauges)>>> =
    LazyLock::new(Default::default);

async fn read_db(state: &AppState) -> Result<DbGauges, DbError> {
    let cutoff = Utc::now() - chrono::Duration::from_std(OVERDUE_AFTER).unwrap_or_default();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // Bounds the work even if an index is missing; the scrape has moved on by then.
            diesel::sql_query("SET LOCAL statement_timeout = '2s'").execute(conn)?;
            diesel::sql_query(STORE_GAUGES_SQL)
                .bind::<Timestamptz, _>(cutoff)
                .bind::<BigInt, _>(GAUGE_COUNT_CAP)
                .get_result::<DbGauges>(conn)
        })
        .map_err(DbError::from)
    })
    .await
}

/// The store gauges, fresh or from the cache. A store that fails or does not answer in time
/// keeps its last values (none at first: those gauges are then left out).
async fn store_gauges(state: &AppState) -> StoreGauges {
    let key = state.settings.redis.prefix.clone();
    let previous = GAUGES.lock().ok().and_then(|c| c.get(&key).copied());
    if let Some((at, g)) = previous {
        if at.elapsed() < GAUGE_TTL {
            return g;
        }
    }
    let previous = previous.map(|(_, g)| g).unwrap_or_default();
    let (queues, db) = tokio::join!(
        tokio::time::timeout(GAUGE_TIMEOUT, queue_depths(&state.schedule)),
        tokio::time::timeout(GAUGE_TIMEOUT, read_db(state)),
    );
    let mut fresh = previous;
    match queues {
        Ok(Ok(q)) => fresh.queues = Some(q),
        Ok(Err(e)) => tracing::debug!(error = %e, "metrics: cannot read queue depths"),
        Err(_) => tracing::debug!("metrics: Redis did not answer in time"),
    }
    match db {
        Ok(Ok(d)) => {
            fresh.db = Some(d);
            fresh.db_read_at = Some(Utc::now());
        }
        Ok(Err(e)) => tracing::debug!(error = %e, "metrics: cannot read PostgreSQL gauges"),
        Err(_) => tracing::debug!("metrics: PostgreSQL did not answer in time"),
    }
    if let Ok(mut c) = GAUGES.lock() {
        // Failures are cached too: a scrape during an outage does not wait again until the TTL.
        c.insert(key, (Instant::now(), fresh));
    }
    fresh
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
fn text(store: StoreGauges) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut out, &registry(store))?;
    Ok(out)
}

#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    summary = "Prometheus metrics",
    description = "Served on `CHIME_OPS_ADDR` only when that is set; otherwise on the API port.",
    security(),
    responses(
        (status = 200, description = "Prometheus text exposition format.", body = String, content_type = "text/plain"),
        (status = "default", response = responses::InternalError),
    ),
)]
pub async fn render(state: web::Data<AppState>) -> HttpResponse {
    let store = store_gauges(&state).await;
    match text(store) {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::InternalServerError().json(serde_json::json!({
            "error": {"code": "internal", "message": "cannot encode the metrics"}
        })),
    }
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
