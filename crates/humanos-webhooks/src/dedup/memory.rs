//! [`InMemoryDedup`]: the dedup store of one process.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use humanos_signing::{Clock, SystemClock};

use super::{DedupStore, LeaseToken, ReserveOutcome, StoreError, StoreFuture};
use crate::key::IdempotencyKey;

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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    use super::super::{Dedup, DedupOutcome, block_on_ready};
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
