//! `chime tenant create NAME`: the way an operator adds a tenant and gets its first admin key.

use crate::config::Settings;
use crate::startup::{prepare_database_within, StartupBudget};

pub async fn create_tenant(
    settings: Settings,
    name: &str,
    budget: &StartupBudget,
) -> anyhow::Result<()> {
    let name = name.trim().to_string();
    if name.is_empty() || name.len() > 200 {
        anyhow::bail!("NAME must be 1 to 200 characters");
    }
    prepare_database_within(&settings, true, budget).await?;
    let url = settings.database.url.expose().to_string();
    let created = tokio::task::spawn_blocking(move || {
        crate::db::setup::create_tenant_with_admin_key(&url, &name)
    })
    .await??;
    super::output::print(&created.to_string());
    Ok(())
}
