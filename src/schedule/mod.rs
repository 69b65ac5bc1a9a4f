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
//! | `{prefix}:horizon`  | HASH            | `edge`: entries due from here on stay out of Redis;     |
//! |                     |                 | `loaded`: every row due before it is in the schedule    |
//!
//! The version in each member lets a sender drop an entry that a reschedule or cancel made
//! stale without reading the queue again.
//!
//! Horizon: only what falls due before the edge is kept in the schedule; later rows live only in
//! PostgreSQL until the leader's loader ([`horizon`]) reads them, ahead of time. Writers compare
//! with the edge inside the same script that adds the entry, and the loader raises the edge
//! before it reads PostgreSQL, so a row committed while the loader passes is never skipped by both.

mod context;
pub mod error;
pub mod horizon;
pub mod leader;
pub mod lock;
pub mod member;
pub mod promoter;
pub mod reconciler;
pub mod retention;
#[cfg(test)]
mod testing;

pub use crate::redis_conn::{RedisClient, RedisConn};
pub use context::{redis_manager_config, RoleContext};
pub use member::Member;

use chrono::{DateTime, Utc};
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
    /// The horizon's `edge` and `loaded` marks (epoch ms).
    pub horizon: String,
    /// Live scheduler processes (ZSET: token → end of its last heartbeat, epoch ms).
    pub schedulers: String,
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
            horizon: format!("{tag}:horizon"),
            schedulers: format!("{tag}:schedulers"),
        }
    }

    /// The keys of shard `shard` of `shards`. One shard keeps the unsharded keys (`{prefix}:…`),
    /// so a deployment going from none to one changes nothing; with more, each shard has its own
    /// hash tag (`{prefix:0}:…`), which Redis Cluster may place on any node.
    pub fn shard(prefix: &str, shard: usize, shards: usize) -> Keys {
        if shards <= 1 {
            Keys::new(prefix)
        } else {
            Keys::new(&format!("{prefix}:{shard}"))
        }
    }

    /// Pattern matching every key of this prefix (for tests and operators), shards included.
    pub fn pattern(prefix: &str) -> String {
        format!("{{{prefix}[:}}]*")
    }
}

/// The shard of a notification: FNV-1a of its 16 id bytes, modulo the number of shards. Stable
/// across processes and versions, so every writer, leader and reconciler agrees on it.
pub fn shard_of(id: uuid::Uuid, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % shards as u64) as usize
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
    /// The deployment's keys: the event stream and the locks of other roles; with one shard,
    /// also that shard's.
    keys: Arc<Keys>,
    repairs: Arc<Repairs>,
}

/// One idempotent schedule write.
#[derive(Debug, Clone)]
enum Write {
    Put {
        shard: usize,
        member: [u8; 20],
        score: i64,
        previous: Vec<u8>,
    },
    PutMany {
        shard: usize,
        entries: Vec<(i64, [u8; 20])>,
    },
    Remove {
        shard: usize,
        member: [u8; 20],
    },
}

/// What applies writes; shared with the repair task.
#[derive(Clone)]
struct Writer {
    conn: RedisConn,
    shards: Arc<Vec<Keys>>,
    put_script: Arc<Script>,
    put_many_script: Arc<Script>,
}

