use crate::support::{self, assert_error, TestApp};
use crate::{at_ms, delivery_app, notification, wait_for_status};
use chime::channels::test_peers::{SmtpPeer, SmtpReply};
use chrono::{DateTime, Timelike, Utc};
use diesel::prelude::*;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn audit_count(app: &TestApp, action: &str) -> i64 {
    use chime::db::schema::audit_log::dsl as a;
    a::audit_log
        .filter(a::action.eq(action))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

fn smtp_app_settings(s: &mut chime::config::Settings, url: String) {
    s.channels.smtp_url = Some(chime::config::Secret::new(url));
    s.channels.smtp_from = "billing@example.com".into();
    s.api.public_url = Some("https://chime.example.com".into());
    s.api.unsubscribe_secret = Some(chime::config::Secret::new(
        "unsubscribe-secret-for-tests-0123456789",
    ));
}

#[tokio::test]
async fn an_opt_out_after_scheduling_ends_suppressed_and_nothing_is_sent() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| smtp_app_settings(s, url)).await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
            "recipient_id": "cust_42", "category": "billing", "subject": "Invoice",
            "body": "Your invoice", "send_at": at_ms(1500).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["channel"], "email");
    let id = n["id"].as_str().unwrap().to_string();
    // The opt-out comes after scheduling; the claim reads it.
    let (s, r) = app
        .patch(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"preferences": {"billing": {"email": false}}}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let n = wait_for_status(&app, &id, "suppressed").await;
    let reason = n["last_error"].as_str().unwrap();
    assert!(reason.starts_with("opted_out: "), "{reason}");
    assert_eq!(n["attempts"], 0);
    assert!(smtp.messages().is_empty(), "nothing may be sent");
    let (s, attempts) = app
        .get(
            &format!("/api/v1/notifications/{id}/attempts"),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(attempts["items"], json!([]));
    assert_eq!(audit_count(&app, "notification.suppressed"), 1);
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = metrics
        .lines()
        .find(|l| l.starts_with("chime_notifications_suppressed_total{reason=\"opted_out\"}"))
        .unwrap_or_else(|| panic!("no suppressed counter in {metrics}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0, "{line}");
    // Listed by the new status.
    let (s, page) = app
        .get("/api/v1/notifications?status=suppressed", &app.admin_key)
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_send_goes_to_the_address_the_recipient_has_when_it_is_due() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| smtp_app_settings(s, url)).await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "old@example.com"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
            "recipient_id": "cust_42", "category": "billing", "subject": "Invoice",
            "body": "Your invoice", "send_at": at_ms(1500).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["recipient"], "old@example.com");
    let (s, r) = app
        .patch(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "new@example.com"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let mails = smtp.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mails[0].rcpt_to, vec!["new@example.com".to_string()]);
    let n = wait_for_status(&app, n["id"].as_str().unwrap(), "sent").await;
    assert_eq!(n["recipient"], "new@example.com");
}

#[tokio::test]
async fn one_click_unsubscribe_flips_the_preference_and_a_tampered_link_changes_nothing() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| smtp_app_settings(s, url)).await;
    let (s, r) = app
        .put(
            "/api/v1/recipients/cust_42",
            &app.admin_key,
            &json!({"email": "ada@example.com", "name": "Ada"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
            "recipient_id": "cust_42", "category": "billing", "subject": "Invoice",
            "body": "Your invoice", "send_at": at_ms(300).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let mails = smtp.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mails[0].rcpt_to, vec!["ada@example.com".to_string()]);
    let header = mails[0]
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert_eq!(
        mails[0].header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = header
        .strip_prefix("<https://chime.example.com")
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or_else(|| panic!("unexpected header {header}"))
        .to_string();
    assert!(link.starts_with("/unsubscribe/"), "{link}");
    wait_for_status(&app, n["id"].as_str().unwrap(), "sent").await;

    // A tampered token (one character of what it signs changed) is refused; nothing changes.
    let mut tampered = link.clone().into_bytes();
    let at = "/unsubscribe/".len() + 30;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let (s, b) = support::split(app.client.post(app.url(&tampered)).send().await.unwrap()).await;
    assert_error(s, &b, 400, Some("token"));
    let (_, r) = app.get("/api/v1/recipients/cust_42", &app.admin_key).await;
    assert_eq!(r["preferences"], json!({}));
    assert_eq!(audit_count(&app, "recipient.unsubscribed"), 0);

    // Opening the link shows a button and changes nothing.
    let page = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    let (_, r) = app.get("/api/v1/recipients/cust_42", &app.admin_key).await;
    assert_eq!(r["preferences"], json!({}));

    // The one-click POST (no credentials, as a mail client sends it), twice.
    for _ in 0..2 {
        let resp = app
            .client
            .post(app.url(&link))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        let (s, b) = support::split(resp).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["category"], "billing");
    }
    let (_, r) = app.get("/api/v1/recipients/cust_42", &app.admin_key).await;
    assert_eq!(r["preferences"], json!({"billing": {"email": false}}));
    assert_eq!(audit_count(&app, "recipient.unsubscribed"), 1);

    // Billing e-mails to Ada are now refused at create; other categories still go.
    let (s, b) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({
            "recipient_id": "cust_42", "category": "billing", "body": "x", "send_at": at_ms(60_000).to_rfc3339()}))
        .await;
    assert_error(s, &b, 422, Some("category"));
    let (s, b) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({
            "recipient_id": "cust_42", "category": "security", "body": "x", "send_at": at_ms(60_000).to_rfc3339()}))
        .await;
    assert_eq!(s, 201, "{b}");
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

