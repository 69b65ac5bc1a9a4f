use crate::{at_ms, delivery_app, support, wait_for_status};
use chime::channels::test_peers::{HttpPeer, Responder, SmtpPeer, SmtpReply};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn email_arrives_over_smtp_with_a_message_id_from_the_notification() {
    let smtp = SmtpPeer::start(SmtpReply::Accept).await.unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| {
        s.channels.smtp_url = Some(chime::config::Secret::new(url));
        s.channels.smtp_from = "billing@example.com".into();
    })
    .await;
    let send_at = at_ms(700);
    let (s, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({
            "channel": "email", "recipient": "ada@example.com", "subject": "Card ending {{last4}}",
            "body": "Hi {{name}}, your card ends on {{target_date}}.", "data": {"name": "Ada", "last4": "4242"},
            "send_at": send_at.to_rfc3339()}))
        .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().unwrap().to_string();
    let mail = smtp.wait_for(1, Duration::from_secs(15)).await.unwrap();
    assert!(mail[0].received_at >= send_at);
    assert_eq!(mail[0].rcpt_to, vec!["ada@example.com".to_string()]);
    assert_eq!(
        mail[0].header("Message-ID").unwrap(),
        chime::channels::email::message_id(id.parse().unwrap(), "example.com")
    );
    assert_eq!(mail[0].header("Subject").unwrap(), "Card ending 4242");
    assert!(mail[0].body().contains("Hi Ada"));
    wait_for_status(&app, &id, "sent").await;
}

#[tokio::test]
async fn sms_goes_to_the_twilio_compatible_api() {
    let provider = HttpPeer::start(Responder::always(201)).await.unwrap();
    let base = provider.url.clone();
    let app = delivery_app(|s| {
        s.channels.sms_url = Some(base.trim_end_matches('/').to_string());
        s.channels.sms_account_sid = Some("AC123".into());
        s.channels.sms_auth_token = Some(chime::config::Secret::new("token-xyz"));
        s.channels.sms_from = Some("+15005550006".into());
    })
    .await;
    let send_at = at_ms(500);
    let (s, n) = app
        .post("/api/v1/notifications", &app.admin_key, &json!({"channel": "sms", "recipient": "+14155550123", "body": "Code {{code}}", "data": {"code": "991"}, "send_at": send_at.to_rfc3339()}))
        .await;
    assert_eq!(s, 201, "{n}");
    let got = provider.wait_for(1, Duration::from_secs(15)).await.unwrap();
    assert!(
        got[0].received_at >= send_at,
        "arrived {} before send_at {}",
        got[0].received_at,
        send_at
    );
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/2010-04-01/Accounts/AC123/Messages.json");
    let form = got[0].body_text();
    assert!(form.contains("To=%2B14155550123"), "{form}");
    assert!(form.contains("From=%2B15005550006"), "{form}");
    assert!(form.contains("Body=Code+991"), "{form}");
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("AC123:token-xyz")
    );
    assert_eq!(got[0].header("authorization"), Some(basic.as_str()));
    wait_for_status(&app, n["id"].as_str().unwrap(), "sent").await;
}

