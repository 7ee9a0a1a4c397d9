//! The webhook configuration: secrets, derived key, tolerance and clock.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::KeyInit;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use humanos_signing::secrecy::{ExposeSecret, SecretSlice};
use humanos_signing::{BodyRule, Clock, SignatureVerifier};
use zeroize::Zeroizing;

use crate::error::WebhookConfigError;

/// Environment variable holding the webhook signature secret.
pub const ENV_SIGNATURE_SECRET: &str = "HUMANOS_WEBHOOK_SIGNATURE_SECRET";
/// Environment variable holding the webhook encryption secret (base64).
pub const ENV_ENCRYPTION_SECRET: &str = "HUMANOS_WEBHOOK_ENCRYPTION_SECRET";
/// Environment variable holding the webhook encryption salt.
pub const ENV_ENCRYPTION_SALT: &str = "HUMANOS_WEBHOOK_ENCRYPTION_SALT";
/// Optional environment variable holding a previous signature secret still accepted during a
/// rotation.
pub const ENV_PREVIOUS_SIGNATURE_SECRET: &str = "HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET";
/// Optional environment variable holding a previous encryption secret (base64) still accepted
/// during a rotation; its salt is [`ENV_PREVIOUS_ENCRYPTION_SALT`], or the current salt.
pub const ENV_PREVIOUS_ENCRYPTION_SECRET: &str = "HUMANOS_WEBHOOK_PREVIOUS_ENCRYPTION_SECRET";
/// Optional environment variable holding a previous encryption salt still accepted during a
/// rotation; its secret is [`ENV_PREVIOUS_ENCRYPTION_SECRET`], or the current secret.
pub const ENV_PREVIOUS_ENCRYPTION_SALT: &str = "HUMANOS_WEBHOOK_PREVIOUS_ENCRYPTION_SALT";

/// PBKDF2 iterations Humanos uses to derive the webhook key.
const PBKDF2_ITERATIONS: u32 = 10_000;

/// Standard base64 (the encryption secret here, the envelope fields in `crypto`); padding
/// optional on input, always written on output.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Everything needed to open (and, for tests and tooling, seal) Humanos webhook deliveries.
///
/// The AES-256 key is derived from the encryption secret and salt with PBKDF2-HMAC-SHA256
/// (10,000 iterations) **once**, when the configuration is built, not for every delivery. Build
/// one configuration at start-up and share it (it is cheap to clone: the state is behind an
/// `Arc`). Secrets and the derived key are zeroized on drop and never printed.
///
/// ```
/// use humanos_webhooks::WebhookConfig;
/// let config = WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt")?;
/// assert!(!format!("{config:?}").contains("whsec"));
/// # Ok::<(), humanos_webhooks::WebhookConfigError>(())
/// ```
#[derive(Clone)]
pub struct WebhookConfig {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: SignatureVerifier,
    signing_secret: SecretSlice<u8>,
    // `Aes256Gcm` holds the expanded key schedule and zeroizes it on drop (`zeroize` feature).
    cipher: Aes256Gcm,
    /// The additional (encryption secret, salt) pairs of a rotation, tried after `cipher`.
    previous_ciphers: Vec<Aes256Gcm>,
}

impl WebhookConfig {
    /// A configuration from the three values of **Settings → Webhooks**, with the default
    /// tolerance (5 minutes) and the system clock.
    pub fn new(
        signature_secret: impl AsRef<[u8]>,
        encryption_secret: impl AsRef<[u8]>,
        encryption_salt: impl AsRef<[u8]>,
    ) -> Result<Self, WebhookConfigError> {
        Self::builder()
            .signature_secret(signature_secret)
            .encryption_secret(encryption_secret)
            .encryption_salt(encryption_salt)
            .build()
    }

