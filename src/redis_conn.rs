//! Connections to one Redis server or to a Redis Cluster, chosen by configuration
//! (`CHIME_REDIS_CLUSTER=true`, `REDIS_URL` then listing seed nodes separated by commas). Every
//! multi-key command and script uses keys of one hash tag, so the same code runs on both.

use redis::aio::{ConnectionLike, ConnectionManager, MultiplexedConnection};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use std::time::Duration;

/// A shared connection (commands of many tasks multiplexed over it), or one of a task's own.
// Handles, few and long-lived: boxing would add an allocation to every clone for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum RedisConn {
    /// Reconnects by itself after a failed command.
    Managed(ConnectionManager),
    /// A connection of its own, for blocking reads.
    Multiplexed(MultiplexedConnection),
    /// Routes each command to the node owning its key, following redirections.
    Cluster(ClusterConnection),
}

impl From<ConnectionManager> for RedisConn {
    fn from(conn: ConnectionManager) -> Self {
        RedisConn::Managed(conn)
    }
}

impl From<MultiplexedConnection> for RedisConn {
    fn from(conn: MultiplexedConnection) -> Self {
        RedisConn::Multiplexed(conn)
    }
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Managed(c) => c.req_packed_command(cmd),
            RedisConn::Multiplexed(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Managed(c) => c.req_packed_commands(cmd, offset, count),
            RedisConn::Multiplexed(c) => c.req_packed_commands(cmd, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Managed(c) => c.get_db(),
            RedisConn::Multiplexed(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}

/// Opens [`RedisConn`]s.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum RedisClient {
    Single(redis::Client),
    Cluster {
        shared: ClusterClient,
        /// With a response timeout past any blocking read.
        blocking: ClusterClient,
    },
}

impl From<redis::Client> for RedisClient {
    fn from(client: redis::Client) -> Self {
        RedisClient::Single(client)
    }
}

impl RedisClient {
    /// `url` is one server's URL, or with `cluster` a comma-separated list of seed nodes.
    pub fn open(url: &str, cluster: bool) -> RedisResult<RedisClient> {
        if cluster {
            let nodes: Vec<&str> = url
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            let client = |response_timeout| {
                ClusterClient::builder(nodes.clone())
                    .connection_timeout(Duration::from_secs(2))
                    .response_timeout(response_timeout)
                    .retries(2)
                    .build()
            };
            Ok(RedisClient::Cluster {
                shared: client(Duration::from_secs(5))?,
                blocking: client(Duration::from_secs(60))?,
            })
        } else {
            Ok(RedisClient::Single(redis::Client::open(url)?))
        }
    }

    /// The connection most commands share.
    pub async fn shared(
        &self,
        config: redis::aio::ConnectionManagerConfig,
    ) -> RedisResult<RedisConn> {
        match self {
            RedisClient::Single(c) => Ok(RedisConn::Managed(
                ConnectionManager::new_with_config(c.clone(), config).await?,
            )),
            RedisClient::Cluster { shared, .. } => {
                Ok(RedisConn::Cluster(shared.get_async_connection().await?))
            }
        }
    }

    /// A connection of the caller's own, for blocking reads that would hold up a shared one;
    /// `response_timeout` must exceed the longest block.
    pub async fn dedicated(&self, response_timeout: Option<Duration>) -> RedisResult<RedisConn> {
        match self {
            RedisClient::Single(c) => {
                let mut config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Duration::from_secs(2));
                if let Some(t) = response_timeout {
                    config = config.set_response_timeout(t);
                }
                Ok(RedisConn::Multiplexed(
                    c.get_multiplexed_async_connection_with_config(&config)
                        .await?,
                ))
            }
            // A cluster connection of its own holds its own connection to each node.
            RedisClient::Cluster { blocking, .. } => {
                Ok(RedisConn::Cluster(blocking.get_async_connection().await?))
            }
        }
    }
}
