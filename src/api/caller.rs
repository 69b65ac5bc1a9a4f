//! Who is calling, once authenticated (`auth` does the authenticating), and the short-lived
//! cache of those answers that `AppState` holds.

use super::error::ApiError;
use crate::domain::AccessRole;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// An authenticated caller; every query is scoped to its tenant.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: Uuid,
    pub role: AccessRole,
    /// `key:<id>` or `user:<id>`, for the audit log.
    pub actor: String,
    /// An API key's own rate limit (requests per second), on top of the tenant's.
    pub key_rate: Option<(Uuid, u32)>,
}

impl Caller {
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            AccessRole::Admin => Ok(()),
            AccessRole::Member => Err(ApiError::Forbidden(
                "this action needs the admin role".into(),
            )),
        }
    }
}

/// Successful API-key lookups and the state of JWT users, kept briefly so a busy client does not
/// cost a query per request. Keys are keyed by their digest, so the cache never holds a secret.
/// A change made through this replica drops its entry at once; other replicas see it within
/// [`KEY_CACHE_TTL`].
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (Caller, Instant)>>,
    users: Mutex<HashMap<Uuid, (Option<UserState>, Instant)>>,
}

/// What a JWT is checked against on every use.
#[derive(Debug, Clone)]
pub struct UserState {
    pub tenant_id: Uuid,
    pub role: AccessRole,
    pub token_version: i32,
    pub disabled: bool,
}

/// The longest a revoked key, or a deleted, disabled or changed user's token, keeps working on a
/// replica other than the one that made the change.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(30);

impl KeyCache {
    pub fn forget_user(&self, id: Uuid) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(&id);
        }
    }

    /// `None` when not cached; `Some(None)` when cached as unknown (deleted).
    pub(super) fn get_user(&self, id: Uuid) -> Option<Option<UserState>> {
        let users = self.users.lock().ok()?;
        users
            .get(&id)
            .filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL)
            .map(|(u, _)| u.clone())
    }

    pub(super) fn put_user(&self, id: Uuid, state: Option<UserState>) {
        if let Ok(mut users) = self.users.lock() {
            if users.len() > 10_000 {
                users.clear();
            }
            users.insert(id, (state, Instant::now()));
        }
    }

    pub fn forget_hash(&self, hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(hash);
        }
    }

    pub(super) fn get(&self, hash: &str) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL)
            .map(|(c, _)| c.clone())
    }

    pub(super) fn put(&self, hash: &str, caller: &Caller) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(hash.to_string(), (caller.clone(), Instant::now()));
        }
    }
}
