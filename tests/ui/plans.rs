//! The dashboard's statements stay index range scans with a LIMIT on a tenant with many rows,
//! so a refreshing dashboard costs the same on a large tenant as on a small one.

use crate::api::sql;
use crate::support::TestApp;
use chime::db::stats;
use diesel::prelude::*;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

fn explain(app: &TestApp, statement: &str, params: &[&str]) -> String {
    let mut text = statement.to_string();
    // Highest first, so `$1` does not eat the start of `$10`.
    for (i, p) in params.iter().enumerate().rev() {
        text = text.replace(&format!("${}", i + 1), p);
    }
    let lines: Vec<Line> = diesel::sql_query("SELECT explain_text($1) AS line")
        .bind::<diesel::sql_types::Text, _>(text)
        .load(&mut app.db.conn())
        .expect("explain");
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_dashboard_statements_are_bounded_index_scans() {
    let app = TestApp::spawn().await;
    sql(
        &app,
        "CREATE FUNCTION explain_text(q text) RETURNS SETOF text LANGUAGE plpgsql AS \
               $$ DECLARE r text; BEGIN FOR r IN EXECUTE 'EXPLAIN ' || q LOOP RETURN NEXT r; \
               END LOOP; END $$",
    );
    // 60,000 rows over two tenants: past sends with attempts, pending ones over ten days, dead
    // ones.
    app.new_tenant_key("neighbour", chime::domain::AccessRole::Admin);
    sql(&app, "INSERT INTO notifications (id, tenant_id, status, channel, recipient, body, send_at, \
               due_at, max_attempts, sent_at, created_at) \
               SELECT gen_random_uuid(), \
               (SELECT id FROM tenants ORDER BY name LIMIT 1 OFFSET (i % 2)), \
               CASE WHEN i % 20 = 0 THEN 'dead' WHEN i % 4 = 0 THEN 'scheduled' ELSE 'sent' END, \
               (ARRAY['email','sms','webhook'])[1 + i % 3], 'u' || (i % 5000) || '@example.com', 'hi', \
               now() + (CASE WHEN i % 4 = 0 THEN 1 ELSE -1 END) * (i * interval '14 seconds'), \
               now() + (CASE WHEN i % 4 = 0 THEN 1 ELSE -1 END) * (i * interval '14 seconds'), 8, \
               CASE WHEN i % 4 <> 0 THEN now() - i * interval '14 seconds' END, \
               now() - i * interval '1 second' FROM generate_series(1, 60000) i");
    sql(
        &app,
        "INSERT INTO delivery_attempts (id, notification_id, tenant_id, attempt_number, \
               started_at, finished_at, outcome) SELECT gen_random_uuid(), id, tenant_id, 1, \
               sent_at, sent_at, 'success' FROM notifications WHERE sent_at IS NOT NULL",
    );
    sql(&app, "VACUUM ANALYZE");
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let id: Id = diesel::sql_query("SELECT id::text AS id FROM tenants ORDER BY name LIMIT 1")
        .get_result(&mut app.db.conn())
        .unwrap();
    let tenant = format!("'{}'::uuid", id.id);
    let tenant = tenant.as_str();
    let now = "now()";
    let cases = [
        (
            "status counts",
            stats::STATUS_COUNTS_SQL,
            vec![tenant, "10000"],
            "notifications_status_idx",
        ),
        (
            "due and overdue",
            stats::DUE_SQL,
            vec![tenant, now, "10000"],
            "notifications_tenant_due_idx",
        ),
        (
            "forecast",
            stats::FORECAST_SQL,
            vec![tenant, now, "now() + interval '8 days'", "50000"],
            "notifications_tenant_due_idx",
        ),
        (
            "sends per minute",
            stats::SENDS_PER_MINUTE_SQL,
            vec![tenant, "now() - interval '1 hour'", "50000"],
            "delivery_attempts_tenant_finished_idx",
        ),
        (
            "lag",
            stats::LAG_SQL,
            vec![tenant, "now() - interval '5 minutes'", "10000"],
            "delivery_attempts_tenant_finished_idx",
        ),
        (
            "upcoming list",
            "SELECT id FROM notifications WHERE tenant_id = $1 AND status = 'scheduled' \
             ORDER BY send_at, id LIMIT 51",
            vec![tenant],
            "notifications_scheduled_send_at_idx",
        ),
        (
            "recipient list",
            "SELECT id FROM notifications WHERE tenant_id = $1 AND recipient = 'u42@example.com' \
             ORDER BY created_at DESC, id DESC LIMIT 51",
            vec![tenant],
            "notifications_recipient_idx",
        ),
        (
            "recipient_id list",
            "SELECT id FROM notifications WHERE tenant_id = $1 AND recipient_id = 'cust_42' \
             ORDER BY created_at DESC, id DESC LIMIT 51",
            vec![tenant],
            "notifications_recipient_id_idx",
        ),
        (
            "due range list",
            "SELECT id FROM notifications WHERE tenant_id = $1 AND send_at >= now() \
             AND send_at < now() + interval '1 hour' ORDER BY send_at, id LIMIT 51",
            vec![tenant],
            "notifications_send_at_idx",
        ),
    ];
    for (what, statement, params, index) in cases {
        let plan = explain(&app, statement, &params);
        for table in ["notifications", "delivery_attempts"] {
            assert!(
                !plan.contains(&format!("Seq Scan on {table}")),
                "{what} reads all of {table}:\n{plan}"
            );
        }
        assert!(plan.contains("Limit"), "{what} is not bounded:\n{plan}");
        assert!(plan.contains(index), "{what} does not use {index}:\n{plan}");
    }
}
