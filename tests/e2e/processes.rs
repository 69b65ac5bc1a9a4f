//! Starting `chime` processes for a test's database and Redis prefix.

use crate::support::{TestDb, TestPrefix, ADMIN_KEY, REDIS_URL};
use std::process::{Child, Command, Stdio};

pub struct Chime {
    child: Option<Child>,
}

impl Chime {
    pub fn start(roles: &str, db: &TestDb, prefix: &TestPrefix, extra: &[(&str, String)]) -> Chime {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chime"));
        cmd.args(["serve", "--roles", roles])
            .env("DATABASE_URL", &db.url)
            .env("REDIS_URL", REDIS_URL)
            .env("CHIME_REDIS_PREFIX", &prefix.0)
            .env("CHIME_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
            .env("CHIME_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("CHIME_HTTP_TIMEOUT", "2s")
            // The least CHIME_HTTP_TIMEOUT=2s allows (above 9s).
            .env("CHIME_VISIBILITY_TIMEOUT", "10s")
            .env("CHIME_RECONCILE_INTERVAL", "2s")
            .env("CHIME_RETRY_SCHEDULE", "300ms,300ms,1s")
            .env(
                "RUST_LOG",
                std::env::var("CHIME_E2E_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("the chime binary starts");
        Chime { child: Some(child) }
    }

    /// SIGKILL: no shutdown hook runs, no lock is released.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Chime {
    /// SIGTERM, then waits for the exit status.
    pub fn terminate(&mut self, timeout: std::time::Duration) -> Option<std::process::ExitStatus> {
        let child = self.child.as_mut()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Chime {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
