//! Processing each delivery at most once: the idempotency hook the framework adapters call.
//!
//! Humanos retries a delivery until it is acknowledged with a 2xx, so the same event can arrive
//! more than once (a timeout on your side, a lost response, a redeploy). The key of a delivery
//! is its [`IdempotencyKey`]: `requestId` + `eventType`.
//!
//! The protocol, as `humanos-axum` and `humanos-actix` run it around your handler:
//!
//! 1. **Reserve** the key *before* calling the handler ([`DeliveryDedup::try_begin`]).
//! 2. Key already **completed** → answer **200** without calling the handler
//!    ([`DedupOutcome::Duplicate`]).
//! 3. Another delivery with the same key **in flight** → answer **409** so Humanos retries later
//!    ([`DedupOutcome::InFlight`]); the handler is not called twice concurrently.
//! 4. Handler **succeeds** → mark the key completed ([`DeliveryGuard::complete`]).
//! 5. Handler **fails** (or its future is dropped, e.g. the client disconnected) → **release**
//!    the reservation ([`DeliveryGuard`]'s `Drop`), so the retry runs the handler again.
//!
//! A delivery without an idempotency key (no `requestId` or no `eventType`) is always processed.
//!
//! [`InMemoryDedup`] is the default store: bounded, FIFO eviction, optional time-to-live, no
//! runtime. It only deduplicates within one process; with several replicas implement
//! [`DeliveryDedup`] over a shared store (a database unique key, Redis `SET NX`, ...).
//!
//! ```
//! use humanos_webhooks::{Dedup, DedupOutcome, IdempotencyKey, InMemoryDedup};
//!
//! let dedup = Dedup::new(InMemoryDedup::new(10_000));
//! let key = IdempotencyKey::new("req_1", "credential");
//!
//! let DedupOutcome::Process(guard) = dedup.begin(Some(&key)) else { unreachable!() };
//! // A concurrent retry of the same delivery is told to come back later.
//! assert!(matches!(dedup.begin(Some(&key)), DedupOutcome::InFlight));
//! // ... the handler succeeded:
//! guard.complete();
//! // A later retry is acknowledged without running the handler again.
//! assert!(matches!(dedup.begin(Some(&key)), DedupOutcome::Duplicate));
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use humanos_signing::{Clock, SystemClock};

use crate::event::IdempotencyKey;

/// What a [`DeliveryDedup`] store says when a delivery is about to be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeginOutcome {
    /// The key was free and is now reserved for this delivery: process it, then call
    /// [`DeliveryDedup::complete`] on success or [`DeliveryDedup::release`] on failure.
    Reserved,
    /// A delivery with this key was already processed successfully: acknowledge (200) without
    /// processing it again.
    Completed,
    /// A delivery with this key is being processed right now: answer 409 so it is retried later.
    InFlight,
}

/// A store of idempotency keys that makes each delivery run its handler at most once.
///
/// The adapters call [`try_begin`](Self::try_begin) before the handler, then exactly one of
/// [`complete`](Self::complete) (the handler succeeded) or [`release`](Self::release) (it failed
/// or was cancelled), through a [`DeliveryGuard`]. See the [module documentation](self) for the
/// whole protocol and the status each outcome is answered with.
///
/// Implementations must be atomic per key: two concurrent `try_begin` calls for the same key
/// must not both return [`BeginOutcome::Reserved`].
pub trait DeliveryDedup: Send + Sync + 'static {
    /// Reserves `key` if it is neither completed nor in flight.
    fn try_begin(&self, key: &IdempotencyKey) -> BeginOutcome;
    /// Marks a reserved `key` completed: later deliveries with it are duplicates.
    fn complete(&self, key: &IdempotencyKey);
    /// Drops the reservation of `key` so a retry processes it again.
    fn release(&self, key: &IdempotencyKey);
}

/// A cheaply cloneable handle on a [`DeliveryDedup`] store, as the adapters hold it.
#[derive(Clone)]
pub struct Dedup {
    store: Arc<dyn DeliveryDedup>,
}

impl Dedup {
    /// Wraps a store.
    pub fn new(store: impl DeliveryDedup) -> Self {
        Self {
            store: Arc::new(store),
        }
    }

    /// Wraps a store that is already shared.
    pub fn from_arc(store: Arc<dyn DeliveryDedup>) -> Self {
        Self { store }
    }

    /// An [`InMemoryDedup`] remembering up to `capacity` keys.
    pub fn in_memory(capacity: usize) -> Self {
        Self::new(InMemoryDedup::new(capacity))
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn DeliveryDedup> {
        &self.store
    }

    /// Starts processing a delivery with this key (`None`: the delivery has no key and is always
    /// processed).
    pub fn begin(&self, key: Option<&IdempotencyKey>) -> DedupOutcome {
        let Some(key) = key else {
            return DedupOutcome::Process(DeliveryGuard { reservation: None });
        };
        match self.store.try_begin(key) {
            BeginOutcome::Reserved => DedupOutcome::Process(DeliveryGuard {
                reservation: Some((Arc::clone(&self.store), key.clone())),
            }),
            BeginOutcome::Completed => DedupOutcome::Duplicate,
            BeginOutcome::InFlight => DedupOutcome::InFlight,
        }
    }
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup").finish_non_exhaustive()
    }
}

