//! One Redis stream consumer, shared by the sender (`{prefix}:ready`, group `senders`) and the
//! event worker (`{prefix}:events`, group `workers`): it creates the group, reads new entries,
//! takes over entries another consumer left idle (`XAUTOCLAIM`), acknowledges *and deletes*
//! finished entries (so a stream only holds work still to do) and reconnects after a failure.
//!
//! It knows nothing of what an entry means: callers parse the fields and decide when an entry
//! is done. It sits below every role that reads a stream and imports none of them.

use crate::redis_conn::{RedisClient, RedisConn};
use redis::aio::ConnectionLike;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A reader of one stream within one consumer group.
pub struct StreamConsumer {
    client: RedisClient,
    stream: String,
    group: &'static str,
    name: String,
    /// How long a read waits for new entries; `None` returns at once (tests step with it).
    block: Option<Duration>,
    /// Pause after Redis failed, before the next attempt.
    retry_pause: Duration,
    /// Its own connection: a blocking read parked in Redis for seconds would hold up every
    /// other command on a shared multiplexed connection.
    conn: Option<RedisConn>,
    /// Where the current sweep of the pending entries continues; "0-0" between sweeps.
    claim_cursor: String,
}

/// What one read gave.
#[derive(Debug)]
pub enum Read {
    /// New entries; empty when the wait ended without any.
    Entries(Vec<StreamId>),
    /// Redis lost the stream and its group (flushed, restarted empty); the next read creates
    /// them again. Whatever was queued is gone with it.
    GroupLost,
    /// Redis failed; the failure is logged and the retry pause already waited.
    Unavailable,
    /// Shutdown came first.
    Stopped,
}

impl StreamConsumer {
    pub fn new(client: RedisClient, stream: &str, group: &'static str, name: &str) -> Self {
        StreamConsumer {
            client,
            stream: stream.to_string(),
            group,
            name: name.to_string(),
            block: None,
            retry_pause: Duration::from_secs(1),
            conn: None,
            claim_cursor: "0-0".into(),
        }
    }

    /// Reads wait up to `block` for new entries.
    pub fn blocking(mut self, block: Duration) -> Self {
        self.block = Some(block);
        self
    }

