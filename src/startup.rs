//! `Application::build(settings, roles)`: prepares the database, connects to Redis and starts the
//! chosen roles. `main` and the tests both go through here.

use crate::api::{self, body::MAX_BODY_BYTES, AppState};
use crate::config::{Role, Settings};
use crate::db;
use crate::schedule::redis_manager_config;
pub use crate::schedule::RoleContext;
use crate::schedule::Schedule;
use crate::{events, ops, schedule, sender};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub struct Application {
    port: Option<u16>,
    ops_port: Option<u16>,
    server: Option<actix_web::dev::Server>,
    tasks: JoinSet<()>,
    shutdown: CancellationToken,
    pub context: RoleContext,
}

#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub migrate: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { migrate: true }
    }
}

/// Why start-up did not complete.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{what} still unreachable after {timeout:?} (CHIME_STARTUP_TIMEOUT): {error}")]
    Unreachable {
        what: &'static str,
        timeout: Duration,
        error: String,
    },
    #[error("stopped by a signal while waiting for {what}")]
    Interrupted { what: &'static str },
}

/// Bounds every wait of start-up: a deadline `CHIME_STARTUP_TIMEOUT` from the start, and the
/// stop signal, so a process waiting for an absent dependency still stops when told to.
#[derive(Clone)]
pub struct StartupBudget {
    deadline: Instant,
    timeout: Duration,
    stop: CancellationToken,
}

/// An attempt of a start-up wait failed: try again, or not (a fault that waiting won't fix).
enum Attempt {
    Retry(String),
    Fatal(anyhow::Error),
}

/// An attempt still unanswered after this long is logged, so a silent hang can't happen.
const SLOW_ATTEMPT: Duration = Duration::from_secs(1);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// While a dependency stays away, its error is logged again this often.
const LOG_EVERY: Duration = Duration::from_secs(10);

impl StartupBudget {
    pub fn new(timeout: Duration, stop: CancellationToken) -> StartupBudget {
        StartupBudget {
            deadline: Instant::now() + timeout,
            timeout,
            stop,
        }
    }

