//! The event-handler role.

use crate::startup::RoleContext;
use tokio_util::sync::CancellationToken;

pub async fn run(_ctx: RoleContext, shutdown: CancellationToken) {
    shutdown.cancelled().await;
}
