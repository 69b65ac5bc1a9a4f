use crate::support::wait_until;
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_due_webhook_arrives_signed_on_time_and_never_early() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let send_at = at_ms(1500);
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": peer.url_for("/hook"), "body": "Hi {{name}}",
                    "data": {"name": "Ada"}, "send_at": send_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().unwrap().to_string();
    let got = peer.wait_for(1, Duration::from_secs(15)).await.unwrap();
    let req = &got[0];
    assert!(
        req.received_at >= send_at,
        "arrived {} before send_at {}",
        req.received_at,
        send_at
    );
    let lag = req.received_at - send_at;
    assert!(lag < chrono::Duration::seconds(2), "lag {lag}");
    assert_eq!(req.header("webhook-id"), Some(id.as_str()));
    let secret = app.webhook_secret().await;
    let ts: i64 = req.header("webhook-timestamp").unwrap().parse().unwrap();
    chime::channels::signing::verify(
        &secret,
        &id,
        ts,
        &req.body,
        req.header("webhook-signature").unwrap(),
    )
    .expect("signature verifies with the tenant secret");
    let payload = req.body_json().unwrap();
    assert_eq!(payload["id"], id.as_str());
    assert_eq!(payload["type"], "notification");
    assert_eq!(payload["data"]["body"], "Hi Ada");
    let n = wait_for_status(&app, &id, "sent").await;
    assert!(n["sent_at"].is_string());
    assert_eq!(n["attempts"], 1);
    let (_, attempts) = app
        .get(
            &format!("/api/v1/notifications/{id}/attempts"),
            &app.admin_key,
        )
        .await;
    assert_eq!(attempts["items"][0]["outcome"], "success");
    assert_eq!(attempts["items"][0]["number"], 1);
}

#[tokio::test]
async fn cancelled_never_arrives_and_rescheduled_arrives_once_at_its_new_time() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let create = |path: &str, at: chrono::DateTime<chrono::Utc>| json!({"channel": "webhook", "recipient": peer.url_for(path), "send_at": at.to_rfc3339()});
    let (_, cancelled) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &create("/cancelled", at_ms(800)),
        )
        .await;
    let (_, moved) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &create("/moved", at_ms(800)),
        )
        .await;
    let cancelled_id = cancelled["id"].as_str().unwrap();
    let moved_id = moved["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{cancelled_id}/cancel"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let new_at = at_ms(2500);
    let (s, _) = app
        .patch(
            &format!("/api/v1/notifications/{moved_id}"),
            &app.admin_key,
            &json!({"send_at": new_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 200);
    // A sentinel due after both original times proves the scheduler has been past them.
    let (_, sentinel) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &create("/sentinel", at_ms(3000)),
        )
        .await;
    let sentinel_id = sentinel["id"].as_str().unwrap();
    wait_for_status(&app, sentinel_id, "sent").await;
    wait_for_status(&app, moved_id, "sent").await;
    let requests = peer.requests();
    let moved_reqs: Vec<_> = requests.iter().filter(|r| r.path == "/moved").collect();
    assert_eq!(moved_reqs.len(), 1, "rescheduled arrives exactly once");
    assert!(moved_reqs[0].received_at >= new_at, "not at its old time");
    assert!(
        requests.iter().all(|r| r.path != "/cancelled"),
        "cancelled never arrives"
    );
    let n = crate::notification(&app, cancelled_id).await;
    assert_eq!(n["status"], "cancelled");
}

#[tokio::test]
async fn an_earlier_notification_wakes_the_scheduler() {
    // A long lock TTL: without the wake-up the leader would sleep for up to 10 s (a third of it).
    let app = delivery_app(|s| s.scheduler.leader_ttl = Duration::from_secs(30)).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    // Something far away first: the leader sleeps towards it (bounded by lock renewal).
    app.post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/late"), "send_at": at_ms(3_600_000).to_rfc3339()})).await;
    // Let the leader go to sleep towards the far one first.
    crate::support::wait_until("the leader", Duration::from_secs(10), || async {
        let mut conn = app.redis();
        redis::cmd("GET")
            .arg(&app.keys().leader)
            .query::<Option<String>>(&mut conn)
            .ok()
            .flatten()
    })
    .await;
    let send_at = at_ms(1500);
    app.post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/soon"), "send_at": send_at.to_rfc3339()})).await;
    let got = peer.wait_for(1, Duration::from_secs(10)).await.unwrap();
    assert_eq!(got[0].path, "/soon");
    assert!(got[0].received_at >= send_at);
    assert!(
        got[0].received_at - send_at < chrono::Duration::milliseconds(900),
        "woken early, not at the next renewal"
    );
}

#[tokio::test]
async fn an_overdue_notification_is_sent_at_once_and_an_expired_one_never() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let (_, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/expired"), "send_at": at_ms(60_000).to_rfc3339(), "expires_at": at_ms(120_000).to_rfc3339()}))
        .await;
    let id = n["id"].as_str().unwrap().to_string();
    // The new leader's first reconcile pass rewrites schedule scores from PostgreSQL; let it
    // finish first, or it could put back the score changed below.
    let marker = app.keys().reconciled;
    wait_until(
        "the first reconcile pass",
        Duration::from_secs(10),
        || async {
            let value: Option<String> = redis::cmd("GET")
                .arg(&marker)
                .query(&mut app.redis())
                .unwrap();
            value.filter(|v| v.starts_with("done")).map(|_| ())
        },
    )
    .await;
    // Move both times into the past behind the API's back, further than the grace a late start
    // gets: the sender must refuse to send.
    {
        use chime::db::schema::notifications::dsl as q;
        use diesel::prelude::*;
        let grace = chrono::Duration::from_std(chime::sender::deliver::EXPIRY_GRACE).unwrap();
        let past = chrono::Utc::now() - grace - chrono::Duration::seconds(5);
        diesel::update(q::notifications.find(id.parse::<uuid::Uuid>().unwrap()))
            .set((
                q::expires_at.eq(past),
                q::send_at.eq(past - chrono::Duration::seconds(1)),
                q::due_at.eq(past),
            ))
            .execute(&mut app.db.conn())
            .unwrap();
        let uid: uuid::Uuid = id.parse().unwrap();
        let mut conn = app.redis();
        let member = chime::schedule::Member::new(uid, 1).to_bytes();
        let _: () = redis::cmd("ZADD")
            .arg(&app.keys().schedule)
            .arg(past.timestamp_millis())
            .arg(member.as_slice())
            .query(&mut conn)
            .unwrap();
    }
    let send_at = at_ms(0);
    app.post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for("/now"), "send_at": send_at.to_rfc3339()})).await;
    let n = wait_for_status(&app, &id, "expired").await;
    assert!(n["sent_at"].is_null());
    wait_until("the overdue one", Duration::from_secs(10), || async {
        peer.requests()
            .iter()
            .any(|r| r.path == "/now")
            .then_some(())
    })
    .await;
    assert!(peer.requests().iter().all(|r| r.path != "/expired"));
}

