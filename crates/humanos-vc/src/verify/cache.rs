//! The verified-signature cache, and the credentials it has seen verify.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::split_hash::KnownBytes;

type FingerprintSet = (HashSet<[u8; 32]>, VecDeque<[u8; 32]>);

/// At most this many credentials are kept whole (a mandate is presented again and again, in a
/// fresh presentation each time; there are few of them at a time).
const MAX_KNOWN_CREDENTIALS: usize = 256;
/// A credential whose canonical form is longer is not kept.
const MAX_KNOWN_CREDENTIAL_BYTES: usize = 64 * 1024;
/// The canonical bytes of all kept credentials together stay under this.
const MAX_KNOWN_TOTAL_BYTES: usize = 4 * 1024 * 1024;

/// Remembers (public key, signed hash data, signature) triples that verified, so a mandate
/// presented again in a new VP skips its Ed25519 check. Only exact triples hit: any change
/// to the credential, its proof or the key misses. Bounded, oldest evicted first.
///
/// It also keeps the embedded credentials that verified whole ([`KnownCredential`]), so that
/// one presented again is neither canonicalized nor hashed on its own: equal member for member
/// to one kept, its canonical bytes, hash data and signature are the kept ones, the same
/// function of the same value.
pub(super) struct SignatureCache {
    capacity: usize,
    inner: Mutex<FingerprintSet>,
    known: Mutex<KnownSet>,
}

/// A credential that verified, with what its verification computed from it.
pub(super) struct KnownCredential {
    /// The credential as it was presented.
    credential: Value,
    /// Its JCS with its proof, as its presentation's transformed document contains it.
    canonical: Box<[u8]>,
    /// The hash data its proof signs.
    pub(super) hash_data: [u8; 64],
    /// Its proof's signature.
    pub(super) signature: [u8; 64],
    /// The public key it verified with.
    pub(super) public_key: [u8; 32],
}

impl KnownBytes for Arc<KnownCredential> {
    fn canonical(&self) -> &[u8] {
        &self.canonical
    }
}

/// The kept credentials by `proofValue`, oldest first in `order`.
#[derive(Default)]
struct KnownSet {
    by_proof_value: HashMap<String, Arc<KnownCredential>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl SignatureCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Default::default()),
            known: Mutex::new(KnownSet::default()),
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

    /// The kept credential equal to `credential` in every member, in the same order, if any.
    pub(super) fn known(&self, credential: &Value) -> Option<Arc<KnownCredential>> {
        let proof_value = proof_value(credential)?;
        let kept = self
            .known
            .lock()
            .ok()?
            .by_proof_value
            .get(proof_value)
            .cloned()?;
        same(&kept.credential, credential).then_some(kept)
    }

    /// Keeps `credential`, which verified with `public_key` over `hash_data` and `signature`;
    /// `canonical` is its JCS with its proof.
    pub(super) fn remember(
        &self,
        credential: &Value,
        canonical: &[u8],
        hash_data: [u8; 64],
        signature: [u8; 64],
        public_key: [u8; 32],
    ) {
        let Some(proof_value) = proof_value(credential) else {
            return;
        };
        if canonical.len() > MAX_KNOWN_CREDENTIAL_BYTES {
            return;
        }
        let Ok(mut g) = self.known.lock() else { return };
        let kept = Arc::new(KnownCredential {
            credential: credential.clone(),
            canonical: Box::from(canonical),
            hash_data,
            signature,
            public_key,
        });
        let size = kept.canonical.len();
        match g.by_proof_value.insert(proof_value.to_owned(), kept) {
            Some(replaced) => g.bytes = g.bytes - replaced.canonical.len() + size,
            None => {
                g.order.push_back(proof_value.to_owned());
                g.bytes += size;
            }
        }
        while g.order.len() > MAX_KNOWN_CREDENTIALS.min(self.capacity)
            || g.bytes > MAX_KNOWN_TOTAL_BYTES
        {
            let Some(old) = g.order.pop_front() else {
                break;
            };
            if let Some(gone) = g.by_proof_value.remove(&old) {
                g.bytes -= gone.canonical.len();
            }
        }
    }
}

/// The `proofValue` of a credential's single proof object.
fn proof_value(credential: &Value) -> Option<&str> {
    credential.get("proof")?.get("proofValue")?.as_str()
}

/// Whether `a` and `b` are the same JSON: the same members in the same order at every depth,
/// the same strings, the same numbers. (Stricter than `==`, which ignores member order.)
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy))
        }
        _ => false,
    }
}
