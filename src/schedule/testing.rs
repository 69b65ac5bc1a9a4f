//! Redis for the tests of this module: the real local server, a unique key prefix per test.

use super::Keys;

pub struct TestRedis {
    pub prefix: String,
    pub keys: Keys,
    pub client: redis::Client,
}

impl TestRedis {
    pub fn new() -> TestRedis {
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let prefix = format!("unit-{}", uuid::Uuid::new_v4().simple());
        TestRedis {
            keys: Keys::new(&prefix),
            prefix,
            client: redis::Client::open(url).expect("a valid Redis URL"),
        }
    }

    pub async fn conn(&self) -> redis::aio::MultiplexedConnection {
        self.client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis must be running (REDIS_URL, default 127.0.0.1:6379)")
    }

    pub async fn manager(&self) -> redis::aio::ConnectionManager {
        redis::aio::ConnectionManager::new(self.client.clone())
            .await
            .expect("Redis must be running (REDIS_URL, default 127.0.0.1:6379)")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let Ok(mut conn) = self.client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(Keys::pattern(&self.prefix))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

/// A Redis server of the test's own, which it may stop and start again (empty).
pub struct PrivateRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut redis = PrivateRedis { port, child: None };
        redis.resume();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again, without data) and waits until it answers.
    pub fn resume(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.sync_conn().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server never answered"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn sync_conn(&self) -> Option<redis::Connection> {
        let mut conn = redis::Client::open(self.url())
            .ok()?
            .get_connection()
            .ok()?;
        let _: String = redis::cmd("PING").query(&mut conn).ok()?;
        Some(conn)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
