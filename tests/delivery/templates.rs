//! Bounded template renders, and the claim re-check before the provider call.

use crate::support::{self, wait_until, TestApp};
use crate::{at_ms, delivery_app, notification};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::channels::Channels;
use chime::config::Role;
use chime::schedule::Member;
use chime::sender::deliver::Deliverer;
use chime::sender::ReadyEntry;
use chime::startup::RoleContext;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const NESTED: &str =
    "{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}";
const REPEAT: &str = "{{ \"x\" * 100000000 }}";

/// A webhook from an event whose payload carries its own body template: such templates can only
/// be checked when they render, at send time. Returns the notification id.
async fn event_webhook(app: &TestApp, key: &str, url: &str, body: &str, due_ms: i64) -> String {
    // Due at `due_ms`, expiring a day later: retries stay in time.
    let payload = json!({
        "webhook_url": url,
        "target_date": at_ms(due_ms + 86_400_000).to_rfc3339(),
        "lead_time": "P1D",
        "body": body,
        "s": "x".repeat(200),
    });
    let (status, event) = app
        .post(
            "/api/v1/events",
            key,
            &json!({"type": "hostile.render", "payload": payload}),
        )
        .await;
    assert_eq!(status, 202, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let event = wait_until(
        "the event to be processed",
        Duration::from_secs(20),
        || async {
            let (s, e) = app
                .get(&format!("/api/v1/events/{event_id}"), &app.admin_key)
                .await;
            assert_eq!(s, 200, "{e}");
            (e["status"] != "received").then_some(e)
        },
    )
    .await;
    assert_eq!(event["status"], "processed", "{event}");
    let ids = event["notification_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{event}");
    ids[0].as_str().unwrap().to_string()
}

async fn attempts(app: &TestApp, id: &str) -> Vec<Value> {
    let (s, a) = app
        .get(
            &format!("/api/v1/notifications/{id}/attempts"),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{a}");
    a["items"].as_array().unwrap().clone()
}

async fn wait_for_final(app: &TestApp, id: &str, timeout: Duration) -> Value {
    wait_until(&format!("{id} to finish"), timeout, || async {
        let n = notification(app, id).await;
        matches!(n["status"].as_str(), Some("sent" | "dead" | "expired")).then_some(n)
    })
    .await
}

#[tokio::test]
async fn hostile_templates_die_at_once_unsent_and_do_not_delay_others() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let key = app.member_key().await;
    let mut hostile = Vec::new();
    for i in 0..3 {
        for (name, body) in [("nested", NESTED), ("repeat", REPEAT)] {
            let url = peer.url_for(&format!("/hostile/{name}/{i}"));
            hostile.push(event_webhook(&app, &key, &url, body, 3_000).await);
        }
    }
    // Due with them, so it competes with their renders.
    let send_at = at_ms(3_000);
    let (s, normal) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": peer.url_for("/normal"), "send_at": send_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{normal}");

    let got = wait_until("the normal webhook", Duration::from_secs(30), || async {
        let reqs = peer.requests();
        reqs.into_iter().find(|r| r.path == "/normal")
    })
    .await;
    let lag = got.received_at - send_at;
    println!("lag of the unrelated webhook during hostile renders: {lag}");
    assert!(lag < chrono::Duration::seconds(2), "lag {lag}");

    for id in &hostile {
        let n = wait_for_final(&app, id, Duration::from_secs(30)).await;
        assert_eq!(n["status"], "dead", "{n}");
        assert_eq!(n["attempts"], 1, "{n}");
        assert_eq!(
            n["last_error"], "body: template exceeded its render budget",
            "{n}"
        );
        let tried = attempts(&app, id).await;
        assert_eq!(tried.len(), 1, "{tried:?}");
        assert_eq!(tried[0]["outcome"], "permanent_failure");
        let took = chrono::DateTime::parse_from_rfc3339(tried[0]["finished_at"].as_str().unwrap())
            .unwrap()
            - chrono::DateTime::parse_from_rfc3339(tried[0]["started_at"].as_str().unwrap())
                .unwrap();
        println!("hostile attempt ended dead after {took}");
        assert_eq!(
            tried[0]["error"],
            "body: template exceeded its render budget"
        );
    }
    let paths: Vec<String> = peer.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/normal"], "nothing hostile was sent");
}

