//! The catalogue of malformed deliveries: one per way a delivery can be wrong, each with the
//! precise [`WebhookError`] it must be refused with.
//!
//! Shared by this crate's tests and the adapters' hostile-HTTP tests, so every layer is checked
//! against the same list. The deliveries are sealed at [`CATALOGUE_NOW_MS`] with the secrets of
//! [`catalogue_config`], whose clock is fixed at that instant.
//!
//! ```
//! use humanos_webhooks::sample;
//! let config = sample::catalogue_config();
//! for case in sample::malformed() {
//!     let err = config.process(&case.headers, &case.body).unwrap_err();
//!     assert_eq!(err, case.error, "{}", case.name);
//!     assert_eq!(err.status(), case.status, "{}", case.name);
//! }
//! ```

// The catalogue seals constant plaintexts with a constant configuration: these cannot fail.
#![allow(clippy::expect_used)]

mod cases;

use base64::Engine as _;
use humanos_signing::{BodyRule, FixedClock};
use serde_json::{Map, Value, json};

use crate::{WebhookConfig, WebhookError};
use cases::{
    authentic_undecryptable_cases, body_cases, envelope_member_cases, envelope_size_cases,
    header_cases, plaintext_cases, signature_cases, timestamp_format_cases, timestamp_window_cases,
};

/// The instant the catalogue is sealed at (2026-01-01T00:00:00Z, Unix milliseconds).
pub const CATALOGUE_NOW_MS: u64 = 1_767_225_600_000;
/// The catalogue's signature secret (a test value).
pub const CATALOGUE_SIGNATURE_SECRET: &str = "whsec_test_signature";
/// The catalogue's encryption secret (a test value, base64).
pub const CATALOGUE_ENCRYPTION_SECRET: &str = "dGVzdC1lbmNyeXB0aW9uLXNlY3JldC0zMi1ieXRlcyE=";
/// The catalogue's encryption salt (a test value).
pub const CATALOGUE_ENCRYPTION_SALT: &str = "test-salt";

const TOLERANCE_MS: u64 = 300_000;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The configuration the catalogue is sealed for: its secrets, the default ±5 min tolerance and
/// a clock fixed at [`CATALOGUE_NOW_MS`]. Give it to the receiver under test.
pub fn catalogue_config() -> WebhookConfig {
    WebhookConfig::builder()
        .signature_secret(CATALOGUE_SIGNATURE_SECRET)
        .encryption_secret(CATALOGUE_ENCRYPTION_SECRET)
        .encryption_salt(CATALOGUE_ENCRYPTION_SALT)
        .clock(FixedClock(CATALOGUE_NOW_MS))
        .build()
        .expect("the catalogue configuration is valid")
}

/// One malformed delivery of [`malformed`]: headers (name, raw value; a name may repeat) and
/// body as sent, with the error and HTTP status a receiver must answer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MalformedDelivery {
    /// What is wrong with it, e.g. `"iv of 8 bytes"`.
    pub name: &'static str,
    /// The request headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The error [`WebhookConfig::process`] must return with [`catalogue_config`].
    pub error: WebhookError,
    /// The status to answer, written out independently of `error`: a receiver answers
    /// [`WebhookError::status`], and the catalogue's tests check the two agree.
    pub status: u16,
}

/// A delivery under construction: valid unless altered.
#[derive(Clone)]
struct Draft {
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fn sign(ts: &str, body: &[u8]) -> String {
    let ts: u64 = ts.parse().expect("a numeric timestamp");
    humanos_signing::timestamped_signature(
        CATALOGUE_SIGNATURE_SECRET.as_bytes(),
        ts,
        body,
        BodyRule::Webhook,
    )
}

impl Draft {
    fn sealed(plaintext: &[u8]) -> Self {
        let sealed = catalogue_config()
            .seal_plaintext(plaintext, CATALOGUE_NOW_MS)
            .expect("sealing a constant plaintext");
        Self {
            headers: vec![
                ("x-signature".into(), sealed.signature.into_bytes()),
                (
                    "x-timestamp".into(),
                    CATALOGUE_NOW_MS.to_string().into_bytes(),
                ),
            ],
            body: sealed.body,
        }
    }

    fn valid() -> Self {
        Self::sealed(super::credential("req_123").to_string().as_bytes())
    }

    /// Replaces the body and re-signs it, so only the body is wrong.
    fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.resign()
    }

