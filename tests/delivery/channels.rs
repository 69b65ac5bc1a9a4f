use crate::{at_ms, delivery_app, wait_for_status};
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
        chime::channels::email::message_id(id.parse().unwrap())
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