#[tokio::test]
async fn a_render_longer_than_the_visibility_timeout_is_cut_short_and_never_sent() {
    // Fuel for the whole loop, and the shortest send deadline (2.1 s): the loop's 8 million
    // iterations take about twice that, so the deadline stops it before its work budget does.
    let app = delivery_app(|s| {
        s.channels.render_fuel = 100_000_000;
        s.channels.http_timeout = Duration::from_millis(100);
    })
    .await;
    let guard = app.settings.send_guard();
    assert!(app.settings.sender.visibility_timeout > guard);
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let key = app.member_key().await;
    let id = event_webhook(&app, &key, &peer.url_for("/slow"), NESTED, 500).await;

    let n = wait_for_final(&app, &id, Duration::from_secs(60)).await;
    assert_eq!(n["status"], "dead", "{n}");
    let tried = attempts(&app, &id).await;
    assert_eq!(tried.len(), 3, "every attempt recorded once: {tried:?}");
    for (i, a) in tried.iter().enumerate() {
        // Retried like a provider timeout; the last attempt ends it.
        let outcome = if i < 2 {
            "transient_failure"
        } else {
            "permanent_failure"
        };
        assert_eq!(a["outcome"], outcome, "{a}");
        let error = a["error"].as_str().unwrap();
        assert!(
            error.starts_with("body: template did not finish rendering in time"),
            "{a}"
        );
        let took = chrono::DateTime::parse_from_rfc3339(a["finished_at"].as_str().unwrap())
            .unwrap()
            - chrono::DateTime::parse_from_rfc3339(a["started_at"].as_str().unwrap()).unwrap();
        println!("attempt cut short after {took}");
        // The deadline, plus room for a loaded machine, but well within the visibility timeout.
        let bound = chrono::Duration::from_std(guard + Duration::from_secs(2)).unwrap();
        assert!(took < bound, "attempt took {took}");
    }
    assert!(
        n["last_error"]
            .as_str()
            .unwrap()
            .starts_with("body: template did not finish rendering in time"),
        "{n}"
    );
    assert!(peer.requests().is_empty(), "never sent");
}

#[tokio::test]
async fn templates_that_can_never_be_sent_are_refused_at_create_time() {
    let app = TestApp::spawn_with(&[Role::Api], |s| s.channels.webhook_allow_private = true).await;
    let url = "http://127.0.0.1:9/hook";
    let s200 = "x".repeat(200);
    let cases = [
        (
            json!({"channel": "webhook", "recipient": url, "body": REPEAT}),
            "body",
            "template exceeded its render budget",
        ),
        (
            json!({"channel": "webhook", "recipient": url, "body": NESTED, "data": {"s": s200}}),
            "body",
            "template exceeded its render budget",
        ),
        (
            json!({"channel": "sms", "recipient": "+15550001111", "body": "{% for a in s %}{{ s }}{% endfor %}", "data": {"s": s200}}),
            "body",
            "template exceeded its output size limit of 1600 characters",
        ),
        (
            json!({"channel": "email", "recipient": "ada@example.com", "subject": "{% for a in s %}{{ s * 10 }}{% endfor %}", "body": "hi", "data": {"s": s200}}),
            "subject",
            "template exceeded its output size limit of 262144 bytes",
        ),
    ];
    for (mut body, field, message) in cases {
        body["send_at"] = json!(at_ms(3_600_000).to_rfc3339());
        let (s, err) = app
            .post("/api/v1/notifications", &app.admin_key, &body)
            .await;
        support::assert_error(s, &err, 422, Some(field));
        assert!(err.to_string().contains(message), "{err}");
    }

    // The same body is fine with small data, and turns hostile by a change of data.
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": url, "body": NESTED, "data": {"s": "abc"}, "send_at": at_ms(3_600_000).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().unwrap();
    let (s, err) = app
        .patch(
            &format!("/api/v1/notifications/{id}"),
            &app.admin_key,
            &json!({"data": {"s": s200}}),
        )
        .await;
    support::assert_error(s, &err, 422, Some("body"));
    assert!(
        err.to_string()
            .contains("template exceeded its render budget"),
        "{err}"
    );
}