/// The decision for one delivery, from [`Dedup::begin`].
#[derive(Debug)]
#[non_exhaustive]
pub enum DedupOutcome {
    /// Run the handler; then [`complete`](DeliveryGuard::complete) the guard on success, or drop
    /// it on failure.
    Process(DeliveryGuard),
    /// Already processed: answer 200 without running the handler.
    Duplicate,
    /// Being processed by another request: answer 409 so Humanos retries later.
    InFlight,
}

impl DedupOutcome {
    /// The HTTP status to answer without running the handler: `Some(200)` for a duplicate,
    /// `Some(409)` for a delivery in flight, `None` when the handler must run.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Process(_) => None,
            Self::Duplicate => Some(200),
            Self::InFlight => Some(409),
        }
    }
}

/// The reservation of one delivery's key while its handler runs.
///
/// [`complete`](Self::complete) it when the handler succeeded. Dropping it without completing
/// releases the key, so a failed (or cancelled) delivery is processed again when retried.
#[must_use = "dropping the guard releases the reservation: call `complete()` on success"]
pub struct DeliveryGuard {
    reservation: Option<(Arc<dyn DeliveryDedup>, IdempotencyKey)>,
}

impl DeliveryGuard {
    /// Marks the delivery processed: later deliveries with its key are duplicates.
    pub fn complete(mut self) {
        if let Some((store, key)) = self.reservation.take() {
            store.complete(&key);
        }
    }

    /// The reserved key (`None` for a delivery without one).
    pub fn key(&self) -> Option<&IdempotencyKey> {
        self.reservation.as_ref().map(|(_, key)| key)
    }
}

impl Drop for DeliveryGuard {
    fn drop(&mut self) {
        if let Some((store, key)) = self.reservation.take() {
            store.release(&key);
        }
    }
}

impl fmt::Debug for DeliveryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryGuard")
            .field("key", &self.key())
            .finish()
    }
}

/// The default [`DeliveryDedup`]: keys in memory, at most `capacity` of them, the oldest
/// forgotten first (FIFO by reservation), and optionally forgotten after a time-to-live.
///
/// No async runtime is needed: one `std::sync::Mutex`, held for a few hash-map operations.
/// Size the capacity for the deliveries Humanos may retry during its retry window; a forgotten
/// key only means a late retry runs the handler again.
///
/// ```
/// use std::time::Duration;
/// use humanos_webhooks::InMemoryDedup;
/// let store = InMemoryDedup::new(50_000).ttl(Duration::from_secs(24 * 3600));
/// assert_eq!(store.capacity(), 50_000);
/// ```
pub struct InMemoryDedup {
    capacity: usize,
    ttl: Option<Duration>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<IdempotencyKey, Entry>,
    /// Keys in reservation order, with the generation they were reserved under; a key whose
    /// entry has another generation (released, re-reserved) is stale and skipped.
    order: VecDeque<(IdempotencyKey, u64)>,
    next_generation: u64,
}

struct Entry {
    generation: u64,
    /// `None` while in flight; the completion time (Unix ms) once completed.
    completed_at: Option<u64>,
}

impl InMemoryDedup {
    /// A store remembering up to `capacity` keys (at least 1), without time-to-live.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            ttl: None,
            clock: Arc::new(SystemClock),
            state: Mutex::new(State::default()),
        }
    }

    /// Forgets completed keys `ttl` after their completion.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The clock the time-to-live is measured with (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The most keys remembered at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys (completed or in flight) are remembered now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that
        // matters more than refusing every delivery would: keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn expired(&self, entry: &Entry, now: u64) -> bool {
        match (self.ttl, entry.completed_at) {
            (Some(ttl), Some(at)) => {
                let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
                now.saturating_sub(at) >= ttl_ms
            }
            _ => false,
        }
    }
}

impl State {
    fn remove_if_current(&mut self, key: &IdempotencyKey, generation: u64) {
        if self
            .entries
            .get(key)
            .is_some_and(|e| e.generation == generation)
        {
            self.entries.remove(key);
        }
    }

    /// Drops stale entries of `order` once it holds far more items than live keys.
    fn compact(&mut self, capacity: usize) {
        if self.order.len() > capacity.saturating_mul(2) {
            let entries = &self.entries;
            self.order.retain(|(key, generation)| {
                entries
                    .get(key)
                    .is_some_and(|e| e.generation == *generation)
            });
        }
    }
}

