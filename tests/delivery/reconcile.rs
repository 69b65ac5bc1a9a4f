use crate::support::TestApp;
use chime::schedule::reconciler::{ReconcileError, Reconciler};
use chime::telemetry::error_chain;
use diesel::RunQueryDsl;

#[tokio::test]
async fn a_failed_pass_keeps_the_database_cause() {
    let mut app = TestApp::spawn().await;
    app.leaves_work("drops the tables to make the reconcile fail");
    let ctx = app.role_context().await;
    let mut reconciler = Reconciler::new(ctx);
    assert!(
        reconciler.try_full_pass().await.is_ok(),
        "a pass on a healthy store succeeds"
    );
    // A query that PostgreSQL refuses: the table is gone from under the reconciler.
    diesel::sql_query("ALTER TABLE notifications RENAME TO notifications_gone")
        .execute(&mut app.db.conn())
        .expect("the table is renamed");
    let err = reconciler
        .try_full_pass()
        .await
        .expect_err("a pass without its table fails");
    assert!(matches!(err, ReconcileError::Db(_)), "{err:?}");
    // What the log line carries: the PostgreSQL message, not only "database query failed".
    let logged = error_chain(&err);
    assert!(
        logged.contains("relation \"notifications\" does not exist"),
        "{logged}"
    );
}