#[tokio::test]
async fn email_is_mime_with_an_html_alternative_and_a_stable_message_id_on_the_configured_domain() {
    // The first attempt is refused for now (451), so the retry shows the id is kept.
    let smtp = SmtpPeer::start_sequence(vec![SmtpReply::RejectData(451), SmtpReply::Accept])
        .await
        .unwrap();
    let url = smtp.url.clone();
    let app = delivery_app(|s| {
        s.channels.smtp_url = Some(chime::config::Secret::new(url));
        s.channels.smtp_from = "billing@example.com".into();
        s.channels.smtp_message_id_domain = Some("mail.chime.example.org".into());
    })
    .await;
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &json!({
            "channel": "email", "recipient": "ada@example.com", "subject": "Card ending {{last4}}",
            "body": "Hi {{name}}, your card ends soon.",
            "html": "<p>Hi <b>{{name}}</b>, your card ends soon.</p>",
            "data": {"name": "Ada <ada@example.com>", "last4": "4242"},
            "send_at": at_ms(300).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["html"], "<p>Hi <b>{{name}}</b>, your card ends soon.</p>");
    let id: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
    let mails = smtp.wait_for(2, Duration::from_secs(15)).await.unwrap();
    wait_for_status(&app, &id.to_string(), "sent").await;

    let expected_id = format!("<{id}@mail.chime.example.org>");
    assert_eq!(
        chime::channels::email::message_id(id, "mail.chime.example.org"),
        expected_id
    );
    for mail in &mails {
        assert_eq!(mail.header("Message-ID"), Some(expected_id.clone()));
        assert_eq!(mail.header("MIME-Version").as_deref(), Some("1.0"));
    }
    let mail = &mails[1];
    assert!(mail.accepted);
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let body = mail.body();
    let plain = body.find("Content-Type: text/plain").expect(body);
    let html = body.find("Content-Type: text/html").expect(body);
    assert!(plain < html, "plain text first, HTML last: {body}");
    assert!(
        body.contains("Hi Ada <ada@example.com>, your card ends soon."),
        "{body}"
    );
    // Data is escaped in the HTML part; the template's own markup is not.
    assert!(
        body.contains("<p>Hi <b>Ada &lt;ada@example.com&gt;</b>, your card ends soon.</p>"),
        "{body}"
    );

    // An HTML part is for e-mails only, and is checked like any template.
    for (channel, recipient, html) in [
        ("sms", "+14155550123", "<p>x</p>"),
        ("email", "ada@example.com", "{{ oops"),
    ] {
        let (s, e) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({
                "channel": channel, "recipient": recipient, "body": "x", "html": html,
                "send_at": at_ms(60_000).to_rfc3339()}),
            )
            .await;
        support::assert_error(s, &e, 422, Some("html"));
    }
}

fn twilio_form(pairs: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    let params: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    (body, params)
}

