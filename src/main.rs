//! The `chime` binary: parses the command line (before reading any setting, so `--help` works
//! whatever the environment holds), then starts the service or runs one command.

use chime::cli::{Cli, Command, ServeArgs, TenantCommand};
use chime::config::{Role, Settings};
use chime::startup::{
    prepare_database_within, Application, BuildOptions, StartupBudget, StartupError, StopSignal,
};
use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Help, --version and usage errors exit here (0, 0 and 2).
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("chime: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve(args) => {
            let (stop, budget) = start(&settings);
            serve(settings, args, stop, budget).await
        }
        Command::Migrate => {
            let (_stop, budget) = start(&settings);
            prepare_database_within(&settings, true, &budget).await
        }
        Command::Tenant {
            command: TenantCommand::Create { name },
        } => {
            let (_stop, budget) = start(&settings);
            chime::cli::create_tenant(settings, &name, &budget).await
        }
        // Operator commands log nothing (stdout is their answer) and stop on Ctrl-C as usual.
        other => chime::cli::run(other, settings).await,
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

/// Logging, the stop signal and the start-up budget of the commands that wait for services.
fn start(settings: &Settings) -> (StopSignal, StartupBudget) {
    chime::telemetry::init(settings.log_format);
    // Caught from here on: every start-up wait ends on SIGINT or SIGTERM.
    let stop = StopSignal::install();
    let budget = StartupBudget::new(settings.startup_timeout, stop.token());
    (stop, budget)
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
    args: ServeArgs,
    stop: StopSignal,
    budget: StartupBudget,
) -> anyhow::Result<()> {
    let roles = args.roles.map_or_else(|| Role::ALL.to_vec(), |r| r.0);
    let options = BuildOptions {
        migrate: !args.no_migrate,
    };
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
