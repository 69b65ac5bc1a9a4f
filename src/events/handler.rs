//! What an event turns into: pure functions from an event (and the tenant's rule for its type,
//! if any) to the notifications to create, or the reason there are none. No I/O, so every rule
//! of API.md is unit-tested here; the worker only runs the plan in a transaction.
//!
//! Decisions:
//! - The notification's `data` is the event payload, so rule templates can use any field.
//! - `expires_at` is left unset, so it defaults to the target date: a reminder is never sent
//!   after the thing it reminds of.
//! - A lead time whose send time has already passed (but whose target has not) is sent at once:
//!   `send_at` keeps the computed time and the schedule treats it as due.
//! - A target date already in the past leaves nothing to send: the event is `ignored`, and
//!   `error` says why. Every notification of an event shares the target, so it is all or none.
//! - A field that is present but unusable (not a string, not an address, not a date) fails the
//!   event with an error naming the payload path; nothing is created.

use super::pointer::{kind_of, JsonPointer};
use crate::channels::template;
use crate::db::models::{Event, Rule};
use crate::domain::{local_time, Category, ChannelKind, LeadTime, Recipient, TimeZone};
use crate::recipients::Directory;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// One notification to create. `slot` is unique within the event, so a second run of the same
/// event cannot insert it twice.
#[derive(Debug, Clone)]
pub struct Planned {
    pub slot: i32,
    pub channel: ChannelKind,
    pub recipient: Recipient,
    /// Where in the payload the recipient came from (`payload.hook`), for errors found later.
    pub recipient_path: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub template: Option<String>,
    pub template_version: Option<i32>,
    pub target_date: DateTime<Utc>,
    pub lead_time: LeadTime,
    pub timezone: Option<TimeZone>,
    /// The recipient (external id) and category, when the event names a recipient.
    pub recipient_id: Option<String>,
    pub category: Option<String>,
    /// The channels to try after `channel` fails permanently (a recipient's only).
    pub fallback: Vec<ChannelKind>,
}

impl Planned {
    pub fn send_at(&self) -> DateTime<Utc> {
        self.target_date - self.lead_time.duration()
    }
}

#[derive(Debug, Clone)]
pub enum Plan {
    /// At least one notification.
    Schedule(Vec<Planned>),
    /// Nothing to schedule; the reason is kept on the event.
    Ignored(String),
    /// The payload does not fit the rule; the error names the path.
    Failed(String),
}

/// Applies `rule` (or the built-in handler without one) to `event` as of `now`.
pub fn plan(event: &Event, rule: Option<&Rule>, now: DateTime<Utc>) -> Plan {
    plan_with(event, rule, now, &Directory::default())
}

/// [`plan`] for an event that may name a recipient: `directory` holds the recipients
/// [`named_recipient`] found (the worker reads them first).
pub fn plan_with(
    event: &Event,
    rule: Option<&Rule>,
    now: DateTime<Utc>,
    directory: &Directory,
) -> Plan {
    let result = match rule {
        Some(rule) => apply_rule(rule, &event.payload, directory),
        None => built_in(&event.event_type, &event.payload, directory),
    };
    match result {
        Ok(Found::Nothing(reason)) => Plan::Ignored(reason),
        Ok(Found::Items(items)) => match items.first() {
            Some(first) if first.target_date <= now => Plan::Ignored(format!(
                "the target date {} has already passed; nothing to send",
                crate::domain::format_time(first.target_date)
            )),
            Some(_) => Plan::Schedule(items),
            None => Plan::Ignored("nothing to schedule".into()),
        },
        Err(error) => Plan::Failed(error),
    }
}

/// Where an event names a recipient by external id: the rule's `recipient_id_path`, or
/// `payload.recipient_id` for the built-in handler.
fn recipient_pointer(rule: Option<&Rule>) -> Option<JsonPointer> {
    match rule {
        Some(rule) => JsonPointer::parse(rule.recipient_id_path.as_deref()?).ok(),
        None => Some(JsonPointer::field("recipient_id")),
    }
}