#[tokio::test]
async fn sms_status_callbacks_mark_a_message_delivered_or_undelivered() {
    let provider = HttpPeer::start(Responder::script(vec![
        chime::channels::test_peers::PeerResponse::new(201)
            .body(r#"{"sid": "SM0001", "status": "queued"}"#),
        chime::channels::test_peers::PeerResponse::new(201)
            .body(r#"{"sid": "SM0002", "status": "queued"}"#),
    ]))
    .await
    .unwrap();
    let base = provider.url.clone();
    const TOKEN: &str = "token-xyz";
    const CALLBACK: &str = "https://chime.example.com/channels/sms/status";
    let app = delivery_app(|s| {
        s.channels.sms_url = Some(base.trim_end_matches('/').to_string());
        s.channels.sms_account_sid = Some("AC123".into());
        s.channels.sms_auth_token = Some(chime::config::Secret::new(TOKEN));
        s.channels.sms_from = Some("+15005550006".into());
        s.channels.sms_status_callback_url = Some(CALLBACK.into());
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..2 {
        let (s, n) = app
            .post(
                "/api/v1/notifications",
                &app.admin_key,
                &json!({
                "channel": "sms", "recipient": "+14155550123", "body": format!("Code {i}"),
                "send_at": at_ms(100).to_rfc3339()}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        let id = n["id"].as_str().unwrap().to_string();
        // One at a time, so the first message gets the first sid.
        wait_for_status(&app, &id, "sent").await;
        ids.push(id);
    }
    let sent = provider.wait_for(2, Duration::from_secs(15)).await.unwrap();
    assert!(sent[0]
        .body_text()
        .contains("StatusCallback=https%3A%2F%2Fchime.example.com%2Fchannels%2Fsms%2Fstatus"));
    let (s, attempts) = app
        .get(
            &format!("/api/v1/notifications/{}/attempts", ids[0]),
            &app.admin_key,
        )
        .await;
    assert_eq!(s, 200, "{attempts}");
    let attempts = attempts
        .as_array()
        .or(attempts["items"].as_array())
        .unwrap()
        .clone();
    assert_eq!(attempts[0]["provider_message_id"], "SM0001", "{attempts:?}");
    assert_eq!(attempts[0]["provider_status"], serde_json::Value::Null);

    let client = reqwest::Client::new();
    let post = |body: String, signature: Option<String>| {
        let mut req = client
            .post(app.url("/channels/sms/status"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(sig) = signature {
            req = req.header("X-Twilio-Signature", sig);
        }
        async move { support::split(req.send().await.unwrap()).await }
    };
    let sign = |params: &[(String, String)]| {
        chime::channels::sms::twilio_signature(TOKEN, CALLBACK, params)
    };

    // Unsigned, signed with another token or over another form: 403, nothing changes.
    let (body, params) = twilio_form(&[("MessageSid", "SM0001"), ("MessageStatus", "delivered")]);
    let (s, e) = post(body.clone(), None).await;
    support::assert_error(s, &e, 403, None);
    let forged = chime::channels::sms::twilio_signature("other-token", CALLBACK, &params);
    assert_eq!(post(body.clone(), Some(forged)).await.0, 403);
    let (tampered, _) = twilio_form(&[("MessageSid", "SM0001"), ("MessageStatus", "undelivered")]);
    assert_eq!(post(tampered, Some(sign(&params))).await.0, 403);
    // Signed, but no such message: 404.
    let (unknown, unknown_params) =
        twilio_form(&[("MessageSid", "SM9999"), ("MessageStatus", "delivered")]);
    let (s, e) = post(unknown, Some(sign(&unknown_params))).await;
    support::assert_error(s, &e, 404, None);
    let n = crate::notification(&app, &ids[0]).await;
    assert_eq!(n["delivery_status"], serde_json::Value::Null, "{n}");

    // A status on the way is kept on the attempt only.
    let (body_sent, params_sent) = twilio_form(&[
        ("AccountSid", "AC123"),
        ("MessageSid", "SM0001"),
        ("MessageStatus", "sent"),
    ]);
    assert_eq!(post(body_sent, Some(sign(&params_sent))).await.0, 204);
    let n = crate::notification(&app, &ids[0]).await;
    assert_eq!(n["delivery_status"], serde_json::Value::Null, "{n}");

    assert_eq!(post(body, Some(sign(&params))).await.0, 204);
    let (fail_body, fail_params) = twilio_form(&[
        ("MessageSid", "SM0002"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ]);
    assert_eq!(post(fail_body, Some(sign(&fail_params))).await.0, 204);

    for (id, expected) in [(&ids[0], "delivered"), (&ids[1], "undelivered")] {
        let n = crate::notification(&app, id).await;
        assert_eq!(n["delivery_status"], expected, "{n}");
        assert!(n["delivery_status_at"].is_string(), "{n}");
        // `sent` keeps its meaning: the provider took the message.
        assert_eq!(n["status"], "sent", "{n}");
    }
    let (_, attempts) = app
        .get(
            &format!("/api/v1/notifications/{}/attempts", ids[0]),
            &app.admin_key,
        )
        .await;
    let attempts = attempts
        .as_array()
        .or(attempts["items"].as_array())
        .unwrap()
        .clone();
    assert_eq!(attempts[0]["provider_status"], "delivered", "{attempts:?}");
}

/// Verifies a delivery with the Standard Webhooks reference library (Python `standardwebhooks`,
/// pinned in sdk/python/requirements-test.txt and installed by `bash sdk/setup`).
fn reference_verify(secret: &str, request: &chime::channels::test_peers::RecordedRequest) -> bool {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash sdk/setup` first",
        python.display()
    );
    let headers: serde_json::Map<String, serde_json::Value> =
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .map(|h| (h.to_string(), json!(request.header(h).unwrap_or_default())))
            .collect();
    let input = json!({"secret": secret, "body": request.body_text(), "headers": headers});
    let script = "import json, sys\n\
        from standardwebhooks import Webhook\n\
        from standardwebhooks.webhooks import WebhookVerificationError\n\
        i = json.load(sys.stdin)\n\
        try:\n    Webhook(i['secret']).verify(i['body'], i['headers'])\n    print('ok')\n\
        except WebhookVerificationError as e:\n    print('refused', e)\n";
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success() && (stdout == "ok" || stdout.starts_with("refused")),
        "the reference verifier failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout == "ok"
}

#[tokio::test]
async fn after_a_rotation_webhooks_verify_with_either_secret_until_the_grace_ends() {
    let hook = HttpPeer::start(Responder::always(200)).await.unwrap();
    let app = delivery_app(|_| {}).await;
    let old = app.webhook_secret().await;

    let (s, e) = app
        .post(
            "/api/v1/tenant/webhook-secret/rotate",
            &app.admin_key,
            &json!({"grace_period": "soon"}),
        )
        .await;
    support::assert_error(s, &e, 422, Some("grace_period"));
    let (s, e) = app
        .post(
            "/api/v1/tenant/webhook-secret/rotate",
            &app.admin_key,
            &json!({"grace_period": "P31D"}),
        )
        .await;
    support::assert_error(s, &e, 422, Some("grace_period"));
    assert_eq!(
        app.webhook_secret().await,
        old,
        "a refused rotation changes nothing"
    );

    // Without a body: the default grace of 24 hours.
    let (s, t) = app
        .request(
            reqwest::Method::POST,
            "/api/v1/tenant/webhook-secret/rotate",
            &app.admin_key,
            None,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let new = t["webhook_secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(t["previous_webhook_secret"], old.as_str());
    let until = chrono::DateTime::parse_from_rfc3339(
        t["previous_webhook_secret_expires_at"].as_str().unwrap(),
    )
    .unwrap();
    let grace = until.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        grace > chrono::Duration::hours(23) && grace <= chrono::Duration::hours(24),
        "{t}"
    );

    let send = |n: usize| {
        let app = &app;
        let url = hook.url_for(&format!("/hook/{n}"));
        async move {
            let (s, n) = app
                .post(
                    "/api/v1/notifications",
                    &app.admin_key,
                    &json!({
                    "channel": "webhook", "recipient": url, "body": "rotated",
                    "send_at": at_ms(100).to_rfc3339()}),
                )
                .await;
            assert_eq!(s, 201, "{n}");
        }
    };
    send(1).await;
    let requests = hook.wait_for(1, Duration::from_secs(15)).await.unwrap();
    let during = &requests[0];
    let signatures = during.header("webhook-signature").unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    assert!(reference_verify(&new, during), "the new secret verifies");
    assert!(
        reference_verify(&old, during),
        "the previous secret verifies"
    );
    let stranger = chime::channels::signing::new_webhook_secret();
    assert!(
        !reference_verify(&stranger, during),
        "another secret does not"
    );

    // A rotation without grace ends the overlap: only the newest secret signs.
    let (s, t) = app
        .post(
            "/api/v1/tenant/webhook-secret/rotate",
            &app.admin_key,
            &json!({"grace_period": "PT0S"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["previous_webhook_secret"], serde_json::Value::Null, "{t}");
    let newest = t["webhook_secret"].as_str().unwrap().to_owned();
    send(2).await;
    let requests = hook.wait_for(2, Duration::from_secs(15)).await.unwrap();
    let after = requests.iter().find(|r| r.path == "/hook/2").unwrap();
    assert_eq!(
        after
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        1
    );
    assert!(reference_verify(&newest, after));
    assert!(!reference_verify(&new, after));
}
