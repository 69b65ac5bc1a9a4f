//! One delivery: claim the row, render, call the channel, record the outcome.
//!
//! Claims are conditional UPDATEs (one per batch of ready entries), so exactly one sender wins
//! and stale entries (after a reschedule or cancel: other version or status) are dropped. No
//! transaction or row lock is held across the provider call; outcomes are group-committed.

use super::retry::RetryPolicy;
use super::ReadyEntry;
use crate::channels::template::{self, Budget, OutputLimit, RenderError};
use crate::channels::{Channels, OutboundMessage, SendError};
use crate::config::VISIBILITY_MARGIN;
use crate::db::group_commit::GroupCommit;
use crate::db::models::Notification;
use crate::db::{self, notifications as q, DbError};
use crate::domain::ChannelKind;
use crate::lifecycle::expiry::expiry;
pub use crate::lifecycle::expiry::{is_expired, EXPIRY_GRACE};
use crate::lifecycle::outcome::{
    advance_series_after_fallback, record_batch, record_status_only, RecordEffect,
};
pub use crate::lifecycle::outcome::{Outcome, Recorded};
use crate::lifecycle::{self, after_commit};
use crate::ops::metrics;
use crate::recipients::unsubscribe::Unsubscribe;
use crate::schedule::Member;
use crate::schedule::RoleContext;
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

pub struct Deliverer {
    ctx: RoleContext,
    channels: Arc<Channels>,
    policy: RetryPolicy,
    recorder: GroupCommit<Recorded, RecordEffect>,
    unsubscribe: Option<Arc<Unsubscribe>>,
}

/// A claimed notification, with the secrets its tenant signs webhooks with.
pub struct Claimed {
    pub row: Notification,
    pub webhook_secrets: db::tenants::WebhookSecrets,
    /// The recipient's current address (when it changed) and unsubscribe link.
    pub addressing: Addressing,
    /// When the claim was asked for, by this process's clocks: no other sender can take the row
    /// over before the visibility timeout has passed since.
    asked: (Instant, DateTime<Utc>),
}

/// Where a claimed send to a recipient goes, as the claim found it.
#[derive(Debug, Clone, Default)]
pub struct Addressing {
    pub address: Option<String>,
    pub list_unsubscribe: Option<String>,
    /// The other notifications of the digest this one carries.
    pub digest: Option<Vec<Notification>>,
}

/// Outcomes written per transaction.
const RECORD_BATCH: usize = 200;

/// How long an outcome waits for others to share its transaction. It is written after the
/// provider call, so this delays no delivery; it cuts PostgreSQL's commits per send.
const RECORD_LINGER: Duration = Duration::from_millis(2);

/// The template texts of one send, before rendering.
struct MessageTexts {
    subject: Option<String>,
    body: String,
    html: Option<String>,
}

/// One `info` line per attempt's outcome, with the fields to find and graph it by.
fn log_outcome(row: &Notification, outcome: &Outcome, lag_ms: u64, started_at: DateTime<Utc>) {
    let took =
        crate::telemetry::human_duration((Utc::now() - started_at).to_std().unwrap_or_default());
    let (id, channel, attempt, name) = (row.id, &row.channel, row.attempts, outcome.name());
    match outcome {
        Outcome::Sent { summary, .. } => tracing::info!(
            notification_id = %id, %channel, attempt, lag_ms, outcome = name, %took,
            response = %summary, "sent"
        ),
        Outcome::Retry { error, delay } => tracing::info!(
            notification_id = %id, %channel, attempt, lag_ms, outcome = name, %took, %error,
            retry_in = %crate::telemetry::human_duration(*delay),
            "failed for now; will retry"
        ),
        Outcome::Dead { error } => tracing::info!(
            notification_id = %id, %channel, attempt, lag_ms, outcome = name, %took, %error,
            "moved to the dead-letter queue"
        ),
        Outcome::Expired => tracing::info!(
            notification_id = %id, %channel, attempt, lag_ms, outcome = name,
            expires_at = %expiry(row.expires_at, row.target_date).map(crate::domain::format_time).unwrap_or_default(),
            "expired before it could be sent"
        ),
    }
}

impl Deliverer {
    pub fn new(ctx: RoleContext, channels: Arc<Channels>) -> Deliverer {
        let policy = RetryPolicy::new(ctx.settings.sender.retry_schedule.clone());
        let recorder = GroupCommit::start_lingering(
            ctx.pool.clone(),
            RECORD_BATCH,
            4,
            RECORD_LINGER,
            record_batch,
        );
        let unsubscribe = Unsubscribe::from_settings(&ctx.settings).map(Arc::new);
        Deliverer {
            ctx,
            channels,
            policy,
            recorder,
            unsubscribe,
        }
    }

