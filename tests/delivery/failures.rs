use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::json;

#[tokio::test]
async fn a_flaky_endpoint_is_sent_on_the_third_attempt() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::sequence([500, 500, 200]))
        .await
        .unwrap();
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/flaky"), "send_at": at_ms(200).to_rfc3339()}))
        .await;
    let id = n["id"].as_str().unwrap().to_string();
    let n = wait_for_status(&app, &id, "sent").await;
    assert_eq!(n["attempts"], 3);
    let (_, attempts) = app
        .get(
            &format!("/api/v1/notifications/{id}/attempts"),
            &app.admin_key,
        )
        .await;
    let outcomes: Vec<_> = attempts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        outcomes,
        ["transient_failure", "transient_failure", "success"]
    );
    let reqs = peer.requests();
    assert_eq!(reqs.len(), 3);
    // The same webhook-id every time, and retries spaced by the (jittered) schedule.
    assert!(reqs
        .iter()
        .all(|r| r.header("webhook-id") == Some(id.as_str())));
    assert!(reqs[1].received_at - reqs[0].received_at >= chrono::Duration::milliseconds(200));
}

#[tokio::test]
async fn a_failing_endpoint_goes_dead_and_a_replay_arrives_once() {
    let app = delivery_app(|_| {}).await;
    // 400 is permanent: dead at once, no retry.
    let peer = HttpPeer::start(Responder::sequence([400, 200]))
        .await
        .unwrap();
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/bad"), "send_at": at_ms(200).to_rfc3339()}))
        .await;
    let id = n["id"].as_str().unwrap().to_string();
    let n = wait_for_status(&app, &id, "dead").await;
    assert_eq!(n["attempts"], 1);
    assert!(n["last_error"].as_str().unwrap().contains("400"), "{n}");
    let (s, dead) = app.get("/api/v1/dead-letters", &app.admin_key).await;
    assert_eq!(s, 200);
    assert_eq!(dead["items"][0]["id"], id.as_str());
    let member = app.member_key().await;
    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{id}/replay"),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(s, 403, "replay is for admins");
    let (s, replayed) = app
        .post(
            &format!("/api/v1/notifications/{id}/replay"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{replayed}");
    assert_eq!(replayed["status"], "scheduled");
    wait_for_status(&app, &id, "sent").await;
    assert_eq!(
        peer.requests().len(),
        2,
        "one failure, then exactly one successful replay"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{id}/replay"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 409, "only dead notifications replay");
    let (_, dead) = app.get("/api/v1/dead-letters", &app.admin_key).await;
    assert_eq!(dead["items"], json!([]));
}

#[tokio::test]
async fn transient_failures_end_dead_after_max_attempts() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(503)).await.unwrap();
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/down"), "send_at": at_ms(100).to_rfc3339(), "max_attempts": 2}))
        .await;
    let id = n["id"].as_str().unwrap().to_string();
    let n = wait_for_status(&app, &id, "dead").await;
    assert_eq!(n["attempts"], 2);
    assert_eq!(peer.requests().len(), 2);
}

#[tokio::test]
async fn a_broken_recipient_fails_alone_without_stalling_others() {
    let app = delivery_app(|s| s.channels.webhook_allow_private = false).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    // Written around the API's address check: the sender must refuse it at send time. Due
    // in 3 s, so the rewrite below lands before the send even on a loaded machine.
    let (s, bad) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "email", "recipient": "ada@example.com", "body": "x", "send_at": at_ms(3000).to_rfc3339()}))
        .await;
    assert_eq!(s, 201, "{bad}");
    let bad_id: uuid::Uuid = bad["id"].as_str().unwrap().parse().unwrap();
    {
        use chime::db::schema::notifications::dsl as q;
        use diesel::prelude::*;
        diesel::update(q::notifications.find(bad_id))
            .set((
                q::channel.eq("webhook"),
                q::recipient.eq(peer.url_for("/private")),
            ))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let n = wait_for_status(&app, &bad_id.to_string(), "dead").await;
    assert!(n["last_error"].as_str().unwrap().len() > 3);
    assert!(
        peer.requests().is_empty(),
        "never reached the private address"
    );
    // E-mail (logged, no SMTP configured) still flows.
    let (_, ok) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "email", "recipient": "bob@example.com", "body": "fine", "send_at": at_ms(100).to_rfc3339()}))
        .await;
    wait_for_status(&app, ok["id"].as_str().unwrap(), "sent").await;
}
