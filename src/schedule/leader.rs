//! The scheduler role: one leader per shard at a time (a Redis lock with a random token and a
//! TTL, renewed by compare-and-extend) promotes the shard's due entries; standbys only try to
//! take the lock. Schedulers announce themselves in `{prefix}:schedulers` (a ZSET of tokens
//! scored by the end of their heartbeat), and none leads more than ceil(shards / live) shards,
//! handing the excess over when another joins.
//!
//! The leader sleeps until the earliest due time, woken early through `{prefix}:wake` when an
//! earlier entry is scheduled, so lag is milliseconds without polling.

pub use super::lock::LeaderLock;
use super::promoter::{Promoted, Promoter};
use super::reconciler::ReconcileTask;
use super::{RedisClient, RedisConn};
use crate::ops::metrics;
use crate::schedule::RoleContext;
use crate::stream::sleep_or_cancel;
use chrono::{DateTime, Utc};
use rand::RngCore;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often a standby tries to take the lock. A takeover then comes at most this long after
/// the lock expired, well within the TTL budget, for one cheap `SET NX` per standby.
const ACQUIRE_EVERY: Duration = Duration::from_millis(150);
/// Pause before retrying a lock renewal or a promotion that failed with an error.
const RETRY_AFTER: Duration = Duration::from_millis(200);
/// How long a blocking read may stay unanswered past its own timeout before its connection is
/// presumed dead and replaced.
const WAKE_GRACE: Duration = Duration::from_secs(2);

/// Runs until shutdown: one loop per shard takes the shard's lock when it is free and this
/// process holds less than its fair share, and while leading promotes the shard's due entries.
/// The leader of shard 0 also reconciles the whole schedule with PostgreSQL and loads the
/// horizon (for every shard: rows are routed to their shard by id).
pub async fn run(ctx: RoleContext, shutdown: CancellationToken) {
    let shards = ctx.schedule.shards().len();
    let fleet = Arc::new(Fleet::new(&ctx, shards));
    let mut tasks = tokio::task::JoinSet::new();
    if shards > 1 {
        // Announced before any lock is taken, so processes starting together share at once.
        fleet.beat(&mut ctx.schedule.connection()).await;
        tasks.spawn(fleet.clone().heartbeats(ctx.clone(), shutdown.clone()));
    }
    for shard in 0..shards {
        tasks.spawn(run_shard(
            ctx.clone(),
            shard,
            fleet.clone(),
            shutdown.clone(),
        ));
    }
    while tasks.join_next().await.is_some() {}
}

/// This process among the live schedulers: how many shards it leads, and how many it may.
struct Fleet {
    shards: usize,
    held: AtomicUsize,
    /// Live schedulers at the last heartbeat (this one included).
    live: AtomicUsize,
    token: String,
    key: String,
    ttl: Duration,
}

impl Fleet {
    fn new(ctx: &RoleContext, shards: usize) -> Fleet {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Fleet {
            shards,
            held: AtomicUsize::new(0),
            live: AtomicUsize::new(1),
            token: hex::encode(bytes),
            key: ctx.schedule.keys().schedulers.clone(),
            ttl: ctx.settings.scheduler.leader_ttl,
        }
    }

    /// At most ceil(shards / live schedulers) each.
    fn share(&self) -> usize {
        self.shards
            .div_ceil(self.live.load(Ordering::Relaxed).max(1))
    }

    fn may_take(&self) -> bool {
        self.held.load(Ordering::Relaxed) < self.share()
    }

    fn took(&self) {
        self.held.fetch_add(1, Ordering::Relaxed);
        metrics::set_leader(true);
    }

    fn gave_up(&self) {
        let before = self.held.fetch_sub(1, Ordering::Relaxed);
        metrics::set_leader(before > 1);
    }

