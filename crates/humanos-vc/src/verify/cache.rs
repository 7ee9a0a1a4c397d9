//! The verified-signature cache.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

type FingerprintSet = (HashSet<[u8; 32]>, VecDeque<[u8; 32]>);

/// Remembers (public key, signed hash data, signature) triples that verified, so a mandate
/// presented again in a new VP skips its Ed25519 check. Only exact triples hit: any change
/// to the credential, its proof or the key misses. Bounded, oldest evicted first.
pub(super) struct SignatureCache {
    capacity: usize,
    inner: Mutex<FingerprintSet>,
}

impl SignatureCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Default::default()),
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether the triple verifies: from the cache, or by `verify`, remembered on success.
    pub(super) fn verifies(
        &self,
        key: &[u8; 32],
        hash_data: &[u8; 64],
        sig: &[u8; 64],
        verify: impl FnOnce() -> bool,
    ) -> bool {
        let fp = Self::fingerprint(key, hash_data, sig);
        if self.contains(&fp) {
            return true;
        }
        let ok = verify();
        if ok {
            self.insert(fp);
        }
        ok
    }

    fn fingerprint(key: &[u8; 32], hash_data: &[u8; 64], sig: &[u8; 64]) -> [u8; 32] {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(key);
        h.update(hash_data);
        h.update(sig);
        h.finalize().into()
    }

    fn contains(&self, fp: &[u8; 32]) -> bool {
        self.inner.lock().map(|g| g.0.contains(fp)).unwrap_or(false)
    }

    fn insert(&self, fp: [u8; 32]) {
        let Ok(mut g) = self.inner.lock() else { return };
        let (set, order) = &mut *g;
        if set.insert(fp) {
            order.push_back(fp);
            while order.len() > self.capacity {
                if let Some(old) = order.pop_front() {
                    set.remove(&old);
                }
            }
        }
    }
}
