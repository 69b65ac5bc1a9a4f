//! `POST /channels/sms/status` without a configured callback URL: signatures are checked over
//! the URL the request came to.

use crate::support::{assert_error, split, TestApp};
use chime::config::Role;

const TOKEN: &str = "sms-auth-token";

async fn report(app: &TestApp, signed_url: &str, token: &str) -> (u16, serde_json::Value) {
    let params = vec![
        ("MessageSid".to_owned(), "SMunknown".to_owned()),
        ("MessageStatus".to_owned(), "delivered".to_owned()),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let signature = chime::channels::sms::twilio_signature(token, signed_url, &params);
    let resp = app
        .client
        .post(app.url("/channels/sms/status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    split(resp).await
}

#[tokio::test]
async fn status_reports_are_signed_over_the_requested_url_when_none_is_configured() {
    let app = TestApp::spawn_with(&[Role::Api], |s| {
        s.channels.sms_auth_token = Some(chime::config::Secret::new(TOKEN));
    })
    .await;
    let url = app.url("/channels/sms/status");
    // A good signature reaches the lookup: no such message.
    let (s, e) = report(&app, &url, TOKEN).await;
    assert_error(s, &e, 404, None);
    let (s, e) = report(&app, &format!("{url}?x=1"), TOKEN).await;
    assert_error(s, &e, 403, None);
    let (s, e) = report(&app, &url, "another-token").await;
    assert_error(s, &e, 403, None);
}

#[tokio::test]
async fn without_an_auth_token_no_report_is_accepted() {
    let app = TestApp::spawn().await;
    let url = app.url("/channels/sms/status");
    let (s, e) = report(&app, &url, "").await;
    assert_error(s, &e, 403, None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("auth token"),
        "{e}"
    );
}
