use crate::support::redis_delete_prefix;
use crate::{at_ms, delivery_app, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_flushed_redis_is_rebuilt_from_postgres() {
    let app = delivery_app(|_| {}).await;
    let peer = HttpPeer::start(Responder::always(200)).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, n) = app
            .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "webhook", "recipient": peer.url_for(&format!("/n{i}")), "send_at": at_ms(2000).to_rfc3339()}))
            .await;
        ids.push(n["id"].as_str().unwrap().to_string());
    }
    // Everything Chime keeps in Redis disappears.
    redis_delete_prefix(&app.prefix.0);
    let mut conn = app.redis();
    let n: usize = redis::cmd("ZCARD")
        .arg(&app.keys().schedule)
        .query(&mut conn)
        .unwrap();
    assert!(n <= 5);
    let got = peer.wait_for(5, Duration::from_secs(20)).await.unwrap();
    assert_eq!(got.len(), 5);
    for id in &ids {
        wait_for_status(&app, id, "sent").await;
    }
    // Nothing twice.
    let mut seen: Vec<_> = peer
        .requests()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_string())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}