    /// Repeats `attempt` with capped backoff until it succeeds, fails for good, the deadline
    /// passes or the stop signal comes.
    async fn wait_for<T, F, Fut>(&self, what: &'static str, mut attempt: F) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Attempt>>,
    {
        let mut backoff = BACKOFF_MIN;
        let mut last_error: Option<String> = None;
        let mut logged_at: Option<Instant> = None;
        let give_up = |error: Option<String>| StartupError::Unreachable {
            what,
            timeout: self.timeout,
            error: error.unwrap_or_else(|| "no answer".into()),
        };
        loop {
            let fut = attempt();
            tokio::pin!(fut);
            let mut announced = false;
            let outcome = loop {
                tokio::select! {
                    biased;
                    _ = self.stop.cancelled() => return Err(StartupError::Interrupted { what }.into()),
                    r = &mut fut => break r,
                    _ = tokio::time::sleep_until(self.deadline.into()) => return Err(give_up(last_error).into()),
                    _ = tokio::time::sleep(SLOW_ATTEMPT), if !announced => {
                        announced = true;
                        tracing::warn!(dependency = what, "waiting for {what}: no answer yet");
                    }
                }
            };
            let error = match outcome {
                Ok(value) => {
                    if last_error.is_some() || announced {
                        tracing::info!(dependency = what, "{what} is reachable");
                    }
                    return Ok(value);
                }
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry(e)) => e,
            };
            if logged_at.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
                logged_at = Some(Instant::now());
                let left = self.deadline.saturating_duration_since(Instant::now());
                tracing::warn!(dependency = what, error = %error, "waiting for {what}; retrying for up to {} more", crate::telemetry::human_duration(Duration::from_secs(left.as_secs())));
            }
            last_error = Some(error);
            tokio::select! {
                biased;
                _ = self.stop.cancelled() => return Err(StartupError::Interrupted { what }.into()),
                _ = tokio::time::sleep_until(self.deadline.into()) => return Err(give_up(last_error).into()),
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }
}

/// Whether a PostgreSQL failure is about reaching the server (worth waiting for).
fn is_pg_unreachable(e: &anyhow::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    e.chain().any(|c| {
        c.downcast_ref::<diesel::ConnectionError>().is_some()
            || matches!(
                c.downcast_ref::<E>(),
                Some(E::DatabaseError(
                    K::ClosedConnection | K::UnableToSendCommand,
                    _
                ))
            )
    })
}

/// [`prepare_database_within`] with the settings' start-up timeout and no stop signal.
pub async fn prepare_database(settings: &Settings, migrate: bool) -> anyhow::Result<()> {
    let budget = StartupBudget::new(settings.startup_timeout, CancellationToken::new());
    prepare_database_within(settings, migrate, &budget).await
}

/// Creates the database if needed and runs migrations (unless `migrate` is false), then ensures
/// the bootstrap key: replicas started with `--no-migrate` guarantee it too. Waits for
/// PostgreSQL within `budget`.
pub async fn prepare_database_within(
    settings: &Settings,
    migrate: bool,
    budget: &StartupBudget,
) -> anyhow::Result<()> {
    let url = settings.database.url.expose().to_string();
    let bootstrap = settings.auth.bootstrap_admin_key.clone();
    budget
        .wait_for("PostgreSQL", || {
            let url = url.clone();
            let bootstrap = bootstrap.clone();
            async move {
                // Abandoned (not cancelled) when the wait ends first: the process exits anyway.
                let done = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                    if migrate {
                        db::setup::create_database_if_missing(&url)?;
                        db::setup::run_migrations(&url)?;
                    }
                    if let Some(key) = bootstrap {
                        use diesel::Connection;
                        let mut conn = diesel::PgConnection::establish(&url)
                            .context("cannot connect to PostgreSQL")?;
                        db::setup::ensure_bootstrap_admin(&mut conn, key.expose())?;
                    }
                    Ok(())
                })
                .await;
                match done {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) if is_pg_unreachable(&e) => {
                        // libpq's messages span lines; a log line must not.
                        let line = format!("{e:#}")
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        Err(Attempt::Retry(line))
                    }
                    Ok(Err(e)) => Err(Attempt::Fatal(e)),
                    Err(e) => Err(Attempt::Fatal(
                        anyhow::Error::from(e).context("database preparation panicked"),
                    )),
                }
            }
        })
        .await
}

/// Connects to Redis within `budget`.
async fn connect_redis(
    client: &crate::schedule::RedisClient,
    budget: &StartupBudget,
) -> anyhow::Result<crate::schedule::RedisConn> {
    let config = redis_manager_config();
    budget
        .wait_for("Redis", || {
            let client = client.clone();
            let config = config.clone();
            async move {
                let result = async {
                    let mut conn = client.shared(config).await?;
                    let _: String = redis::cmd("PING").query_async(&mut conn).await?;
                    Ok::<_, redis::RedisError>(conn)
                }
                .await;
                result.map_err(|e| match e.kind() {
                    redis::ErrorKind::AuthenticationFailed
                    | redis::ErrorKind::InvalidClientConfig => {
                        Attempt::Fatal(anyhow::Error::from(e).context("cannot use Redis"))
                    }
                    _ => Attempt::Retry(e.to_string()),
                })
            }
        })
        .await
}

impl Application {
    pub async fn build(
        settings: Settings,
        roles: &[Role],
        options: BuildOptions,
    ) -> anyhow::Result<Application> {
        let budget = StartupBudget::new(settings.startup_timeout, CancellationToken::new());
        Self::build_within(settings, roles, options, &budget).await
    }

