//! Queries on the events table. An event is `received` until the event handler has decided,
//! in one transaction with the notifications it makes, whether it is `processed`, `ignored` or
//! `failed`.

use super::models::{Event, NewEvent, NewNotification};
use super::schema::events::{self, dsl as e};
use super::schema::notifications::{self, dsl as n};
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Inserts, or returns the existing event when `(tenant, idempotency_key)` was seen before.
/// The bool is true when this call created the row.
pub fn insert_idempotent(conn: &mut PgConnection, new: &NewEvent) -> QueryResult<(Event, bool)> {
    let inserted = diesel::insert_into(events::table)
        .values(new)
        .on_conflict((e::tenant_id, e::idempotency_key))
        .do_nothing()
        .returning(Event::as_returning())
        .get_result(conn)
        .optional()?;
    match inserted {
        Some(row) => Ok((row, true)),
        None => {
            let existing = events::table
                .filter(e::tenant_id.eq(new.tenant_id))
                .filter(e::idempotency_key.eq(&new.idempotency_key))
                .select(Event::as_select())
                .first(conn)?;
            Ok((existing, false))
        }
    }
}

/// [`insert_idempotent`] for many events in one statement (a repeated key, stored or earlier
/// in `rows`, yields the original). One output per row, in order.
pub fn insert_many(conn: &mut PgConnection, rows: &[NewEvent]) -> QueryResult<Vec<(Event, bool)>> {
    let inserted: Vec<Event> = diesel::insert_into(events::table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(Event::as_returning())
        .get_results(conn)?;
    let mut by_id: HashMap<Uuid, Event> = inserted.into_iter().map(|e| (e.id, e)).collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match by_id.remove(&row.id) {
            Some(event) => out.push((event, true)),
            None => {
                let existing = events::table
                    .filter(e::tenant_id.eq(row.tenant_id))
                    .filter(e::idempotency_key.eq(&row.idempotency_key))
                    .select(Event::as_select())
                    .first(conn)?;
                out.push((existing, false));
            }
        }
    }
    Ok(out)
}

pub fn find(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<Event>> {
    events::table
        .filter(e::tenant_id.eq(tenant_id))
        .filter(e::id.eq(id))
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// Row-locks an event (of any tenant: the worker reads ids from the stream) for the rest of
/// the transaction, so two workers can never both handle it.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Event>> {
    events::table
        .find(id)
        .for_update()
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// Like [`lock`], scoped to a tenant (API calls).
pub fn lock_for_tenant(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Event>> {
    events::table
        .filter(e::tenant_id.eq(tenant_id))
        .filter(e::id.eq(id))
        .for_update()
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// `received` → a final status, with the reason for `ignored`/`failed`.
pub fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(events::table.find(id).filter(e::status.eq("received")))
        .set((
            e::status.eq(status),
            e::error.eq(error),
            e::processed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub event_type: Option<String>,
    pub status: Option<String>,
    /// Keyset position: items strictly older than this `(created_at, id)`.
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Newest first. Returns up to `limit + 1` rows so the caller knows whether a next page exists.
pub fn list(conn: &mut PgConnection, tenant_id: Uuid, f: &ListFilter) -> QueryResult<Vec<Event>> {
    let mut q = events::table
        .filter(e::tenant_id.eq(tenant_id))
        .select(Event::as_select())
        .into_boxed();
    if let Some(t) = &f.event_type {
        q = q.filter(e::event_type.eq(t.clone()));
    }
    if let Some(s) = &f.status {
        q = q.filter(e::status.eq(s.clone()));
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            e::created_at
                .lt(at)
                .or(e::created_at.eq(at).and(e::id.lt(id))),
        );
    }
    q.order((e::created_at.desc(), e::id.desc()))
        .limit(f.limit + 1)
        .load(conn)
}

/// The notifications each event created, in slot order.
pub fn notification_ids(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    event_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Option<Uuid>, Uuid)> = notifications::table
        .filter(n::tenant_id.eq(tenant_id))
        .filter(n::event_id.eq_any(event_ids))
        .order((n::event_id, n::event_slot.asc(), n::created_at.asc()))
        .select((n::event_id, n::id))
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (event_id, id) in rows {
        if let Some(event_id) = event_id {
            out.entry(event_id).or_default().push(id);
        }
    }
    Ok(out)
}

/// Events still `received` that were created before `before`, oldest first: their stream
/// entry was lost or their worker died, so they are queued again.
pub fn received_before(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    events::table
        .filter(e::status.eq("received"))
        .filter(e::created_at.lt(before))
        .order(e::created_at.asc())
        .limit(limit)
        .select(e::id)
        .load(conn)
}

/// Inserts a notification made by an event. A second insert for the same `(event_id,
/// event_slot)` does nothing and returns `None`. Yields `(id, version, due_at)` for the schedule.
pub fn insert_notification(
    conn: &mut PgConnection,
    new: &NewNotification,
) -> QueryResult<Option<(Uuid, i32, DateTime<Utc>)>> {
    diesel::insert_into(notifications::table)
        .values(new)
        .on_conflict((n::event_id, n::event_slot))
        // The unique index is partial: only rows made by an event are in it.
        .filter_target(n::event_id.is_not_null())
        .do_nothing()
        .returning((n::id, n::version, n::due_at))
        .get_result(conn)
        .optional()
}
