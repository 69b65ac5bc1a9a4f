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

/// The attempt whose provider message id is `provider_message_id` (an SMS `sid`).
pub fn find_by_provider_id(
    conn: &mut PgConnection,
    provider_message_id: &str,
) -> QueryResult<Option<DeliveryAttempt>> {
    delivery_attempts::table
        .filter(delivery_attempts::provider_message_id.eq(provider_message_id))
        .order(delivery_attempts::started_at.desc())
        .select(DeliveryAttempt::as_select())
        .first(conn)
        .optional()
}

/// Stores a status the provider reported for an attempt; a final one (`delivered`,
/// `undelivered`) also becomes the notification's `delivery_status`. Its `status` and `sent_at`
/// are never touched: `sent` says the provider took the message, this what became of it.
pub fn record_provider_status(
    conn: &mut PgConnection,
    attempt: &DeliveryAttempt,
    provider_status: &str,
    delivery_status: Option<&str>,
) -> QueryResult<()> {
    use super::schema::notifications;
    let now = chrono::Utc::now();
    diesel::update(delivery_attempts::table.find(attempt.id))
        .set((
            delivery_attempts::provider_status.eq(provider_status),
            delivery_attempts::provider_status_at.eq(now),
        ))
        .execute(conn)?;
    if let Some(status) = delivery_status {
        diesel::update(notifications::table.find(attempt.notification_id))
            .set((
                notifications::delivery_status.eq(status),
                notifications::delivery_status_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
