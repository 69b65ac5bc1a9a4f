//! The sender role: reads due entries from `{prefix}:ready` with the consumer group `senders`,
//! delivers each with bounded concurrency, and acknowledges it once its outcome is recorded.
//! Entries of a sender that died are taken over after the visibility timeout (`XAUTOCLAIM`).

pub mod deliver;
pub mod retry;

use crate::channels::{Channels, ChannelsConfig};
use crate::schedule::Member;
use crate::schedule::RoleContext;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply,
};
use redis::AsyncCommands;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use crate::schedule::SENDER_GROUP as GROUP;
const READ_BLOCK: Duration = Duration::from_millis(1000);
/// How long a shutting-down sender waits for its in-flight sends.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

pub fn channels_config(ctx: &RoleContext) -> ChannelsConfig {
    let s = &ctx.settings;
    ChannelsConfig {
        smtp_url: s.smtp_url.as_ref().map(|u| u.expose().to_string()),
        smtp_from: s.smtp_from.clone(),
        sms_url: s.sms_url.clone(),
        sms_account_sid: s.sms_account_sid.clone(),
        sms_auth_token: s.sms_auth_token.as_ref().map(|t| t.expose().to_string()),
        sms_from: s.sms_from.clone(),
        webhook_allow_private: s.webhook_allow_private,
        http_timeout: s.http_timeout,
    }
}

pub async fn ensure_group(
    conn: &mut redis::aio::MultiplexedConnection,
    stream: &str,
) -> redis::RedisResult<()> {
    // "0": entries promoted before any sender existed are delivered too.
    let created: redis::RedisResult<()> = conn.xgroup_create_mkstream(stream, GROUP, "0").await;
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}

fn consumer_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// One due entry as read from the stream.
#[derive(Debug, Clone)]
pub struct ReadyEntry {
    pub stream_id: String,
    pub member: Option<Member>,
    pub due_ms: Option<i64>,
}

fn parse_entry(entry: &StreamId) -> ReadyEntry {
    let member = match entry.map.get("n") {
        Some(redis::Value::BulkString(bytes)) => Member::from_bytes(bytes),
        _ => None,
    };
    let due_ms = match entry.map.get("d") {
        Some(redis::Value::BulkString(bytes)) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .map(|f| f as i64),
        _ => None,
    };
    ReadyEntry {
        stream_id: entry.id.clone(),
        member,
        due_ms,
    }
}

