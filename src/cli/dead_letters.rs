//! `chime dead-letters list|replay`: notifications that ran out of attempts, and sending them
//! again. Replaying everything goes in bounded batches, each its own transaction.

use super::output::time;
use super::{parse_id, warn_schedule, Ctx, ACTOR};
use crate::api::bulk::MAX_PER_CALL;
use crate::api::notifications::{self as api, FILTERS};
use crate::api::{view, ApiError};
use crate::domain::{NotificationId, NotificationStatus, TenantId};
use crate::lifecycle::{self, after_commit};
use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dead notifications, newest first
    List {
        #[command(flatten)]
        filter: Filter,
        /// At most this many (1 to 500)
        #[arg(long, default_value = "50")]
        limit: String,
    },
    /// Replay one dead notification, or with --all every one matching the filter
    Replay {
        /// Notification id
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Replay every dead notification matching --channel and --since
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        filter: Filter,
    },
}

#[derive(Debug, Args)]
pub struct Filter {
    /// email, sms or webhook
    #[arg(long)]
    channel: Option<String>,
    /// Only those due at or after this time: RFC 3339 (2030-01-01T09:00:00Z) or an age such
    /// as 30m, 6h or 2d
    #[arg(long, value_name = "TIME|AGE")]
    since: Option<String>,
}

impl Filter {
    fn query(self) -> anyhow::Result<HashMap<String, String>> {
        let mut query = HashMap::new();
        if let Some(c) = self.channel {
            query.insert("channel".to_string(), c);
        }
        if let Some(s) = self.since {
            query.insert("due_after".to_string(), since(&s, Utc::now())?);
        }
        Ok(query)
    }

    fn is_empty(&self) -> bool {
        self.channel.is_none() && self.since.is_none()
    }
}

/// `--since` as the API's `due_after`: an RFC 3339 time as given, or now minus an age.
fn since(raw: &str, now: DateTime<Utc>) -> anyhow::Result<String> {
    let raw = raw.trim();
    if raw.contains('T') {
        return Ok(raw.to_string());
    }
    let bad =
        || anyhow::anyhow!("--since: '{raw}' is neither an RFC 3339 time nor an age like 30m");
    let split = raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let n: i64 = raw[..split].parse().map_err(|_| bad())?;
    let age = match &raw[split..] {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    Ok(time(now - age))
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::List { filter, limit } => {
            let mut query = filter.query()?;
            query.insert("status".into(), NotificationStatus::Dead.as_str().into());
            query.insert("limit".into(), limit);
            super::notifications::list(ctx, &query, &FILTERS).await
        }
        Command::Replay {
            id: Some(id),
            filter,
            ..
        } => {
            if !filter.is_empty() {
                anyhow::bail!("--channel and --since go with --all, not with an id");
            }
            replay_one(ctx, &id).await
        }
        Command::Replay { filter, .. } => replay_all(ctx, filter).await,
    }
}

async fn replay_one(ctx: &Ctx, raw: &str) -> anyhow::Result<()> {
    let id = parse_id(raw, "notification")?;
    let tenant_id = ctx.tenant.id;
    let row = ctx
        .db(&format!("notification {id}"), move |conn| {
            lifecycle::replay::replay_one(conn, TenantId(tenant_id), NotificationId(id), ACTOR)
                .map_err(ApiError::from)
        })
        .await?;
    match ctx.schedule().await {
        Ok(s) => warn_schedule(after_commit::schedule(&s, &row, None).await),
        Err(_) => warn_schedule(false),
    }
    ctx.emit(view::notification(&row), || {
        format!("replayed notification {}: due now", row.id)
    });
    Ok(())
}

async fn replay_all(ctx: &Ctx, filter: Filter) -> anyhow::Result<()> {
    let mut query = filter.query()?;
    let given = json!(query);
    query.insert("status".into(), NotificationStatus::Dead.as_str().into());
    let allowed: Vec<&str> = FILTERS.iter().copied().filter(|f| *f != "sort").collect();
    let f = api::list_filter(&query, &allowed).map_err(|e| super::error(e, "notification"))?;
    let schedule = ctx.schedule().await;
    let tenant_id = ctx.tenant.id;
    let (mut replayed, mut skipped, mut batches) = (0usize, Vec::<Value>::new(), 0usize);
    let mut scheduled = schedule.is_ok();
    loop {
        let (f, given) = (f.clone(), given.clone());
        let (rows, skips, remaining) = ctx
            .db("notification", move |conn| {
                lifecycle::replay::replay_matching(conn, tenant_id, &f, MAX_PER_CALL, ACTOR, &given)
                    .map_err(ApiError::from)
            })
            .await?;
        batches += 1;
        // One round trip per batch; a failure is reported once (the reconciler adds them).
        if let Ok(s) = &schedule {
            let rows: Vec<_> = rows.iter().collect();
            scheduled &= after_commit::schedule_many(s, &rows).await;
        }
        replayed += rows.len();
        // Skipped rows stay dead and match again: a batch that replays nothing is the end.
        let done = rows.is_empty() || remaining <= skips.len() as i64;
        // The same skipped rows come back in every batch: list each once.
        for s in skips {
            if !skipped.iter().any(|k| k["id"] == s["id"]) {
                skipped.push(s);
            }
        }
        if done {
            break;
        }
    }
    warn_schedule(scheduled || replayed == 0);
    ctx.emit(
        json!({"replayed": replayed, "skipped": skipped, "batches": batches}),
        || {
            let mut text =
                format!("replayed {replayed} dead notification(s) in {batches} batch(es)");
            for s in &skipped {
                text.push_str(&format!(
                    "\nskipped {}: {}",
                    s["id"].as_str().unwrap_or("?"),
                    s["reason"].as_str().unwrap_or("")
                ));
            }
            text
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_or_an_age() {
        let now = DateTime::parse_from_rfc3339("2030-01-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(since("6h", now).unwrap(), "2030-01-01T18:00:00Z");
        assert_eq!(since("2d", now).unwrap(), "2029-12-31T00:00:00Z");
        assert_eq!(
            since("2030-01-01T09:00:00Z", now).unwrap(),
            "2030-01-01T09:00:00Z"
        );
        for bad in ["soon", "6", "6w", "h"] {
            assert!(since(bad, now).is_err(), "{bad}");
        }
    }
}