#[tokio::test]
async fn a_sender_paused_past_the_visibility_timeout_does_not_send_what_another_took_over() {
    // No sender role: the test plays a sender that pauses, and another one that takes over.
    let mut app = TestApp::spawn_with(&[Role::Api], |s| {
        s.channels.webhook_allow_private = true;
        s.channels.http_timeout = Duration::from_secs(1);
        s.sender.visibility_timeout =
            s.send_guard() + chime::config::VISIBILITY_MARGIN + Duration::from_secs(1);
    })
    .await;
    app.leaves_work("the paused sender's claim is taken over, not finished");
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let mut rows = Vec::new();
    for name in ["sent-by-peer", "taken-by-peer", "still-ours"] {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({"channel": "webhook", "recipient": peer.url_for(&format!("/{name}")), "send_at": at_ms(3_600_000).to_rfc3339()}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
        let version: i32 = chime::db::schema::notifications::table
            .find(id)
            .select(chime::db::schema::notifications::version)
            .first(&mut app.db.conn())
            .unwrap();
        rows.push((id, version));
    }
    let entry = |i: usize| ReadyEntry {
        stream_id: format!("{}-0", i + 1),
        member: Some(Member::new(rows[i].0, rows[i].1)),
        due_ms: None,
    };
    let deliverer = |ctx: RoleContext| {
        let channels = Channels::from_config(&chime::sender::channels_config(&ctx)).unwrap();
        Deliverer::new(ctx, Arc::new(channels))
    };
    let paused = deliverer(app.role_context().await);
    let peer_sender = deliverer(app.role_context().await);

    let mut ours = paused.claim(&[entry(0), entry(1), entry(2)]).await.unwrap();
    assert_eq!(ours.len(), 3);
    // While the first sender is paused, the other takes the first two rows over once the
    // visibility timeout has passed, and sends the first.
    let mut theirs = std::collections::HashMap::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while theirs.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the other sender never took the rows over"
        );
        theirs.extend(peer_sender.claim(&[entry(0), entry(1)]).await.unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = theirs.remove(&Member::new(rows[0].0, rows[0].1)).unwrap();
    assert!(peer_sender.deliver(first, None).await);
    let n = wait_until(
        "the takeover to be sent",
        Duration::from_secs(10),
        || async {
            let n = notification(&app, &rows[0].0.to_string()).await;
            (n["status"] == "sent").then_some(n)
        },
    )
    .await;
    assert_eq!(n["attempts"], 2, "{n}");

    // The paused sender resumes: only the row still claimed by it is sent.
    for (i, (id, version)) in rows.iter().enumerate() {
        let work = ours.remove(&Member::new(*id, *version)).unwrap();
        let acknowledge = paused.deliver(work, None).await;
        assert_eq!(acknowledge, i == 2, "row {i}");
    }
    let reqs = peer.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/sent-by-peer", "/still-ours"],
        "nothing sent twice"
    );

    // Nothing was recorded over the other sender's claims.
    let taken = notification(&app, &rows[1].0.to_string()).await;
    assert_eq!(taken["status"], "sending", "{taken}");
    assert_eq!(taken["attempts"], 2, "{taken}");
    let outcomes = |a: Vec<Value>| -> Vec<String> {
        a.iter()
            .map(|a| a["outcome"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        outcomes(attempts(&app, &rows[0].0.to_string()).await),
        ["success"]
    );
    assert!(attempts(&app, &rows[1].0.to_string()).await.is_empty());
    let mine = wait_until(
        "the last outcome to be recorded",
        Duration::from_secs(10),
        || async {
            let n = notification(&app, &rows[2].0.to_string()).await;
            (n["status"] == "sent").then_some(n)
        },
    )
    .await;
    assert_eq!(mine["attempts"], 1);
}
