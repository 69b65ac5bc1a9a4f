//! The claim: `scheduled` → `sending` for exactly one sender, by one conditional UPDATE over a
//! batch of ready entries (`db::notifications::claim_many`). A row whose last attempt was
//! abandoned with its outcome unknown ends `dead` here instead (audited), and its series moves
//! on.

use crate::db::models::Notification;
use crate::db::{self, notifications as q, DbError};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// What one claim decided.
pub struct Claimed {
    /// The rows this sender won, each with its tenant's webhook secret.
    pub rows: Vec<(Notification, String)>,
    /// Rows taken over whose attempts were used up: now `dead`, not sent again.
    pub exhausted: Vec<Notification>,
    /// Next occurrences of the series among `exhausted`, to schedule after the commit.
    pub next: Vec<Notification>,
}

/// Claims the `(id, version)` entries inside the caller's transaction. Rows `sending` but
/// claimed before `abandoned_before` (see `db::notifications::abandoned_before`) are taken over.
pub fn claim(
    conn: &mut PgConnection,
    entries: &[(Uuid, i32)],
    abandoned_before: DateTime<Utc>,
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
    let next = super::series::advance_each(conn, &claims.exhausted)?;
    let tenant_ids: Vec<Uuid> = claims.claimed.iter().map(|r| r.tenant_id).collect();
    let secrets: HashMap<Uuid, String> = db::tenants::webhook_secrets(conn, &tenant_ids)?
        .into_iter()
        .collect();
    let rows = claims
        .claimed
        .into_iter()
        .filter_map(|r| secrets.get(&r.tenant_id).cloned().map(|s| (r, s)))
        .collect();
    Ok(Claimed {
        rows,
        exhausted: claims.exhausted,
        next,
    })
}
