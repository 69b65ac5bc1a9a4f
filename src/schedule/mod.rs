//! The Redis side of scheduling. Redis is a derived index: everything here can be rebuilt from
//! PostgreSQL by the reconciler.
//!
//! Layout (all keys share one hash tag, so every script is valid on Redis Cluster):
//!
//! | key                 | type            | holds                                                  |
//! |---------------------|-----------------|--------------------------------------------------------|
//! | `{prefix}:schedule` | ZSET            | member = 16-byte id ‖ 4-byte version, score = due (ms)  |
//! | `{prefix}:ready`    | STREAM + group  | entries `n` = member, `d` = due ms, for the senders     |
//! | `{prefix}:events`   | STREAM + group  | ingested event ids for the event handler               |
//! | `{prefix}:leader`   | STRING, PX TTL  | the scheduler leader's random token                    |
//! | `{prefix}:wake`     | LIST (≤ 1 item) | pushed when an entry becomes the earliest; wakes leader |
//!
//! The version in each member lets a sender drop an entry that a reschedule or cancel made
//! stale without reading the queue again.

pub mod leader;
pub mod member;
pub mod promoter;
pub mod reconciler;
pub mod retention;
#[cfg(test)]
mod testing;

pub use member::Member;

use chrono::{DateTime, Utc};
use redis::aio::ConnectionManager;
use redis::Script;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Keys {
    pub schedule: String,
    pub ready: String,
    pub events: String,
    pub leader: String,
    pub wake: String,
    /// Marker of a completed full reconcile pass; gone with everything else after a flush.
    pub reconciled: String,
    /// Held by the event worker whose turn it is to re-queue stuck events.
    pub events_requeue: String,
    /// Held by the scheduler process whose turn it is to purge past retention.
    pub retention: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Keys {
        let tag = format!("{{{prefix}}}");
        Keys {
            schedule: format!("{tag}:schedule"),
            ready: format!("{tag}:ready"),
            events: format!("{tag}:events"),
            leader: format!("{tag}:leader"),
            wake: format!("{tag}:wake"),
            reconciled: format!("{tag}:reconciled"),
            events_requeue: format!("{tag}:events-requeue"),
            retention: format!("{tag}:retention"),
        }
    }

    /// Pattern matching every key of this prefix (for tests and operators).
    pub fn pattern(prefix: &str) -> String {
        format!("{{{prefix}}}:*")
    }
}

/// The schedule score of a due time: epoch milliseconds, rounded up. The promoter compares
/// scores with the current time truncated to milliseconds, so a score rounded down would let
/// an entry due at 12.000_9 s be promoted at 12.000_0 s, up to a millisecond early.
pub fn score_ms(due: DateTime<Utc>) -> i64 {
    let floor = due.timestamp_millis();
    if due.timestamp_subsec_nanos() % 1_000_000 == 0 {
        floor
    } else {
        floor + 1
    }
}

/// Puts notifications into and out of the schedule ZSET.
#[derive(Clone)]
pub struct Schedule {
    conn: ConnectionManager,
    keys: Arc<Keys>,
    put_script: Arc<Script>,
}

impl Schedule {
    pub fn new(conn: ConnectionManager, keys: Keys) -> Schedule {
        Schedule {
            conn,
            keys: Arc::new(keys),
            put_script: Arc::new(Script::new(include_str!("lua/schedule.lua"))),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Schedules `id` at `due`, replacing the entry of `previous_version` if given.
    pub async fn put(
        &self,
        id: uuid::Uuid,
        version: i32,
        due: DateTime<Utc>,
        previous_version: Option<i32>,
    ) -> redis::RedisResult<()> {
        let member = Member::new(id, version);
        let previous = previous_version
            .map(|v| Member::new(id, v).to_bytes().to_vec())
            .unwrap_or_default();
        let mut conn = self.conn.clone();
        let _: i64 = self
            .put_script
            .key(&self.keys.schedule)
            .key(&self.keys.wake)
            .arg(member.to_bytes().as_slice())
            .arg(score_ms(due))
            .arg(previous)
            .invoke_async(&mut conn)
            .await?;
        Ok(())
    }

    pub async fn remove(&self, id: uuid::Uuid, version: i32) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::cmd("ZREM")
            .arg(&self.keys.schedule)
            .arg(Member::new(id, version).to_bytes().as_slice())
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Adds many entries in one round trip (reconciler); existing members keep their place.
    pub async fn put_many(
        &self,
        entries: &[(uuid::Uuid, i32, DateTime<Utc>)],
    ) -> redis::RedisResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(&self.keys.schedule);
        for (id, version, due) in entries {
            cmd.arg(score_ms(*due))
                .arg(Member::new(*id, *version).to_bytes().as_slice());
        }
        let mut conn = self.conn.clone();
        let _: i64 = cmd.query_async(&mut conn).await?;
        // Whatever was added may be earlier than what the leader waits for.
        let _: () = redis::pipe()
            .del(&self.keys.wake)
            .rpush(&self.keys.wake, "1")
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::score_ms;
    use chrono::{DateTime, Duration, Utc};

    fn at(ms: i64, extra_nanos: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap() + Duration::nanoseconds(extra_nanos)
    }

    #[test]
    fn scores_round_sub_millisecond_times_up() {
        let ms = 1_767_225_600_123;
        assert_eq!(score_ms(at(ms, 0)), ms, "a whole millisecond stays");
        assert_eq!(score_ms(at(ms, 1)), ms + 1);
        assert_eq!(score_ms(at(ms, 1_000)), ms + 1, "one microsecond past");
        assert_eq!(score_ms(at(ms, 999_999)), ms + 1);
        assert_eq!(
            score_ms(at(ms, 1_000_000)),
            ms + 1,
            "the next whole millisecond"
        );
        // Before the epoch too (chrono's millisecond timestamps are floored there as well).
        assert_eq!(score_ms(at(-5, 0)), -5);
        assert_eq!(score_ms(at(-5, 500_000)), -4);
    }

    #[test]
    fn a_score_is_never_before_its_due_time() {
        for nanos in [0, 1, 999, 1_000, 499_999, 500_000, 999_999] {
            let due = at(1_767_225_600_000, nanos);
            let score = DateTime::from_timestamp_millis(score_ms(due)).unwrap();
            assert!(score >= due, "{score} < {due}");
            assert!(score - due < Duration::milliseconds(1));
        }
    }
}
