//! Digests: a recipient's notifications with the same `digest_key` go out as one message.
//!
//! The first one of a key claimed when due opens the window: it goes back to `scheduled`, due
//! at its due time + `digest_window` (`digest_release_at`); one claimed while a window is open
//! waits for the same release. At the release the first one claimed carries the digest: in its
//! claim's transaction it claims every other scheduled notification of the key already due or
//! released (`digest_of` = its id, a new version, so their own entries are stale), and its
//! outcome ends them all in the outcome's transaction. A crashed carrier's takeover finds its
//! constituents still `sending` with `digest_of` pointing at it and carries them again; a
//! constituent taken over on its own is left to its carrier. Cancelling one before the release
//! leaves it out. Sends held by quiet hours are released together the same way.

use crate::channels::template::{self, Budget};
use crate::db::models::Notification;
use crate::db::schema::notifications::{self, dsl as n};
use crate::db::{self, DbError, PgPool};
use crate::domain::LeadTime;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

/// The digest text without one of its own or a stored template's: each item on a line.
pub const DEFAULT_BODY: &str =
    "{% for item in items %}{% if item.subject %}{{ item.subject }}: {% endif %}{{ item.body }}\n{% endfor %}";

/// What the claim does with a due notification that has a digest key.
#[derive(Debug)]
pub enum Step {
    /// Already carried by another notification (a constituent taken over on its own).
    Absorbed,
    /// Waits for the release of its key's digest.
    Hold(Box<Notification>),
    /// Carries the digest: these are the other items, in due order.
    Carry(Vec<Notification>),
}

/// The claim-time step for a claimed row with a digest key, in the claim's transaction.
/// `batch` holds the ids claimed with it: those of its key not yet decided join its digest.
pub fn step(
    conn: &mut PgConnection,
    row: &Notification,
    now_: DateTime<Utc>,
    batch: &[Uuid],
) -> Result<Option<Step>, DbError> {
    let Some(key) = row.digest_key.as_deref() else {
        return Ok(None);
    };
    if row.digest_of.is_some_and(|c| c != row.id) {
        return Ok(Some(Step::Absorbed));
    }
    if row.digest_release_at.is_none() {
        let window = row
            .digest_window
            .as_deref()
            .and_then(|w| LeadTime::parse(w).ok())
            .map(|w| w.duration())
            .unwrap_or_default();
        let open = open_release(conn, row, key)?;
        let release = open.unwrap_or(row.due_at + window).max(now_);
        return Ok(hold(conn, row, release)?.map(|h| Step::Hold(Box::new(h))));
    }
    Ok(Some(Step::Carry(carry(conn, row, key, batch)?)))
}

/// The release time of a window already open for the row's key.
fn open_release(
    conn: &mut PgConnection,
    row: &Notification,
    key: &str,
) -> QueryResult<Option<DateTime<Utc>>> {
    notifications::table
        .filter(n::tenant_id.eq(row.tenant_id))
        .filter(n::recipient_id.eq(&row.recipient_id))
        .filter(n::digest_key.eq(key))
        .filter(n::status.eq("scheduled"))
        .filter(n::id.ne(row.id))
        .select(diesel::dsl::min(n::digest_release_at))
        .first::<Option<DateTime<Utc>>>(conn)
}

