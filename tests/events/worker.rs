use crate::support::{wait_until, TestApp};
use crate::{card_rule, drain, get_event, post_event, redis_int, worker_ctx};
use chime::config::Role;
use chime::events::worker::{self, Outcome};
use chrono::{DateTime, Duration, Timelike, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn uuid(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

async fn notifications_of(app: &TestApp, event: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for id in event["notification_ids"].as_array().unwrap() {
        let (status, n) = app
            .get(
                &format!("/api/v1/notifications/{}", id.as_str().unwrap()),
                &app.admin_key,
            )
            .await;
        assert_eq!(status, 200, "{n}");
        out.push(n);
    }
    out
}

async fn add_rule(app: &TestApp, rule: &Value) {
    let (status, body) = app.post("/api/v1/rules", &app.admin_key, rule).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_rule_with_two_lead_times_makes_two_scheduled_notifications() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let target = (Utc::now() + Duration::days(30))
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let payload = json!({
        "email": "ada@example.com",
        "name": "Ada",
        "target_date": target.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let e = post_event(
        &app,
        &app.member_key().await,
        "card.expiring",
        payload.clone(),
    )
    .await;

    assert_eq!(drain(&ctx).await, 1);
    let event = get_event(&app, &e["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    assert_eq!(event["error"], Value::Null);
    assert!(event["processed_at"].is_string());
    let ns = notifications_of(&app, &event).await;
    assert_eq!(ns.len(), 2);
    let target = target.and_utc();
    assert_eq!(time(&ns[0]["send_at"]), target - Duration::days(7));
    assert_eq!(time(&ns[1]["send_at"]), target - Duration::days(1));
    for n in &ns {
        assert_eq!(n["status"], "scheduled");
        assert_eq!(n["channel"], "email");
        assert_eq!(n["recipient"], "ada@example.com");
        assert_eq!(n["subject"], "Your card expires soon");
        assert_eq!(n["data"], payload, "templates render from the payload");
        assert_eq!(n["event_id"], e["id"]);
        assert_eq!(time(&n["expires_at"]), target, "expires at the target date");
    }
    // Scheduled in Redis, and the stream is empty: acknowledged and deleted.
    assert_eq!(redis_int(&app, "ZCARD", &app.keys().schedule), 2);
    assert_eq!(redis_int(&app, "XLEN", &app.keys().events), 0);
    let (_, listed) = app
        .get(
            &format!(
                "/api/v1/notifications?event_id={}",
                e["id"].as_str().unwrap()
            ),
            &app.admin_key,
        )
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn processing_an_event_again_never_duplicates() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "card.expiring",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    let id = uuid(&e["id"]);
    assert_eq!(
        worker::process_one(&ctx, id).await.unwrap(),
        Outcome::Processed { notifications: 2 }
    );
    assert_eq!(
        worker::process_one(&ctx, id).await.unwrap(),
        Outcome::AlreadyHandled
    );
    // Even with the status forced back (as if the first commit had been lost halfway), the
    // unique (event_id, event_slot) keeps the notifications single.
    let mut conn = app.db.conn();
    diesel::sql_query(format!(
        "UPDATE events SET status = 'received' WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(
        worker::process_one(&ctx, id).await.unwrap(),
        Outcome::Processed { notifications: 0 }
    );
    // The queued entry is a no-op too.
    assert_eq!(drain(&ctx).await, 1);
    let event = get_event(&app, &e["id"]).await;
    assert_eq!(event["notification_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        worker::process_one(&ctx, Uuid::new_v4()).await.unwrap(),
        Outcome::Missing
    );
}

#[tokio::test]
async fn a_payload_that_does_not_fit_fails_the_event_naming_the_path() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let cases = [
        (
            "card.expiring",
            json!({"email": "x", "target_date": target}),
            "payload.email: 'x' is not a valid e-mail address",
        ),
        (
            "card.expiring",
            json!({"email": "ada@example.com"}),
            "payload.target_date is missing",
        ),
        (
            "card.expiring",
            json!({"email": "ada@example.com", "target_date": "2030-01-01T09:00:00", "tz": "Mars/Base"}),
            "payload.tz: unknown IANA time zone 'Mars/Base'",
        ),
        (
            "no.rule",
            json!({"email": "ada@example.com"}),
            "payload.target_date is missing",
        ),
        (
            "no.rule",
            json!({"webhook_url": "ftp://x", "target_date": target}),
            "payload.webhook_url: 'ftp://x' must use http or https",
        ),
        (
            "no.rule",
            json!({"webhook_url": "http://10.1.2.3/hook", "target_date": target}),
            "payload.webhook_url: address 10.1.2.3 is not public",
        ),
    ];
    let mut ids = Vec::new();
    for (event_type, payload, _) in &cases {
        ids.push(post_event(&app, &app.admin_key, event_type, payload.clone()).await["id"].clone());
    }
    assert_eq!(drain(&ctx).await, cases.len());
    for ((_, _, error), id) in cases.iter().zip(&ids) {
        let event = get_event(&app, id).await;
        assert_eq!(event["status"], "failed", "{event}");
        assert_eq!(event["error"], *error);
        assert_eq!(event["notification_ids"], json!([]));
    }
    let (_, failed) = app
        .get("/api/v1/events?status=failed", &app.admin_key)
        .await;
    assert_eq!(failed["items"].as_array().unwrap().len(), cases.len());
}

#[tokio::test]
async fn without_a_rule_the_built_in_handler_applies() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let target = (Utc::now() + Duration::days(3)).with_nanosecond(0).unwrap();
    let payload = json!({
        "email": "ada@example.com",
        "phone": "+14155550123",
        "webhook_url": "https://example.com/hooks/chime",
        "target_date": target.to_rfc3339(),
        "lead_time": "P1D",
    });
    let e = post_event(&app, &app.admin_key, "invoice.due", payload.clone()).await;
    assert_eq!(drain(&ctx).await, 1);
    let event = get_event(&app, &e["id"]).await;
    assert_eq!(event["status"], "processed", "{event}");
    let ns = notifications_of(&app, &event).await;
    let channels: Vec<&str> = ns.iter().map(|n| n["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["email", "sms", "webhook"]);
    assert_eq!(ns[0]["subject"], "Reminder: invoice.due");
    assert_eq!(ns[1]["recipient"], "+14155550123");
    assert_eq!(ns[2]["recipient"], "https://example.com/hooks/chime");
    for n in &ns {
        assert_eq!(
            time(&n["send_at"]),
            time(&json!(target.to_rfc3339())) - Duration::days(1)
        );
        assert!(n["body"].as_str().unwrap().contains("invoice.due"));
        assert_eq!(n["data"], payload);
    }

    // Defaults: lead time zero, own subject and body templates.
    let e = post_event(
        &app,
        &app.admin_key,
        "invoice.due",
        json!({"email": "ada@example.com", "target_date": target.to_rfc3339(), "subject": "Pay {{ amount }}", "body": "Due: {{ amount }}", "amount": "12 EUR"}),
    )
    .await;
    assert_eq!(drain(&ctx).await, 1);
    let ns = notifications_of(&app, &get_event(&app, &e["id"]).await).await;
    assert_eq!(ns[0]["subject"], "Pay {{ amount }}");
    assert_eq!(ns[0]["body"], "Due: {{ amount }}");
    assert_eq!(ns[0]["lead_time"], "PT0S");
    assert_eq!(ns[0]["send_at"], ns[0]["target_date"]);
}

#[tokio::test]
async fn nothing_to_schedule_means_ignored() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let no_recipient = post_event(
        &app,
        &app.admin_key,
        "user.signed_up",
        json!({"name": "Ada"}),
    )
    .await;
    let past = post_event(
        &app,
        &app.admin_key,
        "card.expiring",
        json!({"email": "ada@example.com", "target_date": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(drain(&ctx).await, 2);
    let event = get_event(&app, &no_recipient["id"]).await;
    assert_eq!(event["status"], "ignored");
    assert!(
        event["error"].as_str().unwrap().contains("payload.email"),
        "{event}"
    );
    let event = get_event(&app, &past["id"]).await;
    assert_eq!(event["status"], "ignored");
    assert!(
        event["error"].as_str().unwrap().contains("already passed"),
        "{event}"
    );
    assert_eq!(event["notification_ids"], json!([]));
}

#[tokio::test]
async fn an_overdue_reminder_is_sent_at_once() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    // Three days ahead: the 7-day reminder is overdue, the 1-day one is not.
    let target = Utc::now() + Duration::days(3);
    let e = post_event(
        &app,
        &app.admin_key,
        "card.expiring",
        json!({"email": "ada@example.com", "target_date": target.to_rfc3339()}),
    )
    .await;
    assert_eq!(drain(&ctx).await, 1);
    let ns = notifications_of(&app, &get_event(&app, &e["id"]).await).await;
    assert_eq!(ns.len(), 2);
    assert!(time(&ns[0]["send_at"]) < Utc::now());
    assert_eq!(ns[0]["status"], "scheduled");
    let mut conn = app.redis();
    let scores: Vec<(Vec<u8>, i64)> = redis::cmd("ZRANGE")
        .arg(app.keys().schedule)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(&mut conn)
        .unwrap();
    assert_eq!(scores.len(), 2);
    assert!(
        scores[0].1 <= Utc::now().timestamp_millis(),
        "the overdue one is due now"
    );
}

#[tokio::test]
async fn local_target_dates_follow_the_time_zone_and_dst() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let mut rule = card_rule();
    rule["lead_times"] = json!(["PT0S"]);
    add_rule(&app, &rule).await;
    let cases = [
        // Winter: UTC+1.
        (
            "2030-01-15T09:00:00",
            "Europe/Berlin",
            "2030-01-15T08:00:00Z",
        ),
        // 02:30 does not exist on 2030-03-31 in Berlin: moved to the end of the gap, 03:00 CEST.
        (
            "2030-03-31T02:30:00",
            "Europe/Berlin",
            "2030-03-31T01:00:00Z",
        ),
        // 01:30 happens twice on 2030-11-03 in New York: the first one (EDT) fires.
        (
            "2030-11-03T01:30:00",
            "America/New_York",
            "2030-11-03T05:30:00Z",
        ),
        // An explicit offset wins over the zone.
        (
            "2030-01-15T09:00:00+05:00",
            "Europe/Berlin",
            "2030-01-15T04:00:00Z",
        ),
    ];
    let mut ids = Vec::new();
    for (local, tz, _) in cases {
        let e = post_event(
            &app,
            &app.admin_key,
            "card.expiring",
            json!({"email": "ada@example.com", "target_date": local, "tz": tz}),
        )
        .await;
        ids.push(e["id"].clone());
    }
    assert_eq!(drain(&ctx).await, cases.len());
    for ((_, tz, expected), id) in cases.iter().zip(&ids) {
        let ns = notifications_of(&app, &get_event(&app, id).await).await;
        assert_eq!(ns[0]["send_at"], *expected, "{tz}");
        assert_eq!(ns[0]["timezone"], *tz);
    }
}

#[tokio::test]
async fn rules_apply_only_within_their_tenant() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Member);
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let e = post_event(
        &app,
        &other,
        "card.expiring",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    assert_eq!(drain(&ctx).await, 1);
    let (_, event) = app
        .get(
            &format!("/api/v1/events/{}", e["id"].as_str().unwrap()),
            &other,
        )
        .await;
    // The built-in handler: one notification, not the rule's two.
    assert_eq!(
        event["notification_ids"].as_array().unwrap().len(),
        1,
        "{event}"
    );
}

#[tokio::test]
async fn an_entry_held_by_a_dead_worker_is_reclaimed() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "x",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    // A worker reads the entry and dies before acknowledging it.
    let mut conn = app.redis();
    let events = app.keys().events;
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&events)
        .arg("workers")
        .arg("0")
        .arg("MKSTREAM")
        .query(&mut conn)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("crashed")
        .arg("STREAMS")
        .arg(&events)
        .arg(">")
        .query(&mut conn)
        .unwrap();
    assert_eq!(drain(&ctx).await, 0, "the entry is pending, not new");
    // Not yet idle long enough.
    let reclaimed = worker::reclaim(&ctx, "w2", std::time::Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(reclaimed, 0);
    let reclaimed = worker::reclaim(&ctx, "w2", std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(reclaimed, 1);
    assert_eq!(get_event(&app, &e["id"]).await["status"], "processed");
    let pending: Vec<redis::Value> = redis::cmd("XPENDING")
        .arg(&events)
        .arg("workers")
        .query(&mut conn)
        .unwrap();
    assert_eq!(pending[0], redis::Value::Int(0), "nothing left pending");
}

#[tokio::test]
async fn an_event_whose_entry_was_lost_is_queued_again() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "x",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    // Redis loses the stream.
    let mut conn = app.redis();
    let _: () = redis::cmd("DEL")
        .arg(app.keys().events)
        .query(&mut conn)
        .unwrap();
    assert_eq!(drain(&ctx).await, 0);
    // Too young to be considered stuck.
    assert_eq!(worker::requeue_received(&ctx).await.unwrap(), 0);
    assert_eq!(
        worker::requeue_received_older_than(&ctx, std::time::Duration::ZERO)
            .await
            .unwrap(),
        1
    );
    assert_eq!(drain(&ctx).await, 1);
    assert_eq!(get_event(&app, &e["id"]).await["status"], "processed");
    assert_eq!(
        worker::requeue_received_older_than(&ctx, std::time::Duration::ZERO)
            .await
            .unwrap(),
        0,
        "handled events are not queued again"
    );

    // An event stuck for longer than the re-queue age is queued again by one worker per period.
    let stuck = post_event(
        &app,
        &app.admin_key,
        "x",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    let _: () = redis::cmd("DEL")
        .arg(app.keys().events)
        .query(&mut conn)
        .unwrap();
    {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "UPDATE events SET created_at = now() - interval '5 minutes' WHERE id = '{}'",
            stuck["id"].as_str().unwrap()
        ))
        .execute(&mut app.db.conn())
        .unwrap();
    }
    assert_eq!(
        worker::requeue_received(&ctx).await.unwrap(),
        0,
        "another worker's turn (taken by the first call above)"
    );
    let _: () = redis::cmd("DEL")
        .arg(app.keys().events_requeue)
        .query(&mut conn)
        .unwrap();
    assert_eq!(worker::requeue_received(&ctx).await.unwrap(), 1);
    assert_eq!(
        worker::requeue_received(&ctx).await.unwrap(),
        0,
        "once per period"
    );
    assert_eq!(drain(&ctx).await, 1);
    assert_eq!(get_event(&app, &stuck["id"]).await["status"], "processed");
}

#[tokio::test]
async fn the_worker_role_handles_events_as_they_arrive() {
    let app = TestApp::spawn_with(&[Role::Api, Role::Worker], |_| {}).await;
    add_rule(&app, &card_rule()).await;
    let target = (Utc::now() + Duration::days(30)).to_rfc3339();
    let e = post_event(
        &app,
        &app.admin_key,
        "card.expiring",
        json!({"email": "ada@example.com", "target_date": target}),
    )
    .await;
    let event = wait_until(
        "the event to be processed",
        std::time::Duration::from_secs(15),
        || async {
            let event = get_event(&app, &e["id"]).await;
            (event["status"] == "processed").then_some(event)
        },
    )
    .await;
    assert_eq!(event["notification_ids"].as_array().unwrap().len(), 2);
    wait_until(
        "the stream to be empty",
        std::time::Duration::from_secs(5),
        || async { (redis_int(&app, "XLEN", &app.keys().events) == 0).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn a_worker_step_handles_what_was_queued_and_the_next_step_finds_nothing() {
    let app = TestApp::spawn().await;
    let ctx = worker_ctx(&app).await;
    add_rule(&app, &card_rule()).await;
    let target = (Utc::now() + Duration::days(30))
        .format("%Y-%m-%dT09:00:00Z")
        .to_string();
    let mut events = Vec::new();
    for name in ["Ada", "Grace"] {
        let payload = json!({"email": "ada@example.com", "name": name, "target_date": target});
        events.push(post_event(&app, &app.admin_key, "card.expiring", payload).await);
    }
    let mut worker = worker::Worker::stepping(ctx, "stepped-worker");
    let stop = tokio_util::sync::CancellationToken::new();

    assert_eq!(
        worker.step(&stop).await,
        worker::StepOutcome::Worked { taken: 2 }
    );
    for e in &events {
        assert_eq!(get_event(&app, &e["id"]).await["status"], "processed");
    }
    assert_eq!(worker.step(&stop).await, worker::StepOutcome::Idle);
    assert_eq!(
        redis_int(&app, "XLEN", &app.keys().events),
        0,
        "acknowledged and deleted"
    );
    app.assert_drained();
}

/// The harness's own check: an event nobody handled fails the test that posted it.
#[tokio::test]
#[should_panic(expected = "left work behind: 1 events still received")]
async fn the_harness_fails_a_test_that_leaves_an_event_unhandled() {
    let app = TestApp::spawn().await;
    post_event(&app, &app.admin_key, "nobody.handles.this", json!({})).await;
}
