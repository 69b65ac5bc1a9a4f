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

mod context;
pub mod leader;
pub mod member;
pub mod promoter;
pub mod reconciler;
pub mod retention;
#[cfg(test)]
mod testing;

pub use context::{redis_manager_config, RoleContext};
pub use member::Member;

use chrono::{DateTime, Utc};
use redis::aio::ConnectionManager;
use redis::Script;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Keys {
    pub schedule: String,
    pub ready: String,
    pub events: String,
    pub leader: String,
    pub wake: String,
    /// Marker of a completed full reconcile pass; gone with everything else after a flush.
    pub reconciled: String,
    /// When the last periodic reconcile pass finished (milliseconds since the epoch).
    pub reconciled_at: String,
    /// Held by the event worker whose turn it is to re-queue stuck events.
    pub events_requeue: String,
    /// Held by the scheduler process whose turn it is to purge past retention.
    pub retention: String,
}

/// The consumer group of the senders on the ready stream (part of the Redis layout: the
/// reconciler reads its pending entries).
pub const SENDER_GROUP: &str = "senders";

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
            reconciled_at: format!("{tag}:reconciled-at"),
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

/// Sizes of one deployment's Redis queues (never their contents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDepths {
    pub schedule: i64,
    /// Ready entries not yet acknowledged (senders delete what they acknowledge).
    pub ready: i64,
    /// Ready entries read by a sender but not yet acknowledged.
    pub pending: i64,
    pub events: i64,
    /// The leader lock's PTTL: -2 when no scheduler leads.
    pub leader_ttl_ms: i64,
}

impl QueueDepths {
    pub fn leader_present(&self) -> bool {
        self.leader_ttl_ms > 0 || self.leader_ttl_ms == -1
    }
}

/// Puts notifications into and out of the schedule ZSET.
///
/// A single write (`put`, `remove`) follows a committed change, so it must not be lost to a
/// passing Redis fault: it is tried again at once on a fresh connection (the first command after
/// a Redis restart fails on the old one), and a write that still fails, or whose caller stopped
/// waiting, is handed to a background task that repeats it until Redis takes it. Every write is
/// idempotent and versioned, so repeating a late one is harmless: a stale entry is dropped by
/// the sender's claim.
#[derive(Clone)]
pub struct Schedule {
    writer: Writer,
    keys: Arc<Keys>,
    repairs: Arc<Repairs>,
}

/// One idempotent schedule write.
#[derive(Debug, Clone)]
enum Write {
    Put {
        member: [u8; 20],
        score: i64,
        previous: Vec<u8>,
    },
    Remove {
        member: [u8; 20],
    },
}

/// What applies writes; shared with the repair task.
#[derive(Clone)]
struct Writer {
    conn: ConnectionManager,
    keys: Arc<Keys>,
    put_script: Arc<Script>,
}

