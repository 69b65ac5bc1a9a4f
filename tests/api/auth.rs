use crate::support::{assert_error, TestApp};
use chime::domain::AccessRole;
use serde_json::json;

fn reminder() -> serde_json::Value {
    json!({"channel": "sms", "recipient": "+14155550123", "body": "Hi",
           "send_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()})
}

#[tokio::test]
async fn missing_or_bad_credentials_are_401() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.url("/api/v1/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    for token in ["chk_wrong_key_000000000000000000", "not.a.jwt", ""] {
        let (s, b) = app.get("/api/v1/notifications", token).await;
        assert_error(s, &b, 401, None);
    }
}

#[tokio::test]
async fn api_keys_are_shown_once_and_work_with_their_role() {
    let app = TestApp::spawn().await;
    let (s, created) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"name": "billing", "role": "member"}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("chk_"));
    assert_eq!(created["role"], "member");
    // Stored only as a digest.
    {
        use chime::db::schema::api_keys::dsl as k;
        use diesel::prelude::*;
        let stored: Vec<String> = k::api_keys
            .select(k::key_hash)
            .load(&mut app.db.conn())
            .unwrap();
        assert!(stored.iter().all(|h| h != key && h.len() == 64));
    }
    // A member manages notifications …
    let (s, _) = app.post("/api/v1/notifications", key, &reminder()).await;
    assert_eq!(s, 201);
    // … but not keys, users, the tenant or dead letters.
    let (s, b) = app
        .post("/api/v1/api-keys", key, &json!({"role": "admin"}))
        .await;
    assert_error(s, &b, 403, None);
    let (s, b) = app
        .post(
            "/api/v1/users",
            key,
            &json!({"email": "x@example.com", "password": "long-enough-pw"}),
        )
        .await;
    assert_error(s, &b, 403, None);
    let (s, b) = app.get("/api/v1/tenant", key).await;
    assert_error(s, &b, 403, None);
    let (s, b) = app.get("/api/v1/dead-letters", key).await;
    assert_error(s, &b, 403, None);

    let (s, b) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"role": "owner"}),
        )
        .await;
    assert_error(s, &b, 422, Some("role"));
    let (s, b) = app
        .post("/api/v1/api-keys", &app.admin_key, &json!({}))
        .await;
    assert_error(s, &b, 422, Some("role"));
}

