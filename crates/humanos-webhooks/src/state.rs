//! What a webhook endpoint needs besides the secrets: body limit, read timeout, optional dedup.
//! One type for every framework adapter (`humanos-axum`, `humanos-actix` re-export it).

use std::time::Duration;

use crate::{Dedup, DedupStore, WebhookConfig};

/// Everything the extractor, the layer and the handler factory need: the [`WebhookConfig`], the
/// largest body accepted (default 1 MiB; larger deliveries are answered 413), how long reading
/// the body may take (default 30 s; a slower body is answered 408) and an optional [`Dedup`]
/// store.
///
/// Cheap to clone. The framework adapters take it as their state: with `humanos-axum`, put it
/// in your router state (implement `FromRef` for it, or use it as the state directly); with
/// `humanos-actix`, register it with `App::app_data`. It holds no framework types, so an
/// adapter for another framework reads the same settings.
///
/// ```
/// use humanos_webhooks::{WebhookConfig, WebhookState};
/// let config = WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt")?;
/// let state = WebhookState::new(config)
///     .with_body_limit(256 * 1024)
///     .with_in_memory_dedup(10_000);
/// assert_eq!(state.body_limit(), 256 * 1024);
/// assert_eq!(state.read_timeout(), Some(WebhookState::DEFAULT_READ_TIMEOUT));
/// assert!(state.dedup().is_some());
/// # Ok::<(), humanos_webhooks::WebhookConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct WebhookState {
    config: WebhookConfig,
    body_limit: usize,
    read_timeout: Option<Duration>,
    dedup: Option<Dedup>,
}

impl WebhookState {
    /// The default body limit: 1 MiB (Humanos deliveries are a few KiB).
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

    /// The default body read timeout: 30 s (a delivery is a few KiB sent at once).
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

    /// A state with the default body limit and no dedup.
    pub fn new(config: WebhookConfig) -> Self {
        Self {
            config,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            read_timeout: Some(Self::DEFAULT_READ_TIMEOUT),
            dedup: None,
        }
    }

    /// The largest body accepted, in bytes; a larger one is answered 413 without being buffered.
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long reading the body may take, from the moment the adapter starts reading it to its
    /// last byte; a slower body (a slowloris client dribbling bytes) is answered 408 without
    /// reading further. `None` disables it (then rely on your server's or a proxy's timeout).
    ///
    /// This bounds the body only: the time to receive the request head is the server's
    /// business (see docs/webhooks-axum-actix.md, "Timeouts").
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.read_timeout = timeout.into();
        self
    }

    /// Deduplicates deliveries with `store` (see [`DedupStore`]) and the default lease and
    /// retention: the handler factory, the layer and the middleware then run the handler once per
    /// event ([`IdempotencyKey`](crate::IdempotencyKey)). Use
    /// [`with_shared_dedup`](Self::with_shared_dedup) to choose the lease and retention.
    #[must_use]
    pub fn with_dedup(mut self, store: impl DedupStore) -> Self {
        self.dedup = Some(Dedup::new(store));
        self
    }

    /// Deduplicates with an already shared [`Dedup`] handle.
    #[must_use]
    pub fn with_shared_dedup(mut self, dedup: Dedup) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// Deduplicates with an [`InMemoryDedup`](crate::InMemoryDedup) of `capacity`
    /// keys.
    #[must_use]
    pub fn with_in_memory_dedup(self, capacity: usize) -> Self {
        self.with_shared_dedup(Dedup::in_memory(capacity))
    }

    /// The webhook configuration.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The body read timeout, if any.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }

    /// The dedup store, when one is configured.
    pub fn dedup(&self) -> Option<&Dedup> {
        self.dedup.as_ref()
    }
}

impl From<WebhookConfig> for WebhookState {
    fn from(config: WebhookConfig) -> Self {
        Self::new(config)
    }
}
