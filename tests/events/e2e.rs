//! End to end through every role: events → worker → schedule → scheduler → sender → a local
//! webhook peer.

use crate::support::{wait_until, TestApp};
use crate::{get_event, post_event};
use chime::channels::signing;
use chime::channels::test_peers::{HttpPeer, RecordedRequest, Responder};
use chime::config::Role;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::time::Duration as StdDuration;

async fn spawn_all() -> TestApp {
    TestApp::spawn_with(
        &[Role::Api, Role::Worker, Role::Scheduler, Role::Sender],
        |s| {
            s.channels.webhook_allow_private = true;
            // These series fire every second or two.
            s.limits.min_series_interval = std::time::Duration::ZERO;
        },
    )
    .await
}

fn assert_signed(secret: &str, request: &RecordedRequest) {
    let id = request.header("webhook-id").expect("webhook-id");
    let ts: i64 = request
        .header("webhook-timestamp")
        .expect("webhook-timestamp")
        .parse()
        .unwrap();
    let signature = request
        .header("webhook-signature")
        .expect("webhook-signature");
    signing::verify(secret, id, ts, &request.body, signature).expect("valid signature");
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn both_reminders_of_a_rule_arrive_signed_at_their_times() {
    let app = spawn_all().await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let (status, body) = app
        .post(
            "/api/v1/rules",
            &app.admin_key,
            &json!({
                "event_type": "card.expiring",
                "channel": "webhook",
                "recipient_path": "/hook",
                "target_date_path": "/due",
                "lead_times": ["PT4S", "PT2S"],
                "body": "",
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Whole milliseconds: PostgreSQL keeps microseconds, and the comparison below is exact.
    let due_at = chrono::SubsecRound::trunc_subsecs(Utc::now() + Duration::seconds(6), 3);
    let due = due_at.to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "card.expiring",
        json!({"hook": peer.url_for("/hook"), "due": due, "card": "visa-4242"}),
    )
    .await;
    let event = wait_until(
        "the event to be processed",
        StdDuration::from_secs(10),
        || async {
            let event = get_event(&app, &e["id"]).await;
            (event["status"] == "processed").then_some(event)
        },
    )
    .await;
    let mut send_at = Vec::new();
    for id in event["notification_ids"].as_array().unwrap() {
        let (_, n) = app
            .get(
                &format!("/api/v1/notifications/{}", id.as_str().unwrap()),
                &app.admin_key,
            )
            .await;
        send_at.push(time(&n["send_at"]));
    }
    send_at.sort();
    assert_eq!(
        send_at,
        vec![due_at - Duration::seconds(4), due_at - Duration::seconds(2)],
        "send_at = target_date - lead_time"
    );

    let requests = peer.wait_for(2, StdDuration::from_secs(20)).await.unwrap();
    assert_eq!(requests.len(), 2);
    let secret = app.webhook_secret().await;
    for (request, at) in requests.iter().zip(&send_at) {
        assert_signed(&secret, request);
        assert!(request.received_at >= *at, "not early");
        assert!(request.received_at - *at < Duration::seconds(2), "on time");
        let body = request.body_json().unwrap();
        assert_eq!(body["data"]["card"], "visa-4242");
    }
    for id in event["notification_ids"].as_array().unwrap() {
        let path = format!("/api/v1/notifications/{}", id.as_str().unwrap());
        wait_until(
            "the notification to be sent",
            StdDuration::from_secs(5),
            || async {
                let (_, n) = app.get(&path, &app.admin_key).await;
                (n["status"] == "sent").then_some(())
            },
        )
        .await;
    }
}

#[tokio::test]
async fn a_recurring_series_fires_until_cancelled() {
    let app = spawn_all().await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let (status, first) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
                "channel": "webhook",
                "recipient": peer.url_for("/tick"),
                "data": {"kind": "tick"},
                "cron": "*/2 * * * * *",
            }),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let series_path = format!("/api/v1/series/{}", first["series_id"].as_str().unwrap());

    let requests = peer.wait_for(2, StdDuration::from_secs(20)).await.unwrap();
    let secret = app.webhook_secret().await;
    for request in &requests[..2] {
        assert_signed(&secret, request);
    }
    assert_ne!(
        requests[0].header("webhook-id"),
        requests[1].header("webhook-id"),
        "each occurrence is its own notification"
    );

    let (status, body) = app
        .post(&format!("{series_path}/cancel"), &app.admin_key, &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    // Once nothing is pending or in flight, nothing more can arrive: every delivery is a sent
    // occurrence and no further occurrence exists.
    let series = wait_until(
        "the series to settle",
        StdDuration::from_secs(20),
        || async {
            let (_, s) = app.get(&series_path, &app.admin_key).await;
            let busy = s["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["status"] == "scheduled" || o["status"] == "sending");
            (!busy).then_some(s)
        },
    )
    .await;
    let sent = series["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "sent")
        .count();
    assert!(sent >= 2);
    assert_eq!(peer.requests().len(), sent, "no delivery after the cancel");
    assert_eq!(series["status"], "cancelled");
    for o in series["occurrences"].as_array().unwrap() {
        let at = time(&o["send_at"]);
        assert_eq!(
            (at.timestamp() % 2, at.timestamp_subsec_nanos()),
            (0, 0),
            "fires on the seconds field: {at}"
        );
    }
}

#[tokio::test]
async fn a_series_ends_at_its_end_time() {
    let app = spawn_all().await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let ends_at = Utc::now() + Duration::milliseconds(2500);
    let (status, first) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
                "channel": "webhook",
                "recipient": peer.url_for("/tick"),
                "cron": "* * * * * *",
                "ends_at": ends_at.to_rfc3339(),
            }),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let series_path = format!("/api/v1/series/{}", first["series_id"].as_str().unwrap());
    let series = wait_until("the series to end", StdDuration::from_secs(20), || async {
        let (_, s) = app.get(&series_path, &app.admin_key).await;
        (s["status"] == "ended").then_some(s)
    })
    .await;
    let occurrences = series["occurrences"].as_array().unwrap();
    assert!(!occurrences.is_empty());
    for o in occurrences {
        assert_eq!(o["status"], "sent", "{o}");
        assert!(time(&o["send_at"]) <= ends_at, "{o}");
    }
    assert_eq!(peer.requests().len(), occurrences.len());
}
