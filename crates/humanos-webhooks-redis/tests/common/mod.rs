//! The tests' Redis: [`RedisServer`] (feature `test-util`) and what these tests add to it.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

pub mod replica;

use humanos_webhooks_redis::RedisDedup;
pub use humanos_webhooks_redis::test_util::RedisServer;

/// A store on `server` with the default settings.
pub async fn store(server: &RedisServer) -> RedisDedup {
    RedisDedup::builder(&server.url())
        .expect("url")
        .connect()
        .await
        .expect("connect to the test redis-server")
}

/// Runs one command on `server` with a fresh connection (to inspect what the store wrote).
pub async fn command(server: &RedisServer, args: &[&str]) -> redis::Value {
    let client = redis::Client::open(server.url()).expect("url");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(&mut connection).await.expect("command")
}
