//! A Redis [`DedupStore`] for Humanos webhooks: several receiver replicas behind a load balancer
//! share it, so each event's handler runs exactly once whichever replica a delivery reaches.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use humanos_webhooks::{Dedup, WebhookConfig, WebhookState};
//! use humanos_webhooks_redis::RedisDedup;
//!
//! let store = RedisDedup::builder("redis://127.0.0.1:6379/0")?.connect().await?;
//! let config = WebhookConfig::new("whsec_...", "base64-encryption-secret", "salt")?;
//! let state = WebhookState::new(config).with_shared_dedup(Dedup::new(store));
//! // Hand `state` to humanos-axum's `webhook_handler` / `HumanosWebhookLayer` or
//! // humanos-actix's `webhook_handler` / `HumanosWebhookMiddleware`, on every replica.
//! # Ok(()) }
//! ```
//!
//! # How the protocol maps onto Redis
//!
//! One string key per event: the [key prefix](RedisDedupBuilder::key_prefix) followed by the
//! event's [`IdempotencyKey`] (64 hex characters).
//!
//! | [`DedupStore`] method | Redis, atomically in one Lua script |
//! | --- | --- |
//! | `reserve` | `SET key <token> NX PX <lease>`; if the key exists, its value tells completed (`done`) from leased |
//! | `renew` | `PEXPIRE key <lease>` if the value is the token |
//! | `complete` | `SET key done PX <retention>` if the value is the token or the key is absent |
//! | `release` | `DEL key` if the value is the token |
//!
//! The value of a leased key is its [`LeaseToken`] (32 hex characters); a completed key holds
//! `done`, which no token equals. Both expire on their own: a lease after
//! [`Dedup::lease`](humanos_webhooks::Dedup::lease) unless renewed (a replica that dies stops
//! renewing), a completed key after [`Dedup::retention`](humanos_webhooks::Dedup::retention)
//! (7 days by default, longer than Humanos keeps retrying a delivery). The scripts run with
//! `EVALSHA`, falling back to `EVAL` when the server does not have them cached (after a restart
//! or a failover).
//!
//! # Failures
//!
//! Every Redis error (refused connection, response timeout, a server error) is a
//! [`StoreError`]: the delivery is answered 503 with `Retry-After` and its handler does not
//! run. The connection is a redis-rs `ConnectionManager`: after a
//! failure it reconnects in the background, so deliveries are handled again as soon as Redis is
//! back. Requests time out after [`response_timeout`](RedisDedupBuilder::response_timeout)
//! (1 s by default) so a dead Redis is answered quickly. Neither errors nor `Debug` output
//! contain the URL's password.

#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::time::Duration;

use humanos_webhooks::IdempotencyKey;
#[cfg(feature = "test-util")]
pub mod test_util;

use humanos_webhooks::dedup::{DedupStore, LeaseToken, ReserveOutcome, StoreError, StoreFuture};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

/// The key prefix used unless [`RedisDedupBuilder::key_prefix`] sets another.
pub const DEFAULT_KEY_PREFIX: &str = "humanos:webhook:dedup:";

/// The value of a completed key: not 32 hex characters, so no [`LeaseToken`] equals it.
const DONE: &str = "done";

/// Longest expiry sent to Redis (100 years): Redis refuses an expiry that overflows its clock.
const MAX_EXPIRY_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

/// `KEYS[1]` the key; `ARGV` token, lease ms, the completed marker.
/// Answers 1 reserved, 2 completed, 3 leased by another token.
const RESERVE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[3] then return 2 end
return 3
";

/// `KEYS[1]` the key; `ARGV` token, lease ms. Answers 1 renewed, 0 not held by the token.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// `KEYS[1]` the key; `ARGV` token, retention ms, the completed marker.
/// Answers 1 completed, 0 held by another token or completed already.
const COMPLETE: &str = r"
local value = redis.call('GET', KEYS[1])
if value == false or value == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
  return 1
end
return 0
";

/// `KEYS[1]` the key; `ARGV` token. Answers 1 released, 0 not held by the token.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
";

