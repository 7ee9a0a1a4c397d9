//! Verify, decrypt and seal Humanos webhook deliveries.
//!
//! Humanos delivers events as `POST` requests whose body is an AES-256-GCM envelope
//! `{"iv", "data", "tag"}` (standard base64), signed with `x-signature` =
//! hex HMAC-SHA256 of `"<x-timestamp>.<raw body>"`. This crate checks the signature and the
//! timestamp window in constant time, decrypts with a key derived **once** from your encryption
//! secret and salt, and decodes the event into a typed [`WebhookEvent`].
//!
//! It has no HTTP client, no web framework and no async runtime: give it the headers (anything
//! implementing [`WebhookHeaders`], such as `http::HeaderMap` or a slice of pairs) and the raw
//! body bytes. The `humanos-axum` and `humanos-actix` crates wrap it for those frameworks.
//!
//! # Example
//!
//! ```
//! use humanos_webhooks::{WebhookConfig, WebhookEvent};
//! use serde_json::json;
//!
//! let config = WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt")?;
//!
//! // What Humanos would send (sealing is also how you write tests for your handler).
//! let delivery = config.seal(&json!({
//!     "eventType": "test", "requestId": "req_1", "issuerDid": "did:web:humanos.id",
//!     "user": {"contact": "ana@example.com", "id": "u1"}, "api_version": "2026-09-01",
//!     "message": "hello",
//! }))?;
//! let headers = delivery.headers();
//!
//! // What your endpoint does with the raw body and the headers.
//! match config.process(&headers, &delivery.body)? {
//!     WebhookEvent::Test(event) => assert_eq!(event.message, "hello"),
//!     other => panic!("unexpected {}", other.event_type()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Every refusal is a [`WebhookError`] naming the check that failed, with the HTTP status to
//! answer ([`WebhookError::status`]): 401 for signature and time-window failures, 400 for
//! malformed deliveries. Messages never contain a secret or decrypted data.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod answer;
pub mod body;
mod config;
mod crypto;
mod decode;
pub mod dedup;
mod error;
mod event;
mod headers;
mod key;
pub mod lifecycle;
mod refusal;
#[cfg(feature = "test-util")]
pub mod sample;
mod state;

pub use config::{
    ENV_ENCRYPTION_SALT, ENV_ENCRYPTION_SECRET, ENV_PREVIOUS_ENCRYPTION_SALT,
    ENV_PREVIOUS_ENCRYPTION_SECRET, ENV_PREVIOUS_SIGNATURE_SECRET, ENV_SIGNATURE_SECRET,
    WebhookConfig, WebhookConfigBuilder,
};
pub use crypto::{SealedDelivery, check_signature_headers};
pub use dedup::{
    Dedup, DedupOutcome, DedupStore, InMemoryDedup, LeaseToken, Reservation, ReserveOutcome,
    StoreError, StoreFuture,
};
pub use error::{SealError, WebhookConfigError, WebhookError};
pub use event::{
    CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent, UndecodedEvent, WebhookEvent,
    WebhookEventType, WebhookPayload,
};
pub use headers::{HeaderLookup, RequestHead, WebhookHeaders, lookup_in};
pub use humanos_models;
pub use humanos_signing::{Clock, FixedClock, SignatureError, SystemClock, TimestampError};
pub use key::IdempotencyKey;
pub use lifecycle::Refusal;
pub use state::WebhookState;

/// Verifies, decrypts and decodes a delivery: the Python SDK's `process_webhook`.
///
/// Same as [`WebhookConfig::process`].
pub fn process_webhook(
    config: &WebhookConfig,
    headers: &impl WebhookHeaders,
    raw_body: &[u8],
) -> Result<WebhookEvent, WebhookError> {
    config.process(headers, raw_body)
}

/// Checks the signature and timestamp window of a delivery: the Python SDK's
/// `verify_webhook_signature`. Returns the delivery's timestamp.
pub fn verify_webhook_signature(
    config: &WebhookConfig,
    headers: &impl WebhookHeaders,
    raw_body: &[u8],
) -> Result<u64, WebhookError> {
    config.verify_signature(headers, raw_body)
}

/// Decrypts a delivery's envelope without checking its signature: the Python SDK's
/// `decrypt_webhook_payload`. Returns the plaintext JSON bytes.
pub fn decrypt_webhook_payload(
    config: &WebhookConfig,
    raw_body: &[u8],
) -> Result<Vec<u8>, WebhookError> {
    config.decrypt(raw_body)
}

/// Encrypts and signs `event` as Humanos does, for tests and local tooling.
pub fn seal_webhook(
    config: &WebhookConfig,
    event: &impl serde::Serialize,
) -> Result<SealedDelivery, SealError> {
    config.seal(event)
}

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
