//! Recipients at work: which channel and address a notification naming a recipient gets when
//! it is created, and, when its send is claimed, whether it may go out now (preferences are
//! read again, so an opt-out after scheduling wins), waits for the end of quiet hours, or ends
//! `suppressed`.

pub mod digest;
pub mod fallback;
pub mod unsubscribe;

use crate::db::models::{Notification, RecipientDefaultsRow, RecipientRow};
use crate::db::{self, DbError};
use crate::domain::preferences::Verdict;
use crate::domain::ChannelKind;
use crate::domain::{Category, Preferences, QuietHours, Recipient, TimeZone};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use std::collections::HashMap;
use unsubscribe::{Subscription, Unsubscribe};
use uuid::Uuid;

/// A stored recipient, read back into domain types.
#[derive(Debug, Clone)]
pub struct Profile {
    pub row: RecipientRow,
    pub preferences: Preferences,
    pub quiet_hours: Option<QuietHours>,
    pub timezone: Option<TimeZone>,
}

impl Profile {
    pub fn from_row(row: RecipientRow) -> Profile {
        Profile {
            preferences: Preferences::from_stored(&row.preferences),
            quiet_hours: QuietHours::from_stored(row.quiet_hours.as_ref()),
            timezone: row
                .timezone
                .as_deref()
                .and_then(|t| TimeZone::parse(t).ok()),
            row,
        }
    }

    pub fn address(&self, channel: ChannelKind) -> Option<&str> {
        match channel {
            ChannelKind::Email => self.row.email.as_deref(),
            ChannelKind::Sms => self.row.phone.as_deref(),
            ChannelKind::Webhook => self.row.webhook_url.as_deref(),
        }
    }

    fn preferred(&self) -> Option<ChannelKind> {
        self.row.preferred_channel.as_deref()?.parse().ok()
    }
}

/// A tenant's defaults under its recipients' own settings.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub preferences: Preferences,
    pub quiet_hours: Option<QuietHours>,
}

impl Defaults {
    pub fn from_row(row: Option<&RecipientDefaultsRow>) -> Defaults {
        match row {
            Some(row) => Defaults {
                preferences: Preferences::from_stored(&row.preferences),
                quiet_hours: QuietHours::from_stored(row.quiet_hours.as_ref()),
            },
            None => Defaults::default(),
        }
    }
}

/// The recipients a request names, loaded once for all its items.
#[derive(Debug, Default)]
pub struct Directory {
    defaults: Defaults,
    recipients: HashMap<String, Profile>,
}

impl Directory {
    pub fn load(
        conn: &mut PgConnection,
        tenant_id: Uuid,
        external_ids: &[String],
    ) -> diesel::QueryResult<Directory> {
        if external_ids.is_empty() {
            return Ok(Directory::default());
        }
        let defaults = db::recipients::defaults(conn, &[tenant_id])?;
        let recipients = db::recipients::find_many(conn, tenant_id, external_ids)?
            .into_iter()
            .map(|(id, row)| (id, Profile::from_row(row)))
            .collect();
        Ok(Directory {
            defaults: Defaults::from_row(defaults.get(&tenant_id)),
            recipients,
        })
    }

    /// The stored address of `external_id` for `channel`.
    pub fn address_of(&self, external_id: &str, channel: ChannelKind) -> Option<&str> {
        self.recipients.get(external_id)?.address(channel)
    }

    /// The channel and address a new notification to `external_id` about `category` gets:
    /// the first of `requested` (or, without any, the recipient's preferred channel, then
    /// e-mail, SMS, webhook) for which the recipient has an address and allows the category.
    /// Errors are `(field, message)`.
    pub fn choose(
        &self,
        external_id: &str,
        category: &Category,
        requested: &[ChannelKind],
    ) -> Result<(ChannelKind, Recipient), (&'static str, String)> {
        let profile = self.recipients.get(external_id).ok_or_else(|| {
            (
                "recipient_id",
                format!(
                    "no recipient '{external_id}'; create it with PUT /recipients/{{id}} first"
                ),
            )
        })?;
        let mut candidates: Vec<ChannelKind> = if requested.is_empty() {
            profile.preferred().into_iter().collect()
        } else {
            requested.to_vec()
        };
        if requested.is_empty() {
            for kind in ChannelKind::ALL {
                if !candidates.contains(&kind) {
                    candidates.push(kind);
                }
            }
        }
        let mut why = Vec::new();
        for channel in candidates {
            let Some(address) = profile.address(channel) else {
                why.push(format!("{channel}: no address"));
                continue;
            };
            match profile.preferences.verdict(
                &self.defaults.preferences,
                category.as_str(),
                channel,
            ) {
                Verdict::Allowed => {}
                Verdict::OptedOut => {
                    why.push(format!("{channel}: opted out"));
                    continue;
                }
                Verdict::OffByDefault => {
                    why.push(format!("{channel}: off by the tenant's default"));
                    continue;
                }
            }
            // Stored addresses were checked when written.
            if let Ok(to) = Recipient::parse(channel, address) {
                return Ok((channel, to));
            }
        }
        let field = if requested.is_empty() {
            "category"
        } else {
            "channels"
        };
        Err((
            field,
            format!(
                "recipient '{external_id}' has no allowed channel for category '{category}' ({})",
                why.join(", ")
            ),
        ))
    }
}

