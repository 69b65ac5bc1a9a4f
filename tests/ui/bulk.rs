use crate::api::{at, create, email, sql};
use crate::support::{assert_error, TestApp};
use chime::domain::AccessRole;
use chrono::Duration;
use diesel::prelude::*;
use redis::Commands;
use serde_json::json;

fn count(app: &TestApp, query: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(query)
        .get_result::<N>(&mut app.db.conn())
        .expect("count")
        .n
}

fn grouped(group: &str, minutes: i64) -> serde_json::Value {
    let mut b = email("g@example.com", at(Duration::minutes(minutes)));
    b["group_key"] = json!(group);
    b
}

#[tokio::test]
async fn cancel_matching_counts_first_then_cancels_in_bounded_audited_calls() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(create(&app, key, grouped("trial-42", 60 + i)).await["id"].clone());
    }
    let keep = create(&app, key, grouped("trial-43", 60)).await;
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let theirs = create(&app, &other, grouped("trial-42", 60)).await;
    let path = "/api/v1/notifications/cancel-matching";

    let (s, dry) = app
        .post(
            path,
            key,
            &json!({"group_key": "trial-42", "dry_run": true}),
        )
        .await;
    assert_eq!(s, 200, "{dry}");
    assert_eq!(dry["matched"], 5);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM notifications WHERE status = 'cancelled'"
        ),
        0
    );

    let member = app.member_key().await;
    let (s, body) = app
        .post(
            path,
            &member,
            &json!({"group_key": "trial-42", "dry_run": true}),
        )
        .await;
    assert_error(s, &body, 403, None);
    let (s, body) = app.post(path, key, &json!({})).await;
    assert_error(s, &body, 422, Some("filter"));
    let (s, body) = app
        .post(
            path,
            key,
            &json!({"group_key": "trial-42", "status": "sent"}),
        )
        .await;
    assert_error(s, &body, 422, Some("status"));
    let (s, body) = app
        .post(path, key, &json!({"group_key": "trial-42", "limit": 1001}))
        .await;
    assert_error(s, &body, 422, Some("limit"));
    let (s, body) = app.post(path, key, &json!({"due_after": "soon"})).await;
    assert_error(s, &body, 422, Some("due_after"));

    // Bounded: two now, the rest on the next call.
    let (s, first) = app
        .post(path, key, &json!({"group_key": "trial-42", "limit": 2}))
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["cancelled"], 2);
    assert_eq!(first["remaining"], 3);
    assert_eq!(first["more"], true);
    let (_, second) = app.post(path, key, &json!({"group_key": "trial-42"})).await;
    assert_eq!(second["cancelled"], 3, "{second}");
    assert_eq!(second["remaining"], 0);
    assert_eq!(second["more"], false);

    for id in &ids {
        let (_, n) = app
            .get(
                &format!("/api/v1/notifications/{}", id.as_str().unwrap()),
                key,
            )
            .await;
        assert_eq!(n["status"], "cancelled", "{n}");
    }
    // Out of the schedule too.
    let zcard: i64 = app.redis().zcard(app.keys().schedule).unwrap();
    assert_eq!(
        zcard, 2,
        "the other group's and the other tenant's entries remain"
    );
    let (_, n) = app
        .get(
            &format!("/api/v1/notifications/{}", keep["id"].as_str().unwrap()),
            key,
        )
        .await;
    assert_eq!(n["status"], "scheduled");
    let (_, n) = app
        .get(
            &format!("/api/v1/notifications/{}", theirs["id"].as_str().unwrap()),
            &other,
        )
        .await;
    assert_eq!(
        n["status"], "scheduled",
        "another tenant's group is untouched"
    );

    // Audited: one summary per call and one entry per notification.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'notification.bulk_cancelled'"
        ),
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'notification.cancelled' \
                     AND detail->>'bulk' = 'true'"
        ),
        5
    );
}

#[tokio::test]
async fn replay_matching_replays_the_filtered_dead_letters_of_the_tenant_only() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let mut dead = Vec::new();
    for _ in 0..3 {
        dead.push(create(&app, key, email("x@example.com", at(Duration::hours(1)))).await);
    }
    let sms = create(
        &app,
        key,
        json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "send_at": at(Duration::hours(1))}),
    )
    .await;
    let theirs = create(&app, &other, email("x@example.com", at(Duration::hours(1)))).await;
    sql(
        &app,
        "UPDATE notifications SET status = 'dead', attempts = 3, last_error = 'refused'",
    );
    let path = "/api/v1/dead-letters/replay";

    let (s, dry) = app
        .post(path, key, &json!({"channel": "email", "dry_run": true}))
        .await;
    assert_eq!(s, 200, "{dry}");
    assert_eq!(dry["matched"], 3);
    let member = app.member_key().await;
    let (s, body) = app.post(path, &member, &json!({"channel": "email"})).await;
    assert_error(s, &body, 403, None);
    let (s, body) = app.post(path, key, &json!({"channel": "pigeon"})).await;
    assert_error(s, &body, 422, Some("channel"));

    let before: i64 = app.redis().zcard(app.keys().schedule).unwrap();
    let (s, r) = app.post(path, key, &json!({"channel": "email"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["replayed"], 3);
    assert_eq!(r["remaining"], 0);
    assert_eq!(r["more"], false);
    for n in &dead {
        let (_, n) = app
            .get(
                &format!("/api/v1/notifications/{}", n["id"].as_str().unwrap()),
                key,
            )
            .await;
        assert_eq!(n["status"], "scheduled");
        assert_eq!(n["attempts"], 0);
    }
    let after: i64 = app.redis().zcard(app.keys().schedule).unwrap();
    assert_eq!(after, before + 3, "replayed rows are scheduled again");
    let (_, n) = app
        .get(
            &format!("/api/v1/notifications/{}", sms["id"].as_str().unwrap()),
            key,
        )
        .await;
    assert_eq!(n["status"], "dead", "outside the filter");
    let (_, n) = app
        .get(
            &format!("/api/v1/notifications/{}", theirs["id"].as_str().unwrap()),
            &other,
        )
        .await;
    assert_eq!(n["status"], "dead", "another tenant's dead letter");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'notification.bulk_replayed'"
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'notification.replayed'"
        ),
        3
    );
}

#[tokio::test]
async fn replaying_without_a_filter_replays_every_dead_letter_in_bounded_calls() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    for _ in 0..3 {
        create(&app, key, email("x@example.com", at(Duration::hours(1)))).await;
    }
    sql(&app, "UPDATE notifications SET status = 'dead'");
    let path = "/api/v1/dead-letters/replay";
    let (s, r) = app.post(path, key, &json!({"limit": 2})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (
            r["replayed"].as_i64(),
            r["remaining"].as_i64(),
            r["more"].as_bool()
        ),
        (Some(2), Some(1), Some(true))
    );
    let (_, r) = app.post(path, key, &json!({})).await;
    assert_eq!(
        (r["replayed"].as_i64(), r["more"].as_bool()),
        (Some(1), Some(false)),
        "{r}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM notifications WHERE status = 'dead'"
        ),
        0
    );
}
