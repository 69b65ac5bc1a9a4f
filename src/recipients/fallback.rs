//! Channel fallback: when a send to a recipient fails permanently, the next channel of its
//! `fallback` is tried, once. The switch is a state change written in the transaction that
//! records the permanent failure, so the failed channel is never sent again and the next one
//! exactly as a fresh send is (claimed, gated by preferences and quiet hours, retried).

use crate::channels::ChannelKind;
use crate::db::models::Notification;
use crate::db::{self, DbError};
use diesel::PgConnection;
use serde_json::json;

/// The channel a notification falls back to after its current one: the next of `fallback`.
pub fn next_channel(row: &Notification) -> Option<ChannelKind> {
    let index = usize::try_from(row.channel_index).ok()?;
    row.fallback.get(index)?.parse().ok()
}

/// Moves a claimed row whose send failed permanently (`error`) to its next channel, in the
/// caller's transaction; `None` when it has none left (it then ends `dead`) or the claim was
/// lost. The next channel's address is the recipient's current one; with no recipient or
/// address any more the row still moves on, and the claim suppresses it with the reason.
pub fn switch(
    conn: &mut PgConnection,
    row: &Notification,
    error: &str,
) -> Result<Option<Notification>, DbError> {
    let (Some(external_id), Some(next)) = (row.recipient_id.clone(), next_channel(row)) else {
        return Ok(None);
    };
    let profile = db::recipients::find_pairs(conn, &[(row.tenant_id, external_id.clone())])?
        .into_iter()
        .next()
        .map(|(_, r)| super::Profile::from_row(r));
    let address = profile
        .as_ref()
        .and_then(|p| p.address(next))
        .unwrap_or(&row.recipient)
        .to_owned();
    let error = format!("{}: {error}; falling back to {next}", row.channel);
    let Some(moved) = db::recipients::switch_channel(conn, row, next.as_str(), &address, &error)?
    else {
        return Ok(None);
    };
    db::audit::record(
        conn,
        row.tenant_id,
        "system",
        "notification.fallback",
        Some(row.id),
        json!({"from": row.channel, "to": next.as_str(), "recipient_id": external_id, "error": error}),
    )?;
    tracing::info!(notification_id = %row.id, from = %row.channel, to = %next, "permanent failure; falling back to the next channel");
    Ok(Some(moved))
}