    fn resign(mut self) -> Self {
        let ts = self
            .header("x-timestamp")
            .unwrap_or_else(|| CATALOGUE_NOW_MS.to_string());
        let sig = sign(&ts, &self.body);
        self.set("x-signature", sig.as_bytes());
        self
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    fn set(&mut self, name: &str, value: &[u8]) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_vec()));
    }

    fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set(name, value.as_bytes());
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    fn appended(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_owned(), value.as_bytes().to_vec()));
        self
    }

    fn envelope(&self) -> Map<String, Value> {
        serde_json::from_slice(&self.body).expect("a sealed envelope")
    }

    /// Edits the envelope JSON and re-signs.
    fn edit(self, f: impl FnOnce(&mut Map<String, Value>)) -> Self {
        let mut env = self.envelope();
        f(&mut env);
        let body = serde_json::to_vec(&env).expect("JSON");
        self.with_body(body)
    }

    /// Decodes an envelope field, alters its bytes, re-encodes it and re-signs.
    fn alter(self, field: &'static str, f: fn(&mut Vec<u8>)) -> Self {
        let value = self.envelope()[field].as_str().map(str::to_owned);
        let mut bytes = B64.decode(value.expect("a string field")).expect("base64");
        f(&mut bytes);
        self.edit(|env| {
            env.insert(field.into(), json!(B64.encode(&bytes)));
        })
    }
}

/// Every delivery of the catalogue that must be refused (47 of them), for [`catalogue_config`]:
/// headers missing, repeated or malformed; timestamps out of the window by one millisecond;
/// signatures short, long, not hex, of another secret or over another body; bodies and
/// envelopes of every wrong shape (4xx); and authentic deliveries that cannot be opened here:
/// altered ciphertext, tag and IV (as a wrong encryption key looks), plaintexts that are not a
/// JSON object (500, so Humanos retries).
///
/// None of them opens; each names its own check. Header values are ASCII, so each can be sent
/// over real HTTP as is.
pub fn malformed() -> Vec<MalformedDelivery> {
    [
        header_cases(),
        timestamp_format_cases(),
        timestamp_window_cases(),
        signature_cases(),
        body_cases(),
        envelope_member_cases(),
        envelope_size_cases(),
        authentic_undecryptable_cases(),
        plaintext_cases(),
    ]
    .into_iter()
    .flatten()
    .map(|(name, draft, error, status)| MalformedDelivery {
        name,
        headers: draft.headers,
        body: draft.body,
        error,
        status,
    })
    .collect()
}

/// One authentic delivery of [`undecodable`]: its payload does not fit this SDK's event types.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UndecodableDelivery {
    /// What is unusual about it.
    pub name: &'static str,
    /// The request headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The `eventType` it carries, when it carries a known one: it then opens as
    /// [`WebhookEvent::Undecoded`](crate::WebhookEvent::Undecoded), otherwise as
    /// [`WebhookEvent::Unknown`](crate::WebhookEvent::Unknown).
    pub known_event_type: Option<&'static str>,
}

/// Authentic deliveries (correctly signed and encrypted) whose JSON object does not fit this
/// SDK's types: no or a non-string `eventType`, or a documented event type with a member
/// missing or of another JSON type. They are the user's data: each opens as a
/// [`WebhookEvent`](crate::WebhookEvent) (`Undecoded` or `Unknown`) and reaches the handler.
pub fn undecodable() -> Vec<UndecodableDelivery> {
    let credential = || super::credential("req_123");
    let cases: Vec<(&'static str, Draft, Option<&'static str>)> = vec![
        ("no eventType", Draft::sealed(br#"{"requestId":"r"}"#), None),
        ("eventType a number", Draft::sealed(br#"{"eventType":7}"#), None),
        ("credential without requestId", Draft::sealed(br#"{"eventType":"credential"}"#), Some("credential")),
        ("credential with a numeric mandate id", { let mut e = credential(); e["credential"]["id"] = json!(7); Draft::sealed(e.to_string().as_bytes()) }, Some("credential")),
        ("test with numeric message", Draft::sealed(br#"{"eventType":"test","requestId":"r","issuerDid":"d","user":{"contact":"c","id":"i"},"api_version":"v","message":42}"#), Some("test")),
    ];
    cases
        .into_iter()
        .map(|(name, draft, known_event_type)| UndecodableDelivery {
            name,
            headers: draft.headers,
            body: draft.body,
            known_event_type,
        })
        .collect()
}
