//! The context every domain operation runs in: the store, the clock, the issuer and agent
//! keys, the webhook queue's configuration and the write lock.

use std::sync::{Arc, RwLock};

use humanos_signing::Clock;
use humanos_vc::{Ed25519SigningKey, Signer};
use humanos_webhooks::WebhookConfig;

use crate::humancode_emulator::Shared as HumanCode;
use crate::store::Store;
use crate::util;

/// The API version this sandbox speaks (the vendored reference).
pub const API_VERSION: &str = "2026-09-01";
/// API versions the sandbox accepts without a warning.
pub const KNOWN_API_VERSIONS: [&str; 2] = ["2026-09-01", "2026-03-24"];

/// The three webhook secrets a receiver needs. `#[non_exhaustive]`: build one with
/// [`WebhookSecrets::new`].
#[derive(Clone)]
#[non_exhaustive]
pub struct WebhookSecrets {
    /// `HUMANOS_WEBHOOK_SIGNATURE_SECRET`.
    pub signature_secret: String,
    /// `HUMANOS_WEBHOOK_ENCRYPTION_SECRET` (base64).
    pub encryption_secret: String,
    /// `HUMANOS_WEBHOOK_ENCRYPTION_SALT`.
    pub encryption_salt: String,
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecrets")
            .field("encryption_salt", &self.encryption_salt)
            .finish_non_exhaustive()
    }
}

impl WebhookSecrets {
    /// The secrets as the dashboard shows them (the encryption secret base64-encoded).
    pub fn new(
        signature_secret: impl Into<String>,
        encryption_secret: impl Into<String>,
        encryption_salt: impl Into<String>,
    ) -> Self {
        Self {
            signature_secret: signature_secret.into(),
            encryption_secret: encryption_secret.into(),
            encryption_salt: encryption_salt.into(),
        }
    }

    /// A [`WebhookConfig`] for a receiver of this sandbox's deliveries.
    pub fn config(&self) -> Result<WebhookConfig, humanos_webhooks::WebhookConfigError> {
        WebhookConfig::new(
            &self.signature_secret,
            &self.encryption_secret,
            &self.encryption_salt,
        )
    }
}

/// What the domain operations and the handlers above them share (the router's state hands it
/// out as a sub-state, `State<Arc<Context>>`).
pub(crate) struct Context {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) base_url: String,
    pub(crate) issuer: Signer,
    pub(crate) agent: Signer,
    pub(crate) user_seed: [u8; 32],
    pub(crate) webhook_secrets: WebhookSecrets,
    pub(crate) webhook_config: WebhookConfig,
    pub(crate) webhook_urls: RwLock<Vec<String>>,
    pub(crate) write: tokio::sync::Mutex<()>,
    pub(crate) wake_webhooks: tokio::sync::Notify,
    pub(crate) humancode: Arc<HumanCode>,
    pub(crate) retry_base_ms: u64,
    pub(crate) webhook_max_attempts: u32,
    pub(crate) started_at: String,
}

impl Context {
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_unix_ms()
    }

    pub(crate) fn now_iso(&self) -> String {
        util::iso(self.now_ms())
    }

    /// The did:key of a user, derived from the sandbox seed and the user id.
    pub(crate) fn user_signer(&self, user_id: &str) -> Signer {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(self.user_seed);
        h.update(user_id.as_bytes());
        let seed: [u8; 32] = h.finalize().into();
        Signer::did_key(Ed25519SigningKey::from_bytes(&seed))
    }

    pub(crate) fn humancode_app_key(&self) -> String {
        self.store
            .meta("humancode_app_key")
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    pub(crate) fn status_list_url(&self) -> String {
        format!("{}/status/1", self.base_url)
    }

    /// The hosted approval page of `contact` on `request_id`.
    pub(crate) fn approval_link(&self, request_id: &str, contact: &str) -> String {
        format!(
            "{}/approve/{}?contact={}",
            self.base_url,
            humancode::encode_uri_component(request_id),
            humancode::encode_uri_component(contact)
        )
    }
}
