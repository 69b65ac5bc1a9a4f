//! The claim: `scheduled` → `sending` for exactly one sender, by one conditional UPDATE over a
//! batch of ready entries (`db::notifications::claim_many`). A row whose last attempt was
//! abandoned with its outcome unknown ends `dead` here instead (audited), and its series moves
//! on. A row naming a recipient is then checked against the recipient as they are now
//! (`recipients::gate`): sent, held to the end of quiet hours, or `suppressed`.

use crate::db::models::Notification;
use crate::db::{self, notifications as q, DbError};
use crate::recipients::unsubscribe::Unsubscribe;
use crate::recipients::{Cleared, Suppression};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// What one claim decided.
pub struct Claimed {
    /// The rows this sender won and may send, each with its tenant's webhook secrets.
    pub rows: Vec<(Cleared, db::tenants::WebhookSecrets)>,
    /// Rows taken over whose attempts were used up: now `dead`, not sent again.
    pub exhausted: Vec<Notification>,
    /// Next occurrences of the series among `exhausted`, to schedule after the commit.
    pub next: Vec<Notification>,
    /// Back to `scheduled`, due at the end of their recipient's quiet hours: for the schedule.
    pub held: Vec<Notification>,
    /// Now `suppressed` (their recipient does not take them), with the reason.
    pub suppressed: Vec<(Notification, Suppression)>,
}

/// Claims the `(id, version)` entries inside the caller's transaction. Rows `sending` but
/// claimed before `abandoned_before` (see `db::notifications::abandoned_before`) are taken over.
pub fn claim(
    conn: &mut PgConnection,
    entries: &[(Uuid, i32)],
    abandoned_before: DateTime<Utc>,
    unsubscribe: Option<&Unsubscribe>,
) -> Result<Claimed, DbError> {
    let claims = q::claim_many(conn, entries, abandoned_before)?;
    for row in &claims.exhausted {
        // No attempt row can say how the abandoned attempt ended; the audit log records the
        // transition instead.
        db::audit::record(
            conn,
            row.tenant_id,
            "system",
            "notification.abandoned",
            Some(row.id),
            serde_json::json!({"attempts": row.attempts, "status": row.status}),
        )?;
    }
    // Like any dead occurrence, each gives way to the next one of its series.
    let mut next = super::series::advance_each(conn, &claims.exhausted)?;
    // Preferences and quiet hours of recipients, as they are now: an opt-out after scheduling
    // wins.
    let gated = crate::recipients::gate(conn, claims.claimed, Utc::now(), unsubscribe)?;
    let suppressed: Vec<Notification> = gated.suppressed.iter().map(|(r, _)| r.clone()).collect();
    next.extend(super::series::advance_each(conn, &suppressed)?);
    let tenant_ids: Vec<Uuid> = gated.cleared.iter().map(|c| c.row.tenant_id).collect();
    let secrets: HashMap<Uuid, db::tenants::WebhookSecrets> =
        db::tenants::webhook_secrets(conn, &tenant_ids)?
            .into_iter()
            .collect();
    let rows = gated
        .cleared
        .into_iter()
        .filter_map(|c| secrets.get(&c.row.tenant_id).cloned().map(|s| (c, s)))
        .collect();
    Ok(Claimed {
        rows,
        exhausted: claims.exhausted,
        next,
        held: gated.held,
        suppressed: gated.suppressed,
    })
}
