//! `chime serve [--roles api,worker,scheduler,sender] [--no-migrate]` and `chime migrate`.

use chime::config::{Role, Settings};
use chime::startup::{
    prepare_database_within, Application, BuildOptions, StartupBudget, StartupError, StopSignal,
};
use std::process::ExitCode;

const USAGE: &str = "usage:
  chime serve [--roles api,worker,scheduler,sender] [--no-migrate]
  chime migrate
  chime tenant create NAME      (prints the tenant and a new admin API key)

Configuration comes from the environment; see README.md.";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("chime: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    chime::telemetry::init(settings.log_format);
    // Caught from here on: every start-up wait ends on SIGINT or SIGTERM.
    let stop = StopSignal::install();
    let budget = StartupBudget::new(settings.startup_timeout, stop.token());
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(settings, &args[1..], stop, budget).await,
        Some("migrate") => prepare_database_within(&settings, true, &budget).await,
        Some("tenant") => tenant(settings, &args[1..], &budget).await,
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => exit_now(0),
        Err(e) => {
            // One line, whatever the error carries (libpq's messages span several).
            let line = format!("{e:#}")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("chime: {line}");
            exit_now(1)
        }
    }
}

/// Ends the process without C `atexit` handlers: libpq's OpenSSL clean-up would otherwise race
/// pool threads still opening connections, and crash an exit that was clean.
fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; every buffer that matters was flushed above and
    // PostgreSQL and Redis see closed sockets, as after any exit.
    unsafe { libc::_exit(code) }
}

async fn serve(
    settings: Settings,
    args: &[String],
    stop: StopSignal,
    budget: StartupBudget,
) -> anyhow::Result<()> {
    let mut roles = Role::ALL.to_vec();
    let mut options = BuildOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--roles" => {
                let list = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--roles needs a value"))?;
                roles = Role::parse_list(list).map_err(|e| anyhow::anyhow!("--roles: {e}"))?;
            }
            s if s.starts_with("--roles=") => {
                roles = Role::parse_list(&s["--roles=".len()..])
                    .map_err(|e| anyhow::anyhow!("--roles: {e}"))?;
            }
            "--no-migrate" => options.migrate = false,
            other => anyhow::bail!("unknown argument '{other}' (see chime help)"),
        }
    }
    let app = match Application::build_within(settings, &roles, options, &budget).await {
        Ok(app) => app,
        // Told to stop before it started: as clean a stop as a later one.
        Err(e) if matches!(e.downcast_ref(), Some(StartupError::Interrupted { .. })) => {
            tracing::info!("{e}");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    app.run_until_stopped(stop).await
}

/// `chime tenant create NAME`: the way an operator adds a tenant and gets its first admin key.
async fn tenant(settings: Settings, args: &[String], budget: &StartupBudget) -> anyhow::Result<()> {
    let name = match args {
        [cmd, name] if cmd == "create" => name.trim().to_string(),
        _ => anyhow::bail!("usage: chime tenant create NAME"),
    };
    if name.is_empty() || name.len() > 200 {
        anyhow::bail!("NAME must be 1 to 200 characters");
    }
    prepare_database_within(&settings, true, budget).await?;
    let url = settings.database_url.expose().to_string();
    let created = tokio::task::spawn_blocking(move || {
        chime::db::setup::create_tenant_with_admin_key(&url, &name)
    })
    .await??;
    println!("{created}");
    Ok(())
}
