//! The operator commands of the real binary against a test database and key prefix: help that
//! does nothing else, `status`, `notifications`, `dead-letters`, `keys` and `users`.

use crate::support::{pg_url, wait_until, TestApp, REDIS_URL};
use chime::config::Role;
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use uuid::Uuid;

const JWT_SECRET: &str = "test-jwt-secret-that-is-long-enough-000";

/// `chime ARGS` with the app's configuration (as an operator's shell would hold it).
fn chime(app: &TestApp, args: &[&str]) -> Output {
    chime_with_stdin(app, args, "")
}

fn chime_with_stdin(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    chime_full(app, args, stdin, REDIS_URL)
}

fn chime_full(app: &TestApp, args: &[&str], stdin: &str, redis_url: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chime"))
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("REDIS_URL", redis_url)
        .env("CHIME_REDIS_PREFIX", &app.prefix.0)
        .env("CHIME_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chime binary starts");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed and print one JSON document.
fn json_of(app: &TestApp, args: &[&str]) -> Value {
    let out = chime(app, args);
    assert!(
        out.status.success(),
        "chime {args:?} failed: {}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "chime {args:?} printed no JSON ({e}): {}",
            text(&out.stdout)
        )
    })
}

/// Runs a command that must fail with exit code 1 and one line naming the problem.
fn refused(app: &TestApp, args: &[&str], needle: &str) -> String {
    let out = chime(app, args);
    assert_eq!(out.status.code(), Some(1), "chime {args:?}: {out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("chime: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "chime {args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    stderr
}

fn human(app: &TestApp, args: &[&str]) -> String {
    let out = chime(app, args);
    assert!(
        out.status.success(),
        "chime {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn reminder(recipient: &str, group: &str) -> Value {
    json!({
        "channel": "email",
        "recipient": recipient,
        "subject": "Your card expires soon",
        "body": "Hi, your card ends soon.",
        "target_date": (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339(),
        "lead_time": "P3D",
        "group_key": group,
    })
}

async fn create(app: &TestApp, recipient: &str, group: &str) -> Uuid {
    let (status, body) = app
        .post(
            "/api/v1/notifications",
            &app.admin_key,
            &reminder(recipient, group),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().parse().unwrap()
}

fn sql(app: &TestApp, statement: &str, id: Uuid) {
    let mut conn = app.db.conn();
    diesel::sql_query(statement)
        .bind::<SqlUuid, _>(id)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn status_of(app: &TestApp, id: Uuid) -> String {
    use chime::db::schema::notifications::dsl as n;
    n::notifications
        .find(id)
        .select(n::status)
        .first(&mut app.db.conn())
        .unwrap()
}

fn schedule_size(app: &TestApp) -> i64 {
    redis::cmd("ZCARD")
        .arg(app.keys().schedule)
        .query(&mut app.redis())
        .unwrap()
}

fn audit_count(app: &TestApp, actor: &str, action: &str) -> i64 {
    use chime::db::schema::audit_log::dsl as a;
    a::audit_log
        .filter(a::actor.eq(actor))
        .filter(a::action.eq(action))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap()
}

#[test]
fn help_and_version_print_and_do_nothing_else() {
    let name = format!("chime_help_{}", Uuid::new_v4().simple());
    let helps: &[&[&str]] = &[
        &["--help"],
        &["help"],
        &["help", "migrate"],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["migrate", "-h"],
        &["tenant", "create", "--help"],
        &["status", "--help"],
        &["notifications", "--help"],
        &["notifications", "list", "--help"],
        &["notifications", "show", "--help"],
        &["notifications", "cancel", "--help"],
        &["dead-letters", "list", "--help"],
        &["dead-letters", "replay", "--help"],
        &["keys", "create", "--help"],
        &["keys", "list", "--help"],
        &["keys", "revoke", "--help"],
        &["users", "list", "--help"],
        &["users", "create", "--help"],
        &["users", "disable", "--help"],
        &["users", "enable", "--help"],
        &["users", "delete", "--help"],
    ];
    // A valid configuration whose database does not exist: any command that ran would make it.
    for args in helps {
        let out = Command::new(env!("CARGO_BIN_EXE_chime"))
            .args(*args)
            .env("DATABASE_URL", pg_url(&name))
            .env("REDIS_URL", REDIS_URL)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(
            text(&out.stdout).contains("Usage: chime"),
            "{args:?}: {out:?}"
        );
        // And with a setting that stops every real command.
        let out = Command::new(env!("CARGO_BIN_EXE_chime"))
            .args(*args)
            .env("CHIME_RETRY_SCHEDULE", "soon")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(text(&out.stdout).contains("Usage: chime"), "{args:?}");
    }
    let mut admin = PgConnection::establish(&pg_url("postgres")).unwrap();
    let exists: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut admin)
    .unwrap();
    assert_eq!(exists, 0, "a --help created the database");

    let out = Command::new(env!("CARGO_BIN_EXE_chime"))
        .arg("--version")
        .env("CHIME_RETRY_SCHEDULE", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("chime {}", env!("CARGO_PKG_VERSION"))
    );
    // The same invalid setting stops a real command, naming it.
    let out = Command::new(env!("CARGO_BIN_EXE_chime"))
        .arg("status")
        .env("CHIME_RETRY_SCHEDULE", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("CHIME_RETRY_SCHEDULE"));
    // No database: one line naming why, exit 1.
    let out = Command::new(env!("CARGO_BIN_EXE_chime"))
        .args(["keys", "list"])
        .env("DATABASE_URL", pg_url(&name))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("chime: database unavailable") && stderr.contains("does not exist"),
        "{stderr}"
    );
    // Usage errors: exit 2 with a hint.
    for args in [
        &["status", "--frobnicate"][..],
        &["keys", "create"],
        &["dead-letters", "replay"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_chime"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(text(&out.stderr).contains("Usage:"), "{args:?}: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_leader_queues_overdue_lag_and_the_last_reconcile() {
    let mut app = TestApp::spawn_with(&[Role::Api, Role::Scheduler], |s| {
        s.scheduler.reconcile_interval = Duration::from_secs(1);
    })
    .await;
    app.leaves_work("no sender runs: the ready entries are what the status shows");
    let overdue = create(&app, "ada@example.com", "g1").await;
    let sent = create(&app, "bob@example.com", "g1").await;
    create(&app, "cy@example.com", "g2").await;
    sql(
        &app,
        "UPDATE notifications SET due_at = now() - interval '90 seconds' WHERE id = $1",
        overdue,
    );
    sql(
        &app,
        "UPDATE notifications SET status = 'sent', sent_at = now(), \
         due_at = now() - interval '10 seconds' WHERE id = $1",
        sent,
    );
    sql(
        &app,
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, \
           started_at, finished_at, outcome) \
         SELECT gen_random_uuid(), id, tenant_id, 1, due_at + interval '250 milliseconds', \
           now(), 'success' FROM notifications WHERE id = $1",
        sent,
    );
    let status = wait_until(
        "status to show a leader and a periodic reconcile pass",
        Duration::from_secs(60),
        || {
            let doc = json_of(&app, &["status", "--json"]);
            let ready =
                doc["leader"]["present"] == true && doc["reconcile"]["last_pass_at"].is_string();
            async move {
                if !ready {
                    // Each poll starts a process: a few a second is plenty.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                ready.then_some(doc)
            }
        },
    )
    .await;
    assert_eq!(status["tenant"]["name"], "default", "{status}");
    assert!(status["redis_error"].is_null(), "{status}");
    let ttl = status["leader"]["ttl_ms"].as_i64().unwrap();
    assert!(ttl > 0, "{status}");
    for q in ["schedule", "ready", "pending", "events"] {
        assert!(status["queues"][q].is_i64(), "{q}: {status}");
    }
    assert_eq!(status["events_backlog"], 0, "{status}");
    assert_eq!(status["overdue"]["count"], 1, "{status}");
    let age = status["overdue"]["oldest_age_seconds"].as_f64().unwrap();
    assert!((89.0..600.0).contains(&age), "{status}");
    assert_eq!(status["lag"]["samples"], 1, "{status}");
    let p50 = status["lag"]["p50_ms"].as_f64().unwrap();
    assert!((p50 - 250.0).abs() < 1.0, "{status}");
    assert_eq!(status["counts"]["scheduled"], 2, "{status}");
    assert_eq!(status["counts"]["sent"], 1, "{status}");
    assert!(
        status["reconcile"]["last_full_pass_at"].is_string(),
        "{status}"
    );

    let started = std::time::Instant::now();
    let table = human(&app, &["status"]);
    eprintln!("chime status took {:?}", started.elapsed());
    for needle in [
        "leader",
        "present",
        "1, oldest",
        "p50 250 ms",
        "last reconcile",
        "queues",
    ] {
        assert!(table.contains(needle), "{needle}: {table}");
    }
    refused(
        &app,
        &["status", "--tenant", "nosuch"],
        "no such tenant 'nosuch'",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_list_show_and_cancel() {
    let app = TestApp::spawn().await;
    let ada = create(&app, "ada@example.com", "g1").await;
    let bob = create(&app, "bob@example.com", "g2").await;

    let all = json_of(&app, &["notifications", "list", "--json"]);
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(all["more"], false);
    let one = json_of(
        &app,
        &[
            "notifications",
            "list",
            "--recipient",
            "bob@example.com",
            "--json",
        ],
    );
    assert_eq!(one["items"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["items"][0]["id"], bob.to_string());
    let page = json_of(&app, &["notifications", "list", "--limit", "1", "--json"]);
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["more"], true);
    let grouped = json_of(
        &app,
        &[
            "notifications",
            "list",
            "--group-key",
            "g1",
            "--status",
            "scheduled",
            "--json",
        ],
    );
    assert_eq!(grouped["items"][0]["id"], ada.to_string(), "{grouped}");
    refused(
        &app,
        &["notifications", "list", "--channel", "pigeon"],
        "--channel",
    );
    refused(&app, &["notifications", "list", "--limit", "0"], "--limit");
    let table = human(&app, &["notifications", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID "), "{table}");
    assert!(lines[0].contains("RECIPIENT"), "{table}");
    assert_eq!(lines.len(), 3, "{table}");
    // Aligned: every row's status starts in the header's STATUS column.
    let col = lines[0].find("STATUS").unwrap();
    assert!(
        lines[1..].iter().all(|l| l[col..].starts_with("scheduled")),
        "{table}"
    );

    let shown = json_of(&app, &["notifications", "show", &ada.to_string(), "--json"]);
    assert_eq!(shown["id"], ada.to_string());
    assert_eq!(shown["status"], "scheduled");
    assert!(shown["attempts_detail"].as_array().unwrap().is_empty());
    let text_shown = human(&app, &["notifications", "show", &ada.to_string()]);
    assert!(text_shown.contains("ada@example.com"), "{text_shown}");
    assert!(text_shown.contains("attempts"), "{text_shown}");
    let unknown = Uuid::new_v4();
    let err = refused(
        &app,
        &["notifications", "show", &unknown.to_string()],
        "no such notification",
    );
    assert_eq!(
        err.trim_end(),
        format!("chime: no such notification {unknown}")
    );
    refused(
        &app,
        &["notifications", "show", "nope"],
        "no such notification 'nope'",
    );
    // Another tenant's notification is not this tenant's.
    let other = app.new_tenant_key("other", chime::domain::AccessRole::Admin);
    assert!(!other.is_empty());
    refused(
        &app,
        &[
            "notifications",
            "show",
            &ada.to_string(),
            "--tenant",
            "other",
        ],
        "no such notification",
    );

    assert_eq!(schedule_size(&app), 2);
    let cancelled = json_of(
        &app,
        &["notifications", "cancel", &ada.to_string(), "--json"],
    );
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(status_of(&app, ada), "cancelled");
    assert_eq!(
        schedule_size(&app),
        1,
        "the cancelled entry left the schedule"
    );
    assert_eq!(audit_count(&app, "cli", "notification.cancelled"), 1);
    let again = human(&app, &["notifications", "cancel", &ada.to_string()]);
    assert!(again.contains("already cancelled"), "{again}");
    assert_eq!(audit_count(&app, "cli", "notification.cancelled"), 1);

    // Redis away: PostgreSQL has the cancel, the reconciler repairs the schedule, and status
    // still answers what PostgreSQL knows.
    let carl = create(&app, "carl@example.com", "g3").await;
    let nowhere = "redis://127.0.0.1:1";
    let out = chime_full(
        &app,
        &["notifications", "cancel", &carl.to_string()],
        "",
        nowhere,
    );
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stderr).contains("warning"), "{out:?}");
    assert_eq!(status_of(&app, carl), "cancelled");
    let out = chime_full(&app, &["status", "--json"], "", nowhere);
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["redis_error"].is_string(), "{doc}");
    assert_eq!(doc["counts"]["cancelled"], 2, "{doc}");
    let out = chime_full(&app, &["status"], "", nowhere);
    assert!(text(&out.stdout).contains("UNAVAILABLE"), "{out:?}");

    sql(
        &app,
        "UPDATE notifications SET status = 'sent' WHERE id = $1",
        bob,
    );
    refused(
        &app,
        &["notifications", "cancel", &bob.to_string()],
        "notification is sent",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_list_and_replay_one_or_all_in_bounded_batches() {
    let app = TestApp::spawn().await;
    let old = create(&app, "ada@example.com", "g1").await;
    let recent = create(&app, "bob@example.com", "g1").await;
    let kill = "UPDATE notifications SET status = 'dead', attempts = max_attempts, \
                last_error = 'provider said no', version = version + 1 WHERE id = $1";
    sql(&app, kill, old);
    sql(&app, kill, recent);
    sql(
        &app,
        "UPDATE notifications SET send_at = now() - interval '3 days', \
         due_at = now() - interval '3 days' WHERE id = $1",
        old,
    );
    sql(
        &app,
        "UPDATE notifications SET send_at = now() - interval '1 hour', \
         due_at = now() - interval '1 hour' WHERE id = $1",
        recent,
    );
    let all = json_of(&app, &["dead-letters", "list", "--json"]);
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(all["items"][0]["last_error"], "provider said no");
    let since = json_of(&app, &["dead-letters", "list", "--since", "1d", "--json"]);
    assert_eq!(since["items"].as_array().unwrap().len(), 1, "{since}");
    assert_eq!(since["items"][0]["id"], recent.to_string());
    let none = json_of(
        &app,
        &["dead-letters", "list", "--channel", "sms", "--json"],
    );
    assert!(none["items"].as_array().unwrap().is_empty(), "{none}");
    refused(
        &app,
        &["dead-letters", "list", "--since", "soon"],
        "--since",
    );
    assert!(human(&app, &["dead-letters", "list"]).contains(&old.to_string()));

    let before = schedule_size(&app);
    let replayed = json_of(
        &app,
        &["dead-letters", "replay", &old.to_string(), "--json"],
    );
    assert_eq!(replayed["status"], "scheduled", "{replayed}");
    assert_eq!(replayed["attempts"], 0, "{replayed}");
    assert_eq!(
        schedule_size(&app),
        before + 1,
        "replayed into the schedule"
    );
    assert_eq!(audit_count(&app, "cli", "notification.replayed"), 1);
    refused(
        &app,
        &["dead-letters", "replay", &old.to_string()],
        "only dead notifications can be replayed",
    );
    refused(
        &app,
        &["dead-letters", "replay", &Uuid::new_v4().to_string()],
        "no such notification",
    );

    // More dead rows than one batch takes: copies of the remaining dead row.
    let copies = chime::api::bulk::MAX_PER_CALL + 5;
    let mut conn = app.db.conn();
    diesel::sql_query(
        "INSERT INTO notifications SELECT (jsonb_populate_record(NULL::notifications, \
           to_jsonb(n) || jsonb_build_object('id', gen_random_uuid(), 'idempotency_key', NULL))).* \
         FROM notifications n, generate_series(1, $2) WHERE n.id = $1",
    )
    .bind::<SqlUuid, _>(recent)
    .bind::<diesel::sql_types::BigInt, _>(copies)
    .execute(&mut conn)
    .unwrap();
    let dead = || {
        use chime::db::schema::notifications::dsl as n;
        n::notifications
            .filter(n::status.eq("dead"))
            .count()
            .get_result::<i64>(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(dead(), copies + 1);
    // The filter applies: nothing of another channel is replayed.
    let nothing = json_of(
        &app,
        &[
            "dead-letters",
            "replay",
            "--all",
            "--channel",
            "sms",
            "--json",
        ],
    );
    assert_eq!(nothing["replayed"], 0, "{nothing}");
    assert_eq!(dead(), copies + 1);
    let before = schedule_size(&app);
    let started = std::time::Instant::now();
    let all = json_of(
        &app,
        &["dead-letters", "replay", "--all", "--since", "1d", "--json"],
    );
    eprintln!(
        "replayed {} dead letters in {:?}",
        copies + 1,
        started.elapsed()
    );
    assert_eq!(all["replayed"], copies + 1, "{all}");
    assert_eq!(all["batches"], 2, "{all}");
    assert_eq!(dead(), 0);
    assert_eq!(schedule_size(&app), before + copies + 1);
    // One entry per batch, the empty sms one included.
    assert_eq!(audit_count(&app, "cli", "notification.bulk_replayed"), 3);
    refused(
        &app,
        &[
            "dead-letters",
            "replay",
            &old.to_string(),
            "--channel",
            "email",
        ],
        "--all",
    );
    // Redis away: the replay stands in PostgreSQL, with one warning for the whole run.
    sql(&app, kill, old);
    sql(&app, kill, recent);
    let out = chime_full(
        &app,
        &["dead-letters", "replay", "--all"],
        "",
        "redis://127.0.0.1:1",
    );
    assert!(out.status.success(), "{out:?}");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("warning"), "{stderr}");
    assert_eq!(dead(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_create_list_and_revoke_but_never_the_last_admin() {
    let app = TestApp::spawn().await;
    let listed = json_of(&app, &["keys", "list", "--json"]);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    let bootstrap = items[0]["id"].as_str().unwrap().to_string();
    assert_eq!(items[0]["role"], "admin");

    let member = json_of(
        &app,
        &[
            "keys", "create", "--role", "member", "--name", "ops", "--json",
        ],
    );
    let secret = member["key"].as_str().unwrap();
    assert!(secret.starts_with("chk_"), "{member}");
    assert_eq!(member["role"], "member");
    let (status, _) = app.get("/api/v1/notifications", secret).await;
    assert_eq!(status, 200, "the new key works");
    let table = human(&app, &["keys", "list"]);
    assert!(
        table.contains("ops") && table.contains("bootstrap"),
        "{table}"
    );
    let created = human(&app, &["keys", "create", "--role", "member"]);
    assert!(created.contains("key: chk_"), "{created}");
    refused(&app, &["keys", "create", "--role", "owner"], "--role");

    // The bootstrap key is the only admin: refused, as the API answers 409.
    refused(&app, &["keys", "revoke", &bootstrap], "last admin");
    let (status, _) = app.get("/api/v1/api-keys", &app.admin_key).await;
    assert_eq!(status, 200, "the refused revoke changed nothing");
    let second = json_of(
        &app,
        &[
            "keys", "create", "--role", "admin", "--name", "second", "--json",
        ],
    );
    let revoked = json_of(&app, &["keys", "revoke", &bootstrap, "--json"]);
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert_eq!(audit_count(&app, "cli", "api_key.revoked"), 1);
    refused(
        &app,
        &["keys", "revoke", second["id"].as_str().unwrap()],
        "last admin",
    );
    let unknown = Uuid::new_v4();
    let err = refused(
        &app,
        &["keys", "revoke", &unknown.to_string()],
        "no such API key",
    );
    assert_eq!(err.trim_end(), format!("chime: no such API key {unknown}"));

    // Another tenant, by name.
    let out = chime(&app, &["tenant", "create", "acme"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let acme = json_of(&app, &["keys", "list", "--tenant", "acme", "--json"]);
    assert_eq!(acme["items"].as_array().unwrap().len(), 1, "{acme}");
    assert_eq!(acme["items"][0]["name"], "tenant-admin");
    refused(
        &app,
        &["keys", "list", "--tenant", "nosuch"],
        "no such tenant",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_create_list_disable_enable_delete_keep_an_admin() {
    let app = TestApp::spawn().await;
    let ada = json_of_stdin(
        &app,
        &[
            "users",
            "create",
            "ada@example.com",
            "--role",
            "admin",
            "--password-stdin",
            "--json",
        ],
        "correct horse battery\n",
    );
    assert_eq!(ada["role"], "admin", "{ada}");
    let login = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({
            "tenant": "default",
            "email": "ada@example.com",
            "password": "correct horse battery",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status().as_u16(),
        200,
        "the password set from the command line works"
    );
    let out = chime_with_stdin(
        &app,
        &["users", "create", "bo@example.com", "--password-stdin"],
        "short\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--password"), "{out:?}");
    let out = chime_with_stdin(
        &app,
        &["users", "create", "ada@example.com", "--password-stdin"],
        "another long password\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("already exists"), "{out:?}");

    // With an admin user, the bootstrap key may go; then ada is the last admin.
    let keys = json_of(&app, &["keys", "list", "--json"]);
    let bootstrap = keys["items"][0]["id"].as_str().unwrap().to_string();
    json_of(&app, &["keys", "revoke", &bootstrap, "--json"]);
    refused(&app, &["users", "disable", "ada@example.com"], "last admin");
    refused(&app, &["users", "delete", "ada@example.com"], "last admin");

    let bo = json_of_stdin(
        &app,
        &[
            "users",
            "create",
            "bo@example.com",
            "--role",
            "admin",
            "--password-stdin",
            "--json",
        ],
        "another long password\n",
    );
    let disabled = json_of(&app, &["users", "disable", "ada@example.com", "--json"]);
    assert_eq!(disabled["disabled"], true, "{disabled}");
    let listed = json_of(&app, &["users", "list", "--json"]);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
    let table = human(&app, &["users", "list"]);
    assert!(
        table.contains("ada@example.com") && table.contains("bo@example.com"),
        "{table}"
    );
    refused(
        &app,
        &["users", "delete", bo["id"].as_str().unwrap()],
        "last admin",
    );
    let enabled = json_of(
        &app,
        &["users", "enable", ada["id"].as_str().unwrap(), "--json"],
    );
    assert_eq!(enabled["disabled"], false, "{enabled}");
    let deleted = human(&app, &["users", "delete", bo["id"].as_str().unwrap()]);
    assert!(deleted.contains("deleted user bo@example.com"), "{deleted}");
    refused(
        &app,
        &["users", "delete", "bo@example.com"],
        "no such user bo@example.com",
    );
    assert_eq!(audit_count(&app, "cli", "user.created"), 2);
    assert_eq!(audit_count(&app, "cli", "user.deleted"), 1);
}

fn json_of_stdin(app: &TestApp, args: &[&str], stdin: &str) -> Value {
    let out = chime_with_stdin(app, args, stdin);
    assert!(
        out.status.success(),
        "chime {args:?} failed: {}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