/// The recipient an event names, to be read before it is planned.
pub fn named_recipient(event: &Event, rule: Option<&Rule>) -> Option<String> {
    let ptr = recipient_pointer(rule)?;
    ptr.get(&event.payload)?.as_str().map(str::to_owned)
}

/// The channel and address for the recipient at `ptr` in the payload, about `category`.
fn addressed(
    payload: &Value,
    ptr: &JsonPointer,
    category: &str,
    channel: Option<ChannelKind>,
    directory: &Directory,
) -> Result<(ChannelKind, Recipient, String), String> {
    let id = as_str(required(payload, ptr)?, ptr)?;
    let category = Category::parse(category).map_err(|e| format!("category: {e}"))?;
    let requested: Vec<ChannelKind> = channel.into_iter().collect();
    let (channel, recipient) = directory
        .choose(id, &category, &requested)
        .map_err(|(_, e)| format!("{}: {e}", ptr.path()))?;
    Ok((channel, recipient, id.to_owned()))
}

enum Found {
    Items(Vec<Planned>),
    Nothing(String),
}

/// A required field: present (and not null).
fn required<'a>(payload: &'a Value, pointer: &JsonPointer) -> Result<&'a Value, String> {
    pointer
        .get(payload)
        .ok_or_else(|| format!("{} is missing", pointer.path()))
}

fn as_str<'a>(value: &'a Value, pointer: &JsonPointer) -> Result<&'a str, String> {
    value.as_str().ok_or_else(|| {
        format!(
            "{}: expected a string, got {}",
            pointer.path(),
            kind_of(value)
        )
    })
}

fn optional_str<'a>(payload: &'a Value, pointer: &JsonPointer) -> Result<Option<&'a str>, String> {
    pointer.get(payload).map(|v| as_str(v, pointer)).transpose()
}

fn timezone(payload: &Value, pointer: Option<&JsonPointer>) -> Result<Option<TimeZone>, String> {
    let Some(pointer) = pointer else {
        return Ok(None);
    };
    // The zone is optional per event: without it, local times are read as UTC.
    optional_str(payload, pointer)?
        .map(|s| TimeZone::parse(s).map_err(|e| format!("{}: {e}", pointer.path())))
        .transpose()
}

fn target_date(
    payload: &Value,
    pointer: &JsonPointer,
    tz: Option<&TimeZone>,
) -> Result<DateTime<Utc>, String> {
    let raw = as_str(required(payload, pointer)?, pointer)?;
    local_time::parse_instant(raw, tz.map(|t| t.tz()))
        .map_err(|e| format!("{}: {e}", pointer.path()))
}

fn recipient(
    value: &Value,
    pointer: &JsonPointer,
    channel: ChannelKind,
) -> Result<Recipient, String> {
    Recipient::parse(channel, as_str(value, pointer)?)
        .map_err(|e| format!("{}: {e}", pointer.path()))
}

/// A stored rule was validated when it was written; reading it back can only fail if the
/// database was edited by hand, which then fails the event with a message saying so.
fn rule_part<T>(rule: &Rule, field: &str, parsed: Result<T, String>) -> Result<T, String> {
    parsed.map_err(|e| format!("rule for '{}' has an invalid {field}: {e}", rule.event_type))
}

/// The rule's fallback for one recipient: the rule is written before the recipient is known,
/// so channels it has no address for, or the one chosen for this event, are left out here.
fn rule_fallback(
    rule: &Rule,
    recipient_id: &str,
    chosen: ChannelKind,
    directory: &Directory,
) -> Result<Vec<ChannelKind>, String> {
    let mut channels = Vec::new();
    for c in &rule.fallback {
        let kind: ChannelKind = rule_part(
            rule,
            "fallback",
            c.parse()
                .map_err(|e: crate::domain::UnknownChannel| e.to_string()),
        )?;
        if kind != chosen
            && !channels.contains(&kind)
            && directory.address_of(recipient_id, kind).is_some()
        {
            channels.push(kind);
        }
    }
    Ok(channels)
}

