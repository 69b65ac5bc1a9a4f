//! A Redis server of the test's own on a free port, which the test may kill and restart empty
//! without touching the shared one.

use crate::processes::free_port;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let port = free_port();
        let mut redis = PrivateRedis { port, child: None };
        redis.spawn();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            // Nothing survives a restart: it comes back empty.
            .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let pong: Option<String> = redis::Client::open(self.url())
                .ok()
                .and_then(|c| c.get_connection().ok())
                .and_then(|mut c| redis::cmd("PING").query(&mut c).ok());
            if pong.is_some() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the private Redis never answered"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: clients keep their now dead connections.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Killed and started again on the same port, with no data.
    pub fn restart_empty(&mut self) {
        self.kill();
        self.spawn();
    }

    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