/// Why a claimed send was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// The recipient opted out of the category on this channel.
    OptedOut,
    /// The tenant's default turns the category off on this channel and the recipient did not
    /// allow it.
    OffByDefault,
    /// The recipient no longer has an address for this channel.
    NoAddress,
    /// The recipient was deleted.
    RecipientDeleted,
}

impl Suppression {
    pub const ALL: [Suppression; 4] = [
        Suppression::OptedOut,
        Suppression::OffByDefault,
        Suppression::NoAddress,
        Suppression::RecipientDeleted,
    ];

    /// The `reason` of metrics, audit rows and `last_error`.
    pub fn code(self) -> &'static str {
        match self {
            Suppression::OptedOut => "opted_out",
            Suppression::OffByDefault => "off_by_default",
            Suppression::NoAddress => "no_address",
            Suppression::RecipientDeleted => "recipient_deleted",
        }
    }

    fn describe(self, row: &Notification) -> String {
        let who = row.recipient_id.as_deref().unwrap_or_default();
        let category = row.category.as_deref().unwrap_or_default();
        let channel = &row.channel;
        let text = match self {
            Suppression::OptedOut => {
                format!("recipient '{who}' opted out of '{category}' by {channel}")
            }
            Suppression::OffByDefault => {
                format!("'{category}' by {channel} is off by default and '{who}' did not allow it")
            }
            Suppression::NoAddress => format!("recipient '{who}' has no {channel} address"),
            Suppression::RecipientDeleted => format!("recipient '{who}' no longer exists"),
        };
        format!("{}: {text}", self.code())
    }
}

/// What happens to one claimed send to a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send now, to this address (the recipient's current one).
    Send {
        address: String,
    },
    /// Inside quiet hours: due again when they end.
    Hold {
        until: DateTime<Utc>,
    },
    Suppress(Suppression),
}

/// The claim-time decision for a notification naming a recipient, as of `now`.
pub fn decide(
    row: &Notification,
    profile: Option<&Profile>,
    defaults: &Defaults,
    now: DateTime<Utc>,
) -> Decision {
    let Some(profile) = profile else {
        return Decision::Suppress(Suppression::RecipientDeleted);
    };
    let channel = row.channel;
    let Some(address) = profile.address(channel) else {
        return Decision::Suppress(Suppression::NoAddress);
    };
    let category = row
        .category
        .as_deref()
        .unwrap_or(crate::domain::preferences::ANY_CATEGORY);
    match profile
        .preferences
        .verdict(&defaults.preferences, category, channel)
    {
        Verdict::Allowed => {}
        Verdict::OptedOut => return Decision::Suppress(Suppression::OptedOut),
        Verdict::OffByDefault => return Decision::Suppress(Suppression::OffByDefault),
    }
    if !row.urgent {
        if let Some(window) = profile.quiet_hours.or(defaults.quiet_hours) {
            let tz = profile.timezone.map(|t| t.tz()).unwrap_or(chrono_tz::UTC);
            if let Some(until) = window.release(now, tz) {
                return Decision::Hold { until };
            }
        }
    }
    Decision::Send {
        address: address.to_owned(),
    }
}

/// A claimed send that may go out.
#[derive(Debug, Clone)]
pub struct Cleared {
    pub row: Notification,
    /// The recipient's current address, when it differs from the row's.
    pub address: Option<String>,
    /// The one-click unsubscribe link of an e-mail to a recipient.
    pub list_unsubscribe: Option<String>,
    /// When it carries a digest: the other notifications it sends in one message.
    pub digest: Option<Vec<Notification>>,
}

/// What [`gate`] made of a sender's claims.
#[derive(Debug, Default)]
pub struct Gated {
    pub cleared: Vec<Cleared>,
    /// Back to `scheduled`, due at the end of quiet hours: for the schedule.
    pub held: Vec<Notification>,
    /// Now `suppressed`, with the reason.
    pub suppressed: Vec<(Notification, Suppression)>,
}

