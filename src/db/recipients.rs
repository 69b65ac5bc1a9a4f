//! Queries on recipients (one per `(tenant, external_id)`) and the tenants' recipient defaults.

use super::models::{RecipientDefaultsRow, RecipientRow};
use super::schema::recipient_defaults::{self, dsl as d};
use super::schema::recipients::{self, dsl as r};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Everything a recipient holds besides its ids; an upsert replaces all of it.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = recipients, treat_none_as_null = true)]
pub struct RecipientFields {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub webhook_url: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub preferred_channel: Option<String>,
    pub preferences: serde_json::Value,
    pub quiet_hours: Option<serde_json::Value>,
}

fn new_row(tenant_id: Uuid, external_id: &str, f: &RecipientFields) -> RecipientRow {
    let at = Utc::now();
    RecipientRow {
        id: Uuid::now_v7(),
        tenant_id,
        external_id: external_id.to_owned(),
        name: f.name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        webhook_url: f.webhook_url.clone(),
        timezone: f.timezone.clone(),
        locale: f.locale.clone(),
        preferred_channel: f.preferred_channel.clone(),
        preferences: f.preferences.clone(),
        quiet_hours: f.quiet_hours.clone(),
        created_at: at,
        updated_at: at,
    }
}

/// Inserts a new recipient; an existing external id is a unique violation.
pub fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    external_id: &str,
    f: &RecipientFields,
) -> QueryResult<RecipientRow> {
    diesel::insert_into(recipients::table)
        .values(new_row(tenant_id, external_id, f))
        .returning(RecipientRow::as_returning())
        .get_result(conn)
}

/// Creates the recipient or replaces every field of the existing one; the bool is true when
/// this call created it.
pub fn upsert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    external_id: &str,
    f: &RecipientFields,
) -> QueryResult<(RecipientRow, bool)> {
    let new = new_row(tenant_id, external_id, f);
    let new_id = new.id;
    let row = diesel::insert_into(recipients::table)
        .values(new)
        .on_conflict((r::tenant_id, r::external_id))
        .do_update()
        .set((f, r::updated_at.eq(now)))
        .returning(RecipientRow::as_returning())
        .get_result(conn)?;
    // An update keeps the existing row's id.
    let created = row.id == new_id;
    Ok((row, created))
}

/// Replaces every field of an existing recipient. `None` when there is none.
pub fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    external_id: &str,
    f: &RecipientFields,
) -> QueryResult<Option<RecipientRow>> {
    diesel::update(
        recipients::table
            .filter(r::tenant_id.eq(tenant_id))
            .filter(r::external_id.eq(external_id)),
    )
    .set((f, r::updated_at.eq(now)))
    .returning(RecipientRow::as_returning())
    .get_result(conn)
    .optional()
}

pub fn find(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    external_id: &str,
) -> QueryResult<Option<RecipientRow>> {
    recipients::table
        .filter(r::tenant_id.eq(tenant_id))
        .filter(r::external_id.eq(external_id))
        .select(RecipientRow::as_select())
        .first(conn)
        .optional()
}

/// Row-locks a recipient by its internal id for the rest of the transaction.
pub fn lock_by_id(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<RecipientRow>> {
    recipients::table
        .filter(r::tenant_id.eq(tenant_id))
        .filter(r::id.eq(id))
        .for_update()
        .select(RecipientRow::as_select())
        .first(conn)
        .optional()
}

/// The recipients of one tenant among `external_ids`, keyed by external id.
pub fn find_many(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    external_ids: &[String],
) -> QueryResult<HashMap<String, RecipientRow>> {
    if external_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<RecipientRow> = recipients::table
        .filter(r::tenant_id.eq(tenant_id))
        .filter(r::external_id.eq_any(external_ids))
        .select(RecipientRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| (row.external_id.clone(), row))
        .collect())
}

/// Recipients named by `(tenant, external_id)` pairs (of several tenants, as a sender's claim
/// has them), keyed by the pair.
pub fn find_pairs(
    conn: &mut PgConnection,
    pairs: &[(Uuid, String)],
) -> QueryResult<HashMap<(Uuid, String), RecipientRow>> {
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let tenants: Vec<Uuid> = pairs.iter().map(|(t, _)| *t).collect();
    let ids: Vec<&str> = pairs.iter().map(|(_, e)| e.as_str()).collect();
    // A superset (every tenant × every id) is narrowed to the exact pairs below.
    let rows: Vec<RecipientRow> = recipients::table
        .filter(r::tenant_id.eq_any(&tenants))
        .filter(r::external_id.eq_any(&ids))
        .select(RecipientRow::as_select())
        .load(conn)?;
    let wanted: std::collections::HashSet<&(Uuid, String)> = pairs.iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| ((row.tenant_id, row.external_id.clone()), row))
        .filter(|(key, _)| wanted.contains(key))
        .collect())
}

