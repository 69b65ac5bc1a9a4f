//! `chime status`: what an operator checks first when reminders seem late.

use super::output::{age, fields, opt};
use super::Ctx;
use crate::api::stats::{queue_depths, LAG_WINDOW_SECS};
use crate::api::view::ts as time;
use crate::db::stats as q;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

/// The tenant's rows (shared with the dashboard's queries) and the deployment's Redis state.
pub async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let now = Utc::now();
    let tenant_id = ctx.tenant.id;
    let (counts, due, lag) = ctx
        .db("tenant", move |conn| {
            Ok((
                q::status_counts(conn, tenant_id)?,
                q::due(conn, tenant_id, now)?,
                q::lag(conn, tenant_id, now - Duration::seconds(LAG_WINDOW_SECS))?,
            ))
        })
        .await?;
    // Redis failing is part of the answer, not a reason to give none.
    let redis = match ctx.schedule().await {
        Ok(schedule) => {
            let read = async {
                let queues = queue_depths(&schedule).await?;
                let keys = schedule.keys();
                let mut conn = schedule.connection();
                let (full, periodic): (Option<String>, Option<i64>) = redis::pipe()
                    .get(&keys.reconciled)
                    .get(&keys.reconciled_at)
                    .query_async(&mut conn)
                    .await?;
                Ok::<_, redis::RedisError>((queues, full, periodic))
            };
            match tokio::time::timeout(std::time::Duration::from_secs(3), read).await {
                Ok(Ok(r)) => Ok(r),
                Ok(Err(e)) => Err(format!("Redis: {e}")),
                Err(_) => Err("Redis did not answer within 3 s".to_string()),
            }
        }
        Err(e) => Err(e.to_string()),
    };
    let oldest_age = due
        .oldest_overdue
        .map(|t| ((now - t).num_milliseconds() as f64 / 1000.0).max(0.0));
    let (queues, reconcile, redis_error) = match &redis {
        Ok((queues, full, periodic)) => {
            // The full-pass marker reads `running` during a pass and `done:<ms>` after one.
            let full_at = full
                .as_deref()
                .and_then(|v| v.strip_prefix("done:"))
                .and_then(|ms| ms.parse::<i64>().ok())
                .and_then(millis);
            let last_pass = periodic.and_then(millis);
            let reconcile = json!({
                "last_pass_at": last_pass.map(time),
                "last_full_pass_at": full_at.map(time),
                "full_pass_running": full.as_deref() == Some("running"),
            });
            (queues.clone(), reconcile, Value::Null)
        }
        Err(e) => (Value::Null, Value::Null, json!(e)),
    };
    let doc = json!({
        "tenant": {"id": ctx.tenant.id, "name": ctx.tenant.name},
        "generated_at": time(now),
        "leader": queues.get("leader").cloned().unwrap_or(Value::Null),
        "queues": {
            "schedule": queues.get("schedule"),
            "ready": queues.get("ready"),
            "pending": queues.get("pending"),
            "events": queues.get("events"),
        },
        "events_backlog": due.events_backlog,
        "overdue": {
            "count": due.overdue,
            "oldest_due_at": due.oldest_overdue.map(time),
            "oldest_age_seconds": oldest_age,
        },
        "lag": {
            "window_seconds": LAG_WINDOW_SECS,
            "samples": lag.samples,
            "p50_ms": lag.p50_ms,
            "p99_ms": lag.p99_ms,
            "max_ms": lag.max_ms,
        },
        "counts": counts.iter().map(|c| (c.status.clone(), json!(c.n))).collect::<serde_json::Map<_, _>>(),
        "count_cap": q::COUNT_CAP,
        "reconcile": reconcile,
        "redis_error": redis_error,
    });
    ctx.emit(doc, || {
        let n = |v: Option<&Value>| {
            v.and_then(Value::as_i64)
                .map_or("?".into(), |n| n.to_string())
        };
        let mut rows = vec![("tenant", format!("{} ({})", ctx.tenant.name, ctx.tenant.id))];
        match &redis {
            Ok((queues, _, _)) => {
                let leader = &queues["leader"];
                rows.push((
                    "leader",
                    if leader["present"].as_bool() == Some(true) {
                        format!(
                            "present, lease {} left",
                            age(leader["ttl_ms"].as_f64().unwrap_or(0.0) / 1000.0)
                        )
                    } else {
                        "NONE: nothing is being promoted".to_string()
                    },
                ));
                rows.push((
                    "queues",
                    format!(
                        "schedule {}  ready {}  pending {}  events {}",
                        n(queues.get("schedule")),
                        n(queues.get("ready")),
                        n(queues.get("pending")),
                        n(queues.get("events"))
                    ),
                ));
            }
            Err(e) => rows.push(("redis", format!("UNAVAILABLE: {e}"))),
        }
        rows.push(("events backlog", due.events_backlog.to_string()));
        rows.push((
            "overdue",
            match oldest_age {
                Some(a) => format!("{}, oldest {} late", due.overdue, age(a)),
                None => "0".into(),
            },
        ));
        rows.push((
            "lag (5 min)",
            match (lag.p50_ms, lag.p99_ms) {
                (Some(p50), Some(p99)) => {
                    format!("p50 {p50:.0} ms  p99 {p99:.0} ms  ({} sends)", lag.samples)
                }
                _ => "no sends".into(),
            },
        ));
        if redis.is_ok() {
            let at = |k: &str| reconcile[k].as_str().map(str::to_string);
            rows.push((
                "last reconcile",
                match (at("last_pass_at"), at("last_full_pass_at")) {
                    (None, None) => "never (no scheduler has run)".to_string(),
                    (pass, full) => format!("{} (full pass {})", opt(pass), opt(full)),
                },
            ));
        }
        rows.push((
            "notifications",
            counts
                .iter()
                .map(|c| format!("{} {}", c.status, c.n))
                .collect::<Vec<_>>()
                .join("  "),
        ));
        fields(&rows)
    });
    Ok(())
}

fn millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}
