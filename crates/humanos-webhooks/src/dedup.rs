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

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use humanos_signing::{Clock, SystemClock};

use crate::key::IdempotencyKey;

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

/// The default [`DedupStore`]: the keys of one process, in memory.
///
/// Leases expire by the clock; completed keys are forgotten after their retention, and the
/// oldest completed keys first when `capacity` keys are held. Keys in flight are never evicted:
/// when every slot holds a live lease, `reserve` answers a [`StoreError`] (503, retried).
/// No async runtime: one `std::sync::Mutex`, held for a few hash-map operations.
///
/// ```
/// use humanos_webhooks::InMemoryDedup;
/// let store = InMemoryDedup::new(50_000);
/// assert_eq!(store.capacity(), 50_000);
/// ```
pub struct InMemoryDedup {
    capacity: usize,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<IdempotencyKey, Entry>,
    /// Completed keys in completion order, with their completion stamp; an item whose entry has
    /// another stamp (completed again after expiring) is stale and skipped.
    completed: VecDeque<(IdempotencyKey, u64)>,
    next_stamp: u64,
}

enum Entry {
    Leased { token: LeaseToken, until_ms: u64 },
    Completed { until_ms: u64, stamp: u64 },
}

impl Entry {
    fn live(&self, now: u64) -> bool {
        match self {
            Self::Leased { until_ms, .. } | Self::Completed { until_ms, .. } => now < *until_ms,
        }
    }
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl InMemoryDedup {
    /// A store holding up to `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            clock: Arc::new(SystemClock),
            state: Mutex::new(State::default()),
        }
    }

    /// The clock leases and retention are measured with (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys (completed or leased, expired or not) are held now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The maps stay consistent between operations; a panic elsewhere must not stop dedup.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn held_by(state: &State, key: &IdempotencyKey, token: &LeaseToken, now: u64) -> bool {
        matches!(state.entries.get(key), Some(Entry::Leased { token: t, until_ms }) if t == token && now < *until_ms)
    }

    fn reserve_now(
        &self,
        key: &IdempotencyKey,
        token: &LeaseToken,
        lease: Duration,
    ) -> Result<ReserveOutcome, StoreError> {
        let now = self.clock.now_unix_ms();
        let mut state = self.lock();
        match state.entries.get(key) {
            Some(entry @ Entry::Completed { .. }) if entry.live(now) => {
                return Ok(ReserveOutcome::Completed);
            }
            Some(entry @ Entry::Leased { .. }) if entry.live(now) => {
                return Ok(ReserveOutcome::InFlight);
            }
            _ => {}
        }
        if !state.entries.contains_key(key) && state.entries.len() >= self.capacity {
            state.make_room(self.capacity, now);
            if state.entries.len() >= self.capacity {
                return Err(StoreError::new(format!(
                    "all {} in-memory dedup slots hold deliveries in flight",
                    self.capacity
                )));
            }
        }
        let until_ms = now.saturating_add(ms(lease));
        let token = token.clone();
        state
            .entries
            .insert(key.clone(), Entry::Leased { token, until_ms });
        Ok(ReserveOutcome::Reserved)
    }
}

impl State {
    /// Frees slots: expired entries first, then the oldest completed keys; never a live lease.
    fn make_room(&mut self, capacity: usize, now: u64) {
        self.entries.retain(|_, entry| entry.live(now));
        while self.entries.len() >= capacity {
            let Some((key, stamp)) = self.completed.pop_front() else {
                break;
            };
            if matches!(self.entries.get(&key), Some(Entry::Completed { stamp: s, .. }) if *s == stamp)
            {
                self.entries.remove(&key);
            }
        }
        let entries = &self.entries;
        self.completed.retain(
            |(key, stamp)| matches!(entries.get(key), Some(Entry::Completed { stamp: s, .. }) if s == stamp),
        );
    }
}

