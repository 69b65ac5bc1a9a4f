//! One delivery: claim the row, render, call the channel, record the outcome.
//!
//! Claims are conditional UPDATEs (one per batch of ready entries), so exactly one sender wins
//! and stale entries (after a reschedule or cancel: other version or status) are dropped. No
//! transaction or row lock is held across the provider call; outcomes are group-committed.

use super::retry::RetryPolicy;
use super::ReadyEntry;
use crate::channels::template::{self, Budget, OutputLimit, RenderError};
use crate::channels::{ChannelKind, Channels, OutboundMessage, SendError};
use crate::config::VISIBILITY_MARGIN;
use crate::db::group_commit::GroupCommit;
use crate::db::models::{NewDeliveryAttempt, Notification};
use crate::db::{self, notifications as q, DbError};
use crate::ops::metrics;
use crate::recipients::unsubscribe::Unsubscribe;
use crate::schedule::Member;
use crate::startup::RoleContext;
use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
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

/// An outcome to write: the claimed row, when the attempt started, and what happened.
pub type Recorded = (Notification, DateTime<Utc>, Outcome);

/// The row recording made due that the schedule must now hold: the retry of a transient
/// failure, or the next occurrence of a series (never both).
type RecordEffect = Option<Notification>;

/// Outcomes written per transaction.
const RECORD_BATCH: usize = 200;

/// How late after its expiry an attempt that fell due in time may still start. A reminder due
/// exactly at its expiry (`target_date` without a lead time, or a lead time of `PT0S`) always
/// starts a little after it; so does any send delayed by a scheduler failover or a backlog.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(60);

const EXPIRED_ERROR: &str = "expired before it could be sent";

/// Whether an attempt must not be sent because its notification expired: it fell due after the
/// expiry (a retry scheduled past it), or it starts more than [`EXPIRY_GRACE`] after the expiry.
pub fn is_expired(
    expiry: Option<DateTime<Utc>>,
    due_at: DateTime<Utc>,
    started_at: DateTime<Utc>,
) -> bool {
    let grace = chrono::Duration::from_std(EXPIRY_GRACE).unwrap_or_default();
    expiry.is_some_and(|expiry| due_at > expiry || started_at > expiry + grace)
}

/// The template texts of one send, before rendering.
struct MessageTexts {
    subject: Option<String>,
    body: String,
    html: Option<String>,
}

/// What happened to one claimed notification.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent {
        summary: String,
        /// The provider's id of the message, for its later status reports.
        provider_message_id: Option<String>,
    },
    Retry {
        error: String,
        delay: Duration,
    },
    Dead {
        error: String,
    },
    Expired,
}

impl Outcome {
    /// The `outcome` of metrics and log lines.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Retry { .. } => "retry",
            Outcome::Dead { .. } => "dead",
            Outcome::Expired => "expired",
        }
    }
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
            expires_at = %row.expires_at.or(row.target_date).map(crate::domain::format_time).unwrap_or_default(),
            "expired before it could be sent"
        ),
    }
}

