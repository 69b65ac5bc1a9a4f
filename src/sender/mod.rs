//! The sender role: reads due entries from each shard's ready stream (`{prefix}:ready` with one
//! shard) with the consumer group `senders` (through [`crate::stream`]), delivers each with
//! bounded concurrency, and acknowledges it once its outcome is recorded. Entries of a sender
//! that died are taken over after the visibility timeout (`XAUTOCLAIM`).
//!
//! [`Sender::step`] is one turn of the loop: tests drive it by hand ([`Sender::stepping`]) and
//! wait for the deliveries it started with [`Sender::settle`].

pub mod deliver;
pub mod retry;

use crate::channels::{Channels, ChannelsConfig};
use crate::schedule::Member;
use crate::schedule::RoleContext;
pub use crate::stream::StepOutcome;
use crate::stream::{sleep_or_cancel, Acknowledger, Read, StreamConsumer};
use deliver::{Claimed, Deliverer};
use redis::streams::StreamId;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use crate::schedule::SENDER_GROUP as GROUP;
const READ_BLOCK: Duration = Duration::from_millis(1000);
/// Pause after Redis failed, before reconnecting.
const REDIS_PAUSE: Duration = Duration::from_millis(500);
/// Pause after PostgreSQL refused a claim.
const CLAIM_PAUSE: Duration = Duration::from_millis(200);
/// Most entries read or taken over at once.
const MAX_BATCH: usize = 200;
/// How long a shutting-down sender waits for its in-flight sends.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

