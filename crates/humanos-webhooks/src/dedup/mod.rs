//! Handling each event exactly once, across retries and replicas: the dedup protocol the
//! delivery lifecycle runs around your handler.
//!
//! Humanos retries a delivery until it is acknowledged with a 2xx, so the same event can arrive
//! more than once (a timeout on your side, a lost response, a redeploy), and with several
//! replicas behind a load balancer two copies can arrive at two machines at once. The key of an
//! event is its [`IdempotencyKey`] (per user and credential, not per request).
//!
//! The protocol, as [`lifecycle`](crate::lifecycle) runs it (and so `humanos-axum` and
//! `humanos-actix`):
//!
//! 1. **Reserve** the key *before* the handler runs: the store takes a **lease** for it, held by
//!    a fresh [`LeaseToken`] and expiring after [`Dedup::lease`] ([`DedupStore::reserve`]).
//! 2. Key already **completed** → answer **200** without running the handler.
//! 3. Key **leased** by another delivery → answer **409**; Humanos retries later.
//! 4. The store is **unavailable** → answer **503** with `Retry-After`; the handler never runs
//!    without a reservation.
//! 5. While the handler runs, the lease is **renewed** every third of its duration, so a slow
//!    handler keeps it; a replica that dies stops renewing and its lease expires, so the
//!    redelivery runs the handler elsewhere.
//! 6. Handler **succeeds** → **complete** the key (kept for [`Dedup::retention`]); fails or is
//!    cancelled → **release** it so the retry runs the handler again. Both act only on the
//!    reservation of their token, never on a later one.
//!
//! [`InMemoryDedup`] keeps the keys of one process; `humanos-webhooks-redis` shares them between
//! replicas. Implement [`DedupStore`] for another shared store.
//!
//! ```
//! # humanos_webhooks::dedup::block_on_ready(async {
//! use humanos_webhooks::{Dedup, DedupOutcome, IdempotencyKey};
//!
//! let dedup = Dedup::in_memory(10_000);
//! let key = IdempotencyKey::from_plaintext(br#"{"eventType":"test","requestId":"req_1"}"#).unwrap();
//!
//! let DedupOutcome::Process(reservation) = dedup.begin(&key).await? else { unreachable!() };
//! // A concurrent retry of the same event is told to come back later.
//! assert!(matches!(dedup.begin(&key).await?, DedupOutcome::InFlight));
//! // ... the handler succeeded:
//! reservation.complete().await?;
//! // A later retry is acknowledged without running the handler again.
//! assert!(matches!(dedup.begin(&key).await?, DedupOutcome::Duplicate));
//! # Ok::<(), humanos_webhooks::StoreError>(())
//! # }).unwrap().unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use humanos_signing::{Clock as _, SystemClock};

use crate::key::IdempotencyKey;

mod memory;
pub use memory::InMemoryDedup;

/// The future a [`DedupStore`] method returns: boxed, so stores are object safe and the core
/// crate needs no async runtime.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The store could not answer (unreachable, timed out, full of leases): the delivery is answered
/// 503 with `Retry-After` and its handler does not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dedup store unavailable: {0}")]
pub struct StoreError(pub String);

impl StoreError {
    /// A store error with this (secret-free) description.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// One reservation's identity: 128 random bits, hex. `complete`, `release` and `renew` act on
/// a key only while it is still held by the token they were given.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LeaseToken(String);

impl LeaseToken {
    /// A fresh random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness: fall back to time and a process counter, still unique per process.
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            bytes[..8].copy_from_slice(&SystemClock.now_unix_ms().to_be_bytes());
            bytes[8..].copy_from_slice(&n.to_be_bytes());
        }
        Self(hex::encode(bytes))
    }

    /// The token as stored (32 hex characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LeaseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LeaseToken").field(&self.0).finish()
    }
}

/// What a store answers to [`DedupStore::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReserveOutcome {
    /// The key was free (or its lease had expired) and is now leased to the given token.
    Reserved,
    /// The event was handled already: acknowledge without handling it again.
    Completed,
    /// Another delivery of the event holds an unexpired lease.
    InFlight,
}

/// A store of idempotency keys with leases: the backend of [`Dedup`].
///
/// Each method must be atomic per key (two concurrent `reserve` calls never both answer
/// [`ReserveOutcome::Reserved`]), and `renew`, `complete` and `release` must act only when the
/// key is held by `token`. A store that cannot answer returns a [`StoreError`]; it never guesses.
pub trait DedupStore: Send + Sync + 'static {
    /// Leases `key` to `token` for `lease` unless it is completed or leased to another token
    /// whose lease has not expired.
    fn reserve<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, ReserveOutcome>;

    /// Extends the lease of `token` on `key` to `lease` from now. `Ok(false)`: the key is no
    /// longer held by `token` (the lease expired and another delivery took it, or it was
    /// completed).
    fn renew<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Marks `key` completed for `retention`, if it is held by `token` or free (the lease
    /// lapsed and nobody took it). `Ok(false)`: another token holds it, or it was completed.
    fn complete<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        retention: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Drops the lease of `token` on `key` so a retry handles the event. `Ok(false)`: the key is
    /// not held by `token` (nothing was changed).
    fn release<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
    ) -> StoreFuture<'a, bool>;
}