pub async fn run(ctx: RoleContext, channels: Channels, shutdown: CancellationToken) {
    let channels = Arc::new(channels);
    let deliverer = Arc::new(deliver::Deliverer::new(ctx.clone(), channels));
    let stream = ctx.schedule.keys().ready.clone();
    let consumer = consumer_name();
    let semaphore = Arc::new(Semaphore::new(ctx.settings.sender_concurrency));
    let mut tasks = JoinSet::new();
    let mut conn: Option<redis::aio::MultiplexedConnection> = None;
    let mut last_claim = Instant::now() - ctx.settings.visibility_timeout;
    let claim_every = (ctx.settings.visibility_timeout / 4).max(Duration::from_millis(250));
    // Where the current sweep of the pending entries continues.
    let mut claim_cursor = String::from("0-0");
    tracing::info!(%consumer, "sender started");

    while !shutdown.is_cancelled() {
        while let Some(done) = tasks.try_join_next() {
            if let Err(e) = done {
                // Its entry stays unacknowledged and is taken over after the visibility timeout.
                tracing::error!(error = %e, "a delivery task failed");
            }
        }
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match ctx.redis.get_multiplexed_async_connection().await {
                Ok(mut c) => {
                    if let Err(e) = ensure_group(&mut c, &stream).await {
                        tracing::warn!(error = %e, "cannot create the sender group");
                        sleep_or_cancel(Duration::from_millis(500), &shutdown).await;
                        continue;
                    }
                    conn.insert(c)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sender cannot reach Redis");
                    sleep_or_cancel(Duration::from_millis(500), &shutdown).await;
                    continue;
                }
            },
        };
        // Wait for a free slot before taking entries, so nothing is read that cannot start.
        let first_permit = tokio::select! {
            p = semaphore.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = shutdown.cancelled() => break,
        };
        let mut entries = Vec::new();
        if claim_cursor != "0-0" || last_claim.elapsed() >= claim_every {
            last_claim = Instant::now();
            // No more than can start now: taken entries wait for a slot while their rows age
            // towards the next takeover. The held permit counts as one.
            let count = semaphore.available_permits() + 1;
            match autoclaim(
                c,
                &stream,
                &consumer,
                ctx.settings.visibility_timeout,
                &claim_cursor,
                count.min(200),
            )
            .await
            {
                Ok((next, claimed)) => {
                    claim_cursor = next;
                    if !claimed.is_empty() {
                        tracing::warn!(
                            count = claimed.len(),
                            "took over entries of a sender that stopped"
                        );
                    }
                    entries.extend(claimed);
                }
                Err(e) => {
                    claim_cursor = "0-0".into();
                    tracing::warn!(error = %e, "XAUTOCLAIM failed");
                }
            }
        }
        if entries.is_empty() {
            let count = semaphore.available_permits() + 1;
            let opts = StreamReadOptions::default()
                .group(GROUP, &consumer)
                .count(count.min(200))
                .block(READ_BLOCK.as_millis() as usize);
            let streams = [stream.as_str()];
            let read: redis::RedisResult<StreamReadReply> = tokio::select! {
                r = c.xread_options(&streams, &[">"], &opts) => r,
                _ = shutdown.cancelled() => break,
            };
            match read {
                Ok(reply) => {
                    for key in reply.keys {
                        entries.extend(key.ids.iter().map(parse_entry));
                    }
                }
                Err(e) => {
                    if e.code() == Some("NOGROUP") {
                        // Redis lost the stream (flush/restart): recreate the group on reconnect.
                        conn = None;
                    } else {
                        tracing::warn!(error = %e, "reading the ready stream failed");
                        conn = None;
                        sleep_or_cancel(Duration::from_millis(200), &shutdown).await;
                    }
                    continue;
                }
            }
        }
        let mut claimed = match deliverer.claim(&entries).await {
            Ok(c) => c,
            Err(e) => {
                // Left unacknowledged: taken over again after the visibility timeout.
                tracing::warn!(error = %e, "cannot claim ready entries");
                drop(first_permit);
                sleep_or_cancel(Duration::from_millis(200), &shutdown).await;
                continue;
            }
        };
        // Malformed and stale entries (rescheduled, cancelled, already taken) are dropped now.
        let (won, dropped): (Vec<ReadyEntry>, Vec<ReadyEntry>) = entries
            .into_iter()
            .partition(|e| e.member.is_some_and(|m| claimed.contains_key(&m)));
        if !dropped.is_empty() {
            crate::ops::metrics::stale_dropped(dropped.len() as u64);
            let ids: Vec<&str> = dropped.iter().map(|e| e.stream_id.as_str()).collect();
            acknowledge(&mut ctx.schedule.connection(), &stream, &ids).await;
        }
        let mut first = Some(first_permit);
        let mut duplicates = Vec::new();
        for entry in won {
            let Some(work) = entry.member.and_then(|m| claimed.remove(&m)) else {
                // A second entry for the same notification in this read.
                duplicates.push(entry.stream_id);
                continue;
            };
            let permit = match first.take() {
                Some(p) => p,
                None => match semaphore.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let deliverer = deliverer.clone();
            let mut ack_conn = ctx.schedule.connection();
            let stream = stream.clone();
            tasks.spawn(async move {
                let ok = deliverer.deliver(work, entry.due_ms).await;
                drop(permit);
                if ok {
                    acknowledge(&mut ack_conn, &stream, &[&entry.stream_id]).await;
                }
            });
        }
        if !duplicates.is_empty() {
            let ids: Vec<&str> = duplicates.iter().map(String::as_str).collect();
            acknowledge(&mut ctx.schedule.connection(), &stream, &ids).await;
        }
    }
    // Stop taking work, let in-flight sends finish and record their outcome.
    if tokio::time::timeout(DRAIN_TIMEOUT, async {
        while tasks.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        tracing::warn!("in-flight sends did not finish in time; their entries will be taken over");
    }
    tracing::info!("sender stopped");
}

/// XACK + XDEL: the stream only holds work not yet done.
async fn acknowledge(conn: &mut redis::aio::ConnectionManager, stream: &str, ids: &[&str]) {
    let acked: redis::RedisResult<()> = redis::pipe()
        .xack(stream, GROUP, ids)
        .ignore()
        .xdel(stream, ids)
        .ignore()
        .query_async(conn)
        .await;
    if let Err(e) = acked {
        // The outcome is recorded; a redelivered entry is dropped by the claim.
        tracing::warn!(error = %e, "could not acknowledge ready entries");
    }
}

/// Takes over up to `count` entries idle for `idle`, scanning the pending entries from
/// `cursor`; returns where the next call continues ("0-0" once the sweep is complete).
async fn autoclaim(
    conn: &mut redis::aio::MultiplexedConnection,
    stream: &str,
    consumer: &str,
    idle: Duration,
    cursor: &str,
    count: usize,
) -> redis::RedisResult<(String, Vec<ReadyEntry>)> {
    let reply: StreamAutoClaimReply = conn
        .xautoclaim_options(
            stream,
            GROUP,
            consumer,
            idle.as_millis() as u64,
            cursor,
            StreamAutoClaimOptions::default().count(count),
        )
        .await?;
    let entries = reply.claimed.iter().map(parse_entry).collect();
    Ok((reply.next_stream_id, entries))
}

async fn sleep_or_cancel(d: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.cancelled() => {}
    }
}