/// `sending` → `scheduled` until `release`, the digest's release; the attempt given back.
pub fn hold(
    conn: &mut PgConnection,
    row: &Notification,
    release: DateTime<Utc>,
) -> QueryResult<Option<Notification>> {
    diesel::update(
        notifications::table
            .filter(n::id.eq(row.id))
            .filter(n::version.eq(row.version))
            .filter(n::status.eq("sending")),
    )
    .set((
        n::status.eq("scheduled"),
        n::due_at.eq(release),
        n::digest_release_at.eq(release),
        // A carrier held again (quiet hours at a takeover) carries again at the release.
        n::digest_of.eq(None::<Uuid>),
        n::claimed_at.eq(None::<DateTime<Utc>>),
        n::attempts.eq(n::attempts - 1),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_result(conn)
    .optional()
}

/// Claims the digest's other items for `row`, its carrier: every scheduled notification of
/// the key already released or due, those claimed in the same batch, and those an earlier
/// claim of the carrier took (after a crash). One conditional UPDATE: a cancelled or otherwise claimed row is not taken.
fn carry(
    conn: &mut PgConnection,
    row: &Notification,
    key: &str,
    batch: &[Uuid],
) -> QueryResult<Vec<Notification>> {
    diesel::update(notifications::table.filter(n::id.eq(row.id)))
        .set(n::digest_of.eq(row.id))
        .execute(conn)?;
    let mut items: Vec<Notification> = diesel::update(
        notifications::table
            .filter(n::tenant_id.eq(row.tenant_id))
            .filter(n::recipient_id.eq(&row.recipient_id))
            .filter(n::digest_key.eq(key))
            .filter(n::id.ne(row.id))
            .filter(
                n::status
                    .eq("scheduled")
                    .and(n::digest_release_at.le(now).or(n::due_at.le(now)))
                    // Claimed in this very claim and not yet decided (other claims decide
                    // every row of theirs in their transaction).
                    .or(n::status
                        .eq("sending")
                        .and(n::digest_of.is_null())
                        .and(n::id.eq_any(batch))),
            ),
    )
    .set((
        n::status.eq("sending"),
        n::digest_of.eq(row.id),
        n::claimed_at.eq(now),
        n::version.eq(n::version + 1),
        n::updated_at.eq(now),
    ))
    .returning(Notification::as_returning())
    .get_results(conn)?;
    items.extend(
        notifications::table
            .filter(n::digest_of.eq(row.id))
            .filter(n::status.eq("sending"))
            .filter(n::id.ne(row.id))
            .filter(n::id.ne_all(items.iter().map(|i| i.id).collect::<Vec<Uuid>>()))
            .select(Notification::as_select())
            .load(conn)?,
    );
    items.sort_by_key(|i| (i.due_at, i.created_at, i.id));
    Ok(items)
}

/// How a carrier's send ended, for its constituents.
#[derive(Debug, Clone, Copy)]
pub enum Settled<'a> {
    Sent,
    /// `dead` or `expired`, with the error.
    Final(&'a str, &'a str),
    /// The carrier is retried at this time: the constituents wait for it again, scheduled.
    Retry(DateTime<Utc>),
}

/// Ends (or puts back) a carrier's constituents as its outcome says, in the outcome's
/// transaction.
pub fn settle(conn: &mut PgConnection, carrier: Uuid, how: Settled) -> QueryResult<usize> {
    let mine = notifications::table
        .filter(n::digest_of.eq(carrier))
        .filter(n::status.eq("sending"))
        .filter(n::id.ne(carrier));
    match how {
        Settled::Sent => diesel::update(mine)
            .set((
                n::status.eq("sent"),
                n::sent_at.eq(now),
                n::claimed_at.eq(None::<DateTime<Utc>>),
                n::version.eq(n::version + 1),
                n::updated_at.eq(now),
            ))
            .execute(conn),
        Settled::Final(status, error) => diesel::update(mine)
            .set((
                n::status.eq(status),
                n::last_error.eq(error),
                n::claimed_at.eq(None::<DateTime<Utc>>),
                n::version.eq(n::version + 1),
                n::updated_at.eq(now),
            ))
            .execute(conn),
        Settled::Retry(due) => diesel::update(mine)
            .set((
                n::status.eq("scheduled"),
                n::digest_of.eq(None::<Uuid>),
                n::due_at.eq(due),
                n::digest_release_at.eq(due),
                n::claimed_at.eq(None::<DateTime<Utc>>),
                n::version.eq(n::version + 1),
                n::updated_at.eq(now),
            ))
            .execute(conn),
    }
}

/// A digest's texts, rendered at send time: the subject template and the body template, and
/// the context they render in: the carrier's own, plus `items` (each item's rendered
/// `subject` and `body`, its `data`, `id` and `send_at`) and `count`.
pub struct DigestTexts {
    pub subject: Option<String>,
    pub body: String,
    pub context: Value,
}

/// Reads the templates and renders each item's own texts. Errors are a send's permanent
/// failure message.
pub async fn texts(
    pool: &PgPool,
    carrier: &Notification,
    others: &[Notification],
    budget: Budget,
) -> Result<DigestTexts, String> {
    let mut all: Vec<&Notification> = Vec::with_capacity(others.len() + 1);
    all.push(carrier);
    all.extend(others.iter());
    all.sort_by_key(|i| (i.due_at, i.created_at, i.id));
    let mut items = Vec::with_capacity(all.len());
    let (mut stored_digest, mut own_subject) = (None, None);
    for item in &all {
        let (subject, body, digest) = item_texts(pool, item).await?;
        if item.id == carrier.id {
            stored_digest = digest;
            own_subject = subject.clone();
        }
        let ctx = Arc::new(item_context(item));
        let body = template::render_blocking(body, ctx.clone(), budget)
            .await
            .map_err(|e| format!("digest item {}: body: {e}", item.id))?;
        let subject = match subject {
            Some(s) => Some(
                template::render_blocking(s, ctx, budget)
                    .await
                    .map_err(|e| format!("digest item {}: subject: {e}", item.id))?,
            ),
            None => None,
        };
        items.push(json!({
            "id": item.id,
            "subject": subject,
            "body": body,
            "data": item.data,
            "send_at": crate::domain::format_time(item.send_at),
        }));
    }
    let mut context = item_context(carrier);
    if let Value::Object(map) = &mut context {
        map.insert("count".into(), json!(items.len()));
        map.insert("items".into(), Value::Array(items));
    }
    Ok(DigestTexts {
        // Without a digest subject, the carrier's own (its template's), over the digest context.
        subject: carrier.digest_subject.clone().or(own_subject),
        body: carrier
            .digest_body
            .clone()
            .or(stored_digest)
            .unwrap_or_else(|| DEFAULT_BODY.to_owned()),
        context,
    })
}

/// An item's subject and body templates and its stored template's digest text.
async fn item_texts(
    pool: &PgPool,
    item: &Notification,
) -> Result<(Option<String>, String, Option<String>), String> {
    let Some(name) = item.template.clone() else {
        return Ok((item.subject.clone(), item.body.clone(), None));
    };
    let (tenant_id, version) = (item.tenant_id, item.template_version);
    let lookup = name.clone();
    let found = db::run(pool, move |conn| {
        db::templates::resolve(conn, tenant_id, &lookup, version).map_err(DbError::from)
    })
    .await
    .map_err(|e| format!("cannot read template {name:?}: {e}"))?;
    match found {
        Some(t) => Ok((t.subject, t.body, t.digest)),
        None => Err(format!("template {name:?} no longer exists")),
    }
}

fn item_context(row: &Notification) -> Value {
    template::context(
        &row.data,
        row.target_date.map(crate::domain::format_time),
        crate::domain::format_time(row.send_at),
        &row.recipient,
        row.id,
    )
}
