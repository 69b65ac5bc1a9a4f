//! Moves due entries from the schedule ZSET to the ready stream with one token-checked Lua
//! script, in bounded batches so a hundred thousand entries due at once never block Redis.

use super::Keys;
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
        metrics::NOTIFICATIONS_PROMOTED.add(moved as u64);
        Ok(Promoted::Moved {
            moved: moved as usize,
            next_due_ms: next.parse::<f64>().ok().map(|s| s as i64),
        })
    }
}

