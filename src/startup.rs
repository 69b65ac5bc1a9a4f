//! `Application::build(settings, roles)`: prepares the database, connects to Redis and starts the
//! chosen roles. `main` and the tests both go through here.

use crate::api::{self, body::MAX_BODY_BYTES, AppState};
use crate::config::{Role, Settings};
use crate::db::{self, PgPool};
use crate::schedule::{Keys, Schedule};
use crate::{events, ops, schedule, sender};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Shared by every role of one process.
#[derive(Clone)]
pub struct RoleContext {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub schedule: Schedule,
    pub redis: redis::Client,
}

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

/// Creates the database if needed and runs migrations (unless `migrate` is false), then ensures
/// the bootstrap key: replicas started with `--no-migrate` guarantee it too.
pub async fn prepare_database(settings: &Settings, migrate: bool) -> anyhow::Result<()> {
    let url = settings.database_url.expose().to_string();
    let bootstrap = settings.bootstrap_admin_key.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        if migrate {
            db::setup::create_database_if_missing(&url)?;
            db::setup::run_migrations(&url)?;
        }
        if let Some(key) = bootstrap {
            use diesel::Connection;
            let mut conn =
                diesel::PgConnection::establish(&url).context("cannot connect to PostgreSQL")?;
            db::setup::ensure_bootstrap_admin(&mut conn, key.expose())?;
        }
        Ok(())
    })
    .await
    .context("database preparation panicked")?
}

async fn connect_redis(client: &redis::Client) -> anyhow::Result<redis::aio::ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(2))
        .set_response_timeout(Duration::from_secs(5))
        .set_number_of_retries(2);
    let mut last = None;
    // Redis may still be starting next to us (docker compose, Kubernetes).
    for _ in 0..10 {
        match redis::aio::ConnectionManager::new_with_config(client.clone(), config.clone()).await {
            Ok(conn) => return Ok(conn),
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    Err(anyhow::anyhow!(
        "cannot connect to Redis: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
}

impl Application {
    pub async fn build(
        settings: Settings,
        roles: &[Role],
        options: BuildOptions,
    ) -> anyhow::Result<Application> {
        prepare_database(&settings, options.migrate).await?;
        let settings = Arc::new(settings);
        let pool = db::build_pool(settings.database_url.expose(), settings.db_pool_size);
        let redis =
            redis::Client::open(settings.redis_url.expose()).context("REDIS_URL is invalid")?;
        let conn = connect_redis(&redis).await?;
        let schedule = Schedule::new(conn, Keys::new(&settings.redis_prefix));
        let context = RoleContext {
            settings: settings.clone(),
            pool,
            schedule,
            redis,
        };
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let (port, server) = if roles.contains(&Role::Api) {
            let listener = TcpListener::bind(settings.listen_addr).with_context(|| {
                format!(
                    "cannot listen on {} (CHIME_LISTEN_ADDR)",
                    settings.listen_addr
                )
            })?;
            let port = listener.local_addr()?.port();
            (Some(port), Some(http_server(listener, &context, true)?))
        } else if let Some(addr) = settings.ops_addr {
            // Processes without the API still answer probes and metrics scrapes.
            let listener = TcpListener::bind(addr)
                .with_context(|| format!("cannot listen on {addr} (CHIME_OPS_ADDR)"))?;
            let port = listener.local_addr()?.port();
            (Some(port), Some(http_server(listener, &context, false)?))
        } else {
            (None, None)
        };
        // With the API role, CHIME_OPS_ADDR is a second listener that alone serves /metrics.
        let ops_port = match settings.ops_addr {
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
        tracing::info!(roles = ?roles, port = ?port, "chime started");
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
    let with_metrics = !with_api || ctx.settings.ops_addr.is_none();
    let state = web::Data::new(AppState {
        pool: ctx.pool.clone(),
        schedule: ctx.schedule.clone(),
        settings: ctx.settings.clone(),
        key_cache: Default::default(),
        rate_limiter: crate::api::rate_limit::RateLimiter::new(ctx.settings.rate_limit),
        writer: crate::db::batch_insert::NotificationWriter::start(ctx.pool.clone()),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                api::ApiError::BadRequest { field: None, message: format!("bad query string: {err}") }.into()
            }))
            .wrap(api::json_error_bodies())
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let method = req.method().clone();
                let path = req.path().to_string();
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    tracing::debug!(%method, %path, status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
                    Ok(res)
                }
            })
            .configure(|cfg| ops::routes(cfg, with_metrics))
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
/// arrives while migrating or electing a leader still ends in a clean shutdown (releasing the
/// leader lock) instead of the default, abrupt exit.
pub struct StopSignal {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl StopSignal {
    pub fn install() -> StopSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            StopSignal {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignal {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            async fn recv(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = recv(self.term) => {}
                _ = recv(self.int) => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
