use crate::support::{assert_error, TestApp};
use chime::domain::AccessRole;
use chrono::{DateTime, Duration, DurationRound, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

pub fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339()
}

pub async fn create(app: &TestApp, key: &str, body: Value) -> Value {
    let (s, n) = app.post("/api/v1/notifications", key, &body).await;
    assert_eq!(s, 201, "{n}");
    n
}

pub fn email(recipient: &str, send_at: String) -> Value {
    json!({"channel": "email", "recipient": recipient, "subject": "Hello {{name}}",
           "body": "Hi {{name}}, see you soon.", "data": {"name": "Ada"}, "send_at": send_at})
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn sql(app: &TestApp, query: &str) {
    diesel::sql_query(query)
        .execute(&mut app.db.conn())
        .expect("sql");
}

#[tokio::test]
async fn the_list_filters_by_recipient_keys_series_and_due_range_and_sorts_by_send_at() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    let late = create(
        &app,
        key,
        email("late@example.com", at(Duration::hours(30))),
    )
    .await;
    let mut early_body = email("early@example.com", at(Duration::hours(2)));
    early_body["idempotency_key"] = json!("order-17");
    let early = create(&app, key, early_body).await;
    let middle = create(&app, key, email("mid@example.com", at(Duration::hours(10)))).await;
    let mut cron = email("cron@example.com", at(Duration::hours(1)));
    cron.as_object_mut().unwrap().remove("send_at");
    // Fires on 1 January only: never inside the due range below.
    cron["cron"] = json!("0 0 1 1 *");
    let series = create(&app, key, cron).await;

    let (s, page) = app
        .get("/api/v1/notifications?recipient=mid@example.com", key)
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(ids(&page), [middle["id"].as_str().unwrap()]);
    let (_, page) = app
        .get("/api/v1/notifications?idempotency_key=order-17", key)
        .await;
    assert_eq!(ids(&page), [early["id"].as_str().unwrap()]);
    let (_, page) = app
        .get(
            &format!(
                "/api/v1/notifications?series_id={}",
                series["series_id"].as_str().unwrap()
            ),
            key,
        )
        .await;
    assert_eq!(ids(&page), [series["id"].as_str().unwrap()]);

    // A due range: [now + 90 min, now + 12 h) holds early and middle.
    let q = format!(
        "/api/v1/notifications?sort=send_at&due_after={}&due_before={}",
        urlencode(&at(Duration::minutes(90))),
        urlencode(&at(Duration::hours(12)))
    );
    let (s, page) = app.get(&q, key).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(
        ids(&page),
        [
            early["id"].as_str().unwrap(),
            middle["id"].as_str().unwrap()
        ]
    );

    // Earliest first, one per page, following the cursor; and latest first.
    let mut seen = Vec::new();
    let mut path = "/api/v1/notifications?sort=send_at&limit=1".to_string();
    loop {
        let (s, page) = app.get(&path, key).await;
        assert_eq!(s, 200, "{page}");
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/notifications?sort=send_at&limit=1&cursor={c}"),
            None => break,
        }
    }
    let expected: Vec<&str> = [&series, &early, &middle, &late]
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let mut by_time: Vec<(DateTime<Utc>, &str)> = [&series, &early, &middle, &late]
        .iter()
        .map(|n| {
            (
                n["send_at"].as_str().unwrap().parse().unwrap(),
                n["id"].as_str().unwrap(),
            )
        })
        .collect();
    by_time.sort();
    let sorted: Vec<&str> = by_time.iter().map(|(_, id)| *id).collect();
    assert_eq!(seen, sorted, "ascending send_at across pages");
    assert_eq!(seen.len(), expected.len());
    let (_, page) = app.get("/api/v1/notifications?sort=-send_at", key).await;
    let mut desc = sorted.clone();
    desc.reverse();
    assert_eq!(ids(&page), desc);

    // Bad values: 422 naming the field; a cursor of another order is refused.
    for (q, field) in [
        ("due_after=tomorrow", "due_after"),
        ("due_before=2030-01-01T00:00:00", "due_before"),
        ("sort=recipient", "sort"),
        ("series_id=42", "series_id"),
        ("recipient=", "recipient"),
        (
            "due_after=2030-01-02T00:00:00Z&due_before=2030-01-01T00:00:00Z",
            "due_before",
        ),
    ] {
        let (s, body) = app.get(&format!("/api/v1/notifications?{q}"), key).await;
        assert_error(s, &body, 422, Some(field));
    }
    let (_, created_page) = app.get("/api/v1/notifications?limit=1", key).await;
    let created_cursor = created_page["next_cursor"].as_str().unwrap();
    let (s, body) = app
        .get(
            &format!("/api/v1/notifications?sort=send_at&cursor={created_cursor}"),
            key,
        )
        .await;
    assert_error(s, &body, 400, Some("cursor"));

    // Another tenant finds none of it.
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (_, page) = app
        .get("/api/v1/notifications?recipient=mid@example.com", &other)
        .await;
    assert!(ids(&page).is_empty(), "{page}");
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn stats_count_due_overdue_forecast_lag_and_sends_per_tenant() {
    let app = TestApp::spawn().await;
    let key = &app.admin_key;
    // Only the API runs here: a notification due ten minutes ago stays overdue.
    let overdue = create(
        &app,
        key,
        email("a@example.com", at(-Duration::minutes(10))),
    )
    .await;
    create(&app, key, email("b@example.com", at(Duration::minutes(30)))).await;
    let sms = json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
                     "send_at": at(Duration::hours(5))});
    let sms = create(&app, key, sms).await;
    create(&app, key, email("c@example.com", at(Duration::days(3)))).await;
    // One sent 120 ms after its due time, a minute ago.
    let sent = create(&app, key, email("d@example.com", at(Duration::hours(40)))).await;
    let sent_id = sent["id"].as_str().unwrap();
    sql(
        &app,
        &format!(
            "UPDATE notifications SET status = 'sent', due_at = now() - interval '61 seconds', \
         sent_at = now() - interval '60 seconds' WHERE id = '{sent_id}'"
        ),
    );
    sql(&app, &format!(
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, started_at, \
         finished_at, outcome) SELECT gen_random_uuid(), id, tenant_id, 1, \
         due_at + interval '120 milliseconds', now() - interval '60 seconds', 'success' \
         FROM notifications WHERE id = '{sent_id}'"
    ));

    let (s, st) = app.get("/api/v1/stats", key).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["counts"]["scheduled"], 4, "{st}");
    assert_eq!(st["counts"]["sent"], 1, "{st}");
    assert_eq!(st["counts"]["dead"], 0);
    assert_eq!(st["overdue"]["count"], 1, "{st}");
    assert_eq!(st["overdue"]["oldest_due_at"], overdue["send_at"]);
    let age = st["overdue"]["oldest_age_seconds"].as_f64().unwrap();
    assert!((595.0..700.0).contains(&age), "oldest overdue age {age}");
    assert_eq!(st["due"]["next_hour"], 1, "{st}");
    assert_eq!(st["due"]["next_day"], 2, "{st}");
    let p50 = st["lag"]["p50_ms"].as_f64().unwrap();
    assert!((119.0..=121.0).contains(&p50), "lag p50 {p50}");
    assert_eq!(st["lag"]["samples"], 1);
    let minutes = st["sends_per_minute"].as_array().unwrap();
    assert_eq!(minutes.len(), 60);
    let successes: i64 = minutes.iter().map(|m| m["success"].as_i64().unwrap()).sum();
    assert_eq!(successes, 1, "{st}");

    // The SMS lands in the hourly bucket of its send time, and in today's or tomorrow's day.
    let sms_at: DateTime<Utc> = sms["send_at"].as_str().unwrap().parse().unwrap();
    let hour = chime::domain::format_time(sms_at.duration_trunc(Duration::hours(1)).unwrap());
    let hourly = st["forecast"]["hourly"].as_array().unwrap();
    assert_eq!(hourly.len(), 24);
    let bucket = hourly
        .iter()
        .find(|b| b["start"] == hour.as_str())
        .unwrap_or_else(|| panic!("no bucket {hour} in {st}"));
    assert_eq!(bucket["sms"], 1, "{bucket}");
    assert_eq!(bucket["total"], 1, "{bucket}");
    let hourly_total: i64 = hourly.iter().map(|b| b["total"].as_i64().unwrap()).sum();
    assert_eq!(
        hourly_total, 2,
        "the overdue one is not forecast; the 3-day one is later"
    );
    let daily = st["forecast"]["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 7);
    let daily_total: i64 = daily.iter().map(|b| b["total"].as_i64().unwrap()).sum();
    assert_eq!(daily_total, 3, "{st}");
    assert!(st["queues"]["schedule"].as_i64().unwrap() >= 4, "{st}");
    assert_eq!(st["queues"]["leader"]["present"], false);

    // A member sees the same; another tenant sees nothing of this one.
    let member = app.member_key().await;
    let (s, mst) = app.get("/api/v1/stats", &member).await;
    assert_eq!(s, 200);
    assert_eq!(mst["counts"]["scheduled"], 4);
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (s, ost) = app.get("/api/v1/stats", &other).await;
    assert_eq!(s, 200, "{ost}");
    assert_eq!(ost["counts"]["scheduled"], 0, "{ost}");
    assert_eq!(ost["overdue"]["count"], 0);
    assert_eq!(ost["lag"]["samples"], 0);
    let other_total: i64 = ost["forecast"]["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_i64().unwrap())
        .sum();
    assert_eq!(other_total, 0);
    let (s, body) = app.get("/api/v1/stats", "chk_nope").await;
    assert_error(s, &body, 401, None);
}

#[tokio::test]
async fn me_tells_the_role_and_tenant_of_keys_and_users() {
    let app = TestApp::spawn().await;
    let (s, me) = app.get("/api/v1/me", &app.admin_key).await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["role"], "admin");
    assert!(me["tenant"]["name"].is_string());
    let member = app.member_key().await;
    let (_, me) = app.get("/api/v1/me", &member).await;
    assert_eq!(me["role"], "member");
    assert!(me["name"].as_str().unwrap().contains("member"), "{me}");
    let (s, _) = app
        .post(
            "/api/v1/users",
            &app.admin_key,
            &json!({"email": "ops@example.com", "password": "correct horse battery", "role": "member"}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, login) = app
        .post(
            "/api/v1/auth/login",
            "",
            &json!({"email": "ops@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(s, 200, "{login}");
    let (s, me) = app
        .get("/api/v1/me", login["token"].as_str().unwrap())
        .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["role"], "member");
    assert_eq!(me["name"], "user ops@example.com");
    let other = app.new_tenant_key("other", AccessRole::Member);
    let (_, me) = app.get("/api/v1/me", &other).await;
    assert_eq!(me["tenant"]["name"], "other");
}

#[tokio::test]
async fn the_timeline_tells_who_created_each_attempt_how_it_ended_and_the_rendered_message() {
    let app = TestApp::spawn().await;
    let member = app.member_key().await;
    let n = create(
        &app,
        &member,
        email("ada@example.com", at(Duration::hours(1))),
    )
    .await;
    let id = n["id"].as_str().unwrap();
    sql(&app, &format!(
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, started_at, \
         finished_at, outcome, error, response_summary) SELECT gen_random_uuid(), id, tenant_id, 1, \
         created_at + interval '50 milliseconds', created_at + interval '300 milliseconds', \
         'permanent_failure', 'SMTP 550 no such user', \
         '550 5.1.1 unknown' FROM notifications WHERE id = '{id}'"
    ));
    sql(&app, &format!(
        "UPDATE notifications SET status = 'dead', attempts = 1, last_error = 'SMTP 550 no such user', \
         send_at = created_at + interval '1 millisecond', due_at = created_at + interval '1 millisecond', \
         updated_at = created_at + interval '1 second' WHERE id = '{id}'"
    ));
    let (s, t) = app
        .get(
            &format!("/api/v1/notifications/{id}/timeline"),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let kinds: Vec<&str> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "scheduled", "attempt", "ended"], "{t}");
    assert_eq!(
        t["created_by"]["name"], "API key \u{201c}member\u{201d}",
        "{t}"
    );
    let attempt = &t["items"][2];
    assert_eq!(attempt["outcome"], "permanent_failure");
    assert_eq!(attempt["duration_ms"], 250);
    assert_eq!(attempt["response"], "550 5.1.1 unknown");
    assert_eq!(t["items"][3]["status"], "dead");
    assert_eq!(t["rendered"]["subject"], "Hello Ada");
    assert_eq!(t["rendered"]["body"], "Hi Ada, see you soon.");

    // Replaying adds an audit entry naming the admin key.
    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{id}/replay"),
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, t) = app
        .get(&format!("/api/v1/notifications/{id}/timeline"), &member)
        .await;
    let audit: Vec<&Value> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "audit")
        .collect();
    assert_eq!(audit.len(), 1, "{t}");
    assert_eq!(audit[0]["action"], "notification.replayed");

    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (s, body) = app
        .get(&format!("/api/v1/notifications/{id}/timeline"), &other)
        .await;
    assert_error(s, &body, 404, None);
}