#[tokio::test]
async fn quiet_hours_hold_a_send_until_they_end_and_urgent_ones_go_through() {
    let app = delivery_app(|_| {}).await;
    let now = Utc::now();
    let start = now - chrono::Duration::minutes(60);
    let end = now + chrono::Duration::minutes(30);
    let (s, r) = app
        .put(
            "/api/v1/recipients/night_owl",
            &app.admin_key,
            &json!({
            "email": "owl@example.com", "timezone": "UTC",
            "quiet_hours": {"start": hhmm(start), "end": hhmm(end)}}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let create = |urgent: bool| {
        json!({"recipient_id": "night_owl", "category": "billing", "subject": "s", "body": "b",
               "urgent": urgent, "send_at": at_ms(300).to_rfc3339()})
    };
    let (s, held) = app
        .post("/api/v1/notifications", &app.admin_key, &create(false))
        .await;
    assert_eq!(s, 201, "{held}");
    let (s, urgent) = app
        .post("/api/v1/notifications", &app.admin_key, &create(true))
        .await;
    assert_eq!(s, 201, "{urgent}");
    wait_for_status(&app, urgent["id"].as_str().unwrap(), "sent").await;
    let held_id = held["id"].as_str().unwrap().to_string();
    support::wait_until("the send to be held", WAIT, || async {
        (audit_count(&app, "notification.held") == 1).then_some(())
    })
    .await;
    let n = notification(&app, &held_id).await;
    assert_eq!(n["status"], "scheduled");
    assert_eq!(n["attempts"], 0);
    let due: DateTime<Utc> = {
        use chime::db::schema::notifications::dsl as q;
        q::notifications
            .filter(q::id.eq(held_id.parse::<uuid::Uuid>().unwrap()))
            .select(q::due_at)
            .first(&mut app.db.conn())
            .unwrap()
    };
    // Held to the end of the window: `end` at whole minutes.
    assert_eq!(hhmm(due), hhmm(end));
    assert_eq!(due.second(), 0);
    assert!(due > now && due <= end, "{due} not within ({now}, {end}]");
}

/// The claim's decision on a real row, at a chosen instant: a window ending at 02:30 on the
/// night New York springs forward (02:00 EST → 03:00 EDT at 07:00Z), so 02:30 never happens
/// and the send is held to the jump.
#[tokio::test]
async fn quiet_hours_ending_inside_the_spring_forward_gap_release_at_the_jump() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("plays claims by hand that no sender finishes");
    let (s, r) = app
        .put(
            "/api/v1/recipients/nyc",
            &app.admin_key,
            &json!({
            "email": "nyc@example.com", "timezone": "America/New_York",
            "quiet_hours": {"start": "22:00", "end": "02:30"}}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let cases = [
        ("2027-03-14T03:30:00Z", Some("2027-03-14T07:00:00Z")), // 22:30 EST the evening before
        ("2027-03-14T06:59:00Z", Some("2027-03-14T07:00:00Z")), // 01:59 EST
        ("2027-03-14T07:00:00Z", None),                         // 03:00 EDT: over
        ("2027-03-15T06:00:00Z", Some("2027-03-15T06:30:00Z")), // 02:00 EDT the next night
    ];
    let mut conn = app.db.conn();
    for (at, expected) in cases {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({
                "recipient_id": "nyc", "category": "billing", "subject": "s", "body": "b",
                "send_at": "2099-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
        // As a sender's claim leaves it.
        use chime::db::schema::notifications::dsl as q;
        let claimed: chime::db::models::Notification =
            diesel::update(q::notifications.filter(q::id.eq(id)))
                .set((
                    q::status.eq("sending"),
                    q::attempts.eq(1),
                    q::claimed_at.eq(Utc::now()),
                ))
                .returning(chime::db::models::Notification::as_returning())
                .get_result(&mut conn)
                .unwrap();
        let now: DateTime<Utc> = at.parse().unwrap();
        let gated = chime::recipients::gate(&mut conn, vec![claimed], now, None).unwrap();
        match expected {
            Some(until) => {
                assert_eq!(gated.held.len(), 1, "{at}");
                let row = &gated.held[0];
                assert_eq!(row.due_at, until.parse::<DateTime<Utc>>().unwrap(), "{at}");
                assert_eq!((row.status.as_str(), row.attempts), ("scheduled", 0));
            }
            None => assert_eq!(gated.cleared.len(), 1, "{at}"),
        }
    }
}
