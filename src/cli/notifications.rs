//! `chime notifications list|show|cancel`.

use super::output::{fields, opt, opt_time, table, time};
use super::{parse_id, warn_schedule, Ctx, ACTOR};
use crate::api::notifications::{self as api, FILTERS};
use crate::api::{view, ApiError};
use crate::db::{self, models::Notification, notifications as q, stats};
use crate::domain::{NotificationId, TenantId};
use crate::lifecycle::{self, after_commit};
use clap::{Args, Subcommand};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Newest first, filtered as GET /api/v1/notifications filters
    List(ListArgs),
    /// One notification with its attempts and audit trail
    Show {
        /// Notification id
        id: String,
    },
    /// Cancel a scheduled notification (a recurring series moves on to its next occurrence)
    Cancel {
        /// Notification id
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// scheduled, sending, sent, cancelled, expired, dead or suppressed
    #[arg(long)]
    status: Option<String>,
    /// email, sms or webhook
    #[arg(long)]
    channel: Option<String>,
    /// Exact recipient (address, phone number or URL)
    #[arg(long)]
    recipient: Option<String>,
    #[arg(long)]
    group_key: Option<String>,
    /// At most this many (1 to 500)
    #[arg(long, default_value = "50")]
    limit: String,
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::List(a) => {
            let mut query = HashMap::new();
            for (k, v) in [
                ("status", a.status),
                ("channel", a.channel),
                ("recipient", a.recipient),
                ("group_key", a.group_key),
                ("limit", Some(a.limit)),
            ] {
                if let Some(v) = v {
                    query.insert(k.to_string(), v);
                }
            }
            list(ctx, &query, &FILTERS).await
        }
        Command::Show { id } => show(ctx, &id).await,
        Command::Cancel { id } => cancel(ctx, &id).await,
    }
}

/// A page of notifications matching `query` (the API's filters, checked by the API's rules).
pub async fn list(
    ctx: &Ctx,
    query: &HashMap<String, String>,
    allowed: &[&str],
) -> anyhow::Result<()> {
    let f = api::list_filter(query, allowed).map_err(|e| super::error(e, "notification"))?;
    let limit = f.limit as usize;
    let tenant_id = ctx.tenant.id;
    let mut rows = ctx
        .db("notification", move |conn| {
            Ok(q::list(conn, tenant_id, &f)?)
        })
        .await?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    ctx.emit(
        json!({"items": rows.iter().map(view::notification).collect::<Vec<_>>(), "more": more}),
        || {
            let cells: Vec<Vec<String>> = rows.iter().map(row).collect();
            let mut text = table(
                &[
                    "ID",
                    "STATUS",
                    "CHANNEL",
                    "RECIPIENT",
                    "SEND AT",
                    "ATTEMPTS",
                    "GROUP",
                ],
                &cells,
            );
            if more {
                text.push_str(&format!(
                    "\n(more than {limit}: narrow the filter or raise --limit)"
                ));
            }
            text
        },
    );
    Ok(())
}

fn row(n: &Notification) -> Vec<String> {
    vec![
        n.id.to_string(),
        n.status.to_string(),
        n.channel.to_string(),
        n.recipient.clone(),
        time(n.send_at),
        format!("{}/{}", n.attempts, n.max_attempts),
        opt(n.group_key.as_deref()),
    ]
}

async fn show(ctx: &Ctx, raw: &str) -> anyhow::Result<()> {
    let id = parse_id(raw, "notification")?;
    let tenant_id = ctx.tenant.id;
    let (n, attempts, audit) = ctx
        .db(&format!("notification {id}"), move |conn| {
            let n = q::find(conn, TenantId(tenant_id), NotificationId(id))?
                .ok_or_else(|| crate::api::ApiError::not_found("notification"))?;
            let attempts = db::attempts::list(conn, tenant_id, id)?;
            let audit = stats::audit_of(conn, tenant_id, id)?;
            Ok((n, attempts, audit))
        })
        .await?;
    let audit_json: Vec<_> = audit
        .iter()
        .map(|a| json!({"at": view::ts(a.created_at), "actor": a.actor, "action": a.action, "detail": a.detail}))
        .collect();
    let mut doc = view::notification(&n);
    doc["attempts_detail"] = json!(attempts.iter().map(view::attempt).collect::<Vec<_>>());
    doc["audit"] = json!(audit_json);
    ctx.emit(doc, || {
        let mut text = fields(&[
            ("id", n.id.to_string()),
            ("status", n.status.to_string()),
            ("channel", n.channel.to_string()),
            ("recipient", n.recipient.clone()),
            ("subject", opt(n.subject.as_deref())),
            ("send at", time(n.send_at)),
            ("due at", time(n.due_at)),
            ("attempts", format!("{}/{}", n.attempts, n.max_attempts)),
            ("last error", opt(n.last_error.as_deref())),
            ("sent at", opt_time(n.sent_at)),
            ("cancelled at", opt_time(n.cancelled_at)),
            ("group key", opt(n.group_key.as_deref())),
            ("series", opt(n.series_id)),
            ("event", opt(n.event_id)),
            ("created at", time(n.created_at)),
        ]);
        let cells: Vec<Vec<String>> = attempts
            .iter()
            .map(|a| {
                vec![
                    a.attempt_number.to_string(),
                    time(a.started_at),
                    format!("{} ms", (a.finished_at - a.started_at).num_milliseconds()),
                    a.outcome.clone(),
                    opt(a.error.as_deref().or(a.response_summary.as_deref())),
                ]
            })
            .collect();
        text.push_str("\n\nattempts\n");
        text.push_str(&table(
            &["#", "STARTED", "TOOK", "OUTCOME", "DETAIL"],
            &cells,
        ));
        let cells: Vec<Vec<String>> = audit
            .iter()
            .map(|a| vec![time(a.created_at), a.actor.clone(), a.action.clone()])
            .collect();
        text.push_str("\n\nhistory\n");
        text.push_str(&table(&["AT", "ACTOR", "ACTION"], &cells));
        text
    });
    Ok(())
}

async fn cancel(ctx: &Ctx, raw: &str) -> anyhow::Result<()> {
    let id = parse_id(raw, "notification")?;
    let tenant_id = ctx.tenant.id;
    let (row, previous_version, next) = ctx
        .db(&format!("notification {id}"), move |conn| {
            lifecycle::cancel::cancel_one(conn, TenantId(tenant_id), NotificationId(id), ACTOR)
                .map_err(ApiError::from)
        })
        .await?;
    if previous_version.is_some() || next.is_some() {
        let schedule = ctx.schedule().await;
        match &schedule {
            Ok(s) => {
                if let Some(v) = previous_version {
                    warn_schedule(after_commit::unschedule(s, row.id, v).await);
                }
                if let Some(next) = &next {
                    warn_schedule(after_commit::schedule(s, next, None).await);
                }
            }
            Err(_) => warn_schedule(false),
        }
    }
    let already = previous_version.is_none();
    ctx.emit(view::notification(&row), || {
        let mut text = if already {
            format!("notification {} was already cancelled", row.id)
        } else {
            format!("cancelled notification {}", row.id)
        };
        if let Some(next) = &next {
            text.push_str(&format!(
                "\nits series goes on: next occurrence {} at {}",
                next.id,
                time(next.send_at)
            ));
        }
        text
    });
    Ok(())
}
