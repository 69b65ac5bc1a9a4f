use super::models::{DeliveryAttempt, NewDeliveryAttempt};
use super::schema::delivery_attempts;
use diesel::prelude::*;
use uuid::Uuid;

pub fn record(conn: &mut PgConnection, attempt: NewDeliveryAttempt) -> QueryResult<()> {
    diesel::insert_into(delivery_attempts::table)
        .values(attempt)
        .execute(conn)?;
    Ok(())
}

pub fn record_many(conn: &mut PgConnection, attempts: Vec<NewDeliveryAttempt>) -> QueryResult<()> {
    diesel::insert_into(delivery_attempts::table)
        .values(attempts)
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    notification_id: Uuid,
) -> QueryResult<Vec<DeliveryAttempt>> {
    delivery_attempts::table
        .filter(delivery_attempts::tenant_id.eq(tenant_id))
        .filter(delivery_attempts::notification_id.eq(notification_id))
        .order((
            delivery_attempts::attempt_number.asc(),
            delivery_attempts::started_at.asc(),
        ))
        .select(DeliveryAttempt::as_select())
        .load(conn)
}