#[tokio::test]
async fn users_log_in_and_use_a_jwt() {
    let app = TestApp::spawn().await;
    let (s, u) = app
        .post("/api/v1/users", &app.admin_key, &json!({"email": "Grace@Example.com", "password": "correct horse battery", "role": "member"}))
        .await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["email"], "grace@example.com");
    assert!(u.get("password_hash").is_none());
    let (s, b) = app
        .post(
            "/api/v1/users",
            &app.admin_key,
            &json!({"email": "grace@example.com", "password": "another password"}),
        )
        .await;
    assert_error(s, &b, 409, None);
    let (s, b) = app
        .post(
            "/api/v1/users",
            &app.admin_key,
            &json!({"email": "nope", "password": "long enough pw"}),
        )
        .await;
    assert_error(s, &b, 422, Some("email"));
    let (s, b) = app
        .post(
            "/api/v1/users",
            &app.admin_key,
            &json!({"email": "a@example.com", "password": "short"}),
        )
        .await;
    assert_error(s, &b, 422, Some("password"));

    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "grace@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let token = resp.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = app.post("/api/v1/notifications", &token, &reminder()).await;
    assert_eq!(s, 201);
    let (s, b) = app.get("/api/v1/tenant", &token).await;
    assert_error(s, &b, 403, None);

    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "grace@example.com", "password": "wrong password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // A token signed with another secret, and an expired one, are refused.
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "x", "tenant": uuid::Uuid::new_v4(), "role": "admin", "exp": chrono::Utc::now().timestamp() + 600}),
        &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-of-enough-length!!"),
    )
    .unwrap();
    let (s, _) = app.get("/api/v1/notifications", &forged).await;
    assert_eq!(s, 401);
    let secret = app
        .settings
        .auth
        .jwt_secret
        .as_ref()
        .unwrap()
        .expose()
        .to_string();
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "x", "tenant": uuid::Uuid::new_v4(), "role": "admin", "exp": chrono::Utc::now().timestamp() - 600}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let (s, _) = app.get("/api/v1/notifications", &expired).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn tenants_never_see_each_other() {
    let app = TestApp::spawn().await;
    let other = app.new_tenant_key("acme", AccessRole::Admin);
    let mut grouped = reminder();
    grouped["group_key"] = json!("g");
    let (_, mine) = app
        .post("/api/v1/notifications", &app.admin_key, &grouped)
        .await;
    let id = mine["id"].as_str().unwrap();
    let (s, b) = app
        .get(&format!("/api/v1/notifications/{id}"), &other)
        .await;
    assert_error(s, &b, 404, None);
    let (s, _) = app
        .patch(
            &format!("/api/v1/notifications/{id}"),
            &other,
            &json!({"body": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            &other,
            &json!({}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .get(&format!("/api/v1/notifications/{id}/attempts"), &other)
        .await;
    assert_eq!(s, 404);
    let (_, list) = app.get("/api/v1/notifications", &other).await;
    assert_eq!(list["items"], json!([]));
    let (_, r) = app
        .post(
            "/api/v1/notifications/cancel",
            &other,
            &json!({"group_key": "g"}),
        )
        .await;
    assert_eq!(r["cancelled"], 0);
    // Each tenant has its own webhook secret.
    let (_, t1) = app.get("/api/v1/tenant", &app.admin_key).await;
    let (_, t2) = app.get("/api/v1/tenant", &other).await;
    assert_ne!(t1["webhook_secret"], t2["webhook_secret"]);
    assert_ne!(t1["id"], t2["id"]);
    // Still there for its owner, and still scheduled: the other tenant's group cancel of the
    // same key did not reach it.
    let (s, n) = app
        .get(&format!("/api/v1/notifications/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200);
    assert_eq!(n["status"], "scheduled");
}

#[tokio::test]
async fn tenant_secret_rotates() {
    let app = TestApp::spawn().await;
    let (s, before) = app.get("/api/v1/tenant", &app.admin_key).await;
    assert_eq!(s, 200);
    assert!(before["webhook_secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    let (s, after) = app
        .post(
            "/api/v1/tenant/webhook-secret/rotate",
            &app.admin_key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_ne!(before["webhook_secret"], after["webhook_secret"]);
}

#[tokio::test]
async fn bootstrap_key_is_idempotent_across_restarts_and_replicas() {
    let app = TestApp::spawn().await;
    let url = app.db.url.clone();
    let key = app.admin_key.clone();
    // Several "replicas" ensuring the same key at once.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            let key = key.clone();
            std::thread::spawn(move || {
                use diesel::Connection;
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                chime::db::setup::run_migrations(&url).unwrap();
                chime::db::setup::ensure_bootstrap_admin(&mut conn, &key).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    use chime::db::schema::{api_keys, tenants};
    use diesel::prelude::*;
    let mut conn = app.db.conn();
    let n_tenants: i64 = tenants::table.count().get_result(&mut conn).unwrap();
    let n_keys: i64 = api_keys::table.count().get_result(&mut conn).unwrap();
    assert_eq!((n_tenants, n_keys), (1, 1));
}

#[tokio::test]
async fn api_keys_are_listed_without_secrets_and_revoked() {
    let app = TestApp::spawn().await;
    let (_, created) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"name": "billing", "role": "member"}),
        )
        .await;
    let key = created["key"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    let (s, _) = app.get("/api/v1/notifications", &key).await;
    assert_eq!(s, 200, "works before revocation (and is now cached)");
    let (s, list) = app.get("/api/v1/api-keys", &app.admin_key).await;
    assert_eq!(s, 200);
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "bootstrap key and the new one"
    );
    assert!(!list.to_string().contains(&key), "secrets are never listed");
    let (s, revoked) = app
        .delete(&format!("/api/v1/api-keys/{id}"), &app.admin_key)
        .await;
    assert_eq!(s, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let (s, b) = app.get("/api/v1/notifications", &key).await;
    assert_error(s, &b, 401, None);
    let (s, _) = app.delete(&format!("/api/v1/api-keys/{id}"), &key).await;
    assert_eq!(s, 401);
    let member = app.member_key().await;
    let (s, _) = app.get("/api/v1/api-keys", &member).await;
    assert_eq!(s, 403);
    let other = app.new_tenant_key("other", AccessRole::Admin);
    let (s, _) = app.delete(&format!("/api/v1/api-keys/{id}"), &other).await;
    assert_eq!(s, 404, "another tenant's key is unknown");
}