fn apply_rule(rule: &Rule, payload: &Value, directory: &Directory) -> Result<Found, String> {
    let channel: Option<ChannelKind> = rule
        .channel
        .as_deref()
        .map(|c| {
            rule_part(
                rule,
                "channel",
                c.parse()
                    .map_err(|e: crate::domain::UnknownChannel| e.to_string()),
            )
        })
        .transpose()?;
    let recipient_ptr = rule_part(
        rule,
        "recipient_path",
        JsonPointer::parse(
            rule.recipient_path
                .as_deref()
                .or(rule.recipient_id_path.as_deref())
                .unwrap_or_default(),
        ),
    )?;
    let target_ptr = rule_part(
        rule,
        "target_date_path",
        JsonPointer::parse(&rule.target_date_path),
    )?;
    let tz_ptr = rule
        .timezone_path
        .as_deref()
        .map(|p| rule_part(rule, "timezone_path", JsonPointer::parse(p)))
        .transpose()?;
    let lead_times = rule
        .lead_times
        .iter()
        .map(|l| rule_part(rule, "lead_times", LeadTime::parse(l)))
        .collect::<Result<Vec<_>, _>>()?;

    let (channel, to, recipient_id) = match &rule.category {
        Some(category) if rule.recipient_id_path.is_some() => {
            let (channel, to, id) =
                addressed(payload, &recipient_ptr, category, channel, directory)?;
            (channel, to, Some(id))
        }
        _ => {
            let channel = rule_part(rule, "channel", channel.ok_or("missing".to_owned()))?;
            let to = recipient(required(payload, &recipient_ptr)?, &recipient_ptr, channel)?;
            (channel, to, None)
        }
    };
    let fallback = match &recipient_id {
        Some(id) => rule_fallback(rule, id, channel, directory)?,
        None => Vec::new(),
    };
    let tz = timezone(payload, tz_ptr.as_ref())?;
    let target = target_date(payload, &target_ptr, tz.as_ref())?;
    let items = lead_times
        .into_iter()
        .enumerate()
        .map(|(i, lead_time)| Planned {
            slot: i as i32,
            channel,
            recipient: to.clone(),
            recipient_path: recipient_ptr.path(),
            subject: rule.subject.clone(),
            body: rule.body.clone(),
            html: rule.html.clone(),
            template: rule.template.clone(),
            template_version: rule.template_version,
            target_date: target,
            lead_time,
            timezone: tz,
            recipient_id: recipient_id.clone(),
            category: recipient_id.as_ref().and(rule.category.clone()),
            fallback: fallback.clone(),
        })
        .collect();
    Ok(Found::Items(items))
}

/// The recipients the built-in handler looks for, each with its fixed slot.
const BUILT_IN_RECIPIENTS: [(&str, ChannelKind, i32); 3] = [
    ("email", ChannelKind::Email, 0),
    ("phone", ChannelKind::Sms, 1),
    ("webhook_url", ChannelKind::Webhook, 2),
];

fn template_field(payload: &Value, name: &str) -> Result<Option<String>, String> {
    let ptr = JsonPointer::field(name);
    let Some(text) = optional_str(payload, &ptr)? else {
        return Ok(None);
    };
    template::check(text).map_err(|e| format!("{}: {e}", ptr.path()))?;
    Ok(Some(text.to_string()))
}

