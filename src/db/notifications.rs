//! Queries on notifications. State changes are single conditional UPDATEs so that concurrent
//! API calls, senders and reconcilers can never both win.

use super::models::{NewDeliveryAttempt, NewNotification, Notification};
use super::schema::notifications::{self, dsl as n};
use crate::domain::NotificationStatus as S;
use crate::domain::{NotificationId, TenantId};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Int4, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use uuid::Uuid;

/// Inserts, or returns the existing row when `(tenant, idempotency_key)` was seen before.
/// The bool is true when this call created the row.
pub fn insert_idempotent(
    conn: &mut PgConnection,
    new: &NewNotification,
) -> QueryResult<(Notification, bool)> {
    let inserted = diesel::insert_into(notifications::table)
        .values(new)
        .on_conflict((n::tenant_id, n::idempotency_key))
        // The unique index is partial: only rows with a key are in it.
        .filter_target(n::idempotency_key.is_not_null())
        .do_nothing()
        .returning(Notification::as_returning())
        .get_result(conn)
        .optional()?;
    match inserted {
        Some(row) => Ok((row, true)),
        None => {
            let existing = notifications::table
                .filter(n::tenant_id.eq(new.tenant_id))
                .filter(n::idempotency_key.eq(&new.idempotency_key))
                .select(Notification::as_select())
                .first(conn)?;
            Ok((existing, false))
        }
    }
}

/// The claim cut-off: a row `sending` since before this was abandoned by its sender (it
/// outlived the visibility timeout) and may be taken over. One computation for the claim and
/// the reconciler.
pub fn abandoned_before(visibility_timeout: std::time::Duration) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::from_std(visibility_timeout).unwrap_or_default()
}

/// The row of a claim that is still ours: same id and version, still `sending`. Every write of
/// an attempt's outcome is conditional on it (a takeover or a cancel changes one of them).
#[diesel::dsl::auto_type(no_type_alias)]
fn our_claim(id: Uuid, version: i32) -> _ {
    let sending: S = S::Sending;
    notifications::table
        .filter(n::id.eq(id))
        .filter(n::version.eq(version))
        .filter(n::status.eq(sending))
}