/// One page, newest first, after the keyset position `before`; up to `limit + 1` rows.
pub fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<RecipientRow>> {
    let mut q = recipients::table
        .filter(r::tenant_id.eq(tenant_id))
        .select(RecipientRow::as_select())
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            r::created_at
                .lt(at)
                .or(r::created_at.eq(at).and(r::id.lt(id))),
        );
    }
    q.order((r::created_at.desc(), r::id.desc()))
        .limit(limit + 1)
        .load(conn)
}

pub fn delete(conn: &mut PgConnection, tenant_id: Uuid, external_id: &str) -> QueryResult<bool> {
    let n = diesel::delete(
        recipients::table
            .filter(r::tenant_id.eq(tenant_id))
            .filter(r::external_id.eq(external_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Writes a recipient's preferences (after an unsubscribe).
pub fn set_preferences(
    conn: &mut PgConnection,
    id: Uuid,
    preferences: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(recipients::table.filter(r::id.eq(id)))
        .set((r::preferences.eq(preferences), r::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// The defaults of the given tenants (those that set any).
pub fn defaults(
    conn: &mut PgConnection,
    tenant_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, RecipientDefaultsRow>> {
    if tenant_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<RecipientDefaultsRow> = recipient_defaults::table
        .filter(d::tenant_id.eq_any(tenant_ids))
        .select(RecipientDefaultsRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.tenant_id, row)).collect())
}

pub fn put_defaults(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    preferences: &serde_json::Value,
    quiet_hours: Option<&serde_json::Value>,
) -> QueryResult<RecipientDefaultsRow> {
    diesel::insert_into(recipient_defaults::table)
        .values((
            d::tenant_id.eq(tenant_id),
            d::preferences.eq(preferences),
            d::quiet_hours.eq(quiet_hours),
        ))
        .on_conflict(d::tenant_id)
        .do_update()
        .set((
            d::preferences.eq(preferences),
            d::quiet_hours.eq(quiet_hours),
            d::updated_at.eq(now),
        ))
        .returning(RecipientDefaultsRow::as_returning())
        .get_result(conn)
}

// Claim-time changes of notifications that name a recipient. Each is conditional on the claim
// (`sending` at the claimed version), like every outcome a sender writes.

use super::models::Notification;
use super::schema::notifications::{self, dsl as n};

/// `sending` → `suppressed`, with the reason; the claimed attempt is given back, as none was
/// made. False when the claim was lost meanwhile.
pub fn mark_suppressed(
    conn: &mut PgConnection,
    claimed: &Notification,
    reason: &str,
) -> QueryResult<bool> {
    let rows = diesel::update(
        notifications::table
            .filter(n::id.eq(claimed.id))
            .filter(n::version.eq(claimed.version))
            .filter(n::status.eq("sending")),
    )
    .set((
        n::status.eq("suppressed"),
        n::last_error.eq(reason),
        n::claimed_at.eq(None::<DateTime<Utc>>),
        n::attempts.eq(n::attempts - 1),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

/// `sending` → `scheduled`, due at `until` (the end of quiet hours), with a new version and
/// the claimed attempt given back: the same move a retry makes. Returns the row to schedule.
pub fn mark_held(
    conn: &mut PgConnection,
    claimed: &Notification,
    until: DateTime<Utc>,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::id.eq(claimed.id))
            .filter(n::version.eq(claimed.version))
            .filter(n::status.eq("sending")),
    )
    .set((
        n::status.eq("scheduled"),
        n::due_at.eq(until),
        n::claimed_at.eq(None::<DateTime<Utc>>),
        n::attempts.eq(n::attempts - 1),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// `sending` → `scheduled` on the next channel of its fallback, due now, with that channel's
/// attempts ahead of it and a new version: the claim on the failed channel is void, so its
/// stream entry (and a sender retrying it after a crash) finds nothing to send.
pub fn switch_channel(
    conn: &mut PgConnection,
    claimed: &Notification,
    channel: &str,
    address: &str,
    error: &str,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::id.eq(claimed.id))
            .filter(n::version.eq(claimed.version))
            .filter(n::status.eq("sending"))
            .filter(n::channel_index.eq(claimed.channel_index)),
    )
    .set((
        n::status.eq("scheduled"),
        n::channel.eq(channel),
        n::recipient.eq(address),
        n::channel_index.eq(n::channel_index + 1),
        n::due_at.eq(now),
        n::claimed_at.eq(None::<DateTime<Utc>>),
        n::attempts.eq(0),
        n::last_error.eq(error),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// Records the address a claimed send goes to, when the recipient's changed since scheduling.
pub fn readdress(conn: &mut PgConnection, id: Uuid, address: &str) -> QueryResult<()> {
    diesel::update(notifications::table.filter(n::id.eq(id)))
        .set(n::recipient.eq(address))
        .execute(conn)?;
    Ok(())
}
