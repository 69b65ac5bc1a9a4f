//! Moves due entries from the schedule ZSET to the ready stream with one token-checked Lua
//! script, in bounded batches so a hundred thousand entries due at once never block Redis.

use super::Keys;
use crate::ops::metrics;
use redis::Script;

/// Entries moved per script call: a few milliseconds of Redis time.
pub const BATCH: usize = 1000;

pub struct Promoter {
    keys: Keys,
    script: Script,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Promoted {
    /// The lock is someone else's: stop promoting.
    NotLeader,
    /// Everything due is promoted; the earliest remaining entry is due at this epoch ms.
    Done { next_due_ms: Option<i64> },
}

impl Promoter {
    pub fn new(keys: Keys) -> Promoter {
        Promoter {
            keys,
            script: Script::new(include_str!("lua/promote.lua")),
        }
    }

    pub async fn promote_due(
        &self,
        conn: &mut redis::aio::ConnectionManager,
        token: &str,
    ) -> redis::RedisResult<Promoted> {
        loop {
            let now_ms = chrono::Utc::now().timestamp_millis();
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
            if (moved as usize) < BATCH {
                let next_due_ms = next.parse::<f64>().ok().map(|s| s as i64);
                return Ok(Promoted::Done { next_due_ms });
            }
        }
    }
}
