//! A digest through a crash: the sender carrying it is killed while its send is in flight.

use crate::processes::{free_port, Chime};
use crate::support::{wait_until, TestDb, TestPrefix, ADMIN_KEY};
use chime::channels::test_peers::{HttpPeer, PeerResponse, Responder};
use serde_json::json;
use std::time::Duration;

/// Three notifications of one digest key go by webhook. The receiver answers after a delay;
/// the sender is killed while the digest's send waits for that answer, and a second sender
/// takes it over after the visibility timeout. Every request the receiver got is the whole
/// digest under the carrier's id (a repeat after the crash is the same message); no item ever
/// went out on its own, and all three end sent, pointing at the carrier.
#[tokio::test]
async fn a_digest_whose_sender_is_killed_mid_send_goes_out_whole_and_never_item_by_item() {
    let db = TestDb::create();
    let prefix = TestPrefix::new();
    let hooks = HttpPeer::start(Responder::script(vec![
        PeerResponse::new(200).delay(Duration::from_millis(1500))
    ]))
    .await
    .unwrap();
    let port = free_port();
    let api_url = format!("http://127.0.0.1:{port}");
    let _api = Chime::start(
        "api,scheduler",
        &db,
        &prefix,
        &[("CHIME_LISTEN_ADDR", format!("127.0.0.1:{port}"))],
    );
    let client = reqwest::Client::new();
    wait_until("the API to be ready", Duration::from_secs(30), || {
        let (client, url) = (client.clone(), format!("{api_url}/readyz"));
        async move {
            let r = client.get(url).send().await.ok()?;
            (r.status() == 200).then_some(())
        }
    })
    .await;
    let mut sender_1 = Chime::start("sender", &db, &prefix, &[]);
    let r = client
        .put(format!("{api_url}/api/v1/recipients/cust_42"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"webhook_url": hooks.url_for("/hook")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let first_due = chrono::Utc::now() + chrono::Duration::seconds(1);
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = client
            .post(format!("{api_url}/api/v1/notifications"))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"recipient_id": "cust_42", "category": "alerts", "channel": "webhook",
                          "body": "item {{ i }}", "data": {"i": i},
                          "send_at": (first_due + chrono::Duration::milliseconds(200 * i)).to_rfc3339(),
                          "digest": {"key": "alerts", "window": "PT2S",
                                     "body": "{% for item in items %}[{{ item.body }}]{% endfor %}"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let n: serde_json::Value = r.json().await.unwrap();
        ids.push(n["id"].as_str().unwrap().to_string());
    }

    wait_until(
        "the digest's send to be in flight",
        Duration::from_secs(30),
        || async { (!hooks.requests().is_empty()).then_some(()) },
    )
    .await;
    sender_1.kill();
    let first = hooks.requests()[0].received_at;
    assert!(
        chrono::Utc::now() < first + chrono::Duration::milliseconds(1500),
        "sender 1 was killed only after the answer could have reached it"
    );
    let _sender_2 = Chime::start("sender", &db, &prefix, &[]);

    use chime::db::schema::notifications::dsl as n;
    use diesel::prelude::*;
    wait_until("all three to be sent", Duration::from_secs(60), || async {
        let sent: i64 = n::notifications
            .filter(n::status.eq("sent"))
            .count()
            .get_result(&mut db.conn())
            .ok()?;
        (sent == 3).then_some(())
    })
    .await;
    let rows: Vec<(uuid::Uuid, Option<uuid::Uuid>)> = n::notifications
        .select((n::id, n::digest_of))
        .load(&mut db.conn())
        .unwrap();
    let carrier = rows[0].1.expect("carried");
    assert!(rows.iter().all(|(_, of)| *of == Some(carrier)), "{rows:?}");
    let requests = hooks.requests();
    assert!(
        requests.len() >= 2,
        "the killed send and the taken-over one"
    );
    for r in &requests {
        assert_eq!(r.header("webhook-id"), Some(carrier.to_string().as_str()));
        let body = r.body_json().unwrap();
        assert_eq!(
            body["data"]["body"], "[item 0][item 1][item 2]",
            "every request is the whole digest"
        );
    }
    println!(
        "digest sent {} times (the repeat after the crash carries the same id)",
        requests.len()
    );
}
