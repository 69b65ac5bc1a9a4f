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