impl Writer {
    async fn apply(&self, write: &Write) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        match write {
            Write::Put {
                member,
                score,
                previous,
            } => {
                let _: i64 = self
                    .put_script
                    .key(&self.keys.schedule)
                    .key(&self.keys.wake)
                    .arg(member.as_slice())
                    .arg(*score)
                    .arg(previous.as_slice())
                    .invoke_async(&mut conn)
                    .await?;
            }
            Write::Remove { member } => {
                let _: i64 = redis::cmd("ZREM")
                    .arg(&self.keys.schedule)
                    .arg(member.as_slice())
                    .query_async(&mut conn)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Writes waiting for Redis to come back. Bounded: past [`MAX_REPAIRS`] the leader's sweep of
/// overdue rows is what puts rows back.
struct Repairs {
    tx: mpsc::UnboundedSender<Write>,
    /// Taken by the repair task, started on the first write that needs it.
    rx: Mutex<Option<mpsc::UnboundedReceiver<Write>>>,
    queued: Arc<AtomicUsize>,
}

const MAX_REPAIRS: usize = 100_000;
/// Longest pause between two tries of a write waiting for Redis.
const REPAIR_BACKOFF_MAX: Duration = Duration::from_secs(1);
/// Bound of one try by the repair task.
const REPAIR_TRY_TIMEOUT: Duration = Duration::from_secs(5);

impl Repairs {
    fn new() -> Repairs {
        let (tx, rx) = mpsc::unbounded_channel();
        Repairs {
            tx,
            rx: Mutex::new(Some(rx)),
            queued: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn queue(&self, writer: &Writer, write: Write) {
        if self.queued.load(Ordering::Relaxed) >= MAX_REPAIRS {
            tracing::warn!(
                "too many schedule writes waiting for Redis; the reconciler will add this one"
            );
            return;
        }
        let rx = self.rx.lock().ok().and_then(|mut rx| rx.take());
        if let Some(rx) = rx {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(repair(writer.clone(), rx, self.queued.clone()));
                }
                Err(_) => {
                    if let Ok(mut slot) = self.rx.lock() {
                        *slot = Some(rx);
                    }
                    return;
                }
            }
        }
        if self.queued.fetch_add(1, Ordering::Relaxed) == 0 {
            tracing::warn!(
                "schedule writes failed; repeating them in the background until Redis takes them"
            );
        }
        if self.tx.send(write).is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Repeats each waiting write, in order, until Redis takes it.
async fn repair(writer: Writer, mut rx: mpsc::UnboundedReceiver<Write>, queued: Arc<AtomicUsize>) {
    while let Some(write) = rx.recv().await {
        let mut backoff = Duration::from_millis(50);
        loop {
            match tokio::time::timeout(REPAIR_TRY_TIMEOUT, writer.apply(&write)).await {
                Ok(Ok(())) => break,
                Ok(Err(e)) => tracing::debug!(error = %e, "schedule write still failing"),
                Err(_) => tracing::debug!("schedule write still unanswered"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(REPAIR_BACKOFF_MAX);
        }
        let left = queued.fetch_sub(1, Ordering::Relaxed).saturating_sub(1);
        if left == 0 {
            tracing::info!("schedule writes that had failed are now in Redis");
        }
    }
}

/// Queues its write for repair unless disarmed: a write whose caller timed out is not lost.
struct RepairOnDrop<'a> {
    schedule: &'a Schedule,
    write: Option<Write>,
}

impl Drop for RepairOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(write) = self.write.take() {
            self.schedule.repairs.queue(&self.schedule.writer, write);
        }
    }
}

/// Errors after which the same command may succeed on a new connection.
fn is_connection_error(e: &redis::RedisError) -> bool {
    e.is_io_error()
        || e.is_unrecoverable_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
}

impl Schedule {
    pub fn new(conn: ConnectionManager, keys: Keys) -> Schedule {
        let keys = Arc::new(keys);
        Schedule {
            writer: Writer {
                conn,
                keys: keys.clone(),
                put_script: Arc::new(Script::new(include_str!("lua/schedule.lua"))),
            },
            keys,
            repairs: Arc::new(Repairs::new()),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn connection(&self) -> ConnectionManager {
        self.writer.conn.clone()
    }

    /// The sizes of the queues, in two round trips.
    pub async fn depths(&self) -> redis::RedisResult<QueueDepths> {
        let keys = &self.keys;
        let mut conn = self.connection();
        let (schedule, ready, events, leader_ttl_ms): (i64, i64, i64, i64) = redis::pipe()
            .zcard(&keys.schedule)
            .xlen(&keys.ready)
            .xlen(&keys.events)
            .pttl(&keys.leader)
            .query_async(&mut conn)
            .await?;
        // XPENDING fails when the group does not exist yet (no sender has started): none pending.
        let pending = match redis::cmd("XPENDING")
            .arg(&keys.ready)
            .arg(SENDER_GROUP)
            .query_async::<redis::Value>(&mut conn)
            .await
        {
            Ok(redis::Value::Array(items)) => match items.first() {
                Some(v) => redis::from_redis_value::<i64>(v)?,
                None => 0,
            },
            Ok(other) => redis::from_redis_value::<i64>(&other)?,
            Err(e) if e.code() == Some("NOGROUP") => 0,
            Err(e) => return Err(e),
        };
        Ok(QueueDepths {
            schedule,
            ready,
            pending,
            events,
            leader_ttl_ms,
        })
    }

    /// Writes waiting for Redis in the background.
    pub fn repairs_waiting(&self) -> usize {
        self.repairs.queued.load(Ordering::Relaxed)
    }

    /// Schedules `id` at `due`, replacing the entry of `previous_version` if given. An error
    /// means the write is not in Redis yet; it is being repeated in the background.
    pub async fn put(
        &self,
        id: uuid::Uuid,
        version: i32,
        due: DateTime<Utc>,
        previous_version: Option<i32>,
    ) -> redis::RedisResult<()> {
        let previous = previous_version
            .map(|v| Member::new(id, v).to_bytes().to_vec())
            .unwrap_or_default();
        self.write(Write::Put {
            member: Member::new(id, version).to_bytes(),
            score: score_ms(due),
            previous,
        })
        .await
    }

    pub async fn remove(&self, id: uuid::Uuid, version: i32) -> redis::RedisResult<()> {
        self.write(Write::Remove {
            member: Member::new(id, version).to_bytes(),
        })
        .await
    }

    async fn write(&self, write: Write) -> redis::RedisResult<()> {
        let mut guard = RepairOnDrop {
            schedule: self,
            write: Some(write.clone()),
        };
        let mut result = self.writer.apply(&write).await;
        if let Err(e) = &result {
            if is_connection_error(e) {
                // The connection manager has begun replacing the connection; this waits for it.
                tracing::debug!(error = %e, "schedule write failed; trying a fresh connection");
                result = self.writer.apply(&write).await;
            }
        }
        if result.is_ok() {
            guard.write = None;
        }
        result
    }

    /// Adds many entries in one round trip (reconciler); existing members keep their place.
    pub async fn put_many(
        &self,
        entries: &[(uuid::Uuid, i32, DateTime<Utc>)],
    ) -> redis::RedisResult<u64> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(&self.keys.schedule);
        for (id, version, due) in entries {
            cmd.arg(score_ms(*due))
                .arg(Member::new(*id, *version).to_bytes().as_slice());
        }
        let mut conn = self.writer.conn.clone();
        let added: u64 = cmd.query_async(&mut conn).await?;
        // Whatever was added may be earlier than what the leader waits for.
        let _: () = redis::pipe()
            .del(&self.keys.wake)
            .rpush(&self.keys.wake, "1")
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(added)
    }

    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut conn = self.writer.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::score_ms;
    use chrono::{DateTime, Duration, Utc};

    mod writes {
        //! Against real Redis servers: a write is not lost to a dropped connection or an outage.

        use crate::schedule::testing::{PrivateRedis, TestRedis};
        use crate::schedule::{score_ms, Keys, Member, Schedule};
        use chrono::Utc;
        use redis::AsyncCommands;
        use std::time::{Duration, Instant};

        async fn score(
            conn: &mut impl redis::aio::ConnectionLike,
            keys: &Keys,
            member: Member,
        ) -> Option<i64> {
            redis::cmd("ZSCORE")
                .arg(&keys.schedule)
                .arg(member.to_bytes().as_slice())
                .query_async::<Option<f64>>(conn)
                .await
                .expect("ZSCORE")
                .map(|s| s as i64)
        }

        #[tokio::test]
        async fn a_write_after_redis_dropped_the_connection_succeeds_at_once() {
            let redis = TestRedis::new();
            let mut manager = redis::aio::ConnectionManager::new_with_config(
                redis.client.clone(),
                crate::schedule::redis_manager_config(),
            )
            .await
            .unwrap();
            let schedule = Schedule::new(manager.clone(), redis.keys.clone());
            // What a Redis restart does to every client: its connection is closed under it.
            let id: i64 = redis::cmd("CLIENT")
                .arg("ID")
                .query_async(&mut manager)
                .await
                .unwrap();
            let mut other = redis.conn().await;
            let _: () = redis::cmd("CLIENT")
                .arg("KILL")
                .arg("ID")
                .arg(id)
                .query_async(&mut other)
                .await
                .unwrap();

            let member = Member::new(uuid::Uuid::new_v4(), 1);
            let due = Utc::now() + chrono::Duration::seconds(60);
            schedule
                .put(member.id, member.version, due, None)
                .await
                .expect("written on a fresh connection");
            assert_eq!(
                score(&mut other, &redis.keys, member).await,
                Some(score_ms(due))
            );
            let woken: usize = other.llen(&redis.keys.wake).await.unwrap();
            assert_eq!(woken, 1, "the leader is woken for it");
            assert_eq!(schedule.repairs_waiting(), 0);
        }

        #[tokio::test]
        async fn a_write_that_failed_while_redis_was_away_is_made_when_it_is_back() {
            let mut server = PrivateRedis::start();
            let client = redis::Client::open(server.url()).unwrap();
            let manager = redis::aio::ConnectionManager::new_with_config(
                client.clone(),
                crate::schedule::redis_manager_config(),
            )
            .await
            .unwrap();
            let keys = Keys::new("repair");
            let schedule = Schedule::new(manager, keys.clone());
            let kept = Member::new(uuid::Uuid::new_v4(), 1);
            let removed = Member::new(uuid::Uuid::new_v4(), 1);
            let due = Utc::now() + chrono::Duration::seconds(60);

            server.stop();
            assert!(schedule.put(kept.id, 1, due, None).await.is_err());
            // A caller that stops waiting (the API's one-second budget) loses nothing either.
            let _ =
                tokio::time::timeout(Duration::ZERO, schedule.put(removed.id, 1, due, None)).await;
            assert!(schedule.remove(removed.id, 1).await.is_err());
            assert_eq!(schedule.repairs_waiting(), 3);
            server.resume();

            // Nobody writes again: the schedule repairs itself.
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(20);
            while schedule.repairs_waiting() > 0 {
                assert!(Instant::now() < deadline, "the writes were never made");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert_eq!(score(&mut conn, &keys, kept).await, Some(score_ms(due)));
            assert_eq!(
                score(&mut conn, &keys, removed).await,
                None,
                "made in order"
            );
        }
    }

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