/// A cheaply cloneable handle on a [`DedupStore`], with the lease and retention durations.
#[derive(Clone)]
pub struct Dedup {
    store: Arc<dyn DedupStore>,
    lease: Duration,
    retention: Duration,
}

impl Dedup {
    /// The default lease: 60 s, renewed every 20 s while the handler runs.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
    /// The default retention of completed keys: 7 days, longer than Humanos keeps retrying.
    pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

    /// Wraps a store, with the default lease and retention.
    pub fn new(store: impl DedupStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// Wraps a store that is already shared.
    pub fn from_arc(store: Arc<dyn DedupStore>) -> Self {
        Self {
            store,
            lease: Self::DEFAULT_LEASE,
            retention: Self::DEFAULT_RETENTION,
        }
    }

    /// An [`InMemoryDedup`] remembering up to `capacity` keys.
    pub fn in_memory(capacity: usize) -> Self {
        Self::new(InMemoryDedup::new(capacity))
    }

    /// How long a reservation lasts without renewal (at least 1 s). The lifecycle renews it
    /// every third of this while the handler runs; a replica that dies holds the key this long.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    /// How long a completed key is remembered: redeliveries within it are duplicates.
    #[must_use]
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The lease duration.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The retention of completed keys.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn DedupStore> {
        &self.store
    }

    /// Starts handling the event with this key.
    pub async fn begin(&self, key: &IdempotencyKey) -> Result<DedupOutcome, StoreError> {
        let token = LeaseToken::generate();
        Ok(match self.store.reserve(key, &token, self.lease).await? {
            ReserveOutcome::Reserved => DedupOutcome::Process(Reservation {
                dedup: self.clone(),
                key: key.clone(),
                token,
            }),
            ReserveOutcome::Completed => DedupOutcome::Duplicate,
            ReserveOutcome::InFlight => DedupOutcome::InFlight,
        })
    }
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup")
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// The decision for one delivery, from [`Dedup::begin`].
#[derive(Debug)]
#[non_exhaustive]
pub enum DedupOutcome {
    /// Run the handler; then [`complete`](Reservation::complete) or
    /// [`release`](Reservation::release) the reservation.
    Process(Reservation),
    /// Already handled: answer 200 without running the handler.
    Duplicate,
    /// Being handled by another delivery: answer 409 so Humanos retries later.
    InFlight,
}

/// The lease on one event's key while its handler runs.
///
/// End it with [`complete`](Self::complete) or [`release`](Self::release). A reservation
/// dropped without either (a cancelled request) is not released by a destructor, which cannot
/// await the store: its lease simply expires, after which a retry runs the handler.
#[must_use = "complete() the reservation when the handler succeeded, release() it otherwise"]
pub struct Reservation {
    dedup: Dedup,
    key: IdempotencyKey,
    token: LeaseToken,
}

impl Reservation {
    /// The reserved key.
    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }

    /// The lease duration, renewed while the handler runs.
    pub fn lease(&self) -> Duration {
        self.dedup.lease
    }

    /// The token the lease is held by.
    pub fn token(&self) -> &LeaseToken {
        &self.token
    }

    /// Extends the lease by [`Dedup::lease`] from now; `Ok(false)` when it was lost.
    pub async fn renew(&self) -> Result<bool, StoreError> {
        (self.dedup.store)
            .renew(&self.key, &self.token, self.dedup.lease)
            .await
    }

    /// Marks the event handled: later deliveries of it are duplicates. `Ok(false)` when the
    /// lease had been lost to another delivery (which may then run the handler too: choose a
    /// lease longer than the handler takes, the lifecycle renews it).
    pub async fn complete(self) -> Result<bool, StoreError> {
        (self.dedup.store)
            .complete(&self.key, &self.token, self.dedup.retention)
            .await
    }

    /// Gives the key back so a retry runs the handler again.
    pub async fn release(self) -> Result<bool, StoreError> {
        self.dedup.store.release(&self.key, &self.token).await
    }
}

impl fmt::Debug for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation")
            .field("key", &self.key)
            .field("token", &self.token)
            .finish()
    }
}

/// Polls a future that is ready without waiting (an in-memory store's), for doc examples and
/// synchronous callers. Returns `None` if it is not ready on the first poll.
#[doc(hidden)]
pub fn block_on_ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}
