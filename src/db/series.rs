//! Queries on recurring series.

use super::models::Series;
use super::schema::series;
use crate::domain::NotificationStatus as S;
use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use uuid::Uuid;

pub fn create(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    cron: &str,
    timezone: &str,
    ends_at: Option<DateTime<Utc>>,
) -> QueryResult<Series> {
    let at = Utc::now();
    diesel::insert_into(series::table)
        .values(Series {
            id: Uuid::new_v4(),
            tenant_id,
            cron: cron.to_string(),
            timezone: timezone.to_string(),
            ends_at,
            status: "active".into(),
            created_at: at,
            updated_at: at,
        })
        .returning(Series::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(series::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> QueryResult<Option<Series>> {
    series::table
        .filter(series::tenant_id.eq(tenant_id))
        .filter(series::id.eq(id))
        .select(Series::as_select())
        .first(conn)
        .optional()
}

pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Series>> {
    series::table
        .find(id)
        .for_update()
        .select(Series::as_select())
        .first(conn)
        .optional()
}

pub fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> QueryResult<()> {
    diesel::update(series::table.find(id))
        .set((series::status.eq(status), series::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Those of `ids` that are occurrences of a series, as full rows (to advance their series).
pub fn occurrences_among(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<super::models::Notification>> {
    use super::schema::notifications::dsl as n;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    n::notifications
        .filter(n::id.eq_any(ids))
        .filter(n::series_id.is_not_null())
        .select(super::models::Notification::as_select())
        .load(conn)
}

/// The occurrence of a series that is still pending (`scheduled` or `sending`), if any.
pub fn pending_occurrence(conn: &mut PgConnection, series_id: Uuid) -> QueryResult<Option<Uuid>> {
    use super::schema::notifications::dsl as n;
    n::notifications
        .filter(n::series_id.eq(series_id))
        .filter(n::status.eq_any([S::Scheduled, S::Sending]))
        .select(n::id)
        .first(conn)
        .optional()
}