    /// Reserves one shard to hand over when this process leads more than its share (another
    /// scheduler joined); the caller releases it and calls [`Self::gave_up`].
    fn take_excess(&self) -> bool {
        let share = self.share();
        self.held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                (held > share).then(|| held - 1)
            })
            .is_ok()
    }

    /// Announces this process until shortly after its last beat, drops those whose
    /// announcement ran out, and counts the rest.
    async fn beat(&self, conn: &mut impl redis::aio::ConnectionLike) {
        let now = Utc::now().timestamp_millis();
        // Beats come every quarter of the TTL and last three quarters: a dead scheduler drops out
        // within the TTL, while one missed beat of a live one does not.
        let until = now + (self.ttl.as_millis() as i64) * 3 / 4;
        let counted: redis::RedisResult<((), (), usize)> = redis::pipe()
            .zadd(&self.key, &self.token, until)
            .zrembyscore(&self.key, "-inf", now)
            .zcard(&self.key)
            .query_async(conn)
            .await;
        match counted {
            Ok((_, _, live)) => self.live.store(live.max(1), Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "scheduler heartbeat failed"),
        }
    }

    async fn heartbeats(self: Arc<Self>, ctx: RoleContext, shutdown: CancellationToken) {
        let mut conn = ctx.schedule.connection();
        while !shutdown.is_cancelled() {
            sleep_or_cancel(self.ttl / 4, &shutdown).await;
            if !shutdown.is_cancelled() {
                self.beat(&mut conn).await;
            }
        }
        let left: redis::RedisResult<i64> = redis::cmd("ZREM")
            .arg(&self.key)
            .arg(&self.token)
            .query_async(&mut conn)
            .await;
        if let Err(e) = left {
            tracing::debug!(error = %e, "could not withdraw the scheduler's announcement");
        }
    }
}

/// The leader loop of one shard.
async fn run_shard(ctx: RoleContext, shard: usize, fleet: Arc<Fleet>, shutdown: CancellationToken) {
    let keys = ctx.schedule.shards()[shard].clone();
    let ttl = ctx.settings.scheduler.leader_ttl;
    let renew_every = ttl / 3;
    let lock = LeaderLock::with_token(&keys.leader, ttl, format!("{}-{shard}", fleet.token));
    let mut conn = ctx.schedule.connection();
    let promoter = Promoter::new(keys.clone());
    let mut wake = Wake::new(ctx.redis.clone(), keys.wake.clone());
    let mut term: Option<Term> = None;
    // After handing a shard over, leave it to the others for a while.
    let mut hold_off_until = Instant::now();

    while !shutdown.is_cancelled() {
        let Some(current) = term.as_mut() else {
            if Instant::now() < hold_off_until || !fleet.may_take() {
                sleep_or_cancel(ACQUIRE_EVERY, &shutdown).await;
                continue;
            }
            // Taken before asking, so the renewal is never later than the lock's TTL allows.
            let asked = Instant::now();
            match lock.try_acquire(&mut conn).await {
                Ok(true) => {
                    fleet.took();
                    tracing::info!(shard, "became scheduler leader");
                    term = Some(Term {
                        renew_at: asked + renew_every,
                        reconcile: (shard == 0).then(|| ReconcileTask::start(ctx.clone())),
                    });
                }
                Ok(false) => sleep_or_cancel(ACQUIRE_EVERY, &shutdown).await,
                Err(e) => {
                    tracing::warn!(error = %e, "leader lock check failed");
                    sleep_or_cancel(ACQUIRE_EVERY, &shutdown).await;
                }
            }
            continue;
        };
        if fleet.take_excess() {
            if let Err(e) = lock.release(&mut conn).await {
                tracing::warn!(error = %e, "could not release the leader lock");
            }
            end_term(&mut term, &mut wake, "handed over to another scheduler").await;
            // `take_excess` already counted it out.
            metrics::set_leader(fleet.held.load(Ordering::Relaxed) > 0);
            hold_off_until = Instant::now() + ttl;
            continue;
        }
        if Instant::now() >= current.renew_at {
            let asked = Instant::now();
            match lock.renew(&mut conn).await {
                Ok(true) => current.renew_at = asked + renew_every,
                Ok(false) => {
                    end_term(&mut term, &mut wake, "lock lost").await;
                    fleet.gave_up();
                    continue;
                }
                Err(e) => {
                    // Cannot tell whether we still lead: the promotion script re-checks the token.
                    tracing::warn!(error = %e, "leader lock renewal failed");
                    current.renew_at = Instant::now() + RETRY_AFTER;
                }
            }
        }
        let renew_at = current.renew_at;
        let next_due_ms = match promoter.promote_due(&mut conn, lock.token()).await {
            Ok(Promoted::NotLeader) => {
                end_term(&mut term, &mut wake, "token no longer matches").await;
                fleet.gave_up();
                continue;
            }
            Ok(Promoted::Moved { next_due_ms, .. }) => next_due_ms,
            Err(e) => {
                tracing::warn!(error = %e, "promotion failed");
                sleep_or_cancel(RETRY_AFTER, &shutdown).await;
                continue;
            }
        };
        // Sleep until the next due entry, but wake in time to renew the lock.
        let now = Instant::now();
        let deadline = match next_due_ms {
            Some(due_ms) => renew_at.min(now + until(due_ms)),
            None => renew_at,
        };
        if deadline > now {
            wake.wait(deadline, renew_at, &shutdown).await;
        }
    }
    wake.reset();
    if let Some(current) = term.take() {
        if let Some(reconcile) = current.reconcile {
            reconcile.stop().await;
        }
        // Let a standby take over at once instead of after the TTL.
        if let Err(e) = lock.release(&mut conn).await {
            tracing::warn!(error = %e, "could not release the leader lock");
        }
        fleet.gave_up();
        tracing::info!(shard, "released scheduler leadership");
    }
}

