//! `/metrics` after real deliveries: labelled send counts move for a send, a retry and a dead
//! letter, and every metric name the alert rules and the Grafana dashboard use is served.

use crate::support::{wait_until, TestApp};
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// `(series, value)` per sample line; the series keeps its labels as written.
fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

fn sample_names(text: &str) -> BTreeSet<String> {
    samples(text)
        .into_iter()
        .map(|(series, _)| series.split('{').next().unwrap_or_default().to_string())
        .collect()
}

fn value(text: &str, series: &str) -> Option<f64> {
    samples(text)
        .into_iter()
        .find(|(s, _)| s == series)
        .map(|(_, v)| v)
}

async fn scrape(app: &TestApp) -> String {
    let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    resp.text().await.unwrap()
}

/// Every `chime_*` and `process_*` name in the file, without the histogram suffixes.
fn names_in(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap();
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    for prefix in ["chime_", "process_"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let start = from + i;
            let boundary = start == 0
                || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
            let end = text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |n| start + n);
            if boundary {
                names.insert(text[start..end].to_string());
            }
            from = end;
        }
    }
    names
}

const SENT: &str = "chime_sends_total{channel=\"webhook\",outcome=\"sent\"}";
const RETRY: &str = "chime_sends_total{channel=\"webhook\",outcome=\"retry\"}";
const DEAD: &str = "chime_sends_total{channel=\"webhook\",outcome=\"dead\"}";

#[tokio::test]
async fn sends_move_labelled_counts_and_every_monitored_name_is_served() {
    let app = delivery_app(|_| {}).await;
    let before = scrape(&app).await;
    // Counters are shared by every application of this test process: compare increases.
    let at_start = |series| value(&before, series).unwrap_or(0.0);
    let (sent0, retry0, dead0) = (at_start(SENT), at_start(RETRY), at_start(DEAD));

    let flaky = HttpPeer::start(Responder::sequence([500, 200]))
        .await
        .unwrap();
    let broken = HttpPeer::start(Responder::always(400)).await.unwrap();
    let mut ids = Vec::new();
    for url in [flaky.url_for("/flaky"), broken.url_for("/broken")] {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({"channel": "webhook", "recipient": url, "send_at": at_ms(200).to_rfc3339()}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    wait_for_status(&app, &ids[0], "sent").await;
    wait_for_status(&app, &ids[1], "dead").await;
    // An event without a rule is ignored by the worker.
    let (s, event) = app
        .post(
            "/api/v1/events",
            &app.admin_key,
            &json!({"type": "nobody.listens", "payload": {}}),
        )
        .await;
    assert_eq!(s, 202, "{event}");
    let ignored = "chime_events_processed_total{outcome=\"ignored\"}";
    let ignored0 = value(&before, ignored).unwrap_or(0.0);

    // The store gauges are cached for a few seconds: wait until they show the dead letter.
    let text = wait_until(
        "the dead letter in the gauges",
        Duration::from_secs(30),
        || async {
            let text = scrape(&app).await;
            let dead_letters = value(&text, "chime_dead_letters")?;
            let events = value(&text, ignored)?;
            (dead_letters == 1.0 && events > ignored0).then_some(text)
        },
    )
    .await;
    assert!(value(&text, SENT).unwrap() >= sent0 + 1.0, "{text}");
    assert!(value(&text, RETRY).unwrap() >= retry0 + 1.0, "{text}");
    assert!(value(&text, DEAD).unwrap() >= dead0 + 1.0, "{text}");
    let lag_count = "chime_delivery_lag_seconds_count{channel=\"webhook\"}";
    assert!(value(&text, lag_count).unwrap() >= 3.0, "{text}");
    assert_eq!(
        value(&text, "chime_overdue_notifications"),
        Some(0.0),
        "{text}"
    );
    assert!(
        value(&text, "process_resident_memory_bytes").unwrap() > 1e6,
        "{text}"
    );
    assert!(
        value(&text, "chime_reconcile_passes_total").unwrap() >= 1.0,
        "{text}"
    );

    let served = sample_names(&text);
    let mut referenced = names_in("monitoring/alerts.yml");
    referenced.extend(names_in("monitoring/grafana-dashboard.json"));
    // The sender autoscaler's signal.
    referenced.extend(names_in("k8s/overlays/production/hpa.yaml"));
    assert!(
        referenced.len() >= 15,
        "too few names found; is the parsing broken? {referenced:?}"
    );
    let missing: Vec<_> = referenced.difference(&served).collect();
    assert!(missing.is_empty(), "not served: {missing:?}\n{text}");
    // README.md lists every metric (monitoring/README.md promises it).
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let families: BTreeSet<String> = served
        .iter()
        .map(|n| {
            n.trim_end_matches("_bucket")
                .trim_end_matches("_count")
                .trim_end_matches("_sum")
                .to_string()
        })
        .filter(|n| n.starts_with("chime_") || n.starts_with("process_"))
        .collect();
    let unlisted: Vec<_> = families
        .iter()
        .filter(|n| !readme.contains(&format!("`{n}")))
        .collect();
    assert!(unlisted.is_empty(), "not in README.md: {unlisted:?}");
}