    /// Claims the notifications of many ready entries with one UPDATE. The map holds the
    /// entries this sender won; every other well-formed entry is stale.
    pub async fn claim(&self, entries: &[ReadyEntry]) -> Result<HashMap<Member, Claimed>, DbError> {
        let pairs: Vec<(Uuid, i32)> = entries
            .iter()
            .filter_map(|e| e.member)
            .map(|m| (m.id, m.version))
            .collect();
        if pairs.is_empty() {
            return Ok(HashMap::new());
        }
        let asked = (Instant::now(), Utc::now());
        let abandoned_before = q::abandoned_before(self.ctx.settings.sender.visibility_timeout);
        let unsubscribe = self.unsubscribe.clone();
        let lifecycle::claim::Claimed {
            rows,
            exhausted,
            next,
            held,
            suppressed,
        } = db::run(&self.ctx.pool, move |conn| {
            conn.transaction(|conn| {
                lifecycle::claim::claim(conn, &pairs, abandoned_before, unsubscribe.as_deref())
            })
        })
        .await?;
        for (row, why) in &suppressed {
            metrics::suppressed(why.code());
            tracing::info!(
                notification_id = %row.id,
                channel = %row.channel,
                outcome = "suppressed",
                reason = why.code(),
                "not sent: the recipient's preferences do not allow it"
            );
        }
        if !held.is_empty() {
            metrics::held(held.len() as u64);
        }
        for due in held {
            tracing::info!(notification_id = %due.id, until = %crate::domain::format_time(due.due_at), "held until the end of quiet hours");
            self.schedule(due).await;
        }
        for row in exhausted {
            metrics::send_outcome(row.channel.as_str(), "dead");
            let lag_ms = (Utc::now() - row.due_at).num_milliseconds().max(0);
            tracing::info!(
                notification_id = %row.id,
                channel = %row.channel,
                attempt = row.attempts,
                lag_ms,
                outcome = "dead",
                "last attempt abandoned with its outcome unknown: dead, not sent again"
            );
        }
        for due in next {
            self.schedule(due).await;
        }
        Ok(rows
            .into_iter()
            .map(|(cleared, webhook_secrets)| {
                let claimed = Claimed {
                    row: cleared.row,
                    webhook_secrets,
                    addressing: Addressing {
                        address: cleared.address,
                        list_unsubscribe: cleared.list_unsubscribe,
                        digest: cleared.digest,
                    },
                    asked,
                };
                (Member::new(claimed.row.id, claimed.row.version), claimed)
            })
            .collect())
    }

    /// Sends one claimed notification and records the outcome. Returns whether its entry may be
    /// acknowledged: false when the outcome could not be written (the row stays `sending` and is
    /// taken over after the visibility timeout) or the claim was lost before the send.
    pub async fn deliver(&self, claimed: Claimed, due_ms: Option<i64>) -> bool {
        self.deliver_in_slot(claimed, due_ms, None).await
    }

