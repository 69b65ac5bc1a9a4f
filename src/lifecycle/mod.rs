//! Every state change of a notification, and the Redis writes after each commit.
//!
//! ```text
//! scheduled ──claim──▶ sending ──outcome──▶ sent
//!     │  ▲                 ├──outcome──▶ scheduled   (retry: attempts + 1, after a backoff)
//!     │  └──replay── dead ◀┴──outcome──▶ dead / expired
//!     ├──cancel──▶ cancelled
//!     └──reschedule──▶ scheduled (new version)
//! ```
//!
//! | change | function |
//! | --- | --- |
//! | create | [`create::scheduled`] builds every new row (API, batches, events, series); `db` inserts it |
//! | reschedule | [`reschedule::reschedule`] (the API parses the change) |
//! | cancel | [`cancel::cancel_one`], [`cancel::cancel_group`], [`cancel::advance_cancelled`] |
//! | claim | [`claim::claim`] |
//! | outcome: sent, retry, dead, expired | [`outcome`] |
//! | expiry | [`expiry::expiry`] (default `target_date`), [`expiry::is_expired`] (grace) |
//! | replay | [`replay::replay_one`] |
//! | series advance | [`series::advance`] |
//! | Redis after a commit | [`after_commit`] |
//!
//! Callers: `api/` (handlers), `cli/`, `events::worker` and `sender::deliver` call these
//! functions inside their own transactions (via `db::run`) and then the [`after_commit`]
//! writes. Every SQL statement is in `db/`.
//!
//! # Where each invariant of the design is kept (one place each)
//!
//! 1. *PostgreSQL is the truth, Redis a derived index*: every change commits first; Redis is
//!    written only afterwards, by [`after_commit`], which never fails the caller (the
//!    reconciler, `schedule::reconciler`, rebuilds what it could not write).
//! 2. *At most one effective send*: the claim's single conditional UPDATE,
//!    `db::notifications::claim_many` (via [`claim::claim`]); every later write of the attempt
//!    is conditional on `db::notifications::our_claim` (same id, version, `sending`).
//! 3. *One scheduler promotes at a time*: not here — `schedule::leader` and the token check in
//!    `schedule/lua/promote.lua`.
//! 4. *Nothing is lost when a process dies*: a row left `sending` is taken over once its claim
//!    is older than `db::notifications::abandoned_before` (the visibility timeout; computed
//!    there once for the claim and the reconciler); one whose attempts are used up ends `dead`
//!    in [`claim::claim`].
//! 5. *Due means due*: not here — `schedule` (the leader sleeps until the earliest entry).
//!    Expiry is decided in one place, [`expiry`].
//! 6. *Bad input changes nothing*: each change here is one transaction; input is parsed into
//!    domain types in `api/` before any of it runs.
//!
//! # A reminder cancelled while it is being sent
//!
//! A cancel needs the row `scheduled` ([`cancel::cancel_one`] locks it first). Three cases:
//! - The sender has not claimed it yet: the cancel wins, sets `cancelled` and bumps the
//!   version; the ready entry the sender holds names the old version, so the claim's UPDATE
//!   matches nothing and the entry is dropped as stale. Nothing is sent.
//! - The sender claimed it (`sending`): the cancel is refused with 409 ("notification is
//!   sending; only scheduled notifications can be cancelled"); the send goes ahead and its
//!   outcome is recorded. After a retry the row is `scheduled` again and can be cancelled.
//! - Both at once: the row lock and the conditional UPDATEs order them; exactly one of the two
//!   statements matches the row.

pub mod after_commit;
pub mod cancel;
pub mod claim;
pub mod create;
pub mod error;
pub mod expiry;
pub mod outcome;
pub mod replay;
pub mod reschedule;
pub mod series;

pub use error::LifecycleError;

use crate::db::{self, notifications as q};
use diesel::PgConnection;
use serde_json::{json, Value};
use uuid::Uuid;

/// The end of a bulk change (cancel or replay matching a filter): an audit row per row changed
/// (`action`), one for the call (`bulk_action`, with `summary` added to the filter as given),
/// and how many rows still match, counted up to `db::stats::COUNT_CAP`.
struct Bulk<'a> {
    tenant_id: Uuid,
    actor: &'a str,
    filter: &'a q::ListFilter,
    given: &'a Value,
}

impl Bulk<'_> {
    fn finish(
        &self,
        conn: &mut PgConnection,
        action: &str,
        bulk_action: &str,
        done: &[Uuid],
        mut summary: Value,
    ) -> diesel::QueryResult<i64> {
        let detail = json!({"bulk": true, "filter": self.given});
        db::audit::record_each(conn, self.tenant_id, self.actor, action, done, &detail)?;
        summary["filter"] = self.given.clone();
        db::audit::record(conn, self.tenant_id, self.actor, bulk_action, None, summary)?;
        q::count_matching(conn, self.tenant_id, self.filter, db::stats::COUNT_CAP)
    }
}
