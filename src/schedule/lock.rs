//! The leader lock: a Redis key holding a random token with a TTL, taken with `SET NX PX`,
//! renewed by compare-and-extend and released by compare-and-delete, so only its holder can
//! extend or drop it. The promotion script checks the token too (see `promoter`).

use rand::RngCore;
use redis::Script;
use std::time::Duration;

pub struct LeaderLock {
    key: String,
    token: String,
    ttl: Duration,
    extend: Script,
    release: Script,
}

impl LeaderLock {
    pub fn new(key: &str, ttl: Duration) -> LeaderLock {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        LeaderLock {
            key: key.to_string(),
            token: hex::encode(bytes),
            ttl,
            extend: Script::new(include_str!("lua/extend_lock.lua")),
            release: Script::new(include_str!("lua/release_lock.lua")),
        }
    }

    /// A lock whose token is `token` (unique to the holder; the scheduler uses its process's
    /// token and the shard, so operators see which process leads which shard).
    pub fn with_token(key: &str, ttl: Duration, token: String) -> LeaderLock {
        LeaderLock {
            token,
            ..LeaderLock::new(key, ttl)
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The key the lock is held under (one per shard).
    pub fn key(&self) -> &str {
        &self.key
    }

    pub async fn try_acquire(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
    ) -> redis::RedisResult<bool> {
        let set: Option<String> = redis::cmd("SET")
            .arg(&self.key)
            .arg(&self.token)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl.as_millis() as u64)
            .query_async(conn)
            .await?;
        Ok(set.is_some())
    }

    pub async fn renew(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
    ) -> redis::RedisResult<bool> {
        let renewed: i64 = self
            .extend
            .key(&self.key)
            .arg(&self.token)
            .arg(self.ttl.as_millis() as u64)
            .invoke_async(conn)
            .await?;
        Ok(renewed == 1)
    }

    pub async fn release(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
    ) -> redis::RedisResult<()> {
        let _: i64 = self
            .release
            .key(&self.key)
            .arg(&self.token)
            .invoke_async(conn)
            .await?;
        Ok(())
    }
}