/// Inserts the next occurrence of a series. The partial unique index on pending occurrences
/// makes a concurrent second insert a no-op (`None`).
pub fn insert_occurrence(
    conn: &mut PgConnection,
    new: &NewNotification,
) -> QueryResult<Option<Notification>> {
    diesel::insert_into(notifications::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(Notification::as_returning())
        .get_result(conn)
        .optional()
}

pub fn find(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
) -> QueryResult<Option<Notification>> {
    notifications::table
        .filter(n::tenant_id.eq(tenant_id))
        .filter(n::id.eq(id))
        .select(Notification::as_select())
        .first(conn)
        .optional()
}

/// Row-locks a notification of a tenant for the rest of the transaction.
pub fn lock(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
) -> QueryResult<Option<Notification>> {
    notifications::table
        .filter(n::tenant_id.eq(tenant_id))
        .filter(n::id.eq(id))
        .for_update()
        .select(Notification::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub status: Option<S>,
    pub channel: Option<String>,
    pub group_key: Option<String>,
    pub event_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    pub recipient: Option<String>,
    /// A recipient's external id.
    pub recipient_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// `send_at` within `[due_after, due_before)`.
    pub due_after: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
    pub sort: ListSort,
    /// Keyset position: items strictly after this `(created_at or send_at, id)` in the order.
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// The order of a list.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ListSort {
    /// Newest first.
    #[default]
    CreatedDesc,
    /// Earliest send time first.
    SendAtAsc,
    /// Latest send time first.
    SendAtDesc,
}

type Boxed<'a> = notifications::BoxedQuery<'a, diesel::pg::Pg>;

/// The rows of a tenant matching a filter's conditions (not its order, cursor or limit).
pub fn matching<'a>(tenant_id: Uuid, f: &ListFilter) -> Boxed<'a> {
    let mut q = notifications::table
        .filter(n::tenant_id.eq(tenant_id))
        .into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(n::status.eq(*s));
    }
    if let Some(c) = &f.channel {
        q = q.filter(n::channel.eq(c.clone()));
    }
    if let Some(g) = &f.group_key {
        q = q.filter(n::group_key.eq(g.clone()));
    }
    if let Some(e) = f.event_id {
        q = q.filter(n::event_id.eq(e));
    }
    if let Some(s) = f.series_id {
        q = q.filter(n::series_id.eq(s));
    }
    if let Some(r) = &f.recipient {
        q = q.filter(n::recipient.eq(r.clone()));
    }
    if let Some(r) = &f.recipient_id {
        q = q.filter(n::recipient_id.eq(r.clone()));
    }
    if let Some(k) = &f.idempotency_key {
        q = q.filter(n::idempotency_key.eq(k.clone()));
    }
    if let Some(at) = f.due_after {
        q = q.filter(n::send_at.ge(at));
    }
    if let Some(at) = f.due_before {
        q = q.filter(n::send_at.lt(at));
    }
    q
}

/// In the filter's order. Returns up to `limit + 1` rows so the caller knows whether a next
/// page exists.
pub fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &ListFilter,
) -> QueryResult<Vec<Notification>> {
    let mut q = matching(tenant_id, f).select(Notification::as_select());
    q = match (f.sort, f.before) {
        (ListSort::CreatedDesc, Some((at, id))) => q.filter(
            n::created_at
                .lt(at)
                .or(n::created_at.eq(at).and(n::id.lt(id))),
        ),
        (ListSort::SendAtAsc, Some((at, id))) => {
            q.filter(n::send_at.gt(at).or(n::send_at.eq(at).and(n::id.gt(id))))
        }
        (ListSort::SendAtDesc, Some((at, id))) => {
            q.filter(n::send_at.lt(at).or(n::send_at.eq(at).and(n::id.lt(id))))
        }
        (_, None) => q,
    };
    q = match f.sort {
        ListSort::CreatedDesc => q.order((n::created_at.desc(), n::id.desc())),
        ListSort::SendAtAsc => q.order((n::send_at.asc(), n::id.asc())),
        ListSort::SendAtDesc => q.order((n::send_at.desc(), n::id.desc())),
    };
    q.limit(f.limit + 1).load(conn)
}

/// How many rows match, counting no further than `cap` (so the scan stays bounded).
pub fn count_matching(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &ListFilter,
    cap: i64,
) -> QueryResult<i64> {
    let ids: Vec<Uuid> = matching(tenant_id, f).select(n::id).limit(cap).load(conn)?;
    Ok(ids.len() as i64)
}

/// The oldest `limit` matching rows' ids, oldest first.
pub fn ids_matching(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &ListFilter,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    matching(tenant_id, f)
        .select(n::id)
        .order((n::created_at.asc(), n::id.asc()))
        .limit(limit)
        .load(conn)
}

