//! Moves due entries from the schedule ZSET to the ready stream with one token-checked Lua
//! script, in bounded batches so a hundred thousand entries due at once never block Redis.

use super::lock::LeaderLock;
use super::{Keys, Schedule};
use crate::ops::metrics;
use chrono::{DateTime, Utc};
use redis::Script;

/// Entries moved per script call: a few milliseconds of Redis time.
pub const BATCH: usize = 1000;

pub struct Promoter {
    keys: Keys,
    script: Script,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Promoted {
    /// The lock is someone else's: nothing was promoted.
    NotLeader,
    /// `moved` entries were promoted; the earliest remaining entry is due at `next_due_ms`.
    /// A full batch leaves the rest of a backlog for the next call, whose `next_due_ms` is then
    /// already past.
    Moved {
        moved: usize,
        next_due_ms: Option<i64>,
    },
}

impl Promoter {
    pub fn new(keys: Keys) -> Promoter {
        Promoter {
            keys,
            script: Script::new(include_str!("lua/promote.lua")),
        }
    }

    /// Promotes at most one batch of what is due now. One batch per call keeps a large backlog
    /// from holding the caller past its next lock renewal.
    pub async fn promote_due(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
        token: &str,
    ) -> redis::RedisResult<Promoted> {
        self.promote_due_at(conn, token, Utc::now()).await
    }

    /// [`Self::promote_due`] as of `now`.
    pub async fn promote_due_at(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
        token: &str,
        now: DateTime<Utc>,
    ) -> redis::RedisResult<Promoted> {
        // Truncated, while scores are rounded up (`score_ms`): an entry is promoted only once
        // its due instant has passed, never in the millisecond before it.
        let now_ms = now.timestamp_millis();
        let (moved, next): (i64, String) = self
            .script
            .key(&self.keys.leader)
            .key(&self.keys.schedule)
            .key(&self.keys.ready)
            .arg(token)
            .arg(now_ms)
            .arg(BATCH)
            .invoke_async(conn)
            .await?;
        if moved < 0 {
            return Ok(Promoted::NotLeader);
        }
        metrics::promoted(moved as u64);
        Ok(Promoted::Moved {
            moved: moved as usize,
            next_due_ms: next.parse::<f64>().ok().map(|s| s as i64),
        })
    }
}

/// One step of the leader, as of `now`: holds the lock with `lock` (renews it, or takes it when
/// free) and promotes one batch of the shard whose lock it is. Lets a test drive the scheduler
/// deterministically; the role itself runs the same promotion in `leader::run`, around its
/// sleep until the next due time.
pub async fn step(
    schedule: &Schedule,
    lock: &LeaderLock,
    now: DateTime<Utc>,
) -> redis::RedisResult<Promoted> {
    let Some(keys) = schedule.shards().iter().find(|k| k.leader == lock.key()) else {
        return Err(redis::RedisError::from((
            redis::ErrorKind::ClientError,
            "the lock is not a leader lock of this schedule",
        )));
    };
    let mut conn = schedule.connection();
    if !lock.renew(&mut conn).await? && !lock.try_acquire(&mut conn).await? {
        return Ok(Promoted::NotLeader);
    }
    Promoter::new(keys.clone())
        .promote_due_at(&mut conn, lock.token(), now)
        .await
}

#[cfg(test)]
mod tests {
    //! Against the real Redis: the token check and the batching of `promote.lua`.

    use super::{Promoted, Promoter, BATCH};
    use crate::schedule::testing::TestRedis;
    use crate::schedule::{score_ms, Member, Schedule};
    use chrono::{DateTime, Duration, Utc};
    use redis::AsyncCommands;
    use std::collections::HashSet;

    const TOKEN: &str = "the-leaders-token";

    async fn lead(redis: &TestRedis, conn: &mut redis::aio::MultiplexedConnection) {
        let _: () = conn
            .set_ex(&redis.keys.leader, TOKEN, 60)
            .await
            .expect("SET leader");
    }

    /// Adds `n` entries due at `due`; returns their members.
    async fn add(
        redis: &TestRedis,
        conn: &mut redis::aio::MultiplexedConnection,
        n: usize,
        due: DateTime<Utc>,
    ) -> HashSet<Vec<u8>> {
        let members: Vec<Vec<u8>> = (0..n)
            .map(|_| Member::new(uuid::Uuid::new_v4(), 1).to_bytes().to_vec())
            .collect();
        for chunk in members.chunks(1000) {
            let items: Vec<(i64, &[u8])> = chunk
                .iter()
                .map(|m| (score_ms(due), m.as_slice()))
                .collect();
            let _: i64 = conn
                .zadd_multiple(&redis.keys.schedule, &items)
                .await
                .expect("ZADD");
        }
        members.into_iter().collect()
    }