    /// [`Deliverer::deliver`] holding a send slot, given back once the provider has answered:
    /// the slots bound the calls to providers, and recording the outcome (a group commit of its
    /// own, bounded by its queue) need not keep the next send waiting.
    #[tracing::instrument(skip_all, fields(notification_id = %claimed.row.id))]
    pub async fn deliver_in_slot(
        &self,
        claimed: Claimed,
        due_ms: Option<i64>,
        slot: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> bool {
        let Claimed {
            row,
            webhook_secrets: secret,
            addressing,
            asked,
        } = claimed;
        let started_at = Utc::now();
        let due = due_ms.unwrap_or_else(|| row.due_at.timestamp_millis());
        let lag_ms = (started_at.timestamp_millis() - due).max(0) as u64;
        metrics::delivery_lag(row.channel.as_str(), Duration::from_millis(lag_ms));
        let attempted = self
            .attempt(&row, secret, addressing, started_at, asked)
            .await;
        drop(slot);
        let Some(outcome) = attempted else {
            // Not ours any more: its entry is left to whoever holds the claim now.
            return false;
        };
        match self.record(row, started_at, outcome, lag_ms).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "could not record a delivery outcome");
                false
            }
        }
    }

    /// Renders, re-checks the claim and calls the provider; `None` when the claim was lost
    /// meanwhile and nothing may be recorded for it.
    async fn attempt(
        &self,
        row: &Notification,
        webhook_secrets: db::tenants::WebhookSecrets,
        addressing: Addressing,
        now: DateTime<Utc>,
        asked: (Instant, DateTime<Utc>),
    ) -> Option<Outcome> {
        if is_expired(expiry(row.expires_at, row.target_date), row.due_at, now) {
            return Some(Outcome::Expired);
        }
        let kind = row.channel;
        // Rendering, the claim check and the provider call together stay within this bound. The
        // visibility timeout is validated against it, so no send still in flight is taken over.
        let guard = self.ctx.settings.send_guard();
        let deadline = Instant::now() + guard;
        let budget = Budget {
            fuel: self.ctx.settings.channels.render_fuel,
            output: OutputLimit::for_channel(kind),
            deadline: Some(deadline),
        };
        let (texts, context) = match &addressing.digest {
            Some(others) => {
                match crate::recipients::digest::texts(&self.ctx.pool, row, others, budget).await {
                    Ok(d) => (
                        MessageTexts {
                            subject: d.subject,
                            body: d.body,
                            html: None,
                        },
                        Arc::new(d.context),
                    ),
                    Err(error) => return Some(Outcome::Dead { error }),
                }
            }
            None => match self.message_texts(row).await {
                Ok(texts) => (texts, Arc::new(render_context(row))),
                Err(outcome) => return Some(outcome),
            },
        };
        let body = match template::render_blocking(texts.body, context.clone(), budget).await {
            Ok(b) => b,
            Err(e) => return Some(self.render_failed(row, "body", e)),
        };
        let subject = match &texts.subject {
            Some(s) => match template::render_blocking(s.clone(), context.clone(), budget).await {
                Ok(s) => Some(s),
                Err(e) => return Some(self.render_failed(row, "subject", e)),
            },
            None => None,
        };
        let html = match texts.html.as_ref().filter(|_| kind == ChannelKind::Email) {
            Some(h) => match template::render_html_blocking(h.clone(), context, budget).await {
                Ok(h) => Some(h),
                Err(e) => return Some(self.render_failed(row, "html", e)),
            },
            None => None,
        };
        let msg = OutboundMessage {
            notification_id: row.id,
            attempt: row.attempts,
            recipient: addressing.address.unwrap_or_else(|| row.recipient.clone()),
            subject,
            body,
            html,
            data: row.data.clone(),
            webhook_secret: webhook_secrets.current,
            previous_webhook_secret: webhook_secrets.previous,
            list_unsubscribe: addressing.list_unsubscribe,
        };
        if !self.claim_still_held(row, asked).await {
            return None;
        }
        // The channels time out on their own; this guards against one that does not.
        let sent = tokio::time::timeout_at(deadline.into(), self.channels.send(kind, &msg)).await;
        let result = sent.unwrap_or_else(|_| {
            let guard = crate::telemetry::human_duration(guard);
            Err(SendError::transient(format!("no answer within {guard}")))
        });
        Some(match result {
            Ok(delivered) => Outcome::Sent {
                summary: delivered.summary,
                provider_message_id: delivered.provider_message_id,
            },
            Err(e) => {
                let error = e.reason().to_string();
                if !e.is_transient() {
                    return Some(Outcome::Dead { error });
                }
                self.retry_or_dead(row, error, e.retry_after())
            }
        })
    }

    /// The texts to render: the notification's own, or those of the stored template it names
    /// (the pinned version, else the latest one now). A template gone since the notification was
    /// created can never be rendered: dead.
    async fn message_texts(&self, row: &Notification) -> Result<MessageTexts, Outcome> {
        let Some(name) = row.template.clone() else {
            return Ok(MessageTexts {
                subject: row.subject.clone(),
                body: row.body.clone(),
                html: row.html.clone(),
            });
        };
        let (tenant_id, version) = (row.tenant_id, row.template_version);
        let lookup = name.clone();
        let found = db::run(&self.ctx.pool, move |conn| {
            db::templates::resolve(conn, tenant_id, &lookup, version).map_err(DbError::from)
        })
        .await;
        match found {
            Ok(Some(t)) => Ok(MessageTexts {
                subject: t.subject,
                body: t.body,
                html: t.html,
            }),
            Ok(None) => Err(Outcome::Dead {
                error: match version {
                    Some(v) => format!("template {name:?} version {v} no longer exists"),
                    None => format!("template {name:?} no longer exists"),
                },
            }),
            Err(e) => {
                Err(self.retry_or_dead(row, format!("cannot read template {name:?}: {e}"), None))
            }
        }
    }

    fn retry_or_dead(
        &self,
        row: &Notification,
        error: String,
        retry_after: Option<Duration>,
    ) -> Outcome {
        match self.policy.next_delay(
            row.attempts,
            row.max_attempts,
            retry_after,
            &mut rand::thread_rng(),
        ) {
            Some(delay) => Outcome::Retry { error, delay },
            None => Outcome::Dead {
                error: format!("{error} (after {} attempts)", row.attempts),
            },
        }
    }

    /// A broken render bound can never be fixed by a retry; a render cut short by the send
    /// deadline may have been only a busy machine.
    fn render_failed(&self, row: &Notification, field: &str, e: RenderError) -> Outcome {
        match e {
            RenderError::Deadline => self.retry_or_dead(row, format!("{field}: {e}"), None),
            RenderError::Budget | RenderError::TooLong(_) => Outcome::Dead {
                error: format!("{field}: {e}"),
            },
            RenderError::Failed(e) => Outcome::Dead {
                error: format!("{field} template: {e}"),
            },
        }
    }

    /// Whether the claim is still held just before the provider call: a sender paused past the
    /// visibility timeout (a stopped process or host) must not send what another sender has
    /// taken over or sent meanwhile. Before the visibility timeout less [`VISIBILITY_MARGIN`]
    /// (the clock difference between hosts it allows) has passed since the claim, by both clocks,
    /// no takeover is possible yet and nothing is read; after it, the row is re-read. A claim
    /// that cannot be checked is treated as lost: the row stays `sending` and is taken over
    /// after the visibility timeout.
    async fn claim_still_held(&self, row: &Notification, asked: (Instant, DateTime<Utc>)) -> bool {
        let safe = self
            .ctx
            .settings
            .sender
            .visibility_timeout
            .saturating_sub(VISIBILITY_MARGIN);
        let wall = (Utc::now() - asked.1).to_std().unwrap_or_default();
        if asked.0.elapsed() < safe && wall < safe {
            return true;
        }
        let claimed = row.clone();
        match db::run(&self.ctx.pool, move |conn| {
            q::claim_held(conn, &claimed).map_err(DbError::from)
        })
        .await
        {
            Ok(true) => true,
            Ok(false) => {
                metrics::stale_dropped(1);
                tracing::warn!("claim taken over before the send; not sending");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot re-check the claim; not sending");
                false
            }
        }
    }

    async fn record(
        &self,
        row: Notification,
        started_at: DateTime<Utc>,
        outcome: Outcome,
        lag_ms: u64,
    ) -> Result<(), DbError> {
        // Logged and counted once written: a permanent failure may turn out a fallback.
        let sent = row.clone();
        // Kept for the fallback below, which must still move a series on.
        let occurrence = row.series_id.is_some().then(|| row.clone());
        let (id, version) = (row.id, row.version);
        let effect = match self
            .recorder
            .submit((row, started_at, outcome.clone()))
            .await
        {
            Ok(effect) => effect,
            // Left `sending`: taken over and tried again once PostgreSQL is back.
            Err(e) if e.is_unavailable() => return Err(e),
            Err(e) => {
                // Not an outage but something in this outcome's record (or a failed batch
                // writer): without a final state the row would be taken over and sent again.
                tracing::error!(error = %crate::telemetry::error_chain(&e), "cannot record the delivery outcome; writing its status alone");
                let outcome = outcome.clone();
                db::run(&self.ctx.pool, move |conn| {
                    let effect = record_status_only(conn, id, version, &outcome)?;
                    match occurrence {
                        Some(prev)
                            if effect.is_none() && !matches!(outcome, Outcome::Retry { .. }) =>
                        {
                            advance_series_after_fallback(conn, &prev)
                        }
                        _ => Ok(effect),
                    }
                })
                .await?
            }
        };
        let fell_back = match (&outcome, &effect) {
            (Outcome::Dead { .. }, Some(next)) if next.channel_index > sent.channel_index => {
                Some(next.channel)
            }
            _ => None,
        };
        match fell_back {
            Some(next) => {
                metrics::send_outcome(sent.channel.as_str(), "fallback");
                let error = match &outcome {
                    Outcome::Dead { error } => error.as_str(),
                    _ => "",
                };
                tracing::info!(
                    notification_id = %sent.id, channel = %sent.channel, attempt = sent.attempts,
                    lag_ms, outcome = "fallback", %error, next = %next,
                    "failed for good on this channel; falling back to the next"
                );
            }
            None => {
                metrics::send_outcome(sent.channel.as_str(), outcome.name());
                log_outcome(&sent, &outcome, lag_ms, started_at);
            }
        }
        if let Some(due) = effect {
            self.schedule(due).await;
        }
        Ok(())
    }

    async fn schedule(&self, due: Notification) {
        after_commit::schedule(&self.ctx.schedule, &due, None).await;
    }
}

/// Template variables: the notification's `data`, plus its own times and recipient.
fn render_context(row: &Notification) -> Value {
    template::context(
        &row.data,
        row.target_date.map(crate::domain::format_time),
        crate::domain::format_time(row.send_at),
        &row.recipient,
        row.id,
    )
}