pub fn channels_config(ctx: &RoleContext) -> ChannelsConfig {
    let s = &ctx.settings;
    ChannelsConfig {
        smtp_url: s.channels.smtp_url.as_ref().map(|u| u.expose().to_string()),
        smtp_from: s.channels.smtp_from.clone(),
        message_id_domain: s.channels.smtp_message_id_domain.clone(),
        sms_url: s.channels.sms_url.clone(),
        sms_account_sid: s.channels.sms_account_sid.clone(),
        sms_auth_token: s
            .channels
            .sms_auth_token
            .as_ref()
            .map(|t| t.expose().to_string()),
        sms_from: s.channels.sms_from.clone(),
        sms_status_callback_url: s.channels.sms_status_callback_url.clone(),
        webhook_allow_private: s.channels.webhook_allow_private,
        http_timeout: s.channels.http_timeout,
    }
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

/// A sender: the consumers of one or more shards' ready streams and the deliveries it has in
/// flight.
pub struct Sender {
    ctx: RoleContext,
    deliverer: Arc<Deliverer>,
    readers: Vec<ShardReader>,
    /// The reader the next step starts with.
    next: usize,
    semaphore: Arc<Semaphore>,
    tasks: JoinSet<()>,
    claim_every: Duration,
}

/// The consumer of one shard's ready stream.
struct ShardReader {
    consumer: StreamConsumer,
    ack: Acknowledger,
    last_claim: Instant,
}

impl Sender {
    /// One sender per shard, each waiting for entries on its own stream, as the role runs
    /// them: a blocking read of several streams would cross hash slots on a cluster, and
    /// reading them in turn would leave one waiting while another blocks. They share the
    /// sends in flight.
    pub fn per_shard(ctx: RoleContext, channels: Channels) -> Vec<Sender> {
        let deliverer = Arc::new(Deliverer::new(ctx.clone(), Arc::new(channels)));
        let semaphore = Arc::new(Semaphore::new(ctx.settings.sender.concurrency));
        ctx.schedule
            .shards()
            .iter()
            .map(|keys| {
                Self::build(
                    ctx.clone(),
                    deliverer.clone(),
                    semaphore.clone(),
                    std::slice::from_ref(&keys.ready),
                    Some(READ_BLOCK),
                )
            })
            .collect()
    }

    /// A sender of every shard whose reads return at once, so a test can step it
    /// deterministically; each step reads the shards in turn until one has entries.
    pub fn stepping(ctx: RoleContext, channels: Channels) -> Sender {
        let deliverer = Arc::new(Deliverer::new(ctx.clone(), Arc::new(channels)));
        let semaphore = Arc::new(Semaphore::new(ctx.settings.sender.concurrency));
        let streams: Vec<String> = ctx
            .schedule
            .shards()
            .iter()
            .map(|k| k.ready.clone())
            .collect();
        Self::build(ctx, deliverer, semaphore, &streams, None)
    }

    fn build(
        ctx: RoleContext,
        deliverer: Arc<Deliverer>,
        semaphore: Arc<Semaphore>,
        streams: &[String],
        block: Option<Duration>,
    ) -> Sender {
        let visibility = ctx.settings.sender.visibility_timeout;
        let readers = streams
            .iter()
            .map(|stream| {
                let name = StreamConsumer::unique_name("sender");
                let mut consumer = StreamConsumer::new(ctx.redis.clone(), stream, GROUP, &name)
                    .retry_pause(REDIS_PAUSE);
                if let Some(block) = block {
                    consumer = consumer.blocking(block);
                }
                ShardReader {
                    ack: consumer.acknowledger(),
                    consumer,
                    last_claim: Instant::now() - visibility,
                }
            })
            .collect();
        Sender {
            deliverer,
            readers,
            next: 0,
            semaphore,
            tasks: JoinSet::new(),
            claim_every: (visibility / 4).max(Duration::from_millis(250)),
            ctx,
        }
    }

    /// One turn: waits for a free delivery slot, takes over abandoned entries or reads new
    /// ones, claims their rows, acknowledges the stale ones and starts a delivery for each won
    /// claim. Deliveries run on; [`Sender::settle`] waits for them.
    pub async fn step(&mut self, shutdown: &CancellationToken) -> StepOutcome {
        self.reap();
        // Wait for a free slot before taking entries, so nothing is read that cannot start.
        let first_permit = tokio::select! {
            p = self.semaphore.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return StepOutcome::Stopped,
            },
            _ = shutdown.cancelled() => return StepOutcome::Stopped,
        };
        let (reader, entries) = match self.take(shutdown).await {
            Ok(None) => return StepOutcome::Idle,
            Ok(Some(taken)) => taken,
            Err(outcome) => return outcome,
        };
        let claimed = match self.deliverer.claim(&entries).await {
            Ok(c) => c,
            Err(e) => {
                // Left unacknowledged: taken over again after the visibility timeout.
                tracing::warn!(error = %e, "cannot claim ready entries");
                drop(first_permit);
                sleep_or_cancel(CLAIM_PAUSE, shutdown).await;
                return StepOutcome::Unavailable;
            }
        };
        let taken = entries.len();
        let ack = self.readers[reader].ack.clone();
        self.dispatch(&ack, entries, claimed, first_permit).await;
        StepOutcome::Worked { taken }
    }

    /// Entries of the first reader, in turn, that has any: with the index of that reader.
    async fn take(
        &mut self,
        shutdown: &CancellationToken,
    ) -> Result<Option<(usize, Vec<ReadyEntry>)>, StepOutcome> {
        // No more than can start now: taken entries wait for a slot while their rows age
        // towards the next takeover. The held permit counts as one.
        let count = (self.semaphore.available_permits() + 1).min(MAX_BATCH);
        let visibility = self.ctx.settings.sender.visibility_timeout;
        let mut unavailable = false;
        for _ in 0..self.readers.len() {
            let i = self.next;
            self.next = (i + 1) % self.readers.len();
            let reader = &mut self.readers[i];
            match reader
                .take(visibility, self.claim_every, count, shutdown)
                .await
            {
                Ok(entries) if entries.is_empty() => {}
                Ok(entries) => return Ok(Some((i, entries))),
                Err(StepOutcome::Stopped) => return Err(StepOutcome::Stopped),
                Err(_) => unavailable = true,
            }
        }
        if unavailable {
            Err(StepOutcome::Unavailable)
        } else {
            Ok(None)
        }
    }

    /// Acknowledges malformed, stale (rescheduled, cancelled, already taken) and duplicate
    /// entries, and starts a delivery for each won claim.
    async fn dispatch(
        &mut self,
        ack: &Acknowledger,
        entries: Vec<ReadyEntry>,
        mut claimed: HashMap<Member, Claimed>,
        first_permit: OwnedSemaphorePermit,
    ) {
        let (won, dropped): (Vec<ReadyEntry>, Vec<ReadyEntry>) = entries
            .into_iter()
            .partition(|e| e.member.is_some_and(|m| claimed.contains_key(&m)));
        if !dropped.is_empty() {
            crate::ops::metrics::stale_dropped(dropped.len() as u64);
            let ids: Vec<&str> = dropped.iter().map(|e| e.stream_id.as_str()).collect();
            ack.ack(&mut self.ctx.schedule.connection(), &ids).await;
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
                None => match self.semaphore.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let deliverer = self.deliverer.clone();
            let mut ack_conn = self.ctx.schedule.connection();
            let ack = ack.clone();
            self.tasks.spawn(async move {
                let ok = deliverer
                    .deliver_in_slot(work, entry.due_ms, Some(permit))
                    .await;
                if ok {
                    ack.ack(&mut ack_conn, &[&entry.stream_id]).await;
                }
            });
        }
        ack.ack(&mut self.ctx.schedule.connection(), &duplicates)
            .await;
    }

    /// Collects deliveries that finished, without waiting.
    fn reap(&mut self) {
        while let Some(done) = self.tasks.try_join_next() {
            if let Err(e) = done {
                // Its entry stays unacknowledged and is taken over after the visibility timeout.
                tracing::error!(error = %e, "a delivery task failed");
            }
        }
    }

    /// Waits for every delivery in flight to record its outcome; returns how many there were.
    pub async fn settle(&mut self) -> usize {
        let mut finished = 0;
        while let Some(done) = self.tasks.join_next().await {
            finished += 1;
            if let Err(e) = done {
                tracing::error!(error = %e, "a delivery task failed");
            }
        }
        finished
    }
}