impl DeliveryDedup for InMemoryDedup {
    fn try_begin(&self, key: &IdempotencyKey) -> BeginOutcome {
        let now = self.clock.now_unix_ms();
        let mut state = self.lock();
        if let Some(entry) = state.entries.get(key) {
            if !self.expired(entry, now) {
                return if entry.completed_at.is_some() {
                    BeginOutcome::Completed
                } else {
                    BeginOutcome::InFlight
                };
            }
            state.entries.remove(key);
        }
        // Make room: forget the oldest keys (expired or not) until one more fits.
        while state.entries.len() >= self.capacity {
            match state.order.pop_front() {
                Some((old, generation)) => state.remove_if_current(&old, generation),
                None => break,
            }
        }
        let generation = state.next_generation;
        state.next_generation = state.next_generation.wrapping_add(1);
        state.entries.insert(
            key.clone(),
            Entry {
                generation,
                completed_at: None,
            },
        );
        state.order.push_back((key.clone(), generation));
        state.compact(self.capacity);
        BeginOutcome::Reserved
    }

    fn complete(&self, key: &IdempotencyKey) {
        let now = self.clock.now_unix_ms();
        if let Some(entry) = self.lock().entries.get_mut(key) {
            entry.completed_at = Some(now);
        }
    }

    fn release(&self, key: &IdempotencyKey) {
        let mut state = self.lock();
        if state
            .entries
            .get(key)
            .is_some_and(|e| e.completed_at.is_none())
        {
            state.entries.remove(key);
        }
        state.compact(self.capacity);
    }
}

impl fmt::Debug for InMemoryDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDedup")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn key(n: u32) -> IdempotencyKey {
        IdempotencyKey::new(format!("req_{n}"), "test")
    }

    #[test]
    fn reserve_complete_duplicate() {
        let store = InMemoryDedup::new(10);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Reserved);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::InFlight);
        store.complete(&key(1));
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Completed);
        // Another event type of the same request is another key.
        let other = IdempotencyKey::new("req_1", "identity");
        assert_eq!(store.try_begin(&other), BeginOutcome::Reserved);
    }

    #[test]
    fn release_lets_a_retry_run_and_does_not_forget_completed_keys() {
        let store = InMemoryDedup::new(10);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Reserved);
        store.release(&key(1));
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Reserved);
        store.complete(&key(1));
        store.release(&key(1));
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Completed);
    }

    #[test]
    fn bounded_fifo_eviction() {
        let store = InMemoryDedup::new(3);
        for n in 0..3 {
            assert_eq!(store.try_begin(&key(n)), BeginOutcome::Reserved);
            store.complete(&key(n));
        }
        assert_eq!(store.try_begin(&key(3)), BeginOutcome::Reserved);
        store.complete(&key(3));
        assert_eq!(store.len(), 3);
        // The oldest was forgotten, the others are still duplicates.
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Completed);
        assert_eq!(store.try_begin(&key(0)), BeginOutcome::Reserved);
        assert!(store.len() <= 3);
    }

    #[test]
    fn stale_order_entries_stay_bounded() {
        let store = InMemoryDedup::new(4);
        for _ in 0..1000 {
            assert_eq!(store.try_begin(&key(7)), BeginOutcome::Reserved);
            store.release(&key(7));
        }
        let state = store.lock();
        assert!(state.order.len() <= 9, "{}", state.order.len());
        assert!(state.entries.is_empty());
    }

    #[test]
    fn ttl_forgets_completed_keys_only() {
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = {
            let now = Arc::clone(&now);
            move || now.load(Ordering::SeqCst)
        };
        let store = InMemoryDedup::new(10)
            .ttl(Duration::from_secs(60))
            .clock(clock);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Reserved);
        assert_eq!(store.try_begin(&key(2)), BeginOutcome::Reserved);
        store.complete(&key(1));
        now.store(1_000 + 59_999, Ordering::SeqCst);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Completed);
        now.store(1_000 + 60_000, Ordering::SeqCst);
        assert_eq!(store.try_begin(&key(1)), BeginOutcome::Reserved);
        // In-flight keys do not expire.
        assert_eq!(store.try_begin(&key(2)), BeginOutcome::InFlight);
    }

    #[test]
    fn guard_releases_on_drop_and_completes_explicitly() {
        let dedup = Dedup::in_memory(10);
        let k = key(1);
        match dedup.begin(Some(&k)) {
            DedupOutcome::Process(guard) => drop(guard),
            other => panic!("{other:?}"),
        }
        match dedup.begin(Some(&k)) {
            DedupOutcome::Process(guard) => guard.complete(),
            other => panic!("{other:?}"),
        }
        let outcome = dedup.begin(Some(&k));
        assert!(matches!(outcome, DedupOutcome::Duplicate));
        assert_eq!(outcome.status(), Some(200));
        // Deliveries without a key are always processed.
        for _ in 0..2 {
            match dedup.begin(None) {
                DedupOutcome::Process(guard) => guard.complete(),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn concurrent_begins_reserve_once() {
        let store = Arc::new(InMemoryDedup::new(100));
        let reserved: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = Arc::clone(&store);
                    s.spawn(move || store.try_begin(&key(1)) == BeginOutcome::Reserved)
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
