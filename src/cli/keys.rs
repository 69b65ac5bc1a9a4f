//! `chime keys create|list|revoke`: the API's key rules (the last admin key stays).

use super::output::{opt, opt_time, table, time};
use super::{parse_id, Ctx, ACTOR};
use crate::api::keys::{create_one, render, revoke_one};
use crate::db;
use crate::domain::AccessRole;
use clap::Subcommand;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a key; its secret is printed once and stored only as a digest
    Create {
        /// admin or member
        #[arg(long)]
        role: String,
        /// A name to recognise it by
        #[arg(long, default_value = "unnamed")]
        name: String,
    },
    /// Every key of the tenant, newest first (secrets are never shown)
    List,
    /// Revoke a key; the tenant's last admin key cannot be revoked
    Revoke {
        /// Key id
        id: String,
    },
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    let tenant_id = ctx.tenant.id;
    match command {
        Command::Create { role, name } => {
            let role: AccessRole = role
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
            let name = name.trim().to_string();
            if name.is_empty() || name.len() > 200 {
                anyhow::bail!("--name: must be 1 to 200 characters");
            }
            let secret = db::api_keys::generate_key();
            let key = secret.clone();
            let row = ctx
                .db("API key", move |conn| {
                    create_one(conn, tenant_id, ACTOR, &name, &key, role, None)
                })
                .await?;
            let mut doc = render(&row);
            doc["key"] = json!(secret);
            doc["tenant"] = json!(ctx.tenant.name);
            ctx.emit(doc, || {
                format!(
                    "created {} key {} ({}) for tenant {}\nkey: {secret}\n(shown only now: store it safely)",
                    row.role, row.id, row.name, ctx.tenant.name
                )
            });
        }
        Command::List => {
            let keys = ctx
                .db("API key", move |conn| {
                    Ok(db::api_keys::list(conn, tenant_id)?)
                })
                .await?;
            ctx.emit(
                json!({"items": keys.iter().map(render).collect::<Vec<_>>()}),
                || {
                    let cells: Vec<Vec<String>> = keys
                        .iter()
                        .map(|k| {
                            vec![
                                k.id.to_string(),
                                k.name.clone(),
                                k.role.clone(),
                                format!("{}…", k.key_prefix),
                                time(k.created_at),
                                opt_time(k.revoked_at),
                                opt(k.rate_limit),
                            ]
                        })
                        .collect();
                    table(
                        &["ID", "NAME", "ROLE", "PREFIX", "CREATED", "REVOKED", "RATE"],
                        &cells,
                    )
                },
            );
        }
        Command::Revoke { id } => {
            let id = parse_id(&id, "API key")?;
            let login = ctx.login_enabled();
            let key = ctx
                .db(&format!("API key {id}"), move |conn| {
                    revoke_one(conn, login, tenant_id, id, ACTOR)
                })
                .await?;
            ctx.emit(render(&key), || {
                format!("revoked API key {} ({})", key.id, key.name)
            });
        }
    }
    Ok(())
}