    /// [`Self::build`], waiting for PostgreSQL and Redis within `budget`.
    pub async fn build_within(
        settings: Settings,
        roles: &[Role],
        options: BuildOptions,
        budget: &StartupBudget,
    ) -> anyhow::Result<Application> {
        prepare_database_within(&settings, options.migrate, budget).await?;
        let settings = Arc::new(settings);
        let pool = db::build_pool(settings.database.url.expose(), settings.database.pool_size);
        let redis =
            crate::schedule::RedisClient::open(settings.redis.url.expose(), settings.redis.cluster)
                .context("REDIS_URL is invalid")?;
        let conn = connect_redis(&redis, budget).await?;
        let schedule = Schedule::sharded(conn, &settings.redis.prefix, settings.scheduler.shards);
        let context = RoleContext {
            settings: settings.clone(),
            pool,
            schedule,
            redis,
        };
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let (port, server) = if roles.contains(&Role::Api) {
            let listener = TcpListener::bind(settings.api.listen_addr).with_context(|| {
                format!(
                    "cannot listen on {} (CHIME_LISTEN_ADDR)",
                    settings.api.listen_addr
                )
            })?;
            let port = listener.local_addr()?.port();
            (Some(port), Some(http_server(listener, &context, true)?))
        } else if let Some(addr) = settings.api.ops_addr {
            // Processes without the API still answer probes and metrics scrapes.
            let listener = TcpListener::bind(addr)
                .with_context(|| format!("cannot listen on {addr} (CHIME_OPS_ADDR)"))?;
            let port = listener.local_addr()?.port();
            (Some(port), Some(http_server(listener, &context, false)?))
        } else {
            (None, None)
        };
        // With the API role, CHIME_OPS_ADDR is a second listener that alone serves /metrics.
        let ops_port = match settings.api.ops_addr {
            Some(addr) if roles.contains(&Role::Api) => {
                let listener = TcpListener::bind(addr)
                    .with_context(|| format!("cannot listen on {addr} (CHIME_OPS_ADDR)"))?;
                let ops_port = listener.local_addr()?.port();
                let ops = http_server(listener, &context, false)?;
                let stop = shutdown.clone();
                tasks.spawn(async move {
                    let handle = ops.handle();
                    tokio::select! {
                        _ = ops => {}
                        _ = stop.cancelled() => handle.stop(true).await,
                    }
                });
                Some(ops_port)
            }
            Some(_) => port,
            None => None,
        };
        if roles.contains(&Role::Scheduler) {
            tasks.spawn(schedule::leader::run(context.clone(), shutdown.clone()));
            tasks.spawn(schedule::retention::run(context.clone(), shutdown.clone()));
        }
        if roles.contains(&Role::Sender) {
            // Built here so a channel misconfiguration stops start-up instead of a role.
            let channels =
                crate::channels::Channels::from_config(&sender::channels_config(&context))
                    .context("channel configuration (CHIME_SMTP_*, CHIME_SMS_*) is invalid")?;
            tasks.spawn(sender::run(context.clone(), channels, shutdown.clone()));
        }
        if roles.contains(&Role::Worker) {
            tasks.spawn(events::worker::run(context.clone(), shutdown.clone()));
        }
        let role_names: Vec<&str> = roles
            .iter()
            .map(|r| match r {
                Role::Api => "api",
                Role::Worker => "worker",
                Role::Scheduler => "scheduler",
                Role::Sender => "sender",
            })
            .collect();
        let roles_field = role_names.join(",");
        match port {
            Some(port) => tracing::info!(roles = %roles_field, port, "chime started"),
            None => tracing::info!(roles = %roles_field, "chime started"),
        }
        Ok(Application {
            port,
            ops_port,
            server,
            tasks,
            shutdown,
            context,
        })
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port serving `/metrics` when `CHIME_OPS_ADDR` is set.
    pub fn ops_port(&self) -> Option<u16> {
        self.ops_port
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until `stop` fires, then stops taking work and lets in-flight work finish.
    pub async fn run_until_stopped(self, stop: StopSignal) -> anyhow::Result<()> {
        let token = self.shutdown.clone();
        tokio::spawn(async move {
            stop.wait().await;
            tracing::info!("shutting down");
            token.cancel();
        });
        self.run_until_cancelled().await
    }

    /// Runs until the shutdown token is cancelled (tests cancel it themselves).
    pub async fn run_until_cancelled(mut self) -> anyhow::Result<()> {
        let server_handle = self.server.as_ref().map(|s| s.handle());
        let server = self.server.take();
        let token = self.shutdown.clone();
        let server_task = tokio::spawn(async move {
            match server {
                Some(s) => s.await.map_err(anyhow::Error::from),
                None => {
                    token.cancelled().await;
                    Ok(())
                }
            }
        });
        // A role that stops on its own is a failure: stop the process so it gets restarted.
        let mut failed = None;
        tokio::select! {
            biased;
            _ = self.shutdown.cancelled() => {}
            Some(_) = self.tasks.join_next() => {
                // Roles also return once shutdown has begun; only an earlier return is a failure.
                if !self.shutdown.is_cancelled() {
                    tracing::error!("a role stopped unexpectedly; shutting down");
                    failed = Some(anyhow::anyhow!("a role stopped unexpectedly"));
                    self.shutdown.cancel();
                }
            }
        }
        if let Some(handle) = server_handle {
            handle.stop(true).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        server_task.await.context("HTTP server task failed")??;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The HTTP listener: operations endpoints always, the `/api/v1` routes with the API role.
fn http_server(
    listener: TcpListener,
    ctx: &RoleContext,
    with_api: bool,
) -> anyhow::Result<actix_web::dev::Server> {
    // With CHIME_OPS_ADDR set, /metrics is served there only, off the public API port.
    let with_metrics = !with_api || ctx.settings.api.ops_addr.is_none();
    let state = web::Data::new(AppState {
        pool: ctx.pool.clone(),
        schedule: ctx.schedule.clone(),
        settings: ctx.settings.clone(),
        key_cache: Default::default(),
        rate_limiter: crate::api::rate_limit::RateLimiter::new(
            &ctx.settings,
            ctx.schedule.connection(),
        ),
        writer: crate::db::batch_insert::NotificationWriter::start(ctx.pool.clone()),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                api::ApiError::BadRequest {
                    field: None,
                    message: format!("bad query string: {err}"),
                }
                .into()
            }))
            .wrap(api::json_error_bodies(api::ops::allow_table()))
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let method = req.method().clone();
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    let took = started.elapsed();
                    let status = res.status().as_u16();
                    // The route template, never the raw path: one series per route, not per id.
                    let route = res.request().match_pattern();
                    let route = route.as_deref().unwrap_or(ops::metrics::UNMATCHED_ROUTE);
                    ops::metrics::http_request(route, method.as_str(), status, took);
                    if let Some(id) = api::request_span::header_value(res.request()) {
                        res.headers_mut()
                            .insert(api::request_span::REQUEST_ID_HEADER, id);
                    }
                    Ok(res)
                }
            })
            // Outermost, so the span and request id cover everything inside, metrics included.
            .wrap(tracing_actix_web::TracingLogger::<
                api::request_span::RequestSpan,
            >::new())
            .configure(|cfg| api::ops::routes(cfg, with_metrics))
            .configure(|cfg| {
                if with_api {
                    api::configure(cfg);
                }
            })
            .default_service(web::to(api::not_found))
    })
    // Signals are handled by `run_until_stopped`, so shutdown drains every role together.
    .disable_signals()
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

/// SIGTERM or SIGINT, caught from the moment this is made: made before start-up, a signal that
/// arrives while waiting for a dependency, migrating or electing a leader still ends in a clean
/// shutdown (releasing the leader lock) instead of the default, abrupt exit.
pub struct StopSignal {
    token: CancellationToken,
}

impl StopSignal {
    /// Must be called within the Tokio runtime.
    pub fn install() -> StopSignal {
        let token = CancellationToken::new();
        let fired = token.clone();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            // Registered here, before the task runs, so no signal is missed.
            let term = signal(SignalKind::terminate()).ok();
            let int = signal(SignalKind::interrupt()).ok();
            async fn recv(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::spawn(async move {
                tokio::select! {
                    _ = recv(term) => {}
                    _ = recv(int) => {}
                }
                fired.cancel();
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            fired.cancel();
        });
        StopSignal { token }
    }

    /// Cancelled when the signal comes.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    async fn wait(self) {
        self.token.cancelled().await;
    }
}
