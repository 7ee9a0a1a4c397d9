//! A delivery sealed by independent code, opened in every `cargo test` (no Python needed).
//!
//! `vectors/python_sealed.json` was written once by `interop/make_webhook_vector.py`: PBKDF2 and
//! AES-256-GCM from Python's `cryptography`, the signature from Python's `hmac`, the envelope
//! from `json.dumps`; none of it from this workspace. Its plaintext carries non-ASCII text and a
//! double (`90713.01334386505`) that only a correctly rounded parser reads back exactly.

use humanos_webhooks::{FixedClock, WebhookConfig, WebhookError};
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/python_sealed.json")).expect("the vector is JSON")
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {name}"))
}

/// The vector's configuration, with the clock at the delivery's timestamp.
fn config(v: &Value) -> WebhookConfig {
    WebhookConfig::builder()
        .signature_secret(field(v, "signature_secret"))
        .encryption_secret(field(v, "encryption_secret"))
        .encryption_salt(field(v, "encryption_salt"))
        .clock(FixedClock(v["timestamp"].as_u64().expect("timestamp")))
        .build()
        .expect("the vector's configuration")
}

fn headers(v: &Value) -> [(&str, &str); 2] {
    [
        ("x-signature", field(&v["headers"], "x-signature")),
        ("x-timestamp", field(&v["headers"], "x-timestamp")),
    ]
}

#[test]
fn a_delivery_sealed_by_python_cryptography_opens() {
    let v = vector();
    let config = config(&v);
    let body = field(&v, "body").as_bytes();
    let plaintext = config.open(&headers(&v), body).unwrap();
    assert_eq!(
        String::from_utf8(plaintext).unwrap(),
        field(&v, "plaintext")
    );

    let event: Value = config.process_as(&headers(&v), body).unwrap();
    assert_eq!(event["user"]["contact"], "josé@example.com");
    let amount = event["credential"]["userParams"]["maxAmount"]
        .as_f64()
        .unwrap();
    assert_eq!(amount.to_bits(), 90713.01334386505_f64.to_bits());
}

#[test]
fn the_vector_refuses_a_changed_body() {
    let v = vector();
    // The same envelope with one base64 character of the ciphertext changed.
    let body = field(&v, "body");
    let at = body.find("\"data\": \"").expect("data member") + 9;
    let mut tampered = body.to_owned();
    let flipped = if &body[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, flipped);
    assert!(matches!(
        config(&v).open(&headers(&v), tampered.as_bytes()),
        Err(WebhookError::Signature(_))
    ));
}