impl ShardReader {
    /// Entries taken over from a sender that stopped, when a sweep is due, else new entries.
    async fn take(
        &mut self,
        visibility: Duration,
        claim_every: Duration,
        count: usize,
        shutdown: &CancellationToken,
    ) -> Result<Vec<ReadyEntry>, StepOutcome> {
        if self.consumer.sweeping() || self.last_claim.elapsed() >= claim_every {
            self.last_claim = Instant::now();
            match self.consumer.reclaim(visibility, count).await {
                Ok(claimed) if !claimed.is_empty() => {
                    return Ok(claimed.iter().map(parse_entry).collect())
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "XAUTOCLAIM failed"),
            }
        }
        match self.consumer.read(count, shutdown).await {
            Read::Entries(entries) => Ok(entries.iter().map(parse_entry).collect()),
            Read::GroupLost | Read::Unavailable => Err(StepOutcome::Unavailable),
            Read::Stopped => Err(StepOutcome::Stopped),
        }
    }
}

pub async fn run(ctx: RoleContext, channels: Channels, shutdown: CancellationToken) {
    let mut loops = JoinSet::new();
    for sender in Sender::per_shard(ctx, channels) {
        loops.spawn(run_one(sender, shutdown.clone()));
    }
    while loops.join_next().await.is_some() {}
    tracing::info!("sender stopped");
}

async fn run_one(mut sender: Sender, shutdown: CancellationToken) {
    for reader in &sender.readers {
        tracing::info!(consumer = %reader.consumer.name(), "sender started");
    }
    while !shutdown.is_cancelled() {
        if sender.step(&shutdown).await == StepOutcome::Stopped {
            break;
        }
    }
    // Stop taking work, let in-flight sends finish and record their outcome.
    if tokio::time::timeout(DRAIN_TIMEOUT, sender.settle())
        .await
        .is_err()
    {
        tracing::warn!("in-flight sends did not finish in time; their entries will be taken over");
    }
}
