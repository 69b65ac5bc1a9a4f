use std::fmt;
use std::str::FromStr;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    Scheduled,
    Sending,
    Sent,
    Cancelled,
    Expired,
    Dead,
    /// Not sent: the recipient opted out of its category on its channel.
    Suppressed,
}

impl NotificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Scheduled => "scheduled",
            NotificationStatus::Sending => "sending",
            NotificationStatus::Sent => "sent",
            NotificationStatus::Cancelled => "cancelled",
            NotificationStatus::Expired => "expired",
            NotificationStatus::Dead => "dead",
            NotificationStatus::Suppressed => "suppressed",
        }
    }
}

impl FromStr for NotificationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "scheduled" => NotificationStatus::Scheduled,
            "sending" => NotificationStatus::Sending,
            "sent" => NotificationStatus::Sent,
            "cancelled" => NotificationStatus::Cancelled,
            "expired" => NotificationStatus::Expired,
            "dead" => NotificationStatus::Dead,
            "suppressed" => NotificationStatus::Suppressed,
            other => {
                return Err(format!(
                    "unknown status '{other}' (expected scheduled, sending, sent, cancelled, expired, dead or suppressed)"
                ))
            }
        })
    }
}

text_column!(NotificationStatus);

impl fmt::Display for NotificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller may do: `admin` manages rules, keys, users and dead letters; `member` posts
/// events and manages notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessRole {
    Admin,
    Member,
}

impl AccessRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessRole::Admin => "admin",
            AccessRole::Member => "member",
        }
    }
}

impl FromStr for AccessRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(AccessRole::Admin),
            "member" => Ok(AccessRole::Member),
            other => Err(format!("unknown role '{other}' (expected admin or member)")),
        }
    }
}