fn ready<'a, T: Send + 'a>(value: Result<T, StoreError>) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl DedupStore for InMemoryDedup {
    fn reserve<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, ReserveOutcome> {
        ready(self.reserve_now(key, token, lease))
    }

    fn renew<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool> {
        let now = self.clock.now_unix_ms();
        let mut state = self.lock();
        let held = Self::held_by(&state, key, token, now);
        if held {
            state.entries.insert(
                key.clone(),
                Entry::Leased {
                    token: token.clone(),
                    until_ms: now.saturating_add(ms(lease)),
                },
            );
        }
        ready(Ok(held))
    }

    fn complete<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        let now = self.clock.now_unix_ms();
        let mut state = self.lock();
        let free = state.entries.get(key).is_none_or(|entry| !entry.live(now));
        let ours =
            matches!(state.entries.get(key), Some(Entry::Leased { token: t, .. }) if t == token);
        let done = ours || free;
        if done {
            let stamp = state.next_stamp;
            state.next_stamp += 1;
            let until_ms = now.saturating_add(ms(retention));
            state
                .entries
                .insert(key.clone(), Entry::Completed { until_ms, stamp });
            state.completed.push_back((key.clone(), stamp));
        }
        ready(Ok(done))
    }

    fn release<'a>(
        &'a self,
        key: &'a IdempotencyKey,
        token: &'a LeaseToken,
    ) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let ours =
            matches!(state.entries.get(key), Some(Entry::Leased { token: t, .. }) if t == token);
        if ours {
            state.entries.remove(key);
        }
        ready(Ok(ours))
    }
}

