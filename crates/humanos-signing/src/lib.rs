//! Signing primitives for the Humanos and HumanCode APIs.
//!
//! This crate is the bottom layer of the Humanos Rust SDK. It has no HTTP client and no async
//! runtime, so other SDKs and frameworks can embed it directly.
//!
//! | what | where |
//! | --- | --- |
//! | Sign an API request (`Authorization`, `X-Timestamp`, `X-Signature`, `Content-Type`) | [`RequestSigner`] |
//! | Verify a timestamped HMAC (webhooks, server side of requests), constant time, with a tolerance window | [`SignatureVerifier`] |
//! | Turn a value into the exact bytes to send *and* sign | [`wire_json`] |
//! | The RFC 8785 canonical bytes a Data Integrity proof signs (JCS) | [`jcs`] |
//! | HumanCode's `sign` query parameter | [`app_signature`] |
//! | Injectable time for tests | [`Clock`], [`FixedClock`] |
//!
//! # The signing rule
//!
//! Humanos signs `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`, or of `"<timestamp>"` alone
//! when there is no body. The timestamp is Unix time in milliseconds, sent as `X-Timestamp`.
//! The body that is signed must be the body that is sent, byte for byte: the official Python SDK
//! signs one serialization and sends another (see `docs/MIGRATION.md`). Use [`wire_json::to_vec`]
//! to produce the bytes once, then sign and send those same bytes.
//!
//! # Example
//!
//! ```
//! use humanos_signing::{wire_json, RequestSigner};
//! use serde_json::json;
//!
//! let signer = RequestSigner::new("my-api-key", "my-signature-secret");
//! let body = wire_json::to_vec(&json!({ "contacts": ["user@example.com"], "amount": 5000.0 }))?;
//! assert_eq!(body, br#"{"contacts":["user@example.com"],"amount":5000}"#);
//!
//! let headers = signer.sign(1_767_225_600_000, &body);
//! assert_eq!(headers.timestamp(), "1767225600000");
//! for (name, value) in headers.iter() {
//!     // request.header(name, value)
//!     # let _ = (name, value);
//! }
//! # Ok::<(), humanos_signing::wire_json::WireJsonError>(())
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod app_signature;
mod clock;
pub mod jcs;
mod mac;
mod request;
mod verify;
pub mod wire_json;

pub use clock::{Clock, FixedClock, SystemClock};
pub use mac::{SIGNATURE_HEX_LEN, hmac_sha256_hex};
pub use request::{
    BodyRule, RequestSigner, SignedHeaders, request_signature, timestamped_signature,
};
pub use secrecy;
pub use verify::{SignatureError, SignatureVerifier, TimestampError, VerifyError};

/// Header carrying the request or delivery timestamp (Unix milliseconds).
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
/// Header carrying the hex HMAC-SHA256 signature.
pub const SIGNATURE_HEADER: &str = "x-signature";

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
