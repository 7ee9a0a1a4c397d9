//! Signing of Humanos API requests.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::clock::{Clock, SystemClock};
use crate::mac::hmac_sha256;

/// How a body takes part in the signed message `"<timestamp>.<body>"`.
///
/// Requests and webhook deliveries differ in one corner: the official SDK treats a request body
/// of exactly `{}` as "no body" (it signs the timestamp alone), while a webhook body is always
/// signed as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyRule {
    /// API requests: an empty body or the empty object `{}` signs as `"<timestamp>"`.
    Request,
    /// Webhook deliveries: only an empty body signs as `"<timestamp>"`.
    Webhook,
}

impl BodyRule {
    /// The part of the body that is signed after `"<timestamp>."`, or `None` when the timestamp
    /// is signed alone.
    pub(crate) fn signed_body(self, body: &[u8]) -> Option<&[u8]> {
        match (self, body) {
            (_, b"") | (BodyRule::Request, b"{}") => None,
            (_, body) => Some(body),
        }
    }
}

/// Writes `timestamp` as decimal digits into `buf`, returning the digits.
pub(crate) fn timestamp_digits(timestamp_ms: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = timestamp_ms;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// The raw HMAC tag of a request or delivery under `rule`.
pub(crate) fn signature_tag(
    secret: &[u8],
    timestamp_ms: u64,
    body: &[u8],
    rule: BodyRule,
) -> [u8; 32] {
    let mut digits = [0u8; 20];
    let ts = timestamp_digits(timestamp_ms, &mut digits);
    match rule.signed_body(body) {
        Some(body) => hmac_sha256(secret, &[ts, b".", body]),
        None => hmac_sha256(secret, &[ts]),
    }
}

/// Hex signature `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))` under `rule`.
///
/// ```
/// use humanos_signing::{hmac_sha256_hex, timestamped_signature, BodyRule};
/// assert_eq!(
///     timestamped_signature(b"s", 7, b"{}", BodyRule::Webhook),
///     hmac_sha256_hex(b"s", b"7.{}"),
/// );
/// ```
pub fn timestamped_signature(
    secret: &[u8],
    timestamp_ms: u64,
    body: &[u8],
    rule: BodyRule,
) -> String {
    hex::encode(signature_tag(secret, timestamp_ms, body, rule))
}

/// Hex signature of an API request body, exactly as `X-Signature` carries it.
///
/// `body` must be the bytes that go on the wire (see [`crate::wire_json`]). An empty body and
/// the empty object `{}` both sign the timestamp alone, as the official SDK does.
///
/// ```
/// use humanos_signing::{hmac_sha256_hex, request_signature};
/// let sig = request_signature(b"secret", 1_700_000_000_000, br#"{"a":1}"#);
/// assert_eq!(sig, hmac_sha256_hex(b"secret", br#"1700000000000.{"a":1}"#));
/// assert_eq!(
///     request_signature(b"secret", 1_700_000_000_000, b"{}"),
///     hmac_sha256_hex(b"secret", b"1700000000000"),
/// );
/// ```
pub fn request_signature(signature_secret: &[u8], timestamp_ms: u64, body: &[u8]) -> String {
    timestamped_signature(signature_secret, timestamp_ms, body, BodyRule::Request)
}

/// Signs Humanos API requests with an API key and its signature secret.
///
/// Build it once and share it; signing is a pure function of the timestamp and the body, so
/// a retried request is simply signed again with a fresh timestamp.
///
/// Both secrets are zeroized on drop and never printed by `Debug`.
///
/// ```
/// use humanos_signing::RequestSigner;
/// let signer = RequestSigner::new("key_123", "shh");
/// assert!(!format!("{signer:?}").contains("shh"));
/// let headers = signer.sign(1_700_000_000_000, b"");
/// assert_eq!(headers.get("authorization"), Some("Bearer key_123"));
/// ```
#[derive(Clone)]
pub struct RequestSigner {
    api_key: SecretString,
    signature_secret: SecretString,
}

impl RequestSigner {
    /// A signer for the given API key and signature secret, as shown in the Humanos dashboard.
    pub fn new(api_key: impl Into<String>, signature_secret: impl Into<String>) -> Self {
        Self {
            api_key: SecretString::from(api_key.into()),
            signature_secret: SecretString::from(signature_secret.into()),
        }
    }

    /// The hex signature of `body` at `timestamp_ms`.
    pub fn signature(&self, timestamp_ms: u64, body: &[u8]) -> String {
        request_signature(
            self.signature_secret.expose_secret().as_bytes(),
            timestamp_ms,
            body,
        )
    }

    /// Every header Humanos requires for a request carrying `body`, signed at `timestamp_ms`.
    pub fn sign(&self, timestamp_ms: u64, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            authorization: SecretString::from(format!("Bearer {}", self.api_key.expose_secret())),
            timestamp: timestamp_ms.to_string(),
            signature: self.signature(timestamp_ms, body),
        }
    }

    /// Like [`sign`](Self::sign), at the current time of `clock`.
    pub fn sign_at(&self, clock: &dyn Clock, body: &[u8]) -> SignedHeaders {
        self.sign(clock.now_unix_ms(), body)
    }

    /// Like [`sign`](Self::sign), now.
    pub fn sign_now(&self, body: &[u8]) -> SignedHeaders {
        self.sign_at(&SystemClock, body)
    }

    /// The API key, for code that must send it itself.
    pub fn api_key(&self) -> &SecretString {
        &self.api_key
    }

    /// The signature secret, for code that verifies requests (such as a local test server).
    pub fn signature_secret(&self) -> &SecretString {
        &self.signature_secret
    }
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSigner")
            .field("api_key", &"[REDACTED]")
            .field("signature_secret", &"[REDACTED]")
            .finish()
    }
}