/// Applies [`decide`] to every claimed row naming a recipient, inside the claim's
/// transaction: held rows go back to `scheduled` (their attempt given back, a new version), as
/// a retry does; suppressed ones end `suppressed`. Both are audited. Rows without a recipient
/// pass untouched, with no query.
pub fn gate(
    conn: &mut PgConnection,
    claimed: Vec<Notification>,
    now: DateTime<Utc>,
    unsubscribe: Option<&Unsubscribe>,
) -> Result<Gated, DbError> {
    let mut gated = Gated::default();
    if claimed.iter().all(|r| r.recipient_id.is_none()) {
        gated.cleared = claimed
            .into_iter()
            .map(|row| Cleared {
                row,
                address: None,
                list_unsubscribe: None,
                digest: None,
            })
            .collect();
        return Ok(gated);
    }
    let pairs: Vec<(Uuid, String)> = claimed
        .iter()
        .filter_map(|r| r.recipient_id.clone().map(|e| (r.tenant_id, e)))
        .collect();
    let mut tenants: Vec<Uuid> = pairs.iter().map(|(t, _)| *t).collect();
    tenants.sort();
    tenants.dedup();
    let profiles: HashMap<(Uuid, String), Profile> = db::recipients::find_pairs(conn, &pairs)?
        .into_iter()
        .map(|(k, row)| (k, Profile::from_row(row)))
        .collect();
    let defaults: HashMap<Uuid, Defaults> = db::recipients::defaults(conn, &tenants)?
        .iter()
        .map(|(tenant, row)| (*tenant, Defaults::from_row(Some(row))))
        .collect();
    let no_defaults = Defaults::default();
    // Digest carriers (released) first, so they take the rest of their key in this batch.
    let mut claimed = claimed;
    claimed.sort_by_key(|r| r.digest_key.is_some() && r.digest_release_at.is_none());
    let batch: Vec<Uuid> = claimed.iter().map(|r| r.id).collect();
    let mut carried: std::collections::HashSet<Uuid> = Default::default();
    for mut row in claimed {
        let Some(external_id) = row.recipient_id.clone() else {
            gated.cleared.push(Cleared {
                row,
                address: None,
                list_unsubscribe: None,
                digest: None,
            });
            continue;
        };
        // Its digest's carrier sends it and records its outcome.
        if row.digest_of.is_some_and(|carrier| carrier != row.id) || carried.contains(&row.id) {
            continue;
        }
        let profile = profiles.get(&(row.tenant_id, external_id.clone()));
        let tenant_defaults = defaults.get(&row.tenant_id).unwrap_or(&no_defaults);
        match decide(&row, profile, tenant_defaults, now) {
            Decision::Send { address } => {
                let digest = match digest::step(conn, &row, now, &batch)? {
                    None => None,
                    Some(digest::Step::Absorbed) => continue,
                    Some(digest::Step::Hold(held)) => {
                        gated.held.push(*held);
                        continue;
                    }
                    Some(digest::Step::Carry(items)) => {
                        carried.extend(items.iter().map(|i| i.id));
                        row.digest_of = Some(row.id);
                        Some(items)
                    }
                };
                let address = (address != row.recipient).then_some(address);
                if let Some(a) = &address {
                    db::recipients::readdress(conn, row.id, a)?;
                }
                let list_unsubscribe = match (unsubscribe, profile, &row.category) {
                    (Some(u), Some(p), Some(category)) if row.channel == ChannelKind::Email => {
                        Category::parse(category).ok().map(|category| {
                            u.url(&Subscription {
                                tenant_id: row.tenant_id,
                                recipient: p.row.id,
                                category,
                                channel: ChannelKind::Email,
                            })
                        })
                    }
                    _ => None,
                };
                gated.cleared.push(Cleared {
                    row,
                    address,
                    list_unsubscribe,
                    digest,
                });
            }
            Decision::Hold { until } => {
                // A digest's items held by quiet hours are released together, as one.
                let held = match row.digest_key {
                    Some(_) => digest::hold(conn, &row, until)?,
                    None => db::recipients::mark_held(conn, &row, until)?,
                };
                if let Some(held) = held {
                    db::audit::record(
                        conn,
                        row.tenant_id,
                        "system",
                        "notification.held",
                        Some(row.id),
                        json!({"until": crate::domain::format_time(until), "reason": "quiet_hours"}),
                    )?;
                    gated.held.push(held);
                }
            }
            Decision::Suppress(why) => {
                if db::recipients::mark_suppressed(conn, &row, &why.describe(&row))? {
                    // A digest carrier taken over after a crash: its items end with it.
                    if row.digest_of == Some(row.id) {
                        let reason = why.describe(&row);
                        digest::settle(
                            conn,
                            row.id,
                            digest::Settled::Final("suppressed", &reason),
                        )?;
                    }
                    db::audit::record(
                        conn,
                        row.tenant_id,
                        "system",
                        "notification.suppressed",
                        Some(row.id),
                        json!({
                            "reason": why.code(),
                            "recipient_id": external_id,
                            "category": row.category,
                            "channel": row.channel,
                        }),
                    )?;
                    gated.suppressed.push((row, why));
                }
            }
        }
    }
    Ok(gated)
}

#[cfg(test)]
pub(crate) mod tests;