#[tokio::test]
async fn series_are_listed_with_their_pending_occurrence_and_next_fire_times() {
    let app = TestApp::spawn().await;
    let n = create(
        &app,
        &app.admin_key,
        json!({"channel": "sms", "recipient": "+14155550123", "body": "Standup",
               "cron": "30 9 * * 1-5", "timezone": "Europe/Berlin"}),
    )
    .await;
    let (s, page) = app.get("/api/v1/series", &app.admin_key).await;
    assert_eq!(s, 200, "{page}");
    let item = &page["items"][0];
    assert_eq!(item["id"], n["series_id"]);
    assert_eq!(item["status"], "active");
    assert_eq!(item["pending_occurrence"]["id"], n["id"]);
    assert_eq!(item["pending_occurrence"]["due_at"], n["send_at"]);
    let fires: Vec<DateTime<Utc>> = item["next_fire_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(fires.len(), 3, "{item}");
    let first: DateTime<Utc> = n["send_at"].as_str().unwrap().parse().unwrap();
    assert!(
        first < fires[0] && fires[0] < fires[1] && fires[1] < fires[2],
        "{item}"
    );
    let berlin = fires[0].with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(berlin.format("%H:%M").to_string(), "09:30");

    let (s, body) = app
        .get("/api/v1/series?status=paused", &app.admin_key)
        .await;
    assert_error(s, &body, 422, Some("status"));
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (_, page) = app.get("/api/v1/series", &other).await;
    assert_eq!(page["items"], json!([]));
}

#[tokio::test]
async fn the_dashboard_is_served_from_the_binary_with_cache_headers() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    let res = app.client.get(app.url("/ui")).send().await.unwrap();
    let html_ms = started.elapsed().as_millis();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let etag = headers["etag"].to_str().unwrap().to_string();
    let html = res.text().await.unwrap();
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(attr), "no third-party asset ({attr})");
    }
    let js = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(js.starts_with("/ui/app.js?v="), "{js}");
    let res = app.client.get(app.url(&js)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert!(res.text().await.unwrap().len() < 64 * 1024, "small assets");
    let res = app
        .client
        .get(app.url("/ui"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = app
        .client
        .get(app.url("/ui/app.css?v=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    println!("GET /ui answered in {html_ms} ms");
}

#[tokio::test]
async fn the_openapi_document_describes_the_dashboard_api() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/stats",
        "/api/v1/me",
        "/api/v1/series",
        "/api/v1/notifications/{id}/timeline",
        "/api/v1/notifications/cancel-matching",
        "/api/v1/dead-letters/replay",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/notifications"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in chime::api::notifications::FILTERS {
        assert!(params.contains(&name), "{name} is not documented");
    }
}
