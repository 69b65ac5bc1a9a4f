//! Preferences: for each category (or `*`, every category) and channel, whether a recipient
//! allows it (`true`) or opted out (`false`). A recipient's own settings come first, then the
//! tenant's defaults; what neither says is allowed.

use super::Category;
use crate::domain::ChannelKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The key that applies to every category.
pub const ANY_CATEGORY: &str = "*";
const MAX_CATEGORIES: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
/// Category (or `*`) → channel name → allowed.
pub struct Preferences(BTreeMap<String, BTreeMap<&'static str, bool>>);

/// Why a send is allowed or not, for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Opted out by the recipient's own preference.
    OptedOut,
    /// Off by the tenant's default and not allowed by the recipient.
    OffByDefault,
}

impl Verdict {
    pub fn allowed(self) -> bool {
        self == Verdict::Allowed
    }
}

impl Preferences {
    /// Parses `{"billing": {"email": true, "sms": false}, "*": {"sms": false}}`; errors name
    /// the path below `field`.
    pub fn parse(field: &str, value: &Value) -> Result<Preferences, (String, String)> {
        let Value::Object(categories) = value else {
            return Err((field.into(), "expected an object of categories".into()));
        };
        if categories.len() > MAX_CATEGORIES {
            return Err((
                field.into(),
                format!("holds more than {MAX_CATEGORIES} categories"),
            ));
        }
        let mut out = BTreeMap::new();
        for (name, channels) in categories {
            let path = format!("{field}.{name}");
            if name != ANY_CATEGORY {
                Category::parse(name).map_err(|e| (path.clone(), e))?;
            }
            let Value::Object(channels) = channels else {
                return Err((path, "expected an object like {\"email\": false}".into()));
            };
            let mut per = BTreeMap::new();
            for (channel, allowed) in channels {
                let path = format!("{path}.{channel}");
                let kind: ChannelKind = channel
                    .parse()
                    .map_err(|e: crate::domain::UnknownChannel| (path.clone(), e.to_string()))?;
                let Value::Bool(allowed) = allowed else {
                    return Err((path, "expected true (allowed) or false (opted out)".into()));
                };
                per.insert(kind.as_str(), *allowed);
            }
            out.insert(name.clone(), per);
        }
        Ok(Preferences(out))
    }

    /// Reads a stored value back; it was checked when written.
    pub fn from_stored(value: &Value) -> Preferences {
        Preferences::parse("preferences", value).unwrap_or_default()
    }

    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (category, channels) in &self.0 {
            let per: Map<String, Value> = channels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::Bool(*v)))
                .collect();
            out.insert(category.clone(), Value::Object(per));
        }
        Value::Object(out)
    }

    /// This setting for exactly this category (or `*`) and channel, if there is one.
    pub fn get(&self, category: &str, channel: ChannelKind) -> Option<bool> {
        self.0.get(category)?.get(channel.as_str()).copied()
    }

    /// Sets one category's channel.
    pub fn set(&mut self, category: &Category, channel: ChannelKind, allowed: bool) {
        self.0
            .entry(category.as_str().to_owned())
            .or_default()
            .insert(channel.as_str(), allowed);
    }

    /// Whether `channel` may carry `category` to a recipient with these preferences under
    /// the tenant's `defaults`: the recipient's category, the recipient's `*`, the default's
    /// category, the default's `*`; allowed when none of them says.
    pub fn verdict(&self, defaults: &Preferences, category: &str, channel: ChannelKind) -> Verdict {
        let own = self
            .get(category, channel)
            .or_else(|| self.get(ANY_CATEGORY, channel));
        match own {
            Some(true) => return Verdict::Allowed,
            Some(false) => return Verdict::OptedOut,
            None => {}
        }
        let default = defaults
            .get(category, channel)
            .or_else(|| defaults.get(ANY_CATEGORY, channel));
        match default {
            Some(false) => Verdict::OffByDefault,
            _ => Verdict::Allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prefs(v: Value) -> Preferences {
        Preferences::parse("preferences", &v).unwrap()
    }

    #[test]
    fn the_recipient_comes_before_the_tenant_and_categories_before_any() {
        let defaults = prefs(json!({"marketing": {"email": false}, "*": {"sms": false}}));
        let own = prefs(json!({"marketing": {"email": true}, "billing": {"email": false}}));
        let e = ChannelKind::Email;
        assert_eq!(own.verdict(&defaults, "marketing", e), Verdict::Allowed);
        assert_eq!(own.verdict(&defaults, "billing", e), Verdict::OptedOut);
        assert_eq!(own.verdict(&defaults, "other", e), Verdict::Allowed);
        assert_eq!(
            own.verdict(&defaults, "billing", ChannelKind::Sms),
            Verdict::OffByDefault
        );
        let none = Preferences::default();
        assert_eq!(
            none.verdict(&defaults, "marketing", e),
            Verdict::OffByDefault
        );
        let all_off = prefs(json!({"*": {"email": false}}));
        assert_eq!(all_off.verdict(&none, "billing", e), Verdict::OptedOut);
    }

    #[test]
    fn bad_preferences_name_their_path() {
        let cases = [
            (json!([]), "preferences"),
            (json!({"a b": {}}), "preferences.a b"),
            (json!({"billing": true}), "preferences.billing"),
            (json!({"billing": {"fax": true}}), "preferences.billing.fax"),
            (
                json!({"billing": {"email": "no"}}),
                "preferences.billing.email",
            ),
        ];
        for (value, path) in cases {
            let (field, _) = Preferences::parse("preferences", &value).unwrap_err();
            assert_eq!(field, path);
        }
        let p = prefs(json!({"billing": {"email": false}}));
        assert_eq!(Preferences::from_stored(&p.to_json()), p);
    }
}
