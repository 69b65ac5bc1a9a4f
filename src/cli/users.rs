//! `chime users list|create|disable|enable|delete`: the API's user rules (the last admin stays).

use super::output::{opt_time, table, time};
use super::{Ctx, ACTOR};
use crate::api::users::{self as api, render, Change};
use crate::api::ApiError;
use crate::db::{self, models::User};
use crate::domain::AccessRole;
use clap::Subcommand;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every user of the tenant, newest first
    List,
    /// Create a user who signs in with e-mail and password (needs CHIME_JWT_SECRET to sign in)
    Create {
        email: String,
        /// admin or member
        #[arg(long, default_value = "member")]
        role: String,
        /// Read the password (10 to 1024 characters) from the first line of standard input
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable a user: signing in stops and every token issued so far stops working
    Disable {
        /// User id or e-mail address
        user: String,
    },
    /// Enable a disabled user
    Enable {
        /// User id or e-mail address
        user: String,
    },
    /// Delete a user
    Delete {
        /// User id or e-mail address
        user: String,
    },
}

pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    let tenant_id = ctx.tenant.id;
    let login = ctx.login_enabled();
    match command {
        Command::List => {
            let users = ctx
                .db("user", move |conn| Ok(db::users::list(conn, tenant_id)?))
                .await?;
            ctx.emit(
                json!({"items": users.iter().map(render).collect::<Vec<_>>()}),
                || {
                    let cells: Vec<Vec<String>> = users
                        .iter()
                        .map(|u| {
                            vec![
                                u.id.to_string(),
                                u.email.clone(),
                                u.role.clone(),
                                time(u.created_at),
                                opt_time(u.disabled_at),
                            ]
                        })
                        .collect();
                    table(&["ID", "EMAIL", "ROLE", "CREATED", "DISABLED"], &cells)
                },
            );
        }
        Command::Create { email, role, .. } => {
            let email = api::parse_email(&email).map_err(|e| super::error(e, "user"))?;
            let role: AccessRole = role
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| {
                anyhow::anyhow!("cannot read the password from standard input: {e}")
            })?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            api::check_password(&password).map_err(|e| super::error(e, "user"))?;
            // Argon2 is slow by design: off the async workers.
            let hash = tokio::task::spawn_blocking(move || api::hash_blocking(&password))
                .await?
                .map_err(|e| super::error(e, "user"))?;
            let user = ctx
                .db("user", move |conn| {
                    api::create_one(conn, tenant_id, ACTOR, &email, &hash, role)
                })
                .await?;
            ctx.emit(render(&user), || {
                format!("created {} user {} ({})", user.role, user.email, user.id)
            });
        }
        Command::Disable { user } => {
            let u = change(ctx, &user, Some(true), login).await?;
            ctx.emit(render(&u), || {
                format!("disabled user {} ({})", u.email, u.id)
            });
        }
        Command::Enable { user } => {
            let u = change(ctx, &user, Some(false), login).await?;
            ctx.emit(render(&u), || {
                format!("enabled user {} ({})", u.email, u.id)
            });
        }
        Command::Delete { user } => {
            let subject = format!("user {user}");
            let u = ctx
                .db(&subject, move |conn| {
                    let id = resolve(conn, tenant_id, &user)?;
                    api::delete_one(conn, login, tenant_id, id, ACTOR)
                })
                .await?;
            ctx.emit(json!({"deleted": render(&u)}), || {
                format!("deleted user {} ({})", u.email, u.id)
            });
        }
    }
    Ok(())
}

async fn change(
    ctx: &Ctx,
    user: &str,
    disabled: Option<bool>,
    login: bool,
) -> anyhow::Result<User> {
    let tenant_id = ctx.tenant.id;
    let reference = user.to_string();
    ctx.db(&format!("user {user}"), move |conn| {
        let id = resolve(conn, tenant_id, &reference)?;
        let change = Change {
            role: None,
            disabled,
            password_hash: None,
        };
        api::update_one(conn, login, tenant_id, id, ACTOR, change)
    })
    .await
}

/// A user named by id or e-mail address.
fn resolve(
    conn: &mut diesel::PgConnection,
    tenant_id: Uuid,
    reference: &str,
) -> Result<Uuid, ApiError> {
    let found = match Uuid::parse_str(reference.trim()) {
        Ok(id) => db::users::find(conn, tenant_id, id)?,
        Err(_) => db::users::find_by_email(conn, tenant_id, reference.trim())?,
    };
    found
        .map(|u| u.id)
        .ok_or_else(|| ApiError::not_found("user"))
}