    async fn counts(
        redis: &TestRedis,
        conn: &mut redis::aio::MultiplexedConnection,
    ) -> (usize, usize) {
        let scheduled: usize = conn.zcard(&redis.keys.schedule).await.expect("ZCARD");
        let ready: usize = conn.xlen(&redis.keys.ready).await.expect("XLEN");
        (scheduled, ready)
    }

    #[tokio::test]
    async fn a_wrong_or_missing_token_promotes_nothing() {
        let redis = TestRedis::new();
        let mut conn = redis.conn().await;
        let promoter = Promoter::new(redis.keys.clone());
        add(&redis, &mut conn, 3, Utc::now() - Duration::seconds(1)).await;

        // Nobody holds the lock (it expired): a paused ex-leader must not promote.
        let got = promoter.promote_due(&mut conn, TOKEN).await.unwrap();
        assert_eq!(got, Promoted::NotLeader);
        lead(&redis, &mut conn).await;
        let got = promoter
            .promote_due(&mut conn, "someone-elses-token")
            .await
            .unwrap();
        assert_eq!(got, Promoted::NotLeader);
        assert_eq!(counts(&redis, &mut conn).await, (3, 0), "nothing moved");

        let got = promoter.promote_due(&mut conn, TOKEN).await.unwrap();
        assert_eq!(
            got,
            Promoted::Moved {
                moved: 3,
                next_due_ms: None
            }
        );
        assert_eq!(counts(&redis, &mut conn).await, (0, 3));
    }

    #[tokio::test]
    async fn a_backlog_is_promoted_completely_one_bounded_batch_per_call() {
        let redis = TestRedis::new();
        let mut conn = redis.conn().await;
        let promoter = Promoter::new(redis.keys.clone());
        lead(&redis, &mut conn).await;
        let backlog = BATCH * 2 + BATCH / 2;
        let due = add(
            &redis,
            &mut conn,
            backlog,
            Utc::now() - Duration::seconds(1),
        )
        .await;
        let later = Utc::now() + Duration::hours(1);
        add(&redis, &mut conn, 2, later).await;

        let mut per_call = Vec::new();
        loop {
            match promoter.promote_due(&mut conn, TOKEN).await.unwrap() {
                Promoted::Moved { moved, next_due_ms } => {
                    per_call.push(moved);
                    assert!(moved <= BATCH, "one call moved {moved}");
                    if moved < BATCH {
                        assert_eq!(
                            next_due_ms,
                            Some(score_ms(later)),
                            "the earliest that is left"
                        );
                        break;
                    }
                    assert!(
                        per_call.len() < 10,
                        "the backlog never drains: {per_call:?}"
                    );
                }
                Promoted::NotLeader => panic!("the token matches"),
            }
        }
        assert_eq!(per_call, vec![BATCH, BATCH, BATCH / 2]);
        assert_eq!(
            counts(&redis, &mut conn).await,
            (2, backlog),
            "entries not yet due stay"
        );

        // Each due entry is in the ready stream exactly once, with its due time.
        let read: redis::streams::StreamRangeReply =
            conn.xrange_all(&redis.keys.ready).await.expect("XRANGE");
        let mut seen = HashSet::new();
        for entry in &read.ids {
            let member: Vec<u8> = entry.get("n").expect("a member");
            let due_ms: i64 = entry.get("d").expect("a due time");
            assert!(due_ms <= Utc::now().timestamp_millis());
            assert!(seen.insert(member), "promoted twice");
        }
        assert_eq!(seen, due);
    }

    #[tokio::test]
    async fn an_entry_is_not_promoted_in_the_millisecond_before_it_is_due() {
        let redis = TestRedis::new();
        let mut conn = redis.conn().await;
        lead(&redis, &mut conn).await;
        let schedule = Schedule::new(redis.manager().await, redis.keys.clone());
        let promoter = Promoter::new(redis.keys.clone());
        let whole_ms = DateTime::from_timestamp_millis(Utc::now().timestamp_millis() + 60_000)
            .expect("a valid time");
        let due = whole_ms + Duration::microseconds(400);
        schedule
            .put(uuid::Uuid::new_v4(), 1, due, None)
            .await
            .unwrap();

        for early in [whole_ms, whole_ms + Duration::microseconds(399)] {
            let got = promoter
                .promote_due_at(&mut conn, TOKEN, early)
                .await
                .unwrap();
            assert_eq!(
                got,
                Promoted::Moved {
                    moved: 0,
                    next_due_ms: Some(score_ms(due))
                },
                "promoted at {early}, before {due}"
            );
        }
        let got = promoter
            .promote_due_at(&mut conn, TOKEN, whole_ms + Duration::milliseconds(1))
            .await
            .unwrap();
        assert_eq!(
            got,
            Promoted::Moved {
                moved: 1,
                next_due_ms: None
            }
        );
    }
}
