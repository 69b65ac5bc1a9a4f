//! The dashboard's read queries. Every one is an index range scan of one tenant, and every scan
//! that could grow with the data stops at a cap (`LIMIT` in a subquery), so a dashboard
//! refreshing every few seconds costs the same on a large tenant as on a small one.

use crate::domain::NotificationStatus as S;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// Counts stop here; a count equal to the cap reads "at least". An index-only scan reads about
/// a thousand entries a millisecond here, so six status counts cost at most ~60 ms.
pub const COUNT_CAP: i64 = 10_000;
/// Rows read for the forecast and for sends per minute.
pub const SCAN_CAP: i64 = 50_000;
/// Successful attempts read for the lag percentiles.
pub const LAG_SAMPLE: i64 = 10_000;

/// The statements below, kept apart so a test can EXPLAIN them. Parameters: the tenant first.
/// ($1 tenant, $2 cap)
pub const STATUS_COUNTS_SQL: &str = "SELECT s.status, (SELECT count(*) FROM (SELECT 1 FROM notifications n \
             WHERE n.tenant_id = $1 AND n.status = s.status LIMIT $2) x) AS n \
         FROM unnest(ARRAY['scheduled','sending','sent','cancelled','expired','dead','suppressed']) AS s(status)";
/// ($1 tenant, $2 now, $3 cap)
pub const DUE_SQL: &str = "SELECT \
           (SELECT count(*) FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 \
              AND status IN ('scheduled', 'sending') AND due_at >= $2 \
              AND due_at < $2 + interval '1 hour' LIMIT $3) x) AS next_hour, \
           (SELECT count(*) FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 \
              AND status IN ('scheduled', 'sending') AND due_at >= $2 \
              AND due_at < $2 + interval '1 day' LIMIT $3) x) AS next_day, \
           (SELECT count(*) FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 \
              AND status IN ('scheduled', 'sending') AND due_at < $2 LIMIT $3) x) AS overdue, \
           (SELECT due_at FROM notifications WHERE tenant_id = $1 \
              AND status IN ('scheduled', 'sending') AND due_at < $2 \
              ORDER BY due_at LIMIT 1) AS oldest_overdue, \
           (SELECT count(*) FROM (SELECT 1 FROM events WHERE tenant_id = $1 \
              AND status = 'received' LIMIT $3) x) AS events_backlog";
/// ($1 tenant, $2 from, $3 until, $4 cap)
pub const FORECAST_SQL: &str =
    "SELECT date_trunc('hour', due_at) AS hour, channel, count(*) AS n FROM ( \
           SELECT due_at, channel FROM notifications WHERE tenant_id = $1 \
             AND status IN ('scheduled', 'sending') AND due_at >= $2 AND due_at < $3 \
             ORDER BY due_at LIMIT $4) x \
         GROUP BY 1, 2 ORDER BY 1, 2";
/// ($1 tenant, $2 since, $3 cap)
pub const SENDS_PER_MINUTE_SQL: &str =
    "SELECT date_trunc('minute', finished_at) AS minute, outcome, count(*) AS n FROM ( \
           SELECT finished_at, outcome FROM delivery_attempts WHERE tenant_id = $1 \
             AND finished_at >= $2 ORDER BY finished_at DESC LIMIT $3) x \
         GROUP BY 1, 2 ORDER BY 1, 2";
/// ($1 tenant, $2 since, $3 sample size)
pub const LAG_SQL: &str = "SELECT count(*) AS samples, \
           percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms) AS p50_ms, \
           percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms) AS p99_ms, \
           max(lag_ms) AS max_ms FROM ( \
           SELECT GREATEST(0, extract(epoch FROM a.started_at - n.due_at) * 1000)::float8 AS lag_ms \
           FROM (SELECT notification_id, started_at FROM delivery_attempts \
                 WHERE tenant_id = $1 AND finished_at >= $2 AND outcome = 'success' \
                 ORDER BY finished_at DESC LIMIT $3) a \
           JOIN notifications n ON n.id = a.notification_id) x";

#[derive(QueryableByName, Debug, Clone)]
pub struct StatusCount {
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Notifications per status, each count capped at [`COUNT_CAP`].
pub fn status_counts(conn: &mut PgConnection, tenant_id: Uuid) -> QueryResult<Vec<StatusCount>> {
    diesel::sql_query(STATUS_COUNTS_SQL)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<BigInt, _>(COUNT_CAP)
        .load(conn)
}

#[derive(QueryableByName, Debug)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub next_hour: i64,
    #[diesel(sql_type = BigInt)]
    pub next_day: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub oldest_overdue: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    pub events_backlog: i64,
}

/// Pending rows due soon, and those already due but not sent (overdue).
pub fn due(conn: &mut PgConnection, tenant_id: Uuid, now: DateTime<Utc>) -> QueryResult<Due> {
    // The status list matches notifications_tenant_due_idx's predicate, so each is a range scan.
    diesel::sql_query(DUE_SQL)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(COUNT_CAP)
        .get_result(conn)
}

