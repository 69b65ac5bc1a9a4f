//! The dashboard in headless Chromium against a full `chime` (every role) delivering to local
//! webhook peers: sign in, find a notification and its forecast bucket, read its timeline,
//! replay a dead letter, cancel a group; and a member sees no action buttons.

use crate::api::{at, create};
use crate::support::{wait_until, TestApp};
use crate::webdriver::{Driver, Session};
use chime::channels::test_peers::{HttpPeer, Responder};
use chime::config::Role;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};

async fn full_app() -> TestApp {
    TestApp::spawn_with(
        &[Role::Api, Role::Worker, Role::Scheduler, Role::Sender],
        |s| {
            s.channels.webhook_allow_private = true;
            s.sender.retry_schedule = vec![std::time::Duration::from_millis(300)];
            s.channels.http_timeout = std::time::Duration::from_secs(2);
            s.sender.visibility_timeout = s.send_guard()
                + chime::config::VISIBILITY_MARGIN
                + std::time::Duration::from_secs(1);
        },
    )
    .await
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    let (s, n) = app
        .get(&format!("/api/v1/notifications/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200, "{n}");
    n
}

async fn wait_status(app: &TestApp, id: &str, status: &str) {
    wait_until(
        &format!("{id} to be {status}"),
        std::time::Duration::from_secs(30),
        || async { (status_of(app, id).await["status"] == status).then_some(()) },
    )
    .await;
}

/// With `CHIME_UI_SCREENSHOTS=<dir>`, saves the page as `<dir>/<name>.png` (the README's
/// picture of the overview is made this way).
async fn shot(b: &Session, name: &str) {
    if let Ok(dir) = std::env::var("CHIME_UI_SCREENSHOTS") {
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, b.screenshot_png().await).expect("write screenshot");
        println!("screenshot written to {}", path.display());
    }
}

async fn sign_in_with_key(b: &Session, app: &TestApp, key: &str) {
    b.goto(&app.url("/ui")).await;
    let input = b.wait_for("#login-key").await;
    b.type_into(&input, key).await;
    let submit = b.wait_for("#login-submit").await;
    b.click(&submit).await;
    b.wait_for("#stat-overdue").await;
}

#[tokio::test]
async fn an_operator_finds_inspects_replays_and_cancels_in_the_browser() {
    let app = full_app().await;
    let ok = HttpPeer::start(Responder::always(200)).await.unwrap();
    // 400 is permanent: dead at the first attempt; the replay then gets 200.
    let flaky = HttpPeer::start(Responder::sequence([400, 200]))
        .await
        .unwrap();
    let key = app.admin_key.clone();

    // Traffic for the overview: a few sends now.
    for i in 0..6 {
        create(&app, &key, json!({"channel": "webhook", "recipient": ok.url_for(&format!("/hook/{i}")),
                                  "data": {"order": i}, "send_at": at(Duration::milliseconds(300))})).await;
    }
    let dead = create(&app, &key, json!({"channel": "webhook", "recipient": flaky.url_for("/orders"),
                                         "data": {"order": 99}, "send_at": at(Duration::milliseconds(300))})).await;
    let dead_id = dead["id"].as_str().unwrap().to_string();
    // The notification to find: in three hours, with a template.
    let target = create(
        &app,
        &key,
        json!({"channel": "email", "recipient": "grace@example.com",
        "subject": "Your trial ends {{when}}", "body": "Hi {{name}}, your trial ends {{when}}.",
        "data": {"name": "Grace", "when": "tomorrow"}, "send_at": at(Duration::hours(3))}),
    )
    .await;
    let target_id = target["id"].as_str().unwrap().to_string();
    let mut group = Vec::new();
    for h in [20, 30, 40] {
        let n = create(
            &app,
            &key,
            json!({"channel": "sms", "recipient": "+14155550123", "body": "Trial ends",
            "group_key": "trial-ends-acme", "send_at": at(Duration::hours(h))}),
        )
        .await;
        group.push(n["id"].as_str().unwrap().to_string());
    }
    for h in [2, 5, 9, 14, 26, 50, 75, 100, 130] {
        create(
            &app,
            &key,
            json!({"channel": if h % 2 == 0 { "email" } else { "sms" },
            "recipient": if h % 2 == 0 { "ops@example.com" } else { "+14155550199" },
            "body": "Reminder", "send_at": at(Duration::hours(h))}),
        )
        .await;
    }
    wait_status(&app, &dead_id, "dead").await;
    ok.wait_for(6, std::time::Duration::from_secs(30))
        .await
        .unwrap();

    let driver = Driver::start().await;
    let b = driver.session().await;
    sign_in_with_key(&b, &app, &key).await;

    // First contentful paint of the page, as the browser measured it.
    b.goto(&app.url("/ui")).await;
    b.wait_for("#stat-overdue").await;
    let fcp = b
        .script("const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;")
        .await;
    let fcp = fcp.as_f64().expect("first-contentful-paint measured");
    println!("first contentful paint of /ui: {fcp:.0} ms");
    assert!(fcp < 1000.0, "first paint took {fcp} ms");

    // Overview: the sends arrived and the dead one is counted.
    b.wait_text("#counts [data-status=dead]", |t| t.contains('1'))
        .await;
    b.wait_text("#stat-sent .value", |t| t.trim() == "6" || t.trim() == "7")
        .await;
    b.wait_text("#queues", |t| t.contains("elected")).await;
    shot(&b, "overview").await;

    // Forecast: the target's hour holds it; its bar lists it.
    let send_at: DateTime<Utc> = target["send_at"].as_str().unwrap().parse().unwrap();
    let hour = chime::domain::format_time(send_at.duration_trunc(Duration::hours(1)).unwrap());
    b.goto(&app.url("/ui#/forecast")).await;
    let row = b
        .wait_for(&format!("#forecast-table tr[data-start='{hour}']"))
        .await;
    let total: i64 = b.attr(&row, "data-total").await.unwrap().parse().unwrap();
    assert!(total >= 1, "bucket {hour} holds {total}");
    shot(&b, "forecast").await;
    let link = b
        .wait_for(&format!("#forecast-table tr[data-start='{hour}'] a"))
        .await;
    b.click(&link).await;
    let found = b.wait_for(&format!("tr[data-id='{target_id}'] a")).await;
    b.click(&found).await;

    // Its timeline and rendered message.
    b.wait_for("#timeline li[data-kind=created]").await;
    b.wait_for("#timeline li[data-kind=scheduled]").await;
    let created = b
        .wait_text("#timeline li[data-kind=created]", |t| !t.is_empty())
        .await;
    assert!(created.contains("Created by"), "{created}");
    b.wait_text("#rendered-body", |t| {
        t == "Hi Grace, your trial ends tomorrow."
    })
    .await;
    b.wait_text("#rendered-subject", |t| t == "Your trial ends tomorrow")
        .await;
    shot(&b, "notification").await;

    // The dead letter: its timeline shows the refused attempt, then replay it.
    b.goto(&app.url(&format!("/ui#/notifications/{dead_id}")))
        .await;
    let attempt = b
        .wait_text("#timeline li[data-kind=attempt]", |t| !t.is_empty())
        .await;
    assert!(
        attempt.contains("permanent failure") && attempt.contains("ms"),
        "{attempt}"
    );
    // The theme toggle switches to dark and back.
    b.click(&b.wait_for("#theme").await).await;
    let theme = b
        .script("return document.documentElement.dataset.theme")
        .await;
    assert_eq!(theme, "dark");
    shot(&b, "dead-letter-dark").await;
    b.click(&b.wait_for("#theme").await).await;
    b.goto(&app.url("/ui#/dead-letters")).await;
    let replay = b
        .wait_for(&format!("button[data-replay='{dead_id}']"))
        .await;
    b.click(&replay).await;
    b.wait_for(&format!("tr[data-id='{dead_id}'] .replayed"))
        .await;
    wait_status(&app, &dead_id, "sent").await;
    assert_eq!(flaky.requests().len(), 2, "sent once more, once");

    // Cancel a group: the count first, then the cancel.
    b.goto(&app.url("/ui#/notifications?group_key=trial-ends-acme"))
        .await;
    b.wait_for(&format!("tr[data-id='{}']", group[0])).await;
    let cancel = b.wait_for("#cancel-matching").await;
    b.click(&cancel).await;
    b.wait_text("#bulk-count", |t| t.starts_with("3 scheduled"))
        .await;
    let go = b.wait_for("[data-go]").await;
    b.click(&go).await;
    b.wait_text("#bulk-result", |t| t.contains('3')).await;
    shot(&b, "cancel-group").await;
    // The list reloads with the new statuses.
    b.wait_text(&format!("tr[data-id='{}'] .status", group[0]), |t| {
        t == "cancelled"
    })
    .await;
    for id in &group {
        assert_eq!(status_of(&app, id).await["status"], "cancelled");
    }
    assert_eq!(status_of(&app, &target_id).await["status"], "scheduled");

    // Events (what they created, or why not), rules, series and keys, reached by keyboard.
    let (s, rule) = app
        .post(
            "/api/v1/rules",
            &key,
            &json!({"event_type": "card.expiring", "channel": "email",
            "recipient_path": "/email", "target_date_path": "/target_date",
            "lead_times": ["P7D", "P1D"], "subject": "Your card expires soon",
            "body": "Hi {{ name }}, your card ends on {{ target_date }}."}),
        )
        .await;
    assert_eq!(s, 201, "{rule}");
    let target_date = (Utc::now() + Duration::days(30)).to_rfc3339();
    let (s, event) = app
        .post(
            "/api/v1/events",
            &key,
            &json!({"type": "card.expiring",
            "payload": {"email": "ada@example.com", "name": "Ada", "target_date": target_date}}),
        )
        .await;
    assert_eq!(s, 202, "{event}");
    let (s, ignored) = app
        .post(
            "/api/v1/events",
            &key,
            &json!({"type": "user.signed_up", "payload": {"email": "x@example.com"}}),
        )
        .await;
    assert_eq!(s, 202, "{ignored}");
    create(
        &app,
        &key,
        json!({"channel": "sms", "recipient": "+14155550123", "body": "Standup in 5",
        "cron": "55 8 * * 1-5", "timezone": "Europe/Berlin"}),
    )
    .await;
    b.goto(&app.url("/ui#/overview")).await;
    b.wait_for("#stat-overdue").await;
    b.press("ge").await;
    let event_id = event["id"].as_str().unwrap();
    b.wait_text(&format!("tr[data-id='{event_id}']"), |t| {
        t.contains("2 notifications")
    })
    .await;
    let ignored_id = ignored["id"].as_str().unwrap();
    let why = b
        .wait_text(&format!("tr[data-id='{ignored_id}']"), |t| {
            t.contains("ignored") || t.contains("failed")
        })
        .await;
    assert!(why.len() > 40, "the row says why: {why}");
    println!("event without a rule: {why}");
    shot(&b, "events").await;
    b.press("gs").await;
    b.wait_text("#list tbody", |t| {
        t.contains("55 8 * * 1-5") && t.contains("Europe/Berlin")
    })
    .await;
    shot(&b, "series").await;
    b.press("gr").await;
    b.wait_text("#view table", |t| t.contains("card.expiring"))
        .await;
    b.press("gk").await;
    b.wait_text("#view table", |t| t.contains("bootstrap"))
        .await;
    b.quit().await;

    // A member signs in with e-mail and password: sees the data, gets no action buttons.
    let (s, _) = app
        .post("/api/v1/users", &key, &json!({"email": "viewer@example.com", "password": "a long enough password", "role": "member"}))
        .await;
    assert_eq!(s, 201);
    let b = driver.session().await;
    b.goto(&app.url("/ui")).await;
    let mode = b.wait_for("input[name=mode][value=password]").await;
    b.click(&mode).await;
    shot(&b, "login").await;
    b.type_into(&b.wait_for("#login-email").await, "viewer@example.com")
        .await;
    b.type_into(
        &b.wait_for("#login-password").await,
        "a long enough password",
    )
    .await;
    b.click(&b.wait_for("#login-submit").await).await;
    b.wait_text("#whoami", |t| t.contains("member")).await;
    b.goto(&app.url("/ui#/dead-letters")).await;
    b.wait_for("#list table").await;
    b.goto(&app.url(&format!("/ui#/notifications/{target_id}")))
        .await;
    b.wait_for("#timeline").await;
    assert!(
        b.find("#cancel-one").await.is_none(),
        "a member gets no cancel button"
    );
    b.goto(&app.url("/ui#/notifications")).await;
    b.wait_for(&format!("tr[data-id='{target_id}']")).await;
    assert!(b.find("#cancel-matching").await.is_none());
    b.quit().await;
}
