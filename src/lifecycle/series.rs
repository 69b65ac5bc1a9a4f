//! Series advance. Recurring series: each occurrence is its own notification row; the next one is made when the
//! previous is sent, cancelled, expires or dies, so a series never has two pending at once.

use crate::db;
use crate::db::models::{NewNotification, Notification, Series};
use crate::domain::CronSpec;
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

/// The fire time after `previous`: never in the past, so a series that was down for an hour
/// does not send an hour of catch-up occurrences.
fn next_fire(series: &Series, previous: &Notification) -> Option<chrono::DateTime<Utc>> {
    let spec = CronSpec::parse(&series.cron).ok()?;
    let tz: chrono_tz::Tz = series.timezone.parse().ok()?;
    let after = previous.send_at.max(Utc::now());
    spec.next_after(after, tz)
        .filter(|t| series.ends_at.is_none_or(|end| *t <= end))
}

/// [`advance`] for each of `ended` that is a series occurrence; the next occurrences made.
pub fn advance_each(
    conn: &mut PgConnection,
    ended: &[Notification],
) -> QueryResult<Vec<Notification>> {
    let mut next = Vec::new();
    for row in ended {
        if let Some(series_id) = row.series_id {
            next.extend(advance(conn, series_id, row)?);
        }
    }
    Ok(next)
}

/// Creates the next occurrence of an active series after `previous` (inside the caller's
/// transaction). Ends the series when there is no next fire time before `ends_at`.
pub fn advance(
    conn: &mut PgConnection,
    series_id: Uuid,
    previous: &Notification,
) -> QueryResult<Option<Notification>> {
    let Some(series) = db::series::lock(conn, series_id)? else {
        return Ok(None);
    };
    if series.status != "active" {
        return Ok(None);
    }
    let Some(at) = next_fire(&series, previous) else {
        db::series::set_status(conn, series_id, "ended")?;
        return Ok(None);
    };
    let base = super::create::scheduled_raw(
        previous.tenant_id,
        previous.channel,
        &previous.recipient,
        previous.body.clone(),
        at,
        previous.max_attempts,
    );
    let new = NewNotification {
        subject: previous.subject.clone(),
        html: previous.html.clone(),
        template: previous.template.clone(),
        template_version: previous.template_version,
        data: previous.data.clone(),
        timezone: previous.timezone.clone(),
        cron: previous.cron.clone(),
        series_id: Some(series_id),
        group_key: previous.group_key.clone(),
        event_id: previous.event_id,
        recipient_id: previous.recipient_id.clone(),
        category: previous.category.clone(),
        urgent: previous.urgent,
        fallback: previous.fallback.clone(),
        ..base
    };
    // A concurrent second advance inserts nothing (see `insert_occurrence`).
    db::notifications::insert_occurrence(conn, &new)
}