/// Cancels the given rows of a tenant that are still `scheduled`; returns `(id, previous
/// version)` pairs so the schedule entries can be removed.
pub fn cancel_ids(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, i32)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, i32)> = diesel::update(
        notifications::table
            .filter(n::tenant_id.eq(tenant_id))
            .filter(n::id.eq_any(ids))
            .filter(n::status.eq(S::Scheduled)),
    )
    .set((
        n::status.eq(S::Cancelled),
        n::cancelled_at.eq(now),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning((n::id, n::version))
    .get_results(conn)?;
    Ok(rows.into_iter().map(|(id, v)| (id, v - 1)).collect())
}

/// The fields a reschedule may change; `None` leaves a field as it is.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = notifications)]
pub struct Reschedule {
    pub recipient: Option<String>,
    pub subject: Option<Option<String>>,
    pub body: Option<String>,
    pub html: Option<Option<String>>,
    pub data: Option<serde_json::Value>,
    pub target_date: Option<Option<DateTime<Utc>>>,
    pub lead_time: Option<Option<String>>,
    pub send_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub timezone: Option<Option<String>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// Applies a reschedule to a still-`scheduled` row, bumping `version`. `None` when the row is
/// no longer scheduled (the caller turns that into 409).
pub fn reschedule(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    change: &Reschedule,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::id.eq(id))
            .filter(n::status.eq(S::Scheduled))
            .filter(n::version.eq(expected_version)),
    )
    .set((change, n::version.eq(n::version + 1), n::updated_at.eq(now)))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// Cancels a `scheduled` row. `None` when it was not scheduled.
pub fn cancel(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::tenant_id.eq(tenant_id))
            .filter(n::id.eq(id))
            .filter(n::status.eq(S::Scheduled)),
    )
    .set((
        n::status.eq(S::Cancelled),
        n::cancelled_at.eq(now),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// Cancels every `scheduled` row matching the filter; returns `(id, previous version)` pairs so
/// the schedule entries can be removed.
pub fn cancel_where(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    group_key: Option<&str>,
    event_id: Option<Uuid>,
    series_id: Option<Uuid>,
) -> QueryResult<Vec<(Uuid, i32)>> {
    let mut target = notifications::table
        .filter(n::tenant_id.eq(tenant_id))
        .filter(n::status.eq(S::Scheduled))
        .select(n::id)
        .into_boxed();
    if let Some(g) = group_key {
        target = target.filter(n::group_key.eq(g.to_string()));
    }
    if let Some(e) = event_id {
        target = target.filter(n::event_id.eq(e));
    }
    if let Some(s) = series_id {
        target = target.filter(n::series_id.eq(s));
    }
    let ids: Vec<Uuid> = target.load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, i32)> = diesel::update(
        notifications::table
            .filter(n::id.eq_any(&ids))
            .filter(n::status.eq(S::Scheduled)),
    )
    .set((
        n::status.eq(S::Cancelled),
        n::cancelled_at.eq(now),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning((n::id, n::version))
    .get_results(conn)?;
    Ok(rows.into_iter().map(|(id, v)| (id, v - 1)).collect())
}

/// `sending` → `sent`. Conditional on the claim still being ours (same version).
pub fn mark_sent(conn: &mut PgConnection, id: Uuid, version: i32) -> QueryResult<bool> {
    let n_rows = diesel::update(our_claim(id, version))
        .set((
            n::status.eq(S::Sent),
            n::sent_at.eq(now),
            n::last_error.eq(None::<String>),
            n::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n_rows == 1)
}

/// `sending` → `scheduled` at `due_at`, with a new version. Returns the new row.
pub fn mark_retry(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    due_at: DateTime<Utc>,
    error: &str,
) -> QueryResult<Option<Notification>> {
    diesel::update(our_claim(id, version))
        .set((
            n::status.eq(S::Scheduled),
            n::due_at.eq(due_at),
            n::claimed_at.eq(None::<DateTime<Utc>>),
            n::last_error.eq(error),
            n::version.eq(n::version + 1),
            n::updated_at.eq(now),
        ))
        .returning(Notification::as_returning())
        .get_result(conn)
        .optional()
}

/// `sending` → a final failure state (`dead` or `expired`).
pub fn mark_final(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    status: S,
    error: &str,
) -> QueryResult<bool> {
    let n_rows = diesel::update(our_claim(id, version))
        .set((
            n::status.eq(status),
            n::last_error.eq(error),
            n::claimed_at.eq(None::<DateTime<Utc>>),
            n::version.eq(n::version + 1),
            n::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n_rows == 1)
}

/// `dead` → `scheduled`, due now, with a fresh attempt budget.
pub fn replay(
    conn: &mut PgConnection,
    tenant_id: TenantId,
    id: NotificationId,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::tenant_id.eq(tenant_id))
            .filter(n::id.eq(id))
            .filter(n::status.eq(S::Dead)),
    )
    .set((
        n::status.eq(S::Scheduled),
        n::due_at.eq(now),
        n::attempts.eq(0),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// One page of the horizon loader: `scheduled` rows due after `after` (if given) and at or
/// before `until`, past the keyset position `cursor`, in `(due_at, id)` order, as
/// `(id, version, due_at)`. Served by the partial index over scheduled rows by `(due_at, id)`.
pub fn scheduled_due_page(
    conn: &mut PgConnection,
    after: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
    cursor: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, i32, DateTime<Utc>)>> {
    let mut q = notifications::table
        .filter(n::status.eq(S::Scheduled))
        .filter(n::due_at.le(until))
        .select((n::id, n::version, n::due_at))
        .order((n::due_at.asc(), n::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(n::due_at.gt(after));
    }
    if let Some((at, id)) = cursor {
        // The first condition alone bounds the index range; the second skips the rows of `at`
        // already read.
        q = q
            .filter(n::due_at.ge(at))
            .filter(n::due_at.gt(at).or(n::id.gt(id)));
    }
    q.load(conn)
}

/// Rows stuck in `sending` whose sender vanished, as `(id, version, due_at)` to put into the
/// schedule. Those with attempts left go back to `scheduled`, due now, with a new version. Those
/// whose abandoned attempt was their last stay as they are and are queued at their current
/// version: the sender's claim ([`claim_many`]) then ends them as `dead` instead of sending
/// again, in the one place that also advances their series.
pub fn recover_abandoned(
    conn: &mut PgConnection,
    abandoned_before: DateTime<Utc>,
) -> QueryResult<Vec<(Uuid, i32, DateTime<Utc>)>> {
    let mut rows: Vec<(Uuid, i32, DateTime<Utc>)> = diesel::update(
        notifications::table
            .filter(n::status.eq(S::Sending))
            .filter(n::claimed_at.lt(abandoned_before))
            .filter(n::attempts.lt(n::max_attempts)),
    )
    .set((
        n::status.eq(S::Scheduled),
        n::due_at.eq(now),
        n::claimed_at.eq(None::<DateTime<Utc>>),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning((n::id, n::version, n::due_at))
    .get_results(conn)?;
    let exhausted: Vec<(Uuid, i32)> = notifications::table
        .filter(n::status.eq(S::Sending))
        .filter(n::claimed_at.lt(abandoned_before))
        .filter(n::attempts.ge(n::max_attempts))
        .select((n::id, n::version))
        .load(conn)?;
    let due = Utc::now();
    rows.extend(exhausted.into_iter().map(|(id, v)| (id, v, due)));
    Ok(rows)
}

/// Rows in `sending` still within their claim (claimed at or after `abandoned_before`), as
/// `(id, version, claimed_at)`. After Redis lost its ready stream, nothing else would let a
/// sender take one over if its sender never finishes it.
pub fn in_flight(
    conn: &mut PgConnection,
    abandoned_before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, i32, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, i32, Option<DateTime<Utc>>)> = notifications::table
        .filter(n::status.eq(S::Sending))
        .filter(n::claimed_at.ge(abandoned_before))
        .select((n::id, n::version, n::claimed_at))
        .order(n::claimed_at.asc())
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, v, at)| at.map(|at| (id, v, at)))
        .collect())
}

/// Rows that should have been claimed by now: `scheduled` and due before `due_before`, or
/// `sending` with a claim older than `claimed_before`, as `(id, version, due_at)`, oldest first.
/// Normally there are none; one shows a schedule write lost with the process that was to make
/// it (killed between its commit and its Redis write) or a ready entry lost with Redis.
pub fn overdue(
    conn: &mut PgConnection,
    due_before: DateTime<Utc>,
    claimed_before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, i32, DateTime<Utc>)>> {
    // A row is claimed only once due, so both kinds are in one range of the pending index.
    notifications::table
        .filter(n::status.eq_any([S::Scheduled, S::Sending]))
        .filter(n::due_at.lt(due_before.max(claimed_before)))
        .filter(
            n::status
                .eq(S::Scheduled)
                .and(n::due_at.lt(due_before))
                .or(n::status
                    .eq(S::Sending)
                    .and(n::claimed_at.lt(claimed_before))),
        )
        .select((n::id, n::version, n::due_at))
        .order(n::due_at.asc())
        .limit(limit)
        .load(conn)
}

/// Scheduled rows due before `horizon` (overdue ones included), for the periodic reconcile.
pub fn pending_due_before(
    conn: &mut PgConnection,
    horizon: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, i32, DateTime<Utc>)>> {
    notifications::table
        .filter(n::status.eq(S::Scheduled))
        .filter(n::due_at.lt(horizon))
        .select((n::id, n::version, n::due_at))
        .order(n::due_at.asc())
        .limit(limit)
        .load(conn)
}

/// What [`claim_many`] took.
#[derive(Debug, Default)]
pub struct Claims {
    /// Now `sending` for this sender: to be sent.
    pub claimed: Vec<Notification>,
    /// Had used up their attempts, the last one abandoned by its sender with its outcome never
    /// recorded: now `dead`, never to be sent again.
    pub exhausted: Vec<Notification>,
}

/// The conditional UPDATE that lets exactly one sender take a notification, for a whole read of
/// ready entries at once. A row is taken only if it is still `scheduled` at its entry's
/// `version` with no `sent_at`, or `sending` but abandoned (claimed before `abandoned_before`
/// by a sender that died).
///
/// A taken row whose attempts already reached `max_attempts` is not claimed but ends `dead`
/// (new version): its last attempt was abandoned (the sender died, or its outcome could not be
/// written), and sending again on every takeover would never end.
pub fn claim_many(
    conn: &mut PgConnection,
    entries: &[(Uuid, i32)],
    abandoned_before: DateTime<Utc>,
) -> QueryResult<Claims> {
    let rows: Vec<Notification> = ClaimMany {
        ids: entries.iter().map(|(id, _)| *id).collect(),
        versions: entries.iter().map(|(_, v)| *v).collect(),
        abandoned_before,
    }
    .load(conn)?;
    let (claimed, exhausted) = rows.into_iter().partition(|r| r.status == S::Sending);
    Ok(Claims { claimed, exhausted })
}

/// The claim of [`claim_many`] as a statement of fixed text, so that each connection prepares
/// and plans it once rather than on every claim (`sql_query` is never kept prepared).
#[derive(QueryId)]
struct ClaimMany {
    ids: Vec<Uuid>,
    versions: Vec<i32>,
    abandoned_before: DateTime<Utc>,
}

impl QueryFragment<Pg> for ClaimMany {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // The pairs join the primary key, the only index the planner may choose. The status
        // test is a CASE, not an OR: an OR of indexed conditions makes the planner weigh every
        // partial index on `status` for each claim, which cost more than the UPDATE itself.
        // Every CASE reads the row as it was before this UPDATE.
        out.push_sql(
            "UPDATE notifications AS n SET \
               status = CASE WHEN n.attempts >= n.max_attempts THEN 'dead' ELSE 'sending' END, \
               claimed_at = CASE WHEN n.attempts >= n.max_attempts THEN NULL ELSE now() END, \
               attempts = CASE WHEN n.attempts >= n.max_attempts THEN n.attempts ELSE n.attempts + 1 END, \
               version = CASE WHEN n.attempts >= n.max_attempts THEN n.version + 1 ELSE n.version END, \
               last_error = CASE WHEN n.attempts >= n.max_attempts \
                 THEN 'abandoned: attempt ' || n.attempts || ' of ' || n.max_attempts \
                   || ' was never completed (its sender stopped or could not record the outcome)' \
                 ELSE n.last_error END, \
               updated_at = now() \
             FROM unnest(",
        );
        out.push_bind_param::<Array<SqlUuid>, _>(&self.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Int4>, _>(&self.versions)?;
        out.push_sql(
            ") AS c(id, version) \
             WHERE n.id = c.id AND n.version = c.version \
               AND n.sent_at IS NULL AND n.cancelled_at IS NULL \
               AND CASE n.status WHEN 'scheduled' THEN true WHEN 'sending' THEN n.claimed_at < ",
        );
        out.push_bind_param::<Timestamptz, _>(&self.abandoned_before)?;
        out.push_sql(" ELSE false END RETURNING n.*");
        Ok(())
    }
}

impl Query for ClaimMany {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for ClaimMany {}

/// [`mark_sent`] for many claimed rows at once, with the attempt row of each, in one statement;
/// returns the ids that were still ours. Every attempt is recorded, as the provider took each:
/// also those whose claim was taken over meanwhile.
pub fn mark_many_sent(
    conn: &mut PgConnection,
    claimed: &[(Uuid, i32)],
    attempts: &[NewDeliveryAttempt],
) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let rows: Vec<Id> = MarkManySent {
        ids: claimed.iter().map(|(id, _)| *id).collect(),
        versions: claimed.iter().map(|(_, v)| *v).collect(),
        attempt_ids: attempts.iter().map(|a| a.id).collect(),
        notification_ids: attempts.iter().map(|a| a.notification_id).collect(),
        tenant_ids: attempts.iter().map(|a| a.tenant_id).collect(),
        attempt_numbers: attempts.iter().map(|a| a.attempt_number).collect(),
        started: attempts.iter().map(|a| a.started_at).collect(),
        finished: attempts.iter().map(|a| a.finished_at).collect(),
        outcomes: attempts.iter().map(|a| a.outcome.clone()).collect(),
        errors: attempts.iter().map(|a| a.error.clone()).collect(),
        summaries: attempts
            .iter()
            .map(|a| a.response_summary.clone())
            .collect(),
        message_ids: attempts
            .iter()
            .map(|a| a.provider_message_id.clone())
            .collect(),
    }
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The statement of [`mark_many_sent`]: the outcome UPDATE and the attempts INSERT in one round
/// trip, kept prepared like [`ClaimMany`].
#[derive(QueryId)]
struct MarkManySent {
    ids: Vec<Uuid>,
    versions: Vec<i32>,
    attempt_ids: Vec<Uuid>,
    notification_ids: Vec<Uuid>,
    tenant_ids: Vec<Uuid>,
    attempt_numbers: Vec<i32>,
    started: Vec<DateTime<Utc>>,
    finished: Vec<DateTime<Utc>>,
    outcomes: Vec<String>,
    errors: Vec<Option<String>>,
    summaries: Vec<Option<String>>,
    message_ids: Vec<Option<String>>,
}

impl QueryFragment<Pg> for MarkManySent {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // As in the claim, the pairs join the primary key and the status test is a CASE: a
        // plain `status = 'sending'` let the planner scan the partial index of pending rows
        // (and AND it with the ids), which with statistics taken before a burst of sends
        // read every pending row for each outcome batch.
        out.push_sql(
            "WITH marked AS (UPDATE notifications AS n \
               SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now() \
               FROM unnest(",
        );
        out.push_bind_param::<Array<SqlUuid>, _>(&self.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Int4>, _>(&self.versions)?;
        out.push_sql(
            ") AS c(id, version) WHERE n.id = c.id AND n.version = c.version \
               AND CASE n.status WHEN 'sending' THEN true ELSE false END RETURNING n.id), \
             recorded AS (INSERT INTO delivery_attempts (id, notification_id, tenant_id, \
               attempt_number, started_at, finished_at, outcome, error, response_summary, \
               provider_message_id) \
               SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<SqlUuid>, _>(&self.attempt_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.notification_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<SqlUuid>, _>(&self.tenant_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Int4>, _>(&self.attempt_numbers)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamptz>, _>(&self.started)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamptz>, _>(&self.finished)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.outcomes)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.errors)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.summaries)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.message_ids)?;
        // A data-modifying CTE runs whether or not the outer query reads it.
        out.push_sql(")) SELECT id FROM marked");
        Ok(())
    }
}

impl Query for MarkManySent {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for MarkManySent {}

/// Whether the claim that returned `claimed` is still held: the row is `sending` at the same
/// version, attempt and claim time. A sender that was paused past the visibility timeout finds
/// its row taken over (a new `claimed_at` and attempt) or already finished.
pub fn claim_held(conn: &mut PgConnection, claimed: &Notification) -> QueryResult<bool> {
    let Some(claimed_at) = claimed.claimed_at else {
        return Ok(false);
    };
    diesel::select(diesel::dsl::exists(
        our_claim(claimed.id, claimed.version)
            .filter(n::attempts.eq(claimed.attempts))
            .filter(n::claimed_at.eq(claimed_at)),
    ))
    .get_result(conn)
}
