//! Channel fallback through a crash: a sender killed while its webhook sends are in flight.

use crate::processes::{free_port, Chime};
use crate::support::{wait_until, TestDb, TestPrefix, ADMIN_KEY};
use chime::channels::test_peers::{HttpPeer, PeerResponse, Responder};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const N: usize = 10;
/// How long the webhook receiver takes to refuse: the window in which the sender is killed.
/// Within the HTTP timeout set below, so the refusal (not a timeout) is what ends each send.
const REFUSAL_DELAY: Duration = Duration::from_millis(3500);

fn phone(i: usize) -> String {
    format!("+1415555{i:04}")
}

/// Each notification goes by webhook first, falling back to SMS. The webhook receiver refuses
/// every request (410, permanent) after a delay; sender 1 is killed while all of them wait for
/// that answer, sender 2 takes them over after the visibility timeout. Every notification ends
/// sent by exactly one SMS, and no webhook request is made after its SMS.
#[tokio::test]
async fn a_sender_killed_mid_send_never_sends_both_channels_nor_either_twice() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let hooks = HttpPeer::start(Responder::script(vec![
        PeerResponse::new(410).delay(REFUSAL_DELAY)
    ]))
    .await
    .unwrap();
    let sms = HttpPeer::start(Responder::always(201)).await.unwrap();
    let sms_env = [
        ("CHIME_HTTP_TIMEOUT", "5s".to_string()),
        // The least an HTTP timeout of 5s allows.
        ("CHIME_VISIBILITY_TIMEOUT", "13s".to_string()),
        ("CHIME_SMS_URL", sms.url.trim_end_matches('/').to_string()),
        ("CHIME_SMS_ACCOUNT_SID", "AC123".to_string()),
        ("CHIME_SMS_AUTH_TOKEN", "token-xyz".to_string()),
        ("CHIME_SMS_FROM", "+15005550006".to_string()),
    ];
    let port = free_port();
    let api_url = format!("http://127.0.0.1:{port}");
    let mut api_env = sms_env.to_vec();
    api_env.push(("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}")));
    let _api = Chime::start("api,scheduler", &db, &prefix, &api_env);
    let client = reqwest::Client::new();
    wait_until("the API to be ready", Duration::from_secs(30), || {
        let (client, url) = (client.clone(), format!("{api_url}/readyz"));
        async move {
            let r = client.get(url).send().await.ok()?;
            (r.status() == 200).then_some(())
        }
    })
    .await;
    let mut sender_1 = Chime::start("sender", &db, &prefix, &sms_env);

    let send_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let mut ids = HashMap::new();
    for i in 0..N {
        let r = client
            .put(format!("{api_url}/api/v1/recipients/cust_{i}"))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"webhook_url": hooks.url_for(&format!("/n/{i}")), "phone": phone(i)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = client
            .post(format!("{api_url}/api/v1/notifications"))
            .bearer_auth(ADMIN_KEY)
            .json(
                &json!({"recipient_id": format!("cust_{i}"), "category": "alerts",
                          "channel": "webhook", "fallback": ["sms"], "body": "Alert {{i}}",
                          "data": {"i": i}, "send_at": send_at.to_rfc3339()}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let n: serde_json::Value = r.json().await.unwrap();
        ids.insert(n["id"].as_str().unwrap().to_string(), i);
    }

    wait_until(
        "every webhook send to be in flight",
        Duration::from_secs(30),
        || async { (hooks.requests().len() >= N).then_some(()) },
    )
    .await;
    let first = hooks.requests()[0].received_at;
    sender_1.kill();
    let killed_at = chrono::Utc::now();
    assert!(
        killed_at < first + chrono::Duration::from_std(REFUSAL_DELAY).unwrap(),
        "sender 1 was killed only after a refusal could have reached it"
    );
    assert!(
        sms.requests().is_empty(),
        "nothing fell back before the kill"
    );
    let started = Instant::now();
    let _sender_2 = Chime::start("sender", &db, &prefix, &sms_env);

    use chime::db::schema::notifications::dsl as n;
    use diesel::prelude::*;
    wait_until(
        "every notification to be sent",
        Duration::from_secs(90),
        || async {
            let sent: i64 = n::notifications
                .filter(n::status.eq("sent"))
                .count()
                .get_result(&mut db.conn())
                .ok()?;
            (sent == N as i64).then_some(())
        },
    )
    .await;
    println!(
        "all {N} fell back to SMS {:?} after the kill",
        started.elapsed()
    );

    let texts = sms.requests();
    assert_eq!(texts.len(), N, "one SMS per notification: {texts:?}");
    let hook_requests = hooks.requests();
    for i in 0..N {
        let to = format!("To={}", phone(i).replace('+', "%2B"));
        let mine: Vec<_> = texts
            .iter()
            .filter(|t| t.body_text().contains(&to))
            .collect();
        assert_eq!(mine.len(), 1, "cust_{i}: exactly one SMS");
        let path = format!("/n/{i}");
        let hooks_for: Vec<_> = hook_requests.iter().filter(|r| r.path == path).collect();
        // The killed send and the taken-over one; none after the switch.
        assert_eq!(
            hooks_for.len(),
            2,
            "cust_{i}: {:?}",
            hooks_for.iter().map(|h| h.received_at).collect::<Vec<_>>()
        );
        assert!(
            hooks_for
                .iter()
                .all(|h| h.received_at < mine[0].received_at),
            "cust_{i}: a webhook request after the SMS"
        );
    }
    let rows: Vec<(uuid::Uuid, String, i32)> = n::notifications
        .select((n::id, n::channel, n::channel_index))
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(rows.len(), N);
    for (id, channel, index) in rows {
        assert!(ids.contains_key(&id.to_string()));
        assert_eq!((channel.as_str(), index), ("sms", 1));
    }
}
