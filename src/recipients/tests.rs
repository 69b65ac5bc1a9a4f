use super::*;
use serde_json::Value;

fn profile(prefs: Value, quiet: Option<Value>) -> Profile {
    Profile::from_row(RecipientRow {
        id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        external_id: "cust_42".into(),
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        phone: Some("+14155550123".into()),
        webhook_url: None,
        timezone: Some("Europe/Berlin".into()),
        locale: None,
        preferred_channel: Some("sms".into()),
        preferences: prefs,
        quiet_hours: quiet,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    })
}

fn directory(p: Profile, defaults: Defaults) -> Directory {
    Directory {
        defaults,
        recipients: [(p.row.external_id.clone(), p)].into_iter().collect(),
    }
}

/// A claimed row to a recipient, for tests here and elsewhere in the crate.
pub(crate) fn row(channel: &str, urgent: bool) -> Notification {
    let at = Utc::now();
    Notification {
        id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        status: crate::domain::NotificationStatus::Sending,
        channel: channel.parse().expect("a channel"),
        recipient: "ada@example.com".into(),
        subject: None,
        body: "hi".into(),
        data: json!({}),
        target_date: None,
        lead_time: None,
        send_at: at,
        due_at: at,
        timezone: None,
        cron: None,
        series_id: None,
        expires_at: None,
        group_key: None,
        attempts: 1,
        max_attempts: 3,
        last_error: None,
        sent_at: None,
        cancelled_at: None,
        claimed_at: Some(at),
        event_id: None,
        idempotency_key: None,
        version: 1,
        created_at: at,
        updated_at: at,
        event_slot: None,
        html: None,
        delivery_status: None,
        delivery_status_at: None,
        template: None,
        template_version: None,
        recipient_id: Some("cust_42".into()),
        category: Some("billing".into()),
        urgent,
        fallback: Vec::new(),
        channel_index: 0,
        digest_key: None,
        digest_window: None,
        digest_subject: None,
        digest_body: None,
        digest_release_at: None,
        digest_of: None,
    }
}

fn billing() -> Category {
    Category::parse("billing").unwrap()
}

#[test]
fn the_channel_is_the_first_allowed_one_with_an_address() {
    let dir = directory(profile(json!({}), None), Defaults::default());
    // The preferred channel without a request.
    let (channel, to) = dir.choose("cust_42", &billing(), &[]).unwrap();
    assert_eq!((channel, to.as_str()), (ChannelKind::Sms, "+14155550123"));
    let (channel, _) = dir
        .choose(
            "cust_42",
            &billing(),
            &[ChannelKind::Webhook, ChannelKind::Email],
        )
        .unwrap();
    assert_eq!(channel, ChannelKind::Email);
    let dir = directory(
        profile(json!({"billing": {"sms": false}}), None),
        Defaults::default(),
    );
    assert_eq!(
        dir.choose("cust_42", &billing(), &[]).unwrap().0,
        ChannelKind::Email
    );
}

#[test]
fn no_allowed_channel_or_an_unknown_recipient_names_the_field() {
    let dir = directory(
        profile(json!({"billing": {"sms": false, "email": false}}), None),
        Defaults::default(),
    );
    let (field, message) = dir.choose("cust_42", &billing(), &[]).unwrap_err();
    assert_eq!(field, "category");
    assert!(message.contains("sms: opted out"), "{message}");
    assert!(message.contains("webhook: no address"), "{message}");
    let (field, _) = dir
        .choose("cust_42", &billing(), &[ChannelKind::Email])
        .unwrap_err();
    assert_eq!(field, "channels");
    let (field, _) = dir.choose("cust_7", &billing(), &[]).unwrap_err();
    assert_eq!(field, "recipient_id");
}

#[test]
fn the_claim_reads_preferences_and_addresses_as_they_are_now() {
    let now = "2027-01-15T12:00:00Z".parse().unwrap();
    let d = Defaults::default();
    let p = profile(json!({}), None);
    assert_eq!(
        decide(&row("email", false), Some(&p), &d, now),
        Decision::Send {
            address: "ada@example.com".into()
        }
    );
    let out = profile(json!({"billing": {"email": false}}), None);
    assert_eq!(
        decide(&row("email", false), Some(&out), &d, now),
        Decision::Suppress(Suppression::OptedOut)
    );
    assert_eq!(
        decide(&row("webhook", false), Some(&p), &d, now),
        Decision::Suppress(Suppression::NoAddress)
    );
    assert_eq!(
        decide(&row("email", false), None, &d, now),
        Decision::Suppress(Suppression::RecipientDeleted)
    );
    let off = Defaults {
        preferences: Preferences::parse("p", &json!({"*": {"email": false}})).unwrap(),
        quiet_hours: None,
    };
    assert_eq!(
        decide(&row("email", false), Some(&p), &off, now),
        Decision::Suppress(Suppression::OffByDefault)
    );
}

#[test]
fn quiet_hours_hold_unless_urgent_and_the_recipients_window_wins() {
    // 22:30 in Berlin (UTC+1 in January).
    let now = "2027-01-15T21:30:00Z".parse().unwrap();
    let p = profile(json!({}), Some(json!({"start": "21:00", "end": "08:00"})));
    let d = Defaults::default();
    assert_eq!(
        decide(&row("email", false), Some(&p), &d, now),
        Decision::Hold {
            until: "2027-01-16T07:00:00Z".parse().unwrap()
        }
    );
    assert!(matches!(
        decide(&row("email", true), Some(&p), &d, now),
        Decision::Send { .. }
    ));
    // The tenant's window applies to a recipient without one.
    let tenant = Defaults {
        preferences: Preferences::default(),
        quiet_hours: QuietHours::from_stored(Some(&json!({"start": "22:00", "end": "07:00"}))),
    };
    assert_eq!(
        decide(
            &row("email", false),
            Some(&profile(json!({}), None)),
            &tenant,
            now
        ),
        Decision::Hold {
            until: "2027-01-16T06:00:00Z".parse().unwrap()
        }
    );
    // An opt-out is decided before quiet hours: nothing is held only to be dropped later.
    let out = profile(
        json!({"billing": {"email": false}}),
        Some(json!({"start": "21:00", "end": "08:00"})),
    );
    assert_eq!(
        decide(&row("email", false), Some(&out), &d, now),
        Decision::Suppress(Suppression::OptedOut)
    );
}
