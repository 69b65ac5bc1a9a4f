//! The events stream, `{prefix}:events`: one entry per event to handle, with a single field
//! `e` = the event id as 16 raw bytes. The API adds an entry after the event row is committed;
//! workers read with the consumer group `workers` (through [`crate::stream`]), and acknowledge *and delete* an entry once
//! the event's outcome is committed, so the stream only holds work still to do.
//!
//! The stream is an index, not the truth: an entry may be lost (Redis restarted empty, the API
//! failing between commit and XADD) or duplicated (re-queued while a slow worker still holds
//! it). Both are harmless: events left `received` are queued again, and a worker handles an
//! event only while its row, locked, still says `received`.

use crate::schedule::Keys;
use redis::aio::ConnectionLike;
use redis::streams::StreamId;
use uuid::Uuid;

/// The consumer group every worker reads with.
pub const GROUP: &str = "workers";
const FIELD: &str = "e";

/// Adds one entry for `id`.
pub async fn enqueue<C: ConnectionLike + Send>(
    conn: &mut C,
    keys: &Keys,
    id: Uuid,
) -> redis::RedisResult<()> {
    let _: String = redis::cmd("XADD")
        .arg(&keys.events)
        .arg("*")
        .arg(FIELD)
        .arg(id.as_bytes().as_slice())
        .query_async(conn)
        .await?;
    Ok(())
}

/// Adds one entry per id, in one round trip.
pub async fn enqueue_many<C: ConnectionLike + Send>(
    conn: &mut C,
    keys: &Keys,
    ids: &[Uuid],
) -> redis::RedisResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for id in ids {
        pipe.cmd("XADD")
            .arg(&keys.events)
            .arg("*")
            .arg(FIELD)
            .arg(id.as_bytes().as_slice())
            .ignore();
    }
    pipe.query_async(conn).await
}

/// The event id an entry carries; `None` for an entry this version did not write.
pub fn event_id(entry: &StreamId) -> Option<Uuid> {
    match entry.map.get(FIELD)? {
        redis::Value::BulkString(bytes) => Uuid::from_slice(bytes).ok(),
        _ => None,
    }
}