impl Deliverer {
    pub fn new(ctx: RoleContext, channels: Arc<Channels>) -> Deliverer {
        let policy = RetryPolicy::new(ctx.settings.sender.retry_schedule.clone());
        let recorder = GroupCommit::start(ctx.pool.clone(), RECORD_BATCH, 4, record_batch);
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
        let abandoned_before = Utc::now()
            - chrono::Duration::from_std(self.ctx.settings.sender.visibility_timeout)
                .unwrap_or_default();
        let unsubscribe = self.unsubscribe.clone();
        let (rows, exhausted, next, gated) = db::run(&self.ctx.pool, move |conn| {
            conn.transaction(|conn| {
                let claims = q::claim_many(conn, &pairs, abandoned_before)?;
                // Preferences and quiet hours of recipients, as they are now.
                let mut gated = crate::recipients::gate(
                    conn,
                    claims.claimed,
                    Utc::now(),
                    unsubscribe.as_deref(),
                )?;
                for row in &claims.exhausted {
                    // No attempt row can say how the abandoned attempt ended; the audit log
                    // records the transition instead.
                    db::audit::record(
                        conn,
                        row.tenant_id,
                        "system",
                        "notification.abandoned",
                        Some(row.id),
                        serde_json::json!({"attempts": row.attempts, "status": "dead"}),
                    )?;
                }
                // Like any dead occurrence, each gives way to the next one of its series.
                let mut next = crate::events::series::advance_each(conn, &claims.exhausted)?;
                let suppressed: Vec<Notification> =
                    gated.suppressed.iter().map(|(r, _)| r.clone()).collect();
                next.extend(crate::events::series::advance_each(conn, &suppressed)?);
                let cleared = std::mem::take(&mut gated.cleared);
                let tenant_ids: Vec<Uuid> = cleared.iter().map(|c| c.row.tenant_id).collect();
                let secrets: HashMap<Uuid, db::tenants::WebhookSecrets> =
                    db::tenants::webhook_secrets(conn, &tenant_ids)?
                        .into_iter()
                        .collect();
                let rows = cleared
                    .into_iter()
                    .filter_map(|c| secrets.get(&c.row.tenant_id).cloned().map(|s| (c, s)))
                    .collect::<Vec<_>>();
                Ok::<_, DbError>((rows, claims.exhausted, next, gated))
            })
        })
        .await?;
        for (row, why) in &gated.suppressed {
            metrics::suppressed(why.code());
            tracing::info!(
                notification_id = %row.id,
                channel = %row.channel,
                outcome = "suppressed",
                reason = why.code(),
                "not sent: the recipient's preferences do not allow it"
            );
        }
        if !gated.held.is_empty() {
            metrics::held(gated.held.len() as u64);
        }
        for due in gated.held {
            tracing::info!(notification_id = %due.id, until = %crate::domain::format_time(due.due_at), "held until the end of quiet hours");
            self.schedule(due).await;
        }
        for row in exhausted {
            metrics::send_outcome(&row.channel, "dead");
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
    #[tracing::instrument(skip_all, fields(notification_id = %claimed.row.id))]
    pub async fn deliver(&self, claimed: Claimed, due_ms: Option<i64>) -> bool {
        let Claimed {
            row,
            webhook_secrets: secret,
            addressing,
            asked,
        } = claimed;
        let started_at = Utc::now();
        let due = due_ms.unwrap_or_else(|| row.due_at.timestamp_millis());
        let lag_ms = (started_at.timestamp_millis() - due).max(0) as u64;
        metrics::delivery_lag(&row.channel, Duration::from_millis(lag_ms));
        let Some(outcome) = self
            .attempt(&row, secret, addressing, started_at, asked)
            .await
        else {
            // Not ours any more: its entry is left to whoever holds the claim now.
            return false;
        };
        log_outcome(&row, &outcome, lag_ms, started_at);
        match self.record(row, started_at, outcome).await {
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
        if is_expired(row.expires_at.or(row.target_date), row.due_at, now) {
            return Some(Outcome::Expired);
        }
        let kind: ChannelKind = match row.channel.parse() {
            Ok(k) => k,
            Err(_) => {
                return Some(Outcome::Dead {
                    error: format!("unknown channel '{}'", row.channel),
                })
            }
        };
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
    ) -> Result<(), DbError> {
        metrics::send_outcome(&row.channel, outcome.name());
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
        if let Some(due) = effect {
            self.schedule(due).await;
        }
        Ok(())
    }

    async fn schedule(&self, due: Notification) {
        if let Err(e) = self
            .ctx
            .schedule
            .put(due.id, due.version, due.due_at, None)
            .await
        {
            tracing::warn!(notification_id = %due.id, error = %e, "could not schedule the retry; it is repeated in the background");
        }
    }
}

/// The next occurrence after `prev` ended through [`record_status_only`]. Best effort: the
/// outcome is already written, so a failure here is logged rather than undoing it.
fn advance_series_after_fallback(
    conn: &mut PgConnection,
    prev: &Notification,
) -> Result<RecordEffect, DbError> {
    let Some(series_id) = prev.series_id else {
        return Ok(None);
    };
    match crate::events::series::advance(conn, series_id, prev) {
        Ok(next) => Ok(next),
        Err(e) => {
            tracing::error!(%series_id, error = %e, "could not create the next occurrence");
            Ok(None)
        }
    }
}

/// An outcome's status change alone, without its attempt row (the caller moves a series on). Should even
/// that fail (other than for an outage), a failure still ends the row, as `dead`.
fn record_status_only(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    outcome: &Outcome,
) -> Result<RecordEffect, DbError> {
    let written = match outcome {
        Outcome::Sent { .. } => q::mark_sent(conn, id, version).map(|_| None),
        Outcome::Retry { error, delay } => {
            let due = Utc::now() + chrono::Duration::from_std(*delay).unwrap_or_default();
            q::mark_retry(conn, id, version, due, error)
        }
        Outcome::Dead { error } => q::mark_final(conn, id, version, "dead", error).map(|_| None),
        Outcome::Expired => {
            q::mark_final(conn, id, version, "expired", EXPIRED_ERROR).map(|_| None)
        }
    };
    let failure = match written {
        Ok(effect) => {
            // A digest carrier's constituents end with it (none for other rows).
            settle_digest(conn, id, outcome, effect.as_ref())?;
            return Ok(effect);
        }
        Err(e) => e,
    };
    let reason = failure.to_string();
    let failure = DbError::from(failure);
    if failure.is_unavailable() || matches!(outcome, Outcome::Sent { .. }) {
        return Err(failure);
    }
    let error = format!("the outcome could not be recorded: {reason}");
    q::mark_final(conn, id, version, "dead", &error)?;
    Ok(None)
}

/// Ends a digest carrier's constituents as its outcome ends it (or schedules them with its retry).
fn settle_digest(
    conn: &mut PgConnection,
    carrier: Uuid,
    outcome: &Outcome,
    retry_row: Option<&Notification>,
) -> Result<(), DbError> {
    use crate::recipients::digest::{settle, Settled};
    let how = match outcome {
        Outcome::Sent { .. } => Settled::Sent,
        Outcome::Dead { error } => Settled::Final("dead", error),
        Outcome::Expired => Settled::Final("expired", EXPIRED_ERROR),
        Outcome::Retry { .. } => match retry_row {
            Some(r) => Settled::Retry(r.due_at),
            None => return Ok(()),
        },
    };
    settle(conn, carrier, how)?;
    Ok(())
}

/// Writes a batch of outcomes in the caller's transaction; one effect per item, in order.
fn record_batch(conn: &mut PgConnection, items: &[Recorded]) -> Result<Vec<RecordEffect>, DbError> {
    // The common case, a plain success, is written for the whole batch with two statements;
    // everything else (retries, dead letters, series occurrences) row by row.
    let is_plain_success = |(row, _, outcome): &Recorded| {
        matches!(outcome, Outcome::Sent { .. })
            && row.series_id.is_none()
            && row.digest_of.is_none()
    };
    let sent: Vec<&Recorded> = items.iter().filter(|i| is_plain_success(i)).collect();
    let sent_ids: std::collections::HashSet<Uuid> = if sent.is_empty() {
        Default::default()
    } else {
        let pairs: Vec<(Uuid, i32)> = sent.iter().map(|(r, _, _)| (r.id, r.version)).collect();
        let marked: std::collections::HashSet<Uuid> =
            q::mark_many_sent(conn, &pairs)?.into_iter().collect();
        let finished_at = Utc::now();
        let attempts: Vec<NewDeliveryAttempt> = sent
            .iter()
            .map(|(row, started_at, outcome)| NewDeliveryAttempt {
                id: Uuid::new_v4(),
                notification_id: row.id,
                tenant_id: row.tenant_id,
                attempt_number: row.attempts,
                started_at: *started_at,
                finished_at,
                outcome: "success".into(),
                error: None,
                response_summary: match outcome {
                    Outcome::Sent { summary, .. } => Some(summary.clone()),
                    _ => None,
                },
                provider_message_id: match outcome {
                    Outcome::Sent {
                        provider_message_id,
                        ..
                    } => provider_message_id.clone(),
                    _ => None,
                },
            })
            .collect();
        db::attempts::record_many(conn, attempts)?;
        marked
    };
    items
        .iter()
        .map(|item| {
            if is_plain_success(item) {
                if !sent_ids.contains(&item.0.id) {
                    tracing::warn!(notification_id = %item.0.id, "sent, but the claim was taken over meanwhile");
                }
                Ok(None)
            } else {
                record_one(conn, &item.0, item.1, &item.2)
            }
        })
        .collect()
}

fn record_one(
    conn: &mut PgConnection,
    row: &Notification,
    started_at: DateTime<Utc>,
    outcome: &Outcome,
) -> Result<RecordEffect, DbError> {
    let (id, version) = (row.id, row.version);
    let mut attempt = NewDeliveryAttempt {
        id: Uuid::new_v4(),
        notification_id: id,
        tenant_id: row.tenant_id,
        attempt_number: row.attempts,
        started_at,
        finished_at: Utc::now(),
        outcome: String::new(),
        error: None,
        response_summary: None,
        provider_message_id: None,
    };
    let mut retry_row = None;
    let finished = match outcome {
        Outcome::Sent {
            summary,
            provider_message_id,
        } => {
            attempt.outcome = "success".into();
            attempt.response_summary = Some(summary.clone());
            attempt.provider_message_id = provider_message_id.clone();
            q::mark_sent(conn, id, version)?
        }
        Outcome::Retry { error, delay } => {
            attempt.outcome = "transient_failure".into();
            attempt.error = Some(error.clone());
            let due = Utc::now() + chrono::Duration::from_std(*delay).unwrap_or_default();
            retry_row = q::mark_retry(conn, id, version, due, error)?;
            false
        }
        Outcome::Dead { error } => {
            attempt.outcome = "permanent_failure".into();
            attempt.error = Some(error.clone());
            // The next channel, if any, in this same transaction: never both, never twice.
            if let Some(next) = crate::recipients::fallback::switch(conn, row, error)? {
                db::attempts::record(conn, attempt)?;
                return Ok(Some(next));
            }
            q::mark_final(conn, id, version, "dead", error)?
        }
        Outcome::Expired => {
            attempt.outcome = "expired".into();
            attempt.error = Some(EXPIRED_ERROR.into());
            q::mark_final(conn, id, version, "expired", EXPIRED_ERROR)?
        }
    };
    db::attempts::record(conn, attempt)?;
    if row.digest_of == Some(id) {
        settle_digest(conn, id, outcome, retry_row.as_ref())?;
    }
    match row.series_id {
        Some(series_id) if finished => Ok(crate::events::series::advance(conn, series_id, row)?),
        _ => Ok(retry_row),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    fn grace() -> i64 {
        EXPIRY_GRACE.as_secs() as i64
    }

    #[test]
    fn without_an_expiry_nothing_expires() {
        assert!(!is_expired(None, at(0), at(10 * 86_400)));
    }

    #[test]
    fn due_exactly_at_the_expiry_and_started_on_time_is_sent() {
        // target_date only, or a lead time of PT0S: due at the expiry, started just after it.
        assert!(!is_expired(Some(at(0)), at(0), at(0)));
        assert!(!is_expired(Some(at(0)), at(0), at(1)));
        assert!(!is_expired(Some(at(0)), at(0), at(grace())));
        assert!(!is_expired(Some(at(10)), at(0), at(5)));
    }

    #[test]
    fn an_attempt_due_after_the_expiry_expires() {
        // A retry scheduled past the expiry, however promptly it starts.
        assert!(is_expired(Some(at(0)), at(1), at(1)));
    }

    #[test]
    fn an_attempt_started_past_the_grace_expires() {
        assert!(is_expired(Some(at(0)), at(0), at(grace() + 1)));
        assert!(is_expired(Some(at(0)), at(-3600), at(grace() + 1)));
        assert!(!is_expired(Some(at(0)), at(-3600), at(grace())));
    }
}
