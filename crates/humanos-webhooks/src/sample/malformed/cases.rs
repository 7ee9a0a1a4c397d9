//! The cases of [`malformed`](super::malformed), one function per check they target, in the
//! catalogue's order.

use base64::Engine as _;
use humanos_signing::{SignatureError, TimestampError};
use serde_json::{Value, json};

use super::{B64, CATALOGUE_NOW_MS, Draft, TOLERANCE_MS, sign};
use crate::WebhookError;

/// One case of [`malformed`]: its name, the delivery, the error and the status it must get.
pub(super) type Case = (&'static str, Draft, WebhookError, u16);

/// Headers missing or repeated.
pub(super) fn header_cases() -> Vec<Case> {
    use WebhookError as E;
    const NOW: u64 = CATALOGUE_NOW_MS;
    let valid = Draft::valid;
    vec![
        (
            "no x-signature",
            valid().without("x-signature"),
            E::MissingHeader("x-signature"),
            400,
        ),
        (
            "no x-timestamp",
            valid().without("x-timestamp"),
            E::MissingHeader("x-timestamp"),
            400,
        ),
        (
            "no headers at all",
            Draft {
                headers: vec![],
                body: valid().body,
            },
            E::MissingHeader("x-signature"),
            400,
        ),
        (
            "x-signature twice",
            valid().appended("X-Signature", "00"),
            E::DuplicateHeader("x-signature"),
            400,
        ),
        (
            "x-timestamp twice",
            valid().appended("x-timestamp", &NOW.to_string()),
            E::DuplicateHeader("x-timestamp"),
            400,
        ),
    ]
}

/// Timestamps that are not a decimal count of milliseconds.
pub(super) fn timestamp_format_cases() -> Vec<Case> {
    use WebhookError as E;
    const NOW: u64 = CATALOGUE_NOW_MS;
    let tol = TOLERANCE_MS;
    let valid = Draft::valid;
    vec![
        (
            "timestamp not numeric",
            valid().with_header("x-timestamp", "yesterday"),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
        (
            "timestamp negative",
            valid().with_header("x-timestamp", "-1767225600000"),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
        (
            "timestamp with plus sign",
            valid().with_header("x-timestamp", "+1767225600000"),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
        (
            "timestamp in seconds is far too old",
            valid().with_header("x-timestamp", "1767225600").resign(),
            E::Timestamp(TimestampError::TooOld {
                age_ms: NOW - 1_767_225_600,
                tolerance_ms: tol,
            }),
            401,
        ),
        (
            "timestamp fractional",
            valid().with_header("x-timestamp", "1767225600000.5"),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
        (
            "timestamp overflowing u64",
            valid().with_header("x-timestamp", "99999999999999999999999"),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
        (
            "timestamp empty",
            valid().with_header("x-timestamp", ""),
            E::Timestamp(TimestampError::Malformed),
            400,
        ),
    ]
}

/// Timestamps one millisecond outside the window either way, or changed after signing.
pub(super) fn timestamp_window_cases() -> Vec<Case> {
    use WebhookError as E;
    const NOW: u64 = CATALOGUE_NOW_MS;
    let tol = TOLERANCE_MS;
    let valid = Draft::valid;
    vec![
        (
            "stale by one ms past tolerance",
            valid()
                .with_header("x-timestamp", &(NOW - tol - 1).to_string())
                .resign(),
            E::Timestamp(TimestampError::TooOld {
                age_ms: tol + 1,
                tolerance_ms: tol,
            }),
            401,
        ),
        (
            "future by one ms past tolerance",
            valid()
                .with_header("x-timestamp", &(NOW + tol + 1).to_string())
                .resign(),
            E::Timestamp(TimestampError::InFuture {
                ahead_ms: tol + 1,
                tolerance_ms: tol,
            }),
            401,
        ),
        (
            "timestamp changed after signing",
            valid().with_header("x-timestamp", &(NOW - 1).to_string()),
            E::Signature(SignatureError::Mismatch),
            401,
        ),
    ]
}

/// Signatures of the wrong length, alphabet or secret, or over another body.
pub(super) fn signature_cases() -> Vec<Case> {
    use WebhookError as E;
    const NOW: u64 = CATALOGUE_NOW_MS;
    let valid = Draft::valid;
    let valid_sig = || sign(&NOW.to_string(), &valid().body);
    vec![
        (
            "signature too short",
            valid().with_header("x-signature", &valid_sig()[..63]),
            E::Signature(SignatureError::Malformed { len: 63 }),
            401,
        ),
        (
            "signature too long",
            valid().with_header("x-signature", &format!("{}0", valid_sig())),
            E::Signature(SignatureError::Malformed { len: 65 }),
            401,
        ),
        (
            "signature not hex",
            valid().with_header("x-signature", &"zz".repeat(32)),
            E::Signature(SignatureError::Malformed { len: 64 }),
            401,
        ),
        (
            "signature base64 instead of hex",
            valid().with_header(
                "x-signature",
                "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
            ),
            E::Signature(SignatureError::Malformed { len: 44 }),
            401,
        ),
        (
            "signature empty",
            valid().with_header("x-signature", ""),
            E::Signature(SignatureError::Malformed { len: 0 }),
            401,
        ),
        (
            "signature of other secret",
            valid().with_header(
                "x-signature",
                &humanos_signing::hmac_sha256_hex(b"other", b"x"),
            ),
            E::Signature(SignatureError::Mismatch),
            401,
        ),
        (
            "body changed after signing",
            {
                let mut d = valid();
                d.body.push(b' ');
                d
            },
            E::Signature(SignatureError::Mismatch),
            401,
        ),
    ]
}

/// Bodies that are not an envelope.
pub(super) fn body_cases() -> Vec<Case> {
    use WebhookError as E;
    let valid = Draft::valid;
    vec![
        ("empty body", valid().with_body(""), E::EnvelopeNotJson, 400),
        (
            "body not JSON",
            valid().with_body("iv=1&data=2"),
            E::EnvelopeNotJson,
            400,
        ),
        (
            "body a JSON array",
            valid().with_body("[1,2,3]"),
            E::EnvelopeNotJson,
            400,
        ),
        (
            "body JSON then garbage",
            {
                let b = [valid().body, b"x".to_vec()].concat();
                valid().with_body(b)
            },
            E::EnvelopeNotJson,
            400,
        ),
        (
            "body truncated",
            {
                let b = valid().body;
                valid().with_body(&b[..b.len() / 2])
            },
            E::EnvelopeNotJson,
            400,
        ),
    ]
}

/// Envelopes with a member missing, of the wrong JSON type or badly encoded.
pub(super) fn envelope_member_cases() -> Vec<Case> {
    use WebhookError as E;
    let valid = Draft::valid;
    vec![
        (
            "missing iv",
            valid().edit(|e| {
                e.remove("iv");
            }),
            E::MissingField("iv"),
            400,
        ),
        (
            "missing data",
            valid().edit(|e| {
                e.remove("data");
            }),
            E::MissingField("data"),
            400,
        ),
        (
            "missing tag",
            valid().edit(|e| {
                e.remove("tag");
            }),
            E::MissingField("tag"),
            400,
        ),
        (
            "iv is a number",
            valid().edit(|e| {
                e.insert("iv".into(), json!(12));
            }),
            E::FieldNotString("iv"),
            400,
        ),
        (
            "tag is null",
            valid().edit(|e| {
                e.insert("tag".into(), Value::Null);
            }),
            E::FieldNotString("tag"),
            400,
        ),
        (
            "data invalid base64",
            valid().edit(|e| {
                e.insert("data".into(), json!("!!!not-base64!!!"));
            }),
            E::InvalidBase64("data"),
            400,
        ),
        (
            "iv url-safe base64",
            valid().edit(|e| {
                e.insert("iv".into(), json!("-_-_-_-_-_-_-_-_"));
            }),
            E::InvalidBase64("iv"),
            400,
        ),
    ]
}

/// Envelopes whose IV or tag has the wrong size.
pub(super) fn envelope_size_cases() -> Vec<Case> {
    use WebhookError as E;
    let valid = Draft::valid;
    vec![
        (
            "iv of 8 bytes",
            valid().edit(|e| {
                e.insert("iv".into(), json!(B64.encode([0u8; 8])));
            }),
            E::InvalidIvLength(8),
            400,
        ),
        (
            "iv of 16 bytes",
            valid().edit(|e| {
                e.insert("iv".into(), json!(B64.encode([0u8; 16])));
            }),
            E::InvalidIvLength(16),
            400,
        ),
        (
            "iv empty",
            valid().edit(|e| {
                e.insert("iv".into(), json!(""));
            }),
            E::InvalidIvLength(0),
            400,
        ),
        (
            "tag truncated to 12 bytes",
            valid().alter("tag", |t| t.truncate(12)),
            E::InvalidTagLength(12),
            400,
        ),
        (
            "tag of 17 bytes",
            valid().alter("tag", |t| t.push(0)),
            E::InvalidTagLength(17),
            400,
        ),
    ]
}

/// Authentic deliveries that do not open here (as with a wrong encryption key): 500.
pub(super) fn authentic_undecryptable_cases() -> Vec<Case> {
    use WebhookError as E;
    let valid = Draft::valid;
    vec![
        (
            "flipped ciphertext bit",
            valid().alter("data", |d| d[0] ^= 1),
            E::DecryptionFailed,
            500,
        ),
        (
            "flipped tag bit",
            valid().alter("tag", |t| t[15] ^= 0x80),
            E::DecryptionFailed,
            500,
        ),
        (
            "flipped iv bit",
            valid().alter("iv", |i| i[3] ^= 4),
            E::DecryptionFailed,
            500,
        ),
        (
            "ciphertext truncated",
            valid().alter("data", |d| {
                d.pop();
            }),
            E::DecryptionFailed,
            500,
        ),
    ]
}

/// Authentic deliveries whose plaintext is not a JSON object: 500.
pub(super) fn plaintext_cases() -> Vec<Case> {
    use WebhookError as E;
    vec![
        (
            "plaintext not JSON",
            Draft::sealed(b"hello, not json"),
            E::PlaintextNotJson,
            500,
        ),
        (
            "plaintext not UTF-8",
            Draft::sealed(b"{\"eventType\":\"test\xff\"}"),
            E::PlaintextNotJson,
            500,
        ),
        (
            "plaintext empty",
            Draft::sealed(b""),
            E::PlaintextNotJson,
            500,
        ),
        (
            "plaintext a JSON array",
            Draft::sealed(b"[]"),
            E::PlaintextNotJson,
            500,
        ),
    ]
}
