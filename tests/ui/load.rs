//! An open dashboard must not move delivery lag: reminders fall due while dashboards poll
//! `/stats` and the lists of a tenant with many rows.

use crate::api::sql;
use crate::support::TestApp;
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::config::Role;
use diesel::prelude::*;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const REMINDERS: usize = 300;

#[derive(QueryableByName)]
struct Lag {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    p50: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    p99: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Schedules `REMINDERS` webhooks over two seconds, waits for all, returns (p50, p99) lag in ms
/// of the attempts of group `group` (from due time to the provider call).
async fn round(app: &TestApp, peer: &HttpPeer, group: &str, already: usize) -> (f64, f64) {
    // Due after they are all created (a debug build creates a few hundred a second).
    let start = chrono::Utc::now() + chrono::Duration::seconds(8);
    for i in 0..REMINDERS {
        let at = start + chrono::Duration::milliseconds((i * 2000 / REMINDERS) as i64);
        let (s, n) = app
            .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook",
                "recipient": peer.url_for("/sink"), "group_key": group, "send_at": at.to_rfc3339()}))
            .await;
        assert_eq!(s, 201, "{n}");
    }
    assert!(
        chrono::Utc::now() < start,
        "creating took longer than the head start"
    );
    peer.wait_for(already + REMINDERS, Duration::from_secs(60))
        .await
        .expect("every reminder delivered");
    // The peer has them; their attempts are written just after the response.
    let query = format!(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS p50, \
                percentile_cont(0.99) WITHIN GROUP (ORDER BY l) AS p99, count(*) AS n FROM ( \
           SELECT extract(epoch FROM a.started_at - n.send_at) * 1000 AS l \
           FROM delivery_attempts a JOIN notifications n ON n.id = a.notification_id \
           WHERE n.group_key = '{group}' AND a.attempt_number = 1) x"
    );
    let lag: Lag = crate::support::wait_until("attempts recorded", Duration::from_secs(30), || {
        let lag: Lag = diesel::sql_query(&query)
            .get_result(&mut app.db.conn())
            .unwrap();
        std::future::ready((lag.n == REMINDERS as i64).then_some(lag))
    })
    .await;
    (lag.p50.unwrap(), lag.p99.unwrap())
}

#[tokio::test]
async fn dashboards_refreshing_do_not_move_delivery_lag() {
    let app = TestApp::spawn_with(
        &[Role::Api, Role::Worker, Role::Scheduler, Role::Sender],
        |s| {
            s.channels.webhook_allow_private = true;
            s.api.rate_limit = None;
        },
    )
    .await;
    // History to read: 200,000 sent notifications with their attempts over the last days.
    sql(
        &app,
        "INSERT INTO notifications (id, tenant_id, status, channel, recipient, body, send_at, \
               due_at, max_attempts, sent_at, created_at) \
               SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), 'sent', 'email', \
               'user' || (i % 5000) || '@example.com', 'hi', now() - i * interval '1 second', \
               now() - i * interval '1 second', 8, now() - i * interval '1 second', \
               now() - i * interval '1 second' FROM generate_series(1, 200000) i",
    );
    sql(
        &app,
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, \
               started_at, finished_at, outcome) SELECT gen_random_uuid(), id, tenant_id, 1, \
               sent_at, sent_at, 'success' FROM notifications",
    );
    sql(&app, "ANALYZE");
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();

    let quiet = round(&app, &peer, "quiet", 0).await;

    // Twenty dashboards refreshing every 5 s: four requests a second, overview and lists.
    let stop = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(AtomicUsize::new(0));
    let poller = {
        let (stop, polls) = (stop.clone(), polls.clone());
        let client = app.client.clone();
        let base = app.address.clone();
        let key = app.admin_key.clone();
        tokio::spawn(async move {
            let paths = [
                "/api/v1/stats",
                "/api/v1/notifications?status=scheduled&sort=send_at",
                "/api/v1/stats",
                "/api/v1/notifications?recipient=user42@example.com",
            ];
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .get(format!("{base}{}", paths[i % paths.len()]))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .expect("poll");
                assert_eq!(r.status(), 200);
                polls.fetch_add(1, Ordering::Relaxed);
                i += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let busy = round(&app, &peer, "busy", REMINDERS).await;
    stop.store(true, Ordering::Relaxed);
    poller.await.unwrap();
    println!(
        "delivery lag p50/p99: {:.1}/{:.1} ms without a dashboard, {:.1}/{:.1} ms with dashboards \
         refreshing ({} polls)",
        quiet.0,
        quiet.1,
        busy.0,
        busy.1,
        polls.load(Ordering::Relaxed)
    );
    assert!(polls.load(Ordering::Relaxed) >= 8, "the dashboards polled");
    // The bound is loose for a shared machine; the printed figures are the measurement.
    assert!(
        busy.1 < quiet.1.max(50.0) * 3.0 + 100.0,
        "lag p99 moved: {quiet:?} → {busy:?}"
    );
}