impl Writer {
    /// Applies `write`; the number of entries it added to the schedule.
    async fn apply(&self, write: &Write) -> redis::RedisResult<u64> {
        let mut conn = self.conn.clone();
        match write {
            Write::Put {
                shard,
                member,
                score,
                previous,
            } => {
                let keys = &self.shards[*shard];
                let outcome: i64 = self
                    .put_script
                    .key(&keys.schedule)
                    .key(&keys.wake)
                    .key(&keys.horizon)
                    .arg(member.as_slice())
                    .arg(*score)
                    .arg(previous.as_slice())
                    .invoke_async(&mut conn)
                    .await?;
                Ok(u64::from(outcome != 2))
            }
            Write::PutMany { shard, entries } => {
                let keys = &self.shards[*shard];
                let mut invocation = self.put_many_script.prepare_invoke();
                invocation
                    .key(&keys.schedule)
                    .key(&keys.wake)
                    .key(&keys.horizon);
                for (score, member) in entries {
                    invocation.arg(*score).arg(member.as_slice());
                }
                invocation.invoke_async(&mut conn).await
            }
            Write::Remove { shard, member } => {
                let _: i64 = redis::cmd("ZREM")
                    .arg(&self.shards[*shard].schedule)
                    .arg(member.as_slice())
                    .query_async(&mut conn)
                    .await?;
                Ok(0)
            }
        }
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
                Ok(Ok(_)) => break,
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

/// Ready entries read by a sender but not yet acknowledged.
async fn ready_pending(conn: &mut RedisConn, ready: &str) -> redis::RedisResult<i64> {
    // XPENDING fails when the group does not exist yet (no sender has started): none pending.
    match redis::cmd("XPENDING")
        .arg(ready)
        .arg(SENDER_GROUP)
        .query_async::<redis::Value>(conn)
        .await
    {
        Ok(redis::Value::Array(items)) => match items.first() {
            Some(v) => redis::from_redis_value::<i64>(v),
            None => Ok(0),
        },
        Ok(other) => redis::from_redis_value::<i64>(&other),
        Err(e) if e.code() == Some("NOGROUP") => Ok(0),
        Err(e) => Err(e),
    }
}

impl Schedule {
    /// An unsharded schedule under `keys`.
    pub fn new(conn: impl Into<RedisConn>, keys: Keys) -> Schedule {
        Schedule::build(conn.into(), keys.clone(), vec![keys])
    }

    /// A schedule of `shards` shards under `prefix` (see [`Keys::shard`]).
    pub fn sharded(conn: impl Into<RedisConn>, prefix: &str, shards: usize) -> Schedule {
        let shards = shards.max(1);
        Schedule::build(
            conn.into(),
            Keys::new(prefix),
            (0..shards)
                .map(|i| Keys::shard(prefix, i, shards))
                .collect(),
        )
    }

    fn build(conn: RedisConn, keys: Keys, shards: Vec<Keys>) -> Schedule {
        Schedule {
            writer: Writer {
                conn,
                shards: Arc::new(shards),
                put_script: Arc::new(Script::new(include_str!("lua/schedule.lua"))),
                put_many_script: Arc::new(Script::new(include_str!("lua/schedule_many.lua"))),
            },
            keys: Arc::new(keys),
            repairs: Arc::new(Repairs::new()),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Every shard's keys, by shard number.
    pub fn shards(&self) -> &[Keys] {
        &self.writer.shards
    }

    /// The shard that holds `id`'s entries.
    pub fn shard_of(&self, id: uuid::Uuid) -> usize {
        shard_of(id, self.writer.shards.len())
    }

    pub fn connection(&self) -> RedisConn {
        self.writer.conn.clone()
    }

    /// The sizes of the queues, summed over the shards; the leader TTL is the shortest of them
    /// (-2 when a shard has no leader).
    pub async fn depths(&self) -> redis::RedisResult<QueueDepths> {
        let mut conn = self.connection();
        let events: i64 = redis::cmd("XLEN")
            .arg(&self.keys.events)
            .query_async(&mut conn)
            .await?;
        let mut total = QueueDepths {
            schedule: 0,
            ready: 0,
            pending: 0,
            events,
            leader_ttl_ms: i64::MAX,
        };
        for keys in self.shards() {
            let (schedule, ready, leader_ttl_ms): (i64, i64, i64) = redis::pipe()
                .zcard(&keys.schedule)
                .xlen(&keys.ready)
                .pttl(&keys.leader)
                .query_async(&mut conn)
                .await?;
            total.schedule += schedule;
            total.ready += ready;
            total.pending += ready_pending(&mut conn, &keys.ready).await?;
            total.leader_ttl_ms = match (total.leader_ttl_ms, leader_ttl_ms) {
                (_, -2) | (-2, _) => -2,
                // -1: no expiry (set by hand); counts as present.
                (t, -1) => t,
                (t, ttl) => t.min(ttl),
            };
        }
        if total.leader_ttl_ms == i64::MAX {
            total.leader_ttl_ms = -1;
        }
        Ok(total)
    }

    /// Writes waiting for Redis in the background.
    pub fn repairs_waiting(&self) -> usize {
        self.repairs.queued.load(Ordering::Relaxed)
    }

    /// Schedules `id` at `due`, replacing the entry of `previous_version` if given; a `due` past
    /// the horizon's edge only removes the previous entry (the loader adds it later). An error
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
            shard: self.shard_of(id),
            member: Member::new(id, version).to_bytes(),
            score: score_ms(due),
            previous,
        })
        .await
        .map(|_| ())
    }

    pub async fn remove(&self, id: uuid::Uuid, version: i32) -> redis::RedisResult<()> {
        self.write(Write::Remove {
            shard: self.shard_of(id),
            member: Member::new(id, version).to_bytes(),
        })
        .await
        .map(|_| ())
    }

    /// Applies `write`, once more on a fresh connection after a connection error; one that still
    /// fails (or whose caller stops waiting) is repeated in the background.
    async fn write(&self, write: Write) -> redis::RedisResult<u64> {
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

    /// Adds many entries in one round trip (batch creates, the reconciler and the horizon
    /// loader), leaving out those past the horizon's edge; the number of members that were not
    /// there yet. Like [`Self::put`], a failed write is tried again at once and then repeated in
    /// the background.
    pub async fn put_many(
        &self,
        entries: &[(uuid::Uuid, i32, DateTime<Utc>)],
    ) -> redis::RedisResult<u64> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut by_shard: Vec<Vec<(i64, [u8; 20])>> = vec![Vec::new(); self.shards().len()];
        for (id, version, due) in entries {
            by_shard[self.shard_of(*id)]
                .push((score_ms(*due), Member::new(*id, *version).to_bytes()));
        }
        // One script call per shard: a script's keys must share a hash tag.
        let mut added = 0;
        let mut failed = None;
        for (shard, entries) in by_shard.into_iter().enumerate() {
            if entries.is_empty() {
                continue;
            }
            match self.write(Write::PutMany { shard, entries }).await {
                Ok(n) => added += n,
                // Repeated in the background; the other shards still get theirs now.
                Err(e) => failed = Some(e),
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(added),
        }
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
            let batch = Member::new(uuid::Uuid::new_v4(), 1);
            let due = Utc::now() + chrono::Duration::seconds(60);

            server.stop();
            assert!(schedule.put(kept.id, 1, due, None).await.is_err());
            // A caller that stops waiting (the API's one-second budget) loses nothing either.
            let _ =
                tokio::time::timeout(Duration::ZERO, schedule.put(removed.id, 1, due, None)).await;
            assert!(schedule.remove(removed.id, 1).await.is_err());
            assert!(schedule.put_many(&[(batch.id, 1, due)]).await.is_err());
            assert_eq!(schedule.repairs_waiting(), 4);
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
            assert_eq!(
                score(&mut conn, &keys, batch).await,
                Some(score_ms(due)),
                "a batch write is repaired too"
            );
        }
    }

    fn at(ms: i64, extra_nanos: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap() + Duration::nanoseconds(extra_nanos)
    }

    #[test]
    fn a_notifications_shard_follows_from_its_id_alone() {
        use super::{shard_of, Keys};
        let id: uuid::Uuid = "01a23618-ca3a-704b-926a-06194712f97e".parse().unwrap();
        // Fixed forever: every process, and every version, must agree.
        assert_eq!(shard_of(id, 1), 0);
        assert_eq!(shard_of(id, 12), shard_of(id, 12));
        // FNV-1a of sixteen zero bytes is 0x88201fb960ff6465.
        assert_eq!(shard_of(uuid::Uuid::nil(), 7), 0);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[shard_of(uuid::Uuid::now_v7(), 4)] += 1;
        }
        assert!(counts.iter().all(|c| (800..1200).contains(c)), "{counts:?}");
        // One shard keeps the unsharded keys; more get a hash tag each.
        assert_eq!(Keys::shard("chime", 0, 1).schedule, "{chime}:schedule");
        assert_eq!(Keys::shard("chime", 3, 4).ready, "{chime:3}:ready");
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