/// The store could not be set up: an invalid URL, or Redis unreachable at
/// [`connect`](RedisDedupBuilder::connect). Never contains the URL's password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedisDedupError {
    /// The URL is not a Redis URL the client understands (`redis://`, `redis+unix://`).
    #[error("invalid Redis URL (expected redis://[:password@]host[:port][/db])")]
    InvalidUrl,
    /// The first connection failed.
    #[error("could not connect to Redis at {address}: {reason}")]
    Connect {
        /// The server's `host:port` (or socket path).
        address: String,
        /// What failed.
        reason: String,
    },
}

/// Sets up a [`RedisDedup`]: the key prefix and the timeouts, then
/// [`connect`](Self::connect).
pub struct RedisDedupBuilder {
    client: Client,
    key_prefix: String,
    response_timeout: Duration,
    connection_timeout: Duration,
}

impl RedisDedupBuilder {
    /// Redis answers each command within this, or the delivery is answered 503 (default 1 s).
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Each connection attempt gives up after this (default 1 s).
    #[must_use]
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// The prefix of every key this store writes (default [`DEFAULT_KEY_PREFIX`]). Give each
    /// application sharing one Redis database its own.
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Connects to Redis (failing now if it cannot) and returns the store, which reconnects by
    /// itself after later failures.
    pub async fn connect(self) -> Result<RedisDedup, RedisDedupError> {
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.response_timeout))
            .set_connection_timeout(Some(self.connection_timeout))
            // A request waits for the reconnection in progress: keep it short, so a dead
            // Redis is answered 503 within about two connection timeouts, not a minute.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let secret = Secret::of(&self.client);
        let address = self.client.get_connection_info().addr().to_string();
        let connection = ConnectionManager::new_with_config(self.client, config)
            .await
            .map_err(|err| RedisDedupError::Connect {
                address: address.clone(),
                reason: secret.scrub(&err.to_string()),
            })?;
        Ok(RedisDedup {
            connection,
            key_prefix: self.key_prefix,
            address,
            secret,
            scripts: Scripts::default(),
        })
    }
}

impl fmt::Debug for RedisDedupBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedupBuilder")
            .field(
                "address",
                &self.client.get_connection_info().addr().to_string(),
            )
            .field("key_prefix", &self.key_prefix)
            .field("response_timeout", &self.response_timeout)
            .field("connection_timeout", &self.connection_timeout)
            .finish_non_exhaustive()
    }
}

/// The password of the URL, kept only to remove it from error messages.
#[derive(Clone, Default)]
struct Secret(Option<String>);

impl Secret {
    fn of(client: &Client) -> Self {
        let password = client.get_connection_info().redis_settings().password();
        Self(password.filter(|p| !p.is_empty()).map(str::to_owned))
    }

    fn scrub(&self, message: &str) -> String {
        match &self.0 {
            Some(password) => message.replace(password.as_str(), "***"),
            None => message.to_owned(),
        }
    }
}

#[derive(Clone)]
struct Scripts {
    reserve: Script,
    renew: Script,
    complete: Script,
    release: Script,
}

impl Default for Scripts {
    fn default() -> Self {
        Self {
            reserve: Script::new(RESERVE),
            renew: Script::new(RENEW),
            complete: Script::new(COMPLETE),
            release: Script::new(RELEASE),
        }
    }
}

/// The [`DedupStore`] on Redis. Cheap to clone (one multiplexed connection, shared); wrap it in
/// a [`Dedup`](humanos_webhooks::Dedup) with [`Dedup::new`](humanos_webhooks::Dedup::new).
#[derive(Clone)]
pub struct RedisDedup {
    connection: ConnectionManager,
    key_prefix: String,
    address: String,
    secret: Secret,
    scripts: Scripts,
}

impl RedisDedup {
    /// Starts setting up a store for `url` (`redis://[:password@]host[:port][/db]`, or
    /// `redis+unix:///path`). Fails only when the URL is invalid; nothing is contacted yet.
    pub fn builder(url: &str) -> Result<RedisDedupBuilder, RedisDedupError> {
        // Nothing of the URL is echoed: it may hold a password.
        let client = Client::open(url).map_err(|_| RedisDedupError::InvalidUrl)?;
        Ok(RedisDedupBuilder {
            client,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            response_timeout: Duration::from_secs(1),
            connection_timeout: Duration::from_secs(1),
        })
    }