#[derive(QueryableByName, Debug, Clone)]
pub struct HourChannel {
    #[diesel(sql_type = Timestamptz)]
    pub hour: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Pending sends per hour and channel, due from `now` until `until`; reads at most
/// [`SCAN_CAP`] rows (the earliest), so a huge backlog gives a truncated, not a slow, answer.
pub fn forecast(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> QueryResult<Vec<HourChannel>> {
    diesel::sql_query(FORECAST_SQL)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(until)
        .bind::<BigInt, _>(SCAN_CAP)
        .load(conn)
}

#[derive(QueryableByName, Debug)]
pub struct MinuteOutcome {
    #[diesel(sql_type = Timestamptz)]
    pub minute: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Delivery attempts per minute and outcome since `since` (the newest [`SCAN_CAP`]).
pub fn sends_per_minute(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<Vec<MinuteOutcome>> {
    diesel::sql_query(SENDS_PER_MINUTE_SQL)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<Timestamptz, _>(since)
        .bind::<BigInt, _>(SCAN_CAP)
        .load(conn)
}

#[derive(QueryableByName, Debug)]
pub struct Lag {
    #[diesel(sql_type = BigInt)]
    pub samples: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub p50_ms: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub p99_ms: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub max_ms: Option<f64>,
}

/// Lag from due time to the provider call of successful attempts since `since`, as the
/// sender measures it: a sent row keeps the due time of its last (successful) attempt.
pub fn lag(conn: &mut PgConnection, tenant_id: Uuid, since: DateTime<Utc>) -> QueryResult<Lag> {
    diesel::sql_query(LAG_SQL)
        .bind::<SqlUuid, _>(tenant_id)
        .bind::<Timestamptz, _>(since)
        .bind::<BigInt, _>(LAG_SAMPLE)
        .get_result(conn)
}

#[derive(QueryableByName, Debug)]
pub struct AuditEntry {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub actor: String,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub detail: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// The audit trail of one subject, oldest first (at most 200 entries).
pub fn audit_of(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    subject_id: Uuid,
) -> QueryResult<Vec<AuditEntry>> {
    diesel::sql_query(
        "SELECT id, actor, action, detail, created_at FROM audit_log \
         WHERE tenant_id = $1 AND subject_id = $2 ORDER BY id LIMIT 200",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<SqlUuid, _>(subject_id)
    .load(conn)
}

/// A readable name for an audit actor (`key:<id>` → the key's name, `user:<id>` → the e-mail).
pub fn actor_name(conn: &mut PgConnection, tenant_id: Uuid, actor: &str) -> QueryResult<String> {
    use super::schema::{api_keys, users};
    let name = match actor.split_once(':') {
        Some(("key", id)) => match Uuid::parse_str(id) {
            Ok(id) => api_keys::table
                .filter(api_keys::tenant_id.eq(tenant_id))
                .filter(api_keys::id.eq(id))
                .select(api_keys::name)
                .first::<String>(conn)
                .optional()?
                .map(|n| format!("API key \u{201c}{n}\u{201d}")),
            Err(_) => None,
        },
        Some(("user", id)) => match Uuid::parse_str(id) {
            Ok(id) => users::table
                .filter(users::tenant_id.eq(tenant_id))
                .filter(users::id.eq(id))
                .select(users::email)
                .first::<String>(conn)
                .optional()?
                .map(|e| format!("user {e}")),
            Err(_) => None,
        },
        _ => None,
    };
    Ok(name.unwrap_or_else(|| actor.to_string()))
}

/// A page of a tenant's series, newest first, with `limit + 1` rows like the other lists.
pub fn series_page(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<super::models::Series>> {
    use super::schema::series::dsl as s;
    let mut q = s::series
        .filter(s::tenant_id.eq(tenant_id))
        .select(super::models::Series::as_select())
        .into_boxed();
    if let Some(st) = status {
        q = q.filter(s::status.eq(st.to_string()));
    }
    if let Some((at, id)) = before {
        q = q.filter(
            s::created_at
                .lt(at)
                .or(s::created_at.eq(at).and(s::id.lt(id))),
        );
    }
    q.order((s::created_at.desc(), s::id.desc()))
        .limit(limit + 1)
        .load(conn)
}

/// `(series_id, notification id, due_at)` of a pending occurrence.
pub type PendingOccurrence = (Option<Uuid>, Uuid, DateTime<Utc>);

/// The pending occurrence of each series.
pub fn pending_of_series(
    conn: &mut PgConnection,
    series_ids: &[Uuid],
) -> QueryResult<Vec<PendingOccurrence>> {
    use super::schema::notifications::dsl as n;
    n::notifications
        .filter(n::series_id.eq_any(series_ids))
        .filter(n::status.eq_any([S::Scheduled, S::Sending]))
        .select((n::series_id, n::id, n::due_at))
        .load(conn)
}

/// The metrics' PostgreSQL gauges. ($1 overdue cut-off, $2 cap). Each part is a scan of a
/// partial index, stopped at the cap.
pub const STORE_GAUGES_SQL: &str = "SELECT \
       (SELECT count(*) FROM (SELECT 1 FROM notifications \
          WHERE status = 'scheduled' AND due_at < $1 LIMIT $2) x) AS overdue, \
       (SELECT min(due_at) FROM notifications \
          WHERE status = 'scheduled' AND due_at < $1) AS oldest_overdue, \
       (SELECT count(*) FROM (SELECT 1 FROM events WHERE status = 'received' LIMIT $2) x) \
          AS events_backlog, \
       (SELECT count(*) FROM (SELECT 1 FROM notifications WHERE status = 'dead' LIMIT $2) x) \
          AS dead_letters";

#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct StoreGauges {
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub oldest_overdue: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    pub events_backlog: i64,
    #[diesel(sql_type = BigInt)]
    pub dead_letters: i64,
}

/// [`STORE_GAUGES_SQL`], bounded by a statement timeout even if an index is missing: the scrape
/// has moved on by then.
pub fn store_gauges(
    conn: &mut PgConnection,
    overdue_before: DateTime<Utc>,
    cap: i64,
) -> QueryResult<StoreGauges> {
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL statement_timeout = '2s'").execute(conn)?;
        diesel::sql_query(STORE_GAUGES_SQL)
            .bind::<Timestamptz, _>(overdue_before)
            .bind::<BigInt, _>(cap)
            .get_result::<StoreGauges>(conn)
    })
}