    pub fn retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A unique consumer name: host, process and a random part, so a restarted process never
    /// inherits the pending entries of its previous life under the same name.
    pub fn unique_name(role: &str) -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{role}-{host}-{}-{}", std::process::id(), &random[..8])
    }

    /// The acknowledger of this stream, for tasks that finish entries on their own.
    pub fn acknowledger(&self) -> Acknowledger {
        Acknowledger {
            stream: self.stream.clone(),
            group: self.group,
        }
    }

    /// The connection, opened and with the group created if needed.
    async fn connection(&mut self) -> redis::RedisResult<&mut RedisConn> {
        if self.conn.is_none() {
            let response = self.block.unwrap_or_default() + Duration::from_secs(5);
            let mut conn = self.client.dedicated(Some(response)).await?;
            ensure_group(&mut conn, &self.stream, self.group).await?;
            self.conn = Some(conn);
        }
        match self.conn.as_mut() {
            Some(conn) => Ok(conn),
            None => Err(redis::RedisError::from((
                redis::ErrorKind::IoError,
                "no connection",
            ))),
        }
    }

    /// Reads up to `count` entries never delivered to any consumer of the group.
    pub async fn read(&mut self, count: usize, shutdown: &CancellationToken) -> Read {
        let (stream, group, name, block) = (
            self.stream.clone(),
            self.group,
            self.name.clone(),
            self.block,
        );
        let conn = match self.connection().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(%stream, error = %e, "cannot reach Redis to read the stream");
                sleep_or_cancel(self.retry_pause, shutdown).await;
                return Read::Unavailable;
            }
        };
        let mut options = StreamReadOptions::default()
            .group(group, &name)
            .count(count);
        if let Some(block) = block {
            options = options.block(block.as_millis() as usize);
        }
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg(&options).arg("STREAMS").arg(&stream).arg(">");
        let read: redis::RedisResult<Option<StreamReadReply>> = tokio::select! {
            r = cmd.query_async(conn) => r,
            _ = shutdown.cancelled() => return Read::Stopped,
        };
        match read {
            Ok(reply) => Read::Entries(
                reply
                    .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
                    .unwrap_or_default(),
            ),
            Err(e) => {
                // Either way the next read reconnects, which creates the group again.
                self.conn = None;
                if e.code() == Some("NOGROUP") {
                    Read::GroupLost
                } else {
                    tracing::warn!(%stream, error = %e, "reading the stream failed");
                    sleep_or_cancel(self.retry_pause, shutdown).await;
                    Read::Unavailable
                }
            }
        }
    }

    /// Takes over up to `count` entries that other consumers have held for longer than `idle`
    /// (they died or hung), continuing the sweep of the pending entries where the last call
    /// left it. See [`StreamConsumer::sweeping`].
    pub async fn reclaim(
        &mut self,
        idle: Duration,
        count: usize,
    ) -> redis::RedisResult<Vec<StreamId>> {
        let (stream, group, name, cursor) = (
            self.stream.clone(),
            self.group,
            self.name.clone(),
            self.claim_cursor.clone(),
        );
        let claimed = async {
            let conn = self.connection().await?;
            let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(&stream)
                .arg(group)
                .arg(&name)
                .arg(idle.as_millis() as u64)
                .arg(&cursor)
                .arg("COUNT")
                .arg(count)
                .query_async(conn)
                .await?;
            Ok::<_, redis::RedisError>(reply)
        }
        .await;
        match claimed {
            Ok(reply) => {
                self.claim_cursor = reply.next_stream_id;
                if !reply.claimed.is_empty() {
                    tracing::warn!(
                        %stream,
                        count = reply.claimed.len(),
                        "took over entries of a consumer that stopped"
                    );
                }
                Ok(reply.claimed)
            }
            Err(e) => {
                self.claim_cursor = "0-0".into();
                if e.code() == Some("NOGROUP") {
                    self.conn = None;
                }
                Err(e)
            }
        }
    }

    /// True while a sweep of the pending entries is under way (the last reclaim did not reach
    /// the end of them).
    pub fn sweeping(&self) -> bool {
        self.claim_cursor != "0-0"
    }

    /// Removes this consumer from the group. Entries still pending for it (none after a clean
    /// stop) go with it; callers make sure their work is found again some other way.
    pub async fn leave(&mut self, conn: &mut impl ConnectionLike) {
        let deleted: redis::RedisResult<i64> = redis::cmd("XGROUP")
            .arg("DELCONSUMER")
            .arg(&self.stream)
            .arg(self.group)
            .arg(&self.name)
            .query_async(conn)
            .await;
        if let Err(e) = deleted {
            tracing::debug!(error = %e, "could not remove the consumer from the group");
        }
    }
}

/// Acknowledges and deletes finished entries of one stream; cheap to clone into tasks.
#[derive(Debug, Clone)]
pub struct Acknowledger {
    stream: String,
    group: &'static str,
}

impl Acknowledger {
    /// XACK + XDEL in one round trip. A failure is logged, not returned: the outcome of each
    /// entry is recorded already, and an entry that comes back is dropped by its consumer's
    /// own check (the claim, the event's status).
    pub async fn ack<I: AsRef<str>>(&self, conn: &mut (impl ConnectionLike + Send), ids: &[I]) {
        if ids.is_empty() {
            return;
        }
        let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
        let acked: redis::RedisResult<()> = redis::pipe()
            .cmd("XACK")
            .arg(&self.stream)
            .arg(self.group)
            .arg(&ids)
            .ignore()
            .cmd("XDEL")
            .arg(&self.stream)
            .arg(&ids)
            .ignore()
            .query_async(conn)
            .await;
        if let Err(e) = acked {
            tracing::warn!(stream = %self.stream, error = %e, "could not acknowledge stream entries");
        }
    }
}

/// Creates the group (and the stream) if missing. It starts at `0`, so entries added before any
/// consumer existed are read too.
pub async fn ensure_group(
    conn: &mut (impl ConnectionLike + Send),
    stream: &str,
    group: &str,
) -> redis::RedisResult<()> {
    let created: redis::RedisResult<()> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(stream)
        .arg(group)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(conn)
        .await;
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}

/// What one step of a stream-reading role (sender, worker) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// `taken` entries were read or taken over and dealt with: delivered (or started), or
    /// dropped as stale.
    Worked { taken: usize },
    /// Nothing to do.
    Idle,
    /// Redis or PostgreSQL failed; the step paused before returning.
    Unavailable,
    /// Shutdown came first.
    Stopped,
}

/// Sleeps for `d`, unless shutdown comes first.
pub async fn sleep_or_cancel(d: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.cancelled() => {}
    }
}