    /// Reads `HUMANOS_WEBHOOK_SIGNATURE_SECRET`, `HUMANOS_WEBHOOK_ENCRYPTION_SECRET` and
    /// `HUMANOS_WEBHOOK_ENCRYPTION_SALT`, plus, for a rotation in progress, the optional
    /// `HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET` and `HUMANOS_WEBHOOK_PREVIOUS_ENCRYPTION_SECRET`
    /// / `HUMANOS_WEBHOOK_PREVIOUS_ENCRYPTION_SALT` (either one; the other defaults to the
    /// current value).
    pub fn from_env() -> Result<Self, WebhookConfigError> {
        let var = |name: &'static str| {
            std::env::var(name)
                .map(Zeroizing::new)
                .map_err(|_| WebhookConfigError::MissingEnv(name))
        };
        let encryption_secret = var(ENV_ENCRYPTION_SECRET)?;
        let encryption_salt = var(ENV_ENCRYPTION_SALT)?;
        let mut builder = Self::builder()
            .signature_secret(var(ENV_SIGNATURE_SECRET)?.as_bytes())
            .encryption_secret(encryption_secret.as_bytes())
            .encryption_salt(encryption_salt.as_bytes());
        if let Ok(previous) = var(ENV_PREVIOUS_SIGNATURE_SECRET) {
            builder = builder.additional_signature_secret(previous.as_bytes());
        }
        match (
            var(ENV_PREVIOUS_ENCRYPTION_SECRET),
            var(ENV_PREVIOUS_ENCRYPTION_SALT),
        ) {
            (Err(_), Err(_)) => {}
            (secret, salt) => {
                let secret = secret.unwrap_or(encryption_secret);
                let salt = salt.unwrap_or(encryption_salt);
                builder = builder.additional_encryption_key(secret.as_bytes(), salt.as_bytes());
            }
        }
        builder.build()
    }

    /// A builder, for rotation, tolerance and clock settings.
    pub fn builder() -> WebhookConfigBuilder {
        WebhookConfigBuilder::default()
    }

    /// The signature verifier (secrets, tolerance, clock).
    pub fn verifier(&self) -> &SignatureVerifier {
        &self.inner.verifier
    }

    /// The accepted distance between a delivery's timestamp and the clock.
    pub fn tolerance(&self) -> Duration {
        self.inner.verifier.tolerance()
    }

    /// The current cipher: the one deliveries are sealed with.
    pub(crate) fn cipher(&self) -> &Aes256Gcm {
        &self.inner.cipher
    }

    /// Every cipher a delivery may be encrypted with, the current one first.
    pub(crate) fn ciphers(&self) -> impl Iterator<Item = &Aes256Gcm> {
        std::iter::once(&self.inner.cipher).chain(&self.inner.previous_ciphers)
    }

    pub(crate) fn signing_secret(&self) -> &[u8] {
        self.inner.signing_secret.expose_secret()
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("verifier", &self.inner.verifier)
            .field(
                "encryption_keys",
                &format_args!("[REDACTED; {}]", 1 + self.inner.previous_ciphers.len()),
            )
            .finish()
    }
}

/// Builds a [`WebhookConfig`].
///
/// ```
/// use std::time::Duration;
/// use humanos_webhooks::WebhookConfig;
/// let config = WebhookConfig::builder()
///     .signature_secret("new-secret")
///     .additional_signature_secret("old-secret") // still accepted during the rotation
///     .encryption_secret("c2VjcmV0LWVuY3J5cHRpb24ta2V5")
///     .encryption_salt("salt")
///     // The previous pair, still accepted while Humanos switches to the new one:
///     .additional_encryption_key("b2xkLWVuY3J5cHRpb24ta2V5", "old-salt")
///     .tolerance(Duration::from_secs(60))
///     .build()?;
/// assert_eq!(config.tolerance(), Duration::from_secs(60));
/// # Ok::<(), humanos_webhooks::WebhookConfigError>(())
/// ```
#[derive(Default)]
pub struct WebhookConfigBuilder {
    signature_secret: Option<SecretSlice<u8>>,
    additional: Vec<SecretSlice<u8>>,
    additional_keys: Vec<(SecretSlice<u8>, SecretSlice<u8>)>,
    encryption_secret: Option<SecretSlice<u8>>,
    encryption_salt: Option<SecretSlice<u8>>,
    tolerance: Option<Duration>,
    clock: Option<Arc<dyn Clock>>,
}

fn secret(value: impl AsRef<[u8]>) -> SecretSlice<u8> {
    SecretSlice::from(value.as_ref().to_vec())
}