/// What this process holds while it leads a shard.
struct Term {
    /// When the lock is next extended: a third of the TTL after the last extension, which
    /// leaves time to retry a failed renewal before the lock expires.
    renew_at: Instant,
    /// Shard 0's leader only.
    reconcile: Option<ReconcileTask>,
}

async fn end_term(term: &mut Option<Term>, wake: &mut Wake, why: &str) {
    tracing::warn!(reason = why, "lost scheduler leadership");
    // The new leader reads the wake list now; a read of ours left blocked would take its items.
    wake.reset();
    if let Some(current) = term.take() {
        if let Some(reconcile) = current.reconcile {
            reconcile.stop().await;
        }
    }
}

/// Time from now until the epoch millisecond `due_ms`; zero when it has passed.
fn until(due_ms: i64) -> Duration {
    DateTime::<Utc>::from_timestamp_millis(due_ms)
        .and_then(|due| (due - Utc::now()).to_std().ok())
        .unwrap_or(Duration::ZERO)
}

type Reply = Pin<Box<dyn Future<Output = redis::RedisResult<redis::Value>> + Send>>;

/// Waits for an item on `{prefix}:wake` with BLPOP on a connection of its own, so the blocking
/// read never delays lock renewals and promotions, and no response timeout cuts it short.
///
/// Redis only checks blocking timeouts at its `hz` tick (100 ms by default), too coarse for
/// due times, so a local timer ends the wait. The timer must not drop the read: Redis would
/// still hand the next wake item to the blocked read, and that wake-up would be lost. A read the
/// timer interrupts therefore stays in flight and the next wait resumes it; an item it took
/// meanwhile ends that wait at once.
struct Wake {
    client: RedisClient,
    key: String,
    conn: Option<RedisConn>,
    pending: Option<Pending>,
}

struct Pending {
    reply: Reply,
    give_up_at: Instant,
}

enum Listen {
    /// A wake item was taken.
    Woken,
    /// The read timed out on the server: read again.
    TimedOut,
    /// No connection, or it failed.
    Failed,
}

impl Wake {
    fn new(client: RedisClient, key: String) -> Wake {
        Wake {
            client,
            key,
            conn: None,
            pending: None,
        }
    }

    /// Drops the read in flight together with its connection; closing the connection unblocks
    /// it on the server, so it takes no more items.
    fn reset(&mut self) {
        self.pending = None;
        self.conn = None;
    }

    /// Returns at `deadline`, when a wake item is taken (then true), or on shutdown. Each
    /// blocking read times out on the server by `listen_until` (the next renewal), so a read can
    /// never outlive this process's claim on the lock and take items meant for a new leader.
    async fn wait(
        &mut self,
        deadline: Instant,
        listen_until: Instant,
        shutdown: &CancellationToken,
    ) -> bool {
        let timer = tokio::time::sleep_until(deadline.into());
        tokio::pin!(timer);
        loop {
            let outcome = tokio::select! {
                outcome = self.listen(listen_until) => outcome,
                _ = &mut timer => return false,
                _ = shutdown.cancelled() => return false,
            };
            match outcome {
                Listen::Woken => return true,
                Listen::TimedOut => continue,
                Listen::Failed => {
                    // Without a working connection the timer alone bounds the wait.
                    tokio::select! {
                        _ = &mut timer => {}
                        _ = shutdown.cancelled() => {}
                    }
                    return false;
                }
            }
        }
    }

