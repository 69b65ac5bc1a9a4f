use crate::support::{assert_error, TestApp};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

async fn preview(app: &TestApp, body: Value) -> (u16, Value) {
    let member = app.member_key().await;
    app.post("/api/v1/cron/preview", &member, &body).await
}

fn times(body: &Value) -> Vec<&str> {
    body["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn preview_applies_the_dst_rules() {
    let app = TestApp::spawn().await;
    // 02:30 does not exist on 2027-03-14 in New York: it fires at the end of the gap, 03:00 EDT.
    let (status, body) = preview(
        &app,
        json!({"cron": "30 2 * * *", "timezone": "America/New_York", "after": "2027-03-13T00:00:00Z", "count": 3}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        times(&body),
        [
            "2027-03-13T07:30:00Z",
            "2027-03-14T07:00:00Z",
            "2027-03-15T06:30:00Z"
        ]
    );
    // 01:30 happens twice on 2027-11-07: it fires once, at the first (EDT) occurrence.
    let (_, body) = preview(
        &app,
        json!({"cron": "30 1 * * *", "timezone": "America/New_York", "after": "2027-11-06T12:00:00Z", "count": 2}),
    )
    .await;
    assert_eq!(
        times(&body),
        ["2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"]
    );
    // Lord Howe shifts by 30 minutes: 02:15 does not exist on 2027-10-03.
    let (_, body) = preview(
        &app,
        json!({"cron": "15 2 * * *", "timezone": "Australia/Lord_Howe", "after": "2027-10-01T12:00:00Z", "count": 3}),
    )
    .await;
    assert_eq!(
        times(&body),
        [
            "2027-10-01T15:45:00Z",
            "2027-10-02T15:30:00Z",
            "2027-10-03T15:15:00Z"
        ]
    );
}

#[tokio::test]
async fn preview_defaults_and_the_seconds_field() {
    // Sub-minute expressions need the series interval floor off.
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.limits.min_series_interval = std::time::Duration::ZERO
    })
    .await;
    let before = Utc::now();
    let (status, body) = preview(&app, json!({"cron": "0 9 * * MON"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["timezone"], "UTC");
    let list = times(&body);
    assert_eq!(list.len(), 5, "five by default");
    for t in &list {
        let at: DateTime<Utc> = t.parse().unwrap();
        assert!(at > before);
        assert!(t.ends_with("T09:00:00Z"));
    }
    let (_, body) = preview(
        &app,
        json!({"cron": "*/10 * * * * *", "after": "2027-01-01T00:00:05Z", "count": 3}),
    )
    .await;
    assert_eq!(
        times(&body),
        [
            "2027-01-01T00:00:10Z",
            "2027-01-01T00:00:20Z",
            "2027-01-01T00:00:30Z"
        ]
    );
    // A local `after` is read in the zone.
    let (_, body) = preview(
        &app,
        json!({"cron": "0 12 * * *", "timezone": "Europe/Berlin", "after": "2027-06-01T12:00:00", "count": 1}),
    )
    .await;
    assert_eq!(times(&body), ["2027-06-02T10:00:00Z"]);
    let (_, body) = preview(&app, json!({"cron": "0 0 * * *", "count": 100})).await;
    assert_eq!(times(&body).len(), 100);
}

#[tokio::test]
async fn bad_previews_are_rejected_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({}), 422, "cron"),
        (json!({"cron": "61 * * * *"}), 422, "cron"),
        (json!({"cron": "* * *"}), 422, "cron"),
        (json!({"cron": "0 0 30 2 *"}), 422, "cron"),
        (
            json!({"cron": "0 9 * * *", "timezone": "Mars/Olympus"}),
            422,
            "timezone",
        ),
        (
            json!({"cron": "0 9 * * *", "after": "tomorrow"}),
            422,
            "after",
        ),
        (json!({"cron": "0 9 * * *", "count": 0}), 422, "count"),
        (json!({"cron": "0 9 * * *", "count": 101}), 422, "count"),
        (json!({"cron": "0 9 * * *", "count": "5"}), 400, "count"),
        (json!({"cron": "0 9 * * *", "zone": "UTC"}), 400, "zone"),
        // Faster than the default floor of one fire a minute.
        (json!({"cron": "* * * * * *"}), 422, "cron"),
        (json!({"cron": "*/30 * * * * *"}), 422, "cron"),
    ];
    for (body, status, field) in cases {
        let (got, resp) = preview(&app, body).await;
        assert_error(got, &resp, status, Some(field));
    }
}

#[tokio::test]
async fn the_interval_floor_looks_past_the_first_two_fires() {
    let app = TestApp::spawn_with(&[chime::config::Role::Api], |s| {
        s.limits.min_series_interval = std::time::Duration::from_secs(300)
    })
    .await;
    let key = app.admin_key.clone();
    // "0,1 10 * * *" fires twice a minute apart, then waits a day: whatever the time of day,
    // the floor is checked over every fire of the next two days, not just the next two fires.
    let (status, body) = app
        .post(
            "/api/v1/cron/preview",
            &key,
            &json!({"cron": "0,1 10 * * *", "after": "2027-01-04T10:00:30Z"}),
        )
        .await;
    assert_error(status, &body, 422, Some("cron"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CHIME_MIN_SERIES_INTERVAL"),
        "{body}"
    );
    for cron in ["0,1 10 * * *", "0,1 * * * *", "*/2 * * * *"] {
        let (status, body) = app
            .post(
                "/api/v1/notifications",
                &key,
                &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "cron": cron}),
            )
            .await;
        assert_error(status, &body, 422, Some("cron"));
    }
    // Exactly at the floor is allowed.
    let (status, body) = app
        .post(
            "/api/v1/notifications",
            &key,
            &json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi", "cron": "*/5 * * * *"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/cron/preview",
            &key,
            &json!({"cron": "*/5 * * * *"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
