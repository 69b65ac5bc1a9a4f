//! The command line: `serve`, `migrate` and `tenant create` start or prepare the service; the
//! operator commands (`status`, `notifications`, `dead-letters`, `keys`, `users`) talk to
//! PostgreSQL and Redis directly with the server's settings, so no running API is needed.
//! One file per command group; `main.rs` only composes.

mod dead_letters;
mod keys;
mod notifications;
mod output;
mod status;
mod tenant;
mod users;

use crate::api::ApiError;
use crate::config::{Role, Settings};
use crate::db::{self, models::Tenant, PgPool};
use crate::schedule::Schedule;
use clap::{Args, Parser, Subcommand};
use diesel::PgConnection;
use std::time::Duration;

pub use tenant::create_tenant;

/// Who the audit log names for every change made from the command line.
const ACTOR: &str = "cli";

#[derive(Debug, Parser)]
#[command(
    name = "chime",
    version,
    about = "Delayed-notification service: reminders by e-mail, SMS and signed webhooks",
    after_help = "Configuration comes from a TOML file (--config, CHIME_CONFIG or ./chime.toml) \
                  and the environment, which overrides it (DATABASE_URL, REDIS_URL, \
                  CHIME_REDIS_PREFIX, …); see README.md and chime.example.toml."
)]
pub struct Cli {
    /// The configuration file (default: $CHIME_CONFIG, else ./chime.toml when it exists);
    /// environment variables override it
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (all roles unless --roles says otherwise)
    Serve(ServeArgs),
    /// Create the database if missing and run pending migrations
    Migrate,
    /// Tenants
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Leader, queue depths, overdue notifications, delivery lag and the last reconcile
    Status {
        #[command(flatten)]
        common: Common,
    },
    /// List, inspect and cancel notifications
    Notifications {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: notifications::Command,
    },
    /// List and replay notifications that ran out of attempts
    DeadLetters {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: dead_letters::Command,
    },
    /// Create, list and revoke API keys
    Keys {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: keys::Command,
    },
    /// Create, list, disable, enable and delete users
    Users {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: users::Command,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Roles this process runs, comma-separated: api, worker, scheduler, sender (default: all)
    #[arg(long, value_name = "ROLES", value_parser = parse_roles)]
    pub roles: Option<Roles>,
    /// Do not run migrations at start-up (another process runs them)
    #[arg(long)]
    pub no_migrate: bool,
}

#[derive(Debug, Clone)]
pub struct Roles(pub Vec<Role>);

fn parse_roles(list: &str) -> Result<Roles, String> {
    Role::parse_list(list).map(Roles)
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create (or find) a tenant and print it with a new admin API key
    Create {
        /// 1 to 200 characters
        name: String,
    },
}

/// Options of every operator command.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Print one JSON document instead of a table
    #[arg(long, global = true)]
    json: bool,
    /// The tenant, by name or id (default: the default tenant)
    #[arg(long, global = true, value_name = "NAME|ID")]
    tenant: Option<String>,
}

/// Runs an operator command; `serve`, `migrate` and `tenant` are the caller's.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Status { common } => status::run(&Ctx::open(settings, &common).await?).await,
        Command::Notifications { common, command } => {
            notifications::run(&Ctx::open(settings, &common).await?, command).await
        }
        Command::DeadLetters { common, command } => {
            dead_letters::run(&Ctx::open(settings, &common).await?, command).await
        }
        Command::Keys { common, command } => {
            keys::run(&Ctx::open(settings, &common).await?, command).await
        }
        Command::Users { common, command } => {
            users::run(&Ctx::open(settings, &common).await?, command).await
        }
        Command::Serve(_) | Command::Migrate | Command::Tenant { .. } => {
            anyhow::bail!("not an operator command")
        }
    }
}

/// What an operator command works with: the settings, a small pool, the chosen tenant.
struct Ctx {
    settings: Settings,
    pool: PgPool,
    tenant: Tenant,
    json: bool,
}

impl Ctx {
    async fn open(settings: Settings, common: &Common) -> anyhow::Result<Ctx> {
        let pool = db::build_pool(settings.database.url.expose(), 2);
        let reference = common
            .tenant
            .clone()
            .unwrap_or_else(|| db::setup::DEFAULT_TENANT.to_string());
        let r = reference.clone();
        let tenant = db::run(&pool, move |conn| {
            db::tenants::find_by_ref(conn, &r).map_err(ApiError::from)
        })
        .await
        .map_err(|e| error(e, "tenant"))?
        .ok_or_else(|| anyhow::anyhow!("no such tenant '{reference}'"))?;
        Ok(Ctx {
            settings,
            pool,
            tenant,
            json: common.json,
        })
    }

    /// Runs `f` on the blocking pool; `subject` names what a "not found" was about.
    async fn db<T, F>(&self, subject: &str, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(&self.pool, f).await.map_err(|e| error(e, subject))
    }

    /// The deployment's schedule in Redis, connected within a few seconds.
    async fn schedule(&self) -> anyhow::Result<Schedule> {
        let client = crate::schedule::RedisClient::open(
            self.settings.redis.url.expose(),
            self.settings.redis.cluster,
        )
        .map_err(|e| anyhow::anyhow!("REDIS_URL is invalid: {e}"))?;
        let config = crate::schedule::redis_manager_config();
        let conn = tokio::time::timeout(Duration::from_secs(3), client.shared(config))
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not answer within 3 s"))?
            .map_err(|e| anyhow::anyhow!("cannot reach Redis: {e}"))?;
        Ok(Schedule::sharded(
            conn,
            &self.settings.redis.prefix,
            self.settings.scheduler.shards,
        ))
    }

    /// True where admin users can sign in, so they count as a remaining admin (as in the API).
    fn login_enabled(&self) -> bool {
        self.settings.auth.jwt_secret.is_some()
    }

    /// Prints `json` with `--json`, otherwise the text `human` makes.
    fn emit(&self, json: serde_json::Value, human: impl FnOnce() -> String) {
        if self.json {
            output::print(&json.to_string());
        } else {
            output::print(human().trim_end());
        }
    }
}

/// The API's rules, in command-line words: flags instead of fields.
fn error(e: ApiError, subject: &str) -> anyhow::Error {
    match e {
        ApiError::NotFound(_) => anyhow::anyhow!("no such {subject}"),
        ApiError::Validation { field, message } => {
            anyhow::anyhow!("--{}: {message}", field.replace('_', "-"))
        }
        ApiError::BadRequest {
            field: Some(field),
            message,
        } => {
            let message = message
                .strip_prefix(&format!("{field}: "))
                .unwrap_or(&message)
                .to_string();
            anyhow::anyhow!("--{}: {message}", field.replace('_', "-"))
        }
        // Its source already says "database unavailable: …".
        ApiError::Unavailable(source) => source,
        ApiError::Internal(source) => source,
        other => anyhow::anyhow!("{other}"),
    }
}

/// An id given on the command line.
fn parse_id(raw: &str, what: &str) -> anyhow::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim())
        .map_err(|_| anyhow::anyhow!("no such {what} '{raw}' (an id is a UUID)"))
}

/// Tells the operator that a Redis write after a commit failed: PostgreSQL has the change and
/// the reconciler repairs the schedule, so the command still succeeds.
fn warn_schedule(ok: bool) {
    if !ok {
        eprintln!("chime: warning: Redis did not take the change; the reconciler will repair it");
    }
}