    /// Resumes the read in flight or starts one, and waits for its outcome. Cancel-safe: when
    /// this future is dropped the read stays in `self.pending`.
    async fn listen(&mut self, listen_until: Instant) -> Listen {
        if self.pending.is_none() {
            if self.conn.is_none() {
                // No response timeout: the wait's own timer bounds the read (`give_up_at`).
                match self.client.dedicated(None).await {
                    Ok(c) => self.conn = Some(c),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot open the wake-up connection");
                        return Listen::Failed;
                    }
                }
            }
            let Some(conn) = self.conn.clone() else {
                return Listen::Failed;
            };
            // BLPOP's timeout 0 would block forever; it takes fractional seconds (Redis ≥ 6).
            let timeout = listen_until
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(10));
            let mut cmd = redis::cmd("BLPOP");
            cmd.arg(&self.key)
                .arg(format!("{:.3}", timeout.as_secs_f64()));
            let reply: Reply = Box::pin(async move {
                let mut conn = conn;
                cmd.query_async::<redis::Value>(&mut conn).await
            });
            self.pending = Some(Pending {
                reply,
                give_up_at: Instant::now() + timeout + WAKE_GRACE,
            });
        }
        let Some(pending) = self.pending.as_mut() else {
            return Listen::Failed;
        };
        let reply = tokio::select! {
            reply = &mut pending.reply => reply,
            _ = tokio::time::sleep_until(pending.give_up_at.into()) => {
                tracing::warn!("wake-up read unanswered; reconnecting");
                self.reset();
                return Listen::Failed;
            }
        };
        self.pending = None;
        match reply {
            Ok(redis::Value::Nil) => Listen::TimedOut,
            Ok(_) => Listen::Woken,
            Err(e) => {
                tracing::warn!(error = %e, "wake-up read failed");
                self.conn = None;
                Listen::Failed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against the real Redis: compare-and-extend, and that no wake-up is lost.

    use super::{LeaderLock, Wake};
    use crate::schedule::testing::TestRedis;
    use redis::AsyncCommands;
    use std::time::{Duration, Instant};
    use tokio_util::sync::CancellationToken;

    #[tokio::test]
    async fn only_the_holder_renews_or_releases_the_lock() {
        let redis = TestRedis::new();
        let mut conn = redis.conn().await;
        let ttl = Duration::from_secs(30);
        let holder = LeaderLock::new(&redis.keys.leader, ttl);
        let other = LeaderLock::new(&redis.keys.leader, ttl);
        assert_ne!(holder.token(), other.token());

        assert!(holder.try_acquire(&mut conn).await.unwrap());
        assert!(!other.try_acquire(&mut conn).await.unwrap(), "held");

        // Shortened, so an extension is visible in the remaining TTL.
        let _: bool = conn.pexpire(&redis.keys.leader, 1_000).await.unwrap();
        assert!(
            !other.renew(&mut conn).await.unwrap(),
            "a wrong token never extends"
        );
        let left: i64 = conn.pttl(&redis.keys.leader).await.unwrap();
        assert!((0..=1_000).contains(&left), "not extended: {left} ms left");
        let value: Option<String> = conn.get(&redis.keys.leader).await.unwrap();
        assert_eq!(value.as_deref(), Some(holder.token()), "not taken over");

        assert!(holder.renew(&mut conn).await.unwrap());
        let left: i64 = conn.pttl(&redis.keys.leader).await.unwrap();
        assert!(left > 1_000, "extended to the TTL: {left} ms left");

        other.release(&mut conn).await.unwrap();
        let value: Option<String> = conn.get(&redis.keys.leader).await.unwrap();
        assert_eq!(
            value.as_deref(),
            Some(holder.token()),
            "released only by its holder"
        );
        holder.release(&mut conn).await.unwrap();
        assert!(
            !holder.renew(&mut conn).await.unwrap(),
            "a released lock is not renewed"
        );
        assert!(other.try_acquire(&mut conn).await.unwrap(), "free again");
    }

    #[tokio::test]
    async fn a_wake_up_arriving_after_the_timer_ended_a_wait_is_not_lost() {
        let redis = TestRedis::new();
        let mut conn = redis.conn().await;
        let mut wake = Wake::new(redis.client.clone().into(), redis.keys.wake.clone());
        let shutdown = CancellationToken::new();
        let listen_until = Instant::now() + Duration::from_secs(30);

        // Timers end these waits while their read is still blocked on the server.
        let deadline = Instant::now() + Duration::from_secs(10);
        while wake.pending.is_none() {
            assert!(Instant::now() < deadline, "no read was ever started");
            let woken = wake
                .wait(
                    Instant::now() + Duration::from_millis(20),
                    listen_until,
                    &shutdown,
                )
                .await;
            assert!(!woken);
        }
        let _: () = conn.rpush(&redis.keys.wake, "1").await.unwrap();
        // The read left in flight takes the item.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let queued: usize = conn.llen(&redis.keys.wake).await.unwrap();
            if queued == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the wake item was never taken");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The next wait sees it at once instead of sleeping until its deadline.
        let woken = wake
            .wait(
                Instant::now() + Duration::from_secs(20),
                listen_until,
                &shutdown,
            )
            .await;
        assert!(woken, "the wake-up was lost");
    }
}