#[tokio::test]
async fn a_reminder_due_at_its_target_date_is_sent_not_expired() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    // No lead time: send_at is the target date, which is also the expiry.
    let target = at_ms(400);
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({"channel": "webhook", "recipient": peer.url_for("/due"), "target_date": target.to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().unwrap().to_string();
    assert_eq!(n["send_at"], n["target_date"], "{n}");
    let got = peer.wait_for(1, Duration::from_secs(15)).await.unwrap();
    assert_eq!(got[0].header("webhook-id"), Some(id.as_str()));
    assert!(
        got[0].received_at >= target,
        "arrived before its target date"
    );
    let n = wait_for_status(&app, &id, "sent").await;
    assert!(n["last_error"].is_null(), "{n}");
}

#[tokio::test]
async fn sends_in_flight_are_bounded_by_the_sender_concurrency() {
    let app = delivery_app(|s| s.sender.concurrency = 2).await;
    // Each answer takes `hold`: a third request can reach the peer only after a send finished.
    let hold = Duration::from_millis(400);
    let peer = HttpPeer::start(Responder::script(vec![
        chime::channels::test_peers::PeerResponse::new(200).delay(hold),
    ]))
    .await
    .unwrap();
    let send_at = at_ms(300);
    for i in 0..6 {
        let (s, n) = app
            .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for(&format!("/n{i}")), "send_at": send_at.to_rfc3339()}))
            .await;
        assert_eq!(s, 201, "{n}");
    }
    let got = peer.wait_for(6, Duration::from_secs(20)).await.unwrap();
    let mut times: Vec<_> = got.iter().map(|r| r.received_at).collect();
    times.sort();
    let least = chrono::Duration::from_std(hold * 9 / 10).unwrap();
    for window in times.windows(3) {
        assert!(
            window[2] - window[0] >= least,
            "three sends in flight at once: {times:?}"
        );
    }
}
