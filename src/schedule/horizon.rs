//! The horizon: Redis holds only what falls due before the edge (about `CHIME_SCHEDULE_HORIZON`
//! ahead); later rows live only in PostgreSQL, and the leader loads them ahead of time.
//!
//! Two marks in `{prefix}:horizon` (epoch ms, both only ever raised):
//! - `edge`: a write ([`super::Schedule::put`]/`put_many`) adds its entry only if it is due before
//!   the edge; the check is part of the script that adds it.
//! - `loaded`: every scheduled row due before it is in the schedule (or already promoted).
//!
//! A pass raises `edge` to now + horizon *before* it reads PostgreSQL, reads the rows due in
//! `[loaded, edge)` in keyset pages by `(due_at, id)`, adds them, and only then raises `loaded`.
//! A row committed during a pass is therefore never missed: its writer checks the edge after its
//! commit; if that was before the edge was raised, the commit also precedes the pass's reads,
//! which see it; if after, the writer sees the raised edge and adds the entry itself. Adding an
//! entry twice is harmless (same member), and versions make stale ones drop at the claim.
//!
//! With shards, every shard has its own marks (writers read their shard's); a pass raises all
//! edges, reads from the lowest `loaded` to the lowest edge, and routes rows to their shards.
//!
//! A flush takes both marks: writers then add every entry (no edge), and the next pass reads
//! from the beginning (no `loaded`). `loaded` is only recorded while the edge it was read up to
//! is still there.

use super::error::ReconcileError;
use super::score_ms;
use crate::db::{self, notifications as q};
use crate::schedule::RoleContext;
use chrono::{DateTime, Utc};
use redis::Script;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Rows read and added per round trip.
pub const PAGE: i64 = 1000;
/// Entries past the edge dropped per pass (left by writes made without an edge).
const TRIM: usize = 1000;
/// Bounds of the pause between passes: a quarter of the horizon, but often enough that each
/// pass adds a small slice, and not so often that an idle pass costs anything.
const LOAD_EVERY_MAX: Duration = Duration::from_secs(5);
const LOAD_EVERY_MIN: Duration = Duration::from_millis(100);

/// How often the leader runs a pass for a given horizon.
pub fn load_every(horizon: Duration) -> Duration {
    (horizon / 4).clamp(LOAD_EVERY_MIN, LOAD_EVERY_MAX)
}

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Rows read from PostgreSQL and put into the schedule.
    pub rows: usize,
    /// Pages read.
    pub pages: usize,
    /// Everything due before this (epoch ms) is now in the schedule.
    pub edge_ms: i64,
    /// Whether `loaded` was recorded (false when a flush took the edge during the pass).
    pub recorded: bool,
}

pub struct Loader {
    raise: Script,
    mark: Script,
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

impl Loader {
    pub fn new() -> Loader {
        Loader {
            raise: Script::new(include_str!("lua/raise_edge.lua")),
            mark: Script::new(include_str!("lua/mark_loaded.lua")),
        }
    }

    /// One pass: raises the edge to `now + horizon` and loads what lies between the `loaded`
    /// mark and the edge; with `from_start`, every scheduled row before the edge (a rebuild).
    pub async fn pass(
        &self,
        ctx: &RoleContext,
        from_start: bool,
    ) -> Result<Loaded, ReconcileError> {
        self.pass_at(ctx, Utc::now(), from_start).await
    }

    /// [`Self::pass`] as of `now`.
    pub async fn pass_at(
        &self,
        ctx: &RoleContext,
        now: DateTime<Utc>,
        from_start: bool,
    ) -> Result<Loaded, ReconcileError> {
        let horizon = chrono::Duration::from_std(ctx.settings.scheduler.horizon)
            .unwrap_or_else(|_| chrono::Duration::hours(1));
        let mut conn = ctx.schedule.connection();
        // Every shard's edge is raised first; the pass reads up to the lowest of them, from the
        // lowest `loaded`, and routes each row to its shard.
        let mut edge_ms = i64::MAX;
        let mut loaded_ms = Some(i64::MAX);
        for keys in ctx.schedule.shards() {
            let (edge, loaded): (String, String) = self
                .raise
                .key(&keys.horizon)
                .key(&keys.schedule)
                .arg(score_ms(now + horizon))
                .arg(TRIM)
                .invoke_async(&mut conn)
                .await?;
            edge_ms = edge_ms.min(edge.parse().map_err(|_| bad_mark("edge", &edge))?);
            loaded_ms = match (loaded_ms, from_start, loaded.as_str()) {
                (None, _, _) | (_, true, _) | (_, _, "") => None,
                (Some(low), false, v) => {
                    Some(low.min(v.parse().map_err(|_| bad_mark("loaded", v))?))
                }
            };
        }
        // Scores are due times rounded up to the millisecond: an entry is in when its score is
        // below the edge, i.e. its due time is at or before the millisecond before it.
        let until = from_ms(edge_ms - 1)?;
        let after = loaded_ms.map(|ms| from_ms(ms - 1)).transpose()?;
        let mut cursor: Option<(DateTime<Utc>, Uuid)> = None;
        let (mut rows, mut pages) = (0, 0);
        loop {
            let page = db::run(&ctx.pool, move |conn| {
                q::scheduled_due_page(conn, after, until, cursor, PAGE).map_err(db::DbError::from)
            })
            .await?;
            pages += 1;
            rows += page.len();
            ctx.schedule.put_many(&page).await?;
            match page.last() {
                Some((id, _, due)) if page.len() as i64 == PAGE => cursor = Some((*due, *id)),
                _ => break,
            }
        }
        let mut recorded = true;
        for keys in ctx.schedule.shards() {
            let marked: i64 = self
                .mark
                .key(&keys.horizon)
                .arg(edge_ms)
                .invoke_async(&mut conn)
                .await?;
            recorded &= marked == 1;
        }
        Ok(Loaded {
            rows,
            pages,
            edge_ms,
            recorded,
        })
    }
}

/// Runs a pass and logs what it did; errors are logged and retried by the next pass.
pub async fn pass_logged(loader: &Loader, ctx: &RoleContext) {
    let started = Instant::now();
    match loader.pass(ctx, false).await {
        Ok(loaded) if loaded.rows > 0 => tracing::debug!(
            rows = loaded.rows,
            pages = loaded.pages,
            ms = started.elapsed().as_millis() as u64,
            "loaded reminders coming within the horizon"
        ),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %crate::telemetry::error_chain(&e), "horizon load failed")
        }
    }
}

fn from_ms(ms: i64) -> Result<DateTime<Utc>, ReconcileError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| bad_mark("edge", &ms.to_string()))
}

fn bad_mark(name: &str, value: &str) -> ReconcileError {
    ReconcileError::Redis(redis::RedisError::from((
        redis::ErrorKind::TypeError,
        "the horizon mark is not a time",
        format!("{name} = {value:?}"),
    )))
}