/// Without a rule: `payload.target_date`, one notification per recipient present among
/// `email`, `phone` and `webhook_url` (or one to the stored recipient `recipient_id` about
/// `category`, instead), `lead_time` (default `PT0S`), optional `timezone`, `subject` and
/// `body` (templates over the payload).
fn built_in(event_type: &str, payload: &Value, directory: &Directory) -> Result<Found, String> {
    let mut recipients = Vec::new();
    let mut named = None;
    let id_ptr = JsonPointer::field("recipient_id");
    if id_ptr.get(payload).is_some() {
        let category_ptr = JsonPointer::field("category");
        let category = as_str(required(payload, &category_ptr)?, &category_ptr)?;
        let (channel, to, id) = addressed(payload, &id_ptr, category, None, directory)
            .map_err(|e| e.replacen("category: ", &format!("{}: ", category_ptr.path()), 1))?;
        recipients.push((to, id_ptr.path(), channel, 0));
        named = Some((id, category.to_owned()));
    } else {
        for (name, channel, slot) in BUILT_IN_RECIPIENTS {
            let ptr = JsonPointer::field(name);
            if let Some(value) = ptr.get(payload) {
                recipients.push((recipient(value, &ptr, channel)?, ptr.path(), channel, slot));
            }
        }
    }
    if recipients.is_empty() {
        return Ok(Found::Nothing(format!(
            "no rule for event type '{event_type}' and no recipient in payload.email, \
             payload.phone or payload.webhook_url"
        )));
    }
    let tz = timezone(payload, Some(&JsonPointer::field("timezone")))?;
    let target = target_date(payload, &JsonPointer::field("target_date"), tz.as_ref())?;
    let lead_ptr = JsonPointer::field("lead_time");
    let lead_time = match optional_str(payload, &lead_ptr)? {
        Some(s) => LeadTime::parse(s).map_err(|e| format!("{}: {e}", lead_ptr.path()))?,
        None => LeadTime::ZERO,
    };
    // The event type only holds characters that are literal text in a template.
    let subject =
        template_field(payload, "subject")?.unwrap_or_else(|| format!("Reminder: {event_type}"));
    let body = template_field(payload, "body")?
        .unwrap_or_else(|| format!("Reminder: {event_type} on {{{{ target_date }}}}."));
    let items = recipients
        .into_iter()
        .map(|(recipient, recipient_path, channel, slot)| Planned {
            slot,
            channel,
            recipient,
            recipient_path,
            subject: (channel == ChannelKind::Email).then(|| subject.clone()),
            body: body.clone(),
            html: None,
            template: None,
            template_version: None,
            target_date: target,
            lead_time,
            timezone: tz,
            recipient_id: named.as_ref().map(|(id, _)| id.clone()),
            category: named.as_ref().map(|(_, c)| c.clone()),
            fallback: Vec::new(),
        })
        .collect();
    Ok(Found::Items(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use serde_json::json;
    use uuid::Uuid;

    fn event(event_type: &str, payload: Value) -> Event {
        Event {
            id: Uuid::new_v4(),
            tenant_id: Uuid::new_v4(),
            event_type: event_type.into(),
            payload,
            status: "received".into(),
            error: None,
            idempotency_key: None,
            created_at: Utc::now(),
            processed_at: None,
        }
    }

    fn rule() -> Rule {
        Rule {
            id: Uuid::new_v4(),
            tenant_id: Uuid::new_v4(),
            event_type: "card.expiring".into(),
            channel: Some("email".into()),
            recipient_path: Some("/customer/email".into()),
            target_date_path: "/expires".into(),
            timezone_path: Some("/tz".into()),
            lead_times: vec!["P7D".into(), "P1D".into()],
            subject: Some("Card".into()),
            body: "Hi {{ name }}".into(),
            html: None,
            template: None,
            template_version: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            recipient_id_path: None,
            category: None,
            fallback: Vec::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    fn failed(plan: Plan) -> String {
        match plan {
            Plan::Failed(e) => e,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_rule_makes_one_notification_per_lead_time() {
        let e = event(
            "card.expiring",
            json!({"customer": {"email": "ada@example.com"}, "expires": "2026-12-01T09:00:00", "tz": "Europe/Berlin"}),
        );
        let Plan::Schedule(items) = plan(&e, Some(&rule()), now()) else {
            panic!("expected notifications");
        };
        assert_eq!(items.len(), 2);
        let target: DateTime<Utc> = "2026-12-01T08:00:00Z".parse().unwrap();
        assert_eq!(items[0].slot, 0);
        assert_eq!(items[0].send_at(), target - Duration::days(7));
        assert_eq!(items[1].slot, 1);
        assert_eq!(items[1].send_at(), target - Duration::days(1));
        assert_eq!(items[0].recipient.as_str(), "ada@example.com");
        assert_eq!(items[0].timezone.map(|t| t.name()), Some("Europe/Berlin"));
    }

    #[test]
    fn rule_errors_name_the_payload_path() {
        let r = rule();
        let cases = [
            (
                json!({"expires": "2026-12-01T09:00:00Z"}),
                "payload.customer.email is missing",
            ),
            (
                json!({"customer": {"email": "x"}, "expires": "2026-12-01T09:00:00Z"}),
                "payload.customer.email: 'x' is not a valid e-mail address",
            ),
            (
                json!({"customer": {"email": 42}, "expires": "2026-12-01T09:00:00Z"}),
                "payload.customer.email: expected a string, got a number",
            ),
            (
                json!({"customer": {"email": "a@b.co"}}),
                "payload.expires is missing",
            ),
            (
                json!({"customer": {"email": "a@b.co"}, "expires": "soon"}),
                "payload.expires: expected an RFC 3339",
            ),
            (
                json!({"customer": {"email": "a@b.co"}, "expires": "2026-12-01T09:00:00", "tz": "Mars/Olympus"}),
                "payload.tz: unknown IANA time zone 'Mars/Olympus'",
            ),
        ];
        for (payload, expected) in cases {
            let error = failed(plan(&event("card.expiring", payload), Some(&r), now()));
            assert!(
                error.starts_with(expected),
                "{error:?} should start with {expected:?}"
            );
        }
    }

    #[test]
    fn a_past_send_time_is_kept_but_a_past_target_is_ignored() {
        let e = event(
            "card.expiring",
            json!({"customer": {"email": "a@b.co"}, "expires": "2026-11-03T00:00:00Z"}),
        );
        let Plan::Schedule(items) = plan(&e, Some(&rule()), now()) else {
            panic!("expected notifications");
        };
        assert!(
            items[0].send_at() < now(),
            "P7D is overdue and sent at once"
        );
        let late = event(
            "card.expiring",
            json!({"customer": {"email": "a@b.co"}, "expires": "2026-10-01T00:00:00Z"}),
        );
        assert!(
            matches!(plan(&late, Some(&rule()), now()), Plan::Ignored(r) if r.contains("already passed"))
        );
    }

    #[test]
    fn built_in_handler_makes_one_per_recipient() {
        let e = event(
            "invoice.due",
            json!({"email": "ada@example.com", "phone": "+14155550123", "target_date": "2026-12-01T09:00:00Z", "lead_time": "P2D"}),
        );
        let Plan::Schedule(items) = plan(&e, None, now()) else {
            panic!("expected notifications");
        };
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].channel, items[0].slot), (ChannelKind::Email, 0));
        assert_eq!((items[1].channel, items[1].slot), (ChannelKind::Sms, 1));
        assert_eq!(items[0].subject.as_deref(), Some("Reminder: invoice.due"));
        assert_eq!(items[1].subject, None);
        assert!(items[0].body.contains("invoice.due"));
        assert_eq!(
            items[0].send_at(),
            "2026-11-29T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        template::check(&items[0].body).unwrap();
    }

    #[test]
    fn built_in_handler_ignores_or_fails_with_the_path() {
        let none = event("x", json!({"target_date": "2026-12-01T09:00:00Z"}));
        assert!(
            matches!(plan(&none, None, now()), Plan::Ignored(r) if r.contains("payload.email"))
        );
        let no_target = event("x", json!({"email": "a@b.co"}));
        assert_eq!(
            failed(plan(&no_target, None, now())),
            "payload.target_date is missing"
        );
        let bad_lead = event(
            "x",
            json!({"email": "a@b.co", "target_date": "2026-12-01T09:00:00Z", "lead_time": "P1M"}),
        );
        assert!(failed(plan(&bad_lead, None, now())).starts_with("payload.lead_time: "));
        let bad_body = event(
            "x",
            json!({"webhook_url": "https://example.com/h", "target_date": "2026-12-01T09:00:00Z", "body": "{{ oops"}),
        );
        assert!(failed(plan(&bad_body, None, now())).starts_with("payload.body: "));
        let bad_phone = event(
            "x",
            json!({"phone": "123", "target_date": "2026-12-01T09:00:00Z"}),
        );
        assert!(failed(plan(&bad_phone, None, now())).starts_with("payload.phone: '123'"));
    }
}