impl WebhookConfigBuilder {
    /// The webhook signature secret. Deliveries are sealed (by [`WebhookConfig::seal`]) with
    /// this one.
    #[must_use]
    pub fn signature_secret(mut self, value: impl AsRef<[u8]>) -> Self {
        self.signature_secret = Some(secret(value));
        self
    }

    /// Another signature secret to accept, such as the previous one during a rotation.
    #[must_use]
    pub fn additional_signature_secret(mut self, value: impl AsRef<[u8]>) -> Self {
        self.additional.push(secret(value));
        self
    }

    /// The webhook encryption secret, base64 as the dashboard shows it.
    #[must_use]
    pub fn encryption_secret(mut self, value: impl AsRef<[u8]>) -> Self {
        self.encryption_secret = Some(secret(value));
        self
    }

    /// The webhook encryption salt.
    #[must_use]
    pub fn encryption_salt(mut self, value: impl AsRef<[u8]>) -> Self {
        self.encryption_salt = Some(secret(value));
        self
    }

    /// Another (encryption secret, salt) pair to decrypt with, such as the previous one during a
    /// rotation: deliveries are tried with the current pair first, then these in order. Each
    /// pair's key is derived once, at [`build`](Self::build).
    #[must_use]
    pub fn additional_encryption_key(
        mut self,
        encryption_secret: impl AsRef<[u8]>,
        encryption_salt: impl AsRef<[u8]>,
    ) -> Self {
        self.additional_keys
            .push((secret(encryption_secret), secret(encryption_salt)));
        self
    }

    /// How far a delivery's timestamp may be from the clock, either way (default 5 minutes).
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// The clock to check timestamps against (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Derives the key and builds the configuration (about 10,000 HMAC computations: do it once).
    pub fn build(self) -> Result<WebhookConfig, WebhookConfigError> {
        fn required(
            value: Option<SecretSlice<u8>>,
            what: &'static str,
        ) -> Result<SecretSlice<u8>, WebhookConfigError> {
            value
                .filter(|v| !v.expose_secret().is_empty())
                .ok_or(WebhookConfigError::Missing(what))
        }
        let signing_secret = required(self.signature_secret, "signature secret")?;
        let encryption_secret = required(self.encryption_secret, "encryption secret")?;
        let salt = required(self.encryption_salt, "encryption salt")?;

        let cipher = derive_cipher(&encryption_secret, &salt)?;
        let mut previous_ciphers = Vec::with_capacity(self.additional_keys.len());
        for (secret, salt) in &self.additional_keys {
            if secret.expose_secret().is_empty() || salt.expose_secret().is_empty() {
                return Err(WebhookConfigError::Missing(
                    "additional encryption secret or salt",
                ));
            }
            previous_ciphers.push(derive_cipher(secret, salt)?);
        }

        let mut verifier =
            SignatureVerifier::new(signing_secret.expose_secret(), BodyRule::Webhook);
        for extra in &self.additional {
            verifier = verifier.with_additional_secret(extra.expose_secret());
        }
        if let Some(tolerance) = self.tolerance {
            verifier = verifier.with_tolerance(tolerance);
        }
        if let Some(clock) = self.clock {
            verifier = verifier.with_shared_clock(clock);
        }
        Ok(WebhookConfig {
            inner: Arc::new(Inner {
                verifier,
                signing_secret,
                cipher,
                previous_ciphers,
            }),
        })
    }
}

/// PBKDF2-HMAC-SHA256 (10,000 iterations) of the base64-decoded secret with the salt, as Humanos
/// derives the AES-256 key.
fn derive_cipher(
    encryption_secret: &SecretSlice<u8>,
    salt: &SecretSlice<u8>,
) -> Result<Aes256Gcm, WebhookConfigError> {
    let password = Zeroizing::new(
        base64::Engine::decode(&BASE64, encryption_secret.expose_secret())
            .map_err(|_| WebhookConfigError::EncryptionSecretNotBase64)?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        &password,
        salt.expose_secret(),
        PBKDF2_ITERATIONS,
        key.as_mut_slice(),
    );
    Ok(Aes256Gcm::new(&(*key).into()))
}

impl fmt::Debug for WebhookConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfigBuilder")
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}
