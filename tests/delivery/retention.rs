//! Retention: what ended long enough ago is deleted with its attempts and audit rows; nothing
//! pending, nothing recent and no record of who created a pending reminder is.

use crate::support::TestApp;
use chime::schedule::retention;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str, id: Option<&str>) -> i64 {
    let query = diesel::sql_query(sql);
    let row: Count = match id {
        Some(id) => query
            .bind::<SqlUuid, _>(Uuid::parse_str(id).unwrap())
            .get_result(conn),
        None => query.get_result(conn),
    }
    .unwrap();
    row.n
}

fn age(conn: &mut PgConnection, id: &str, days: i64) {
    let id = Uuid::parse_str(id).unwrap();
    let interval = format!("{days} days");
    diesel::sql_query(
        "UPDATE notifications SET created_at = now() - $2::interval, \
           updated_at = now() - $2::interval WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&interval)
    .execute(conn)
    .unwrap();
    diesel::sql_query(
        "UPDATE audit_log SET created_at = now() - $2::interval WHERE subject_id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(&interval)
    .execute(conn)
    .unwrap();
}

async fn create(app: &TestApp, key: &str) -> String {
    let send_at = (chrono::Utc::now() + chrono::Duration::days(100)).to_rfc3339();
    let (s, n) = app
        .post(
            "/api/v1/notifications",
            key,
            &json!({"channel": "email", "recipient": "ada@example.com", "body": "hi",
                    "send_at": send_at}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    n["id"].as_str().unwrap().to_owned()
}

async fn cancel(app: &TestApp, key: &str, id: &str) {
    let (s, n) = app
        .post(
            &format!("/api/v1/notifications/{id}/cancel"),
            key,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{n}");
}

#[tokio::test]
async fn purge_deletes_only_what_ended_before_the_retention_period() {
    let app = TestApp::spawn().await;
    let ctx = app.role_context().await;
    let mut conn = app.db.conn();

    // Ended 40 days ago, with an attempt and audit rows: deleted.
    let old = create(&app, &app.admin_key).await;
    cancel(&app, &app.admin_key, &old).await;
    diesel::sql_query(
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, \
           started_at, finished_at, outcome) \
         SELECT gen_random_uuid(), id, tenant_id, 1, now(), now(), 'transient_failure' \
         FROM notifications WHERE id = $1",
    )
    .bind::<SqlUuid, _>(Uuid::parse_str(&old).unwrap())
    .execute(&mut conn)
    .unwrap();
    age(&mut conn, &old, 40);
    // Ended just now: kept.
    let recent = create(&app, &app.admin_key).await;
    cancel(&app, &app.admin_key, &recent).await;
    // Created 40 days ago and still pending: kept, and so is the record of its creation.
    let pending = create(&app, &app.admin_key).await;
    age(&mut conn, &pending, 40);
    // An old audit row about something else (a key): deleted.
    let (s, key) = app
        .post(
            "/api/v1/api-keys",
            &app.admin_key,
            &json!({"name": "billing", "role": "member"}),
        )
        .await;
    assert_eq!(s, 201, "{key}");
    diesel::sql_query(
        "UPDATE audit_log SET created_at = now() - interval '40 days' WHERE action = 'api_key.created'",
    )
    .execute(&mut conn)
    .unwrap();
    // Another tenant's old rows, more than one batch of them: all deleted.
    let other_key = "chk_retention_other_tenant_0000000000";
    let other = chime::db::tenants::ensure(&mut conn, "retention-other").unwrap();
    chime::db::api_keys::create(
        &mut conn,
        other.id,
        "admin",
        other_key,
        chime::domain::AccessRole::Admin,
    )
    .unwrap();
    diesel::sql_query(
        "INSERT INTO notifications (id, tenant_id, status, channel, recipient, send_at, due_at, \
           max_attempts, created_at, updated_at, sent_at) \
         SELECT gen_random_uuid(), $1, 'sent', 'webhook', 'https://example.com/h', now(), now(), 3, \
           now() - interval '60 days', now() - interval '45 days', now() - interval '45 days' \
         FROM generate_series(1, 1234)",
    )
    .bind::<SqlUuid, _>(other.id)
    .execute(&mut conn)
    .unwrap();
    let other_recent = create(&app, other_key).await;

    let pass = retention::purge(
        &ctx,
        Duration::from_secs(30 * 86_400),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(pass.notifications, 1 + 1234, "{pass:?}");

    let exists = "SELECT count(*) AS n FROM notifications WHERE id = $1";
    assert_eq!(
        count(&mut conn, exists, Some(&old)),
        0,
        "the old one is gone"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM delivery_attempts WHERE notification_id = $1",
            Some(&old)
        ),
        0,
        "with its attempts"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_log WHERE subject_id = $1",
            Some(&old)
        ),
        0,
        "and its audit rows"
    );
    for kept in [&recent, &pending, &other_recent] {
        assert_eq!(count(&mut conn, exists, Some(kept)), 1, "{kept} is kept");
    }
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_log WHERE subject_id = $1",
            Some(&pending)
        ) >= 1,
        "a pending reminder keeps the record of its creation"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'api_key.created'",
            None
        ),
        0,
        "old audit rows about other things are gone"
    );
    assert!(pass.audit >= 1, "{pass:?}");

    // A second pass finds nothing more.
    let again = retention::purge(
        &ctx,
        Duration::from_secs(30 * 86_400),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(again, retention::Pass::default());
}
