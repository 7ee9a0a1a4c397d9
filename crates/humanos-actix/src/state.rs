//! The adapter's configuration: webhook secrets, body limit, optional dedup.

use humanos_webhooks::{Dedup, DeliveryDedup, WebhookConfig};

/// Everything the extractor, the layer and the handler factory need: the [`WebhookConfig`], the
/// largest body accepted (default 1 MiB; larger deliveries are answered 413) and an optional
/// [`Dedup`] store.
///
/// Cheap to clone. Register it with `App::app_data(web::Data::new(state))` for the
/// [`HumanosWebhook`](crate::HumanosWebhook) extractor (a bare `app_data(state)` works too);
/// the middleware and the handler factory take it directly.
///
/// ```
/// use humanos_actix::WebhookState;
/// use humanos_webhooks::WebhookConfig;
/// let config = WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt")?;
/// let state = WebhookState::new(config)
///     .with_body_limit(256 * 1024)
///     .with_in_memory_dedup(10_000);
/// assert_eq!(state.body_limit(), 256 * 1024);
/// assert!(state.dedup().is_some());
/// # Ok::<(), humanos_webhooks::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct WebhookState {
    config: WebhookConfig,
    body_limit: usize,
    dedup: Option<Dedup>,
}

impl WebhookState {
    /// The default body limit: 1 MiB (Humanos deliveries are a few KiB).
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

    /// A state with the default body limit and no dedup.
    pub fn new(config: WebhookConfig) -> Self {
        Self {
            config,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            dedup: None,
        }
    }

    /// The largest body accepted, in bytes; a larger one is answered 413 without being buffered.
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Deduplicates deliveries with `store` (see [`humanos_webhooks::DeliveryDedup`]): the
    /// handler factory and the layer then run the handler at most once per
    /// `requestId` + `eventType`.
    #[must_use]
    pub fn with_dedup(mut self, store: impl DeliveryDedup) -> Self {
        self.dedup = Some(Dedup::new(store));
        self
    }

    /// Deduplicates with an already shared [`Dedup`] handle.
    #[must_use]
    pub fn with_shared_dedup(mut self, dedup: Dedup) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// Deduplicates with an [`InMemoryDedup`](humanos_webhooks::InMemoryDedup) of `capacity`
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