impl fmt::Debug for InMemoryDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDedup")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    use super::*;

    fn key(n: u32) -> IdempotencyKey {
        IdempotencyKey::from_value(&json!({"eventType": "test", "requestId": format!("req_{n}")}))
            .unwrap()
    }

    fn now(store_clock: &Arc<AtomicU64>) -> impl Clock + 'static {
        let clock = Arc::clone(store_clock);
        move || clock.load(Ordering::SeqCst)
    }

    fn run<F: Future>(f: F) -> F::Output {
        block_on_ready(f).unwrap()
    }

    const LEASE: Duration = Duration::from_secs(10);
    const KEEP: Duration = Duration::from_secs(100);

    #[test]
    fn reserve_complete_duplicate_release() {
        let store = InMemoryDedup::new(10);
        let (a, b) = (LeaseToken::generate(), LeaseToken::generate());
        assert_ne!(a, b);
        assert_eq!(
            run(store.reserve(&key(1), &a, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        assert_eq!(
            run(store.reserve(&key(1), &b, LEASE)),
            Ok(ReserveOutcome::InFlight)
        );
        // Another token cannot end the reservation.
        assert_eq!(run(store.release(&key(1), &b)), Ok(false));
        assert_eq!(run(store.complete(&key(1), &b, KEEP)), Ok(false));
        assert_eq!(run(store.complete(&key(1), &a, KEEP)), Ok(true));
        assert_eq!(
            run(store.reserve(&key(1), &b, LEASE)),
            Ok(ReserveOutcome::Completed)
        );
        // Releasing after completion changes nothing.
        assert_eq!(run(store.release(&key(1), &a)), Ok(false));
        assert_eq!(
            run(store.reserve(&key(1), &b, LEASE)),
            Ok(ReserveOutcome::Completed)
        );
        // A released key is free for the retry.
        assert_eq!(
            run(store.reserve(&key(2), &a, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        assert_eq!(run(store.release(&key(2), &a)), Ok(true));
        assert_eq!(
            run(store.reserve(&key(2), &b, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
    }

    #[test]
    fn leases_expire_and_an_old_token_cannot_touch_the_new_lease() {
        let clock = Arc::new(AtomicU64::new(1_000));
        let store = InMemoryDedup::new(10).clock(now(&clock));
        let (dead, next) = (LeaseToken::generate(), LeaseToken::generate());
        assert_eq!(
            run(store.reserve(&key(1), &dead, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        clock.store(1_000 + 9_999, Ordering::SeqCst);
        assert_eq!(
            run(store.reserve(&key(1), &next, LEASE)),
            Ok(ReserveOutcome::InFlight)
        );
        clock.store(1_000 + 10_000, Ordering::SeqCst);
        // The replica holding `dead` died: its lease expired, the redelivery takes the key.
        assert_eq!(
            run(store.reserve(&key(1), &next, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        assert_eq!(run(store.renew(&key(1), &dead, LEASE)), Ok(false));
        assert_eq!(run(store.release(&key(1), &dead)), Ok(false));
        assert_eq!(run(store.complete(&key(1), &dead, KEEP)), Ok(false));
        assert_eq!(run(store.renew(&key(1), &next, LEASE)), Ok(true));
        assert_eq!(run(store.complete(&key(1), &next, KEEP)), Ok(true));
        // Retention ends.
        clock.store(1_000 + 10_000 + 99_999, Ordering::SeqCst);
        assert_eq!(
            run(store.reserve(&key(1), &dead, LEASE)),
            Ok(ReserveOutcome::Completed)
        );
        clock.store(1_000 + 10_000 + 100_000, Ordering::SeqCst);
        assert_eq!(
            run(store.reserve(&key(1), &dead, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
    }

    #[test]
    fn a_lapsed_lease_nobody_took_can_still_be_completed() {
        let clock = Arc::new(AtomicU64::new(0));
        let store = InMemoryDedup::new(10).clock(now(&clock));
        let token = LeaseToken::generate();
        assert_eq!(
            run(store.reserve(&key(1), &token, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        clock.store(60_000, Ordering::SeqCst);
        assert_eq!(run(store.complete(&key(1), &token, KEEP)), Ok(true));
        let other = LeaseToken::generate();
        assert_eq!(
            run(store.reserve(&key(1), &other, LEASE)),
            Ok(ReserveOutcome::Completed)
        );
    }

    #[test]
    fn in_flight_keys_are_never_evicted_completed_ones_are_oldest_first() {
        let store = InMemoryDedup::new(3);
        let t = LeaseToken::generate();
        for n in 0..2 {
            assert_eq!(
                run(store.reserve(&key(n), &t, LEASE)),
                Ok(ReserveOutcome::Reserved)
            );
            assert_eq!(run(store.complete(&key(n), &t, KEEP)), Ok(true));
        }
        assert_eq!(
            run(store.reserve(&key(2), &t, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        // Full: the oldest completed key makes room, the in-flight one stays.
        assert_eq!(
            run(store.reserve(&key(3), &t, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        assert_eq!(
            run(store.reserve(&key(1), &t, LEASE)),
            Ok(ReserveOutcome::Completed)
        );
        assert_eq!(
            run(store.reserve(&key(4), &t, LEASE)),
            Ok(ReserveOutcome::Reserved)
        );
        assert_eq!(store.len(), 3);
        // Now all three slots are leases in flight: a new key is refused, not admitted blindly.
        assert!(run(store.reserve(&key(5), &t, LEASE)).is_err());
        assert_eq!(
            run(store.reserve(&key(2), &t, LEASE)),
            Ok(ReserveOutcome::InFlight)
        );
    }

    #[test]
    fn dedup_handle_runs_the_protocol() {
        let dedup = Dedup::in_memory(10);
        let k = key(1);
        let DedupOutcome::Process(r) = run(dedup.begin(&k)).unwrap() else {
            panic!("first delivery must run")
        };
        assert!(matches!(run(dedup.begin(&k)), Ok(DedupOutcome::InFlight)));
        assert_eq!(run(r.renew()), Ok(true));
        assert_eq!(run(r.release()), Ok(true));
        let DedupOutcome::Process(r) = run(dedup.begin(&k)).unwrap() else {
            panic!("a released key runs again")
        };
        assert_eq!(run(r.complete()), Ok(true));
        assert!(matches!(run(dedup.begin(&k)), Ok(DedupOutcome::Duplicate)));
    }

    #[test]
    fn concurrent_reserves_reserve_once() {
        let store = Arc::new(InMemoryDedup::new(100));
        let reserved: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = Arc::clone(&store);
                    s.spawn(move || {
                        let token = LeaseToken::generate();
                        run(store.reserve(&key(1), &token, LEASE)) == Ok(ReserveOutcome::Reserved)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| usize::from(h.join().unwrap_or(false)))
                .sum()
        });
        assert_eq!(reserved, 1);
    }
}