    /// The Redis key of `key`: the prefix, then its 64 hex characters.
    pub fn redis_key(&self, key: &IdempotencyKey) -> String {
        format!("{}{}", self.key_prefix, key.as_str())
    }

    /// The key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    fn store_error(&self, err: &redis::RedisError) -> StoreError {
        StoreError::new(format!(
            "redis at {}: {}",
            self.address,
            self.secret.scrub(&err.to_string())
        ))
    }

    async fn invoke(
        &self,
        script: &Script,
        key: &IdempotencyKey,
        args: &[&str],
    ) -> Result<i64, StoreError> {
        let mut invocation = script.key(self.redis_key(key));
        for arg in args {
            invocation.arg(*arg);
        }
        let mut connection = self.connection.clone();
        invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|err| self.store_error(&err))
    }
}

/// An expiry in whole milliseconds, as Redis takes it: at least 1 (0 is refused), at most
/// [`MAX_EXPIRY_MS`].
fn expiry_ms(duration: Duration) -> String {
    let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    ms.clamp(1, MAX_EXPIRY_MS).to_string()
}

impl DedupStore for RedisDedup {
    fn reserve<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, ReserveOutcome> {
        Box::pin(async move {
            let lease = expiry_ms(lease);
            match self
                .invoke(&self.scripts.reserve, key, &[token.as_str(), &lease, DONE])
                .await?
            {
                1 => Ok(ReserveOutcome::Reserved),
                2 => Ok(ReserveOutcome::Completed),
                3 => Ok(ReserveOutcome::InFlight),
                other => Err(StoreError::new(format!(
                    "redis at {}: unexpected reserve answer {other}",
                    self.address
                ))),
            }
        })
    }

    fn renew<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let lease = expiry_ms(lease);
            let renewed = self
                .invoke(&self.scripts.renew, key, &[token.as_str(), &lease])
                .await?;
            Ok(renewed == 1)
        })
    }

    fn complete<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let retention = expiry_ms(retention);
            let completed = self
                .invoke(
                    &self.scripts.complete,
                    key,
                    &[token.as_str(), &retention, DONE],
                )
                .await?;
            Ok(completed == 1)
        })
    }

    fn release<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let released = self
                .invoke(&self.scripts.release, key, &[token.as_str()])
                .await?;
            Ok(released == 1)
        })
    }
}

impl fmt::Debug for RedisDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedup")
            .field("address", &self.address)
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_are_whole_positive_milliseconds_redis_accepts() {
        assert_eq!(expiry_ms(Duration::ZERO), "1");
        assert_eq!(expiry_ms(Duration::from_micros(1500)), "1");
        assert_eq!(expiry_ms(Duration::from_secs(60)), "60000");
        assert_eq!(expiry_ms(Duration::MAX), MAX_EXPIRY_MS.to_string());
    }

    #[test]
    fn the_completed_marker_is_no_token() {
        let token = LeaseToken::generate();
        assert_eq!(token.as_str().len(), 32);
        assert!(token.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!DONE.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn debug_and_url_errors_hide_the_password() {
        let builder =
            RedisDedup::builder("redis://:hunter2-secret@127.0.0.1:6390/3").expect("valid URL");
        let debug = format!("{builder:?}");
        assert!(debug.contains("127.0.0.1:6390"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");

        let err = RedisDedup::builder("http://:hunter2-secret@127.0.0.1/").expect_err("not redis");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    }

    #[test]
    fn scrub_removes_the_password_wherever_it_appears() {
        let secret = Secret(Some("hunter2-secret".to_owned()));
        assert_eq!(
            secret.scrub("AUTH hunter2-secret failed; hunter2-secret"),
            "AUTH *** failed; ***"
        );
        assert_eq!(Secret(None).scrub("plain"), "plain");
    }
}

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
