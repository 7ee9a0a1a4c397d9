//! [`CachingResolver`]: a TTL cache in front of any [`DidResolver`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use humanos_signing::{Clock, SystemClock};

use super::{DidDocument, DidResolver, ResolveError, ResolveFuture, truncate};

/// A TTL cache in front of any [`DidResolver`]: successful resolutions are kept for `ttl`
/// (measured with an injectable [`Clock`]) up to `max_entries` documents; failures are not
/// cached. When full, expired entries are dropped first, then the oldest.
pub struct CachingResolver<R> {
    inner: R,
    ttl_ms: u64,
    max_entries: usize,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, (u64, DidDocument)>>,
}

impl<R> std::fmt::Debug for CachingResolver<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl_ms", &self.ttl_ms)
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

impl<R: DidResolver> CachingResolver<R> {
    /// Caches `inner`'s documents for `ttl`, at most 1,024 of them, on the system clock.
    pub fn new(inner: R, ttl: std::time::Duration) -> Self {
        Self {
            inner,
            ttl_ms: u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX),
            max_entries: 1_024,
            clock: Arc::new(SystemClock),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Sets the maximum number of cached documents (at least 1).
    pub fn max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries.max(1);
        self
    }

    /// Uses another clock (tests: `humanos_signing::FixedClock`, or a closure).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Drops every cached document.
    pub fn clear(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    /// Number of cached documents (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, did: &str, now: u64) -> Option<DidDocument> {
        let cache = self.cache.lock().ok()?;
        match cache.get(did) {
            Some((expires, doc)) if *expires > now => Some(doc.clone()),
            _ => None,
        }
    }

    fn put(&self, did: &str, doc: &DidDocument, now: u64) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= self.max_entries && !cache.contains_key(did) {
            cache.retain(|_, (expires, _)| *expires > now);
            while cache.len() >= self.max_entries {
                let oldest = cache
                    .iter()
                    .min_by_key(|(_, (e, _))| *e)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => cache.remove(&k),
                    None => break,
                };
            }
        }
        cache.insert(
            did.to_owned(),
            (now.saturating_add(self.ttl_ms), doc.clone()),
        );
    }
}

impl<R: DidResolver> DidResolver for CachingResolver<R> {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            let now = self.clock.now_unix_ms();
            if let Some(doc) = self.get(did, now) {
                return Ok(doc);
            }
            let doc = self.inner.resolve(did).await?;
            if doc.id != did {
                return Err(ResolveError::InvalidDocument(format!(
                    "resolver returned a document for `{}` when asked for `{}`",
                    truncate(&doc.id),
                    truncate(did)
                )));
            }
            self.put(did, &doc, self.clock.now_unix_ms());
            Ok(doc)
        })
    }
}