/// The headers of one signed request.
///
/// `Debug` redacts the bearer token; [`iter`](Self::iter) yields it in clear because it has to
/// be sent.
#[derive(Clone)]
pub struct SignedHeaders {
    authorization: SecretString,
    timestamp: String,
    signature: String,
}

impl SignedHeaders {
    /// `Content-Type` of every Humanos request.
    pub const CONTENT_TYPE: &'static str = "application/json";

    /// The `X-Timestamp` value (Unix milliseconds).
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The `X-Signature` value (64 lowercase hex digits).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The `Authorization` value (`Bearer <api key>`).
    pub fn authorization(&self) -> &str {
        self.authorization.expose_secret()
    }

    /// The value of one header by lowercase name, if this set has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// `(name, value)` pairs to put on the request, names in lowercase.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("authorization", self.authorization()),
            ("content-type", Self::CONTENT_TYPE),
            (crate::TIMESTAMP_HEADER, self.timestamp.as_str()),
            (crate::SIGNATURE_HEADER, self.signature.as_str()),
        ]
        .into_iter()
    }
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("authorization", &"Bearer [REDACTED]")
            .field("timestamp", &self.timestamp)
            .field("signature", &self.signature)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hmac_sha256_hex;

    #[test]
    fn timestamp_digits_cover_edges() {
        for n in [0, 9, 10, 1_700_000_000_000, u64::MAX] {
            let mut buf = [0; 20];
            assert_eq!(timestamp_digits(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn body_rules() {
        let ts = 1_700_000_000_123;
        let s = b"k";
        for (rule, body, message) in [
            (BodyRule::Request, &b""[..], &b"1700000000123"[..]),
            (BodyRule::Request, b"{}", b"1700000000123"),
            (BodyRule::Request, b"{ }", b"1700000000123.{ }"),
            (BodyRule::Request, b"[]", b"1700000000123.[]"),
            (BodyRule::Webhook, b"", b"1700000000123"),
            (BodyRule::Webhook, b"{}", b"1700000000123.{}"),
        ] {
            assert_eq!(
                hex::encode(signature_tag(s, ts, body, rule)),
                hmac_sha256_hex(s, message),
                "{rule:?} {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn debug_redacts() {
        let signer = RequestSigner::new("the-key", "the-secret");
        let headers = signer.sign(1, b"x");
        let text = format!("{signer:?} {headers:?}");
        assert!(
            !text.contains("the-key") && !text.contains("the-secret"),
            "{text}"
        );
    }
}
