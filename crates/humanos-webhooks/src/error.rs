use humanos_signing::{SignatureError, TimestampError, VerifyError};

/// Why a webhook delivery was refused.
///
/// Each variant names exactly one failed check, so logs and metrics can tell a forged delivery
/// from a stale one or from a misconfigured secret. No message contains a secret or any part of
/// the decrypted payload. [`status`](Self::status) gives the HTTP status a receiver should
/// answer, and [`code`](Self::code) a stable machine-readable name.
///
/// Deliveries that are not proven to come from Humanos are refused with a final 4xx. Once the
/// signature verifies, the delivery is the user's data: what still fails is on the receiver's
/// side (a wrong or rotated encryption key, a type that does not accept the payload) and gets a
/// 5xx, so Humanos retries it after the fix instead of dropping it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header (`x-signature` or `x-timestamp`) is absent.
    #[error("missing `{0}` header")]
    MissingHeader(&'static str),
    /// A header that must appear once appears several times.
    #[error("`{0}` header appears more than once")]
    DuplicateHeader(&'static str),
    /// The timestamp header is malformed, too old or from the future.
    #[error("`x-timestamp` rejected: {0}")]
    Timestamp(#[from] TimestampError),
    /// The signature header is malformed or does not match.
    #[error("`x-signature` rejected: {0}")]
    Signature(#[from] SignatureError),
    /// The body is not a JSON object.
    #[error("body is not a JSON object of the form {{\"iv\",\"data\",\"tag\"}}")]
    EnvelopeNotJson,
    /// The envelope lacks one of `iv`, `data`, `tag`.
    #[error("envelope has no `{0}` field")]
    MissingField(&'static str),
    /// An envelope field is not a string.
    #[error("envelope field `{0}` is not a string")]
    FieldNotString(&'static str),
    /// An envelope field is not valid standard base64.
    #[error("envelope field `{0}` is not valid base64")]
    InvalidBase64(&'static str),
    /// The IV does not decode to 12 bytes.
    #[error("`iv` decodes to {0} bytes; AES-256-GCM uses a 12-byte IV")]
    InvalidIvLength(usize),
    /// The tag does not decode to 16 bytes.
    #[error("`tag` decodes to {0} bytes; AES-256-GCM uses a 16-byte tag")]
    InvalidTagLength(usize),
    /// AES-256-GCM authentication failed on a delivery whose signature verified: the encryption
    /// secret or salt configured here differ from the ones Humanos uses for this endpoint (or
    /// were rotated without adding the new pair). Answered 500 so Humanos retries once the
    /// configuration is fixed.
    #[error(
        "decryption failed: the authentication tag does not match; the webhook encryption secret or salt configured here is wrong or was rotated (the delivery will be retried)"
    )]
    DecryptionFailed,
    /// The decrypted plaintext is not a UTF-8 JSON object.
    #[error("decrypted payload is not a JSON object")]
    PlaintextNotJson,
    /// The decrypted JSON does not have the shape of the event type it was decoded into. Only
    /// a narrow payload type (one event struct, your own type) can fail this way:
    /// [`WebhookEvent`](crate::WebhookEvent) hands such an event over as
    /// [`WebhookEvent::Undecoded`](crate::WebhookEvent::Undecoded).
    #[error("`{event_type}` event does not match the expected shape at `{path}`{detail}")]
    PayloadShape {
        /// The `eventType` of the payload (empty when it has none).
        event_type: String,
        /// JSON path of the offending value, e.g. `credential.id`.
        path: String,
        /// Extra detail safe to log (such as the name of a missing field), prefixed by `: `.
        detail: String,
    },
}

impl WebhookError {
    /// The HTTP status a receiver should answer: 401 when the delivery is not proven to come
    /// from Humanos within the time window (signature or timestamp out of range), 400 when its
    /// headers or envelope are malformed, and 500 when an authentic delivery could not be
    /// decrypted or decoded here (Humanos treats a 4xx as final and retries a 5xx).
    ///
    /// ```
    /// use humanos_webhooks::WebhookError;
    /// assert_eq!(WebhookError::MissingHeader("x-signature").status(), 400);
    /// assert_eq!(WebhookError::DecryptionFailed.status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Self::Signature(_) => 401,
            Self::Timestamp(TimestampError::Malformed) => 400,
            Self::Timestamp(_) => 401,
            Self::DecryptionFailed | Self::PlaintextNotJson | Self::PayloadShape { .. } => 500,
            _ => 400,
        }
    }

    /// Whether the failure is the receiver's own (a 5xx): the delivery is authentic, and a retry
    /// after fixing the configuration or the types will succeed.
    pub fn is_retryable(&self) -> bool {
        self.status() >= 500
    }

    /// A stable, machine-readable name for the failed check (`snake_case`), suitable for a JSON
    /// error body or a metric label.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::DuplicateHeader(_) => "duplicate_header",
            Self::Timestamp(TimestampError::Malformed) => "malformed_timestamp",
            Self::Timestamp(TimestampError::TooOld { .. }) => "timestamp_too_old",
            Self::Timestamp(TimestampError::InFuture { .. }) => "timestamp_in_future",
            Self::Timestamp(_) => "invalid_timestamp",
            Self::Signature(SignatureError::Malformed { .. }) => "malformed_signature",
            Self::Signature(_) => "signature_mismatch",
            Self::EnvelopeNotJson => "envelope_not_json",
            Self::MissingField(_) => "envelope_missing_field",
            Self::FieldNotString(_) => "envelope_field_not_string",
            Self::InvalidBase64(_) => "invalid_base64",
            Self::InvalidIvLength(_) => "invalid_iv_length",
            Self::InvalidTagLength(_) => "invalid_tag_length",
            Self::DecryptionFailed => "decryption_failed",
            Self::PlaintextNotJson => "plaintext_not_json",
            Self::PayloadShape { .. } => "payload_shape",
        }
    }

    /// Whether the delivery was refused because its authenticity or freshness could not be
    /// established (the 401 cases).
    pub fn is_authentication_failure(&self) -> bool {
        self.status() == 401
    }
}

impl From<VerifyError> for WebhookError {
    fn from(err: VerifyError) -> Self {
        match err {
            VerifyError::Timestamp(e) => Self::Timestamp(e),
            VerifyError::Signature(e) => Self::Signature(e),
            // `VerifyError` is non-exhaustive; anything new is an authentication failure.
            _ => Self::Signature(SignatureError::Mismatch),
        }
    }
}

/// Why a [`WebhookConfig`](crate::WebhookConfig) could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookConfigError {
    /// A required secret was not given or is empty.
    #[error("the webhook {0} is missing or empty")]
    Missing(&'static str),
    /// The encryption secret is not base64 (the dashboard shows it base64-encoded).
    #[error(
        "the webhook encryption secret is not valid base64; copy it exactly as the dashboard shows it"
    )]
    EncryptionSecretNotBase64,
    /// An environment variable is missing or not UTF-8.
    #[error("environment variable {0} is not set (or not UTF-8)")]
    MissingEnv(&'static str),
}

/// Why a delivery could not be sealed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The event could not be written as JSON.
    #[error("event cannot be written as JSON: {0}")]
    Json(#[from] humanos_signing::wire_json::WireJsonError),
    /// AES-GCM refused the message (longer than 64 GiB).
    #[error("payload too large to encrypt")]
    TooLarge,
}
