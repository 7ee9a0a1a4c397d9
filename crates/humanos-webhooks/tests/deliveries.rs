//! Every way a delivery can be malformed gets its own precise error, and well-formed ones open.

use base64::Engine as _;
use humanos_signing::{
    BodyRule, FixedClock, SignatureError, TimestampError, timestamped_signature,
};
use humanos_webhooks::{
    ConfigError, IdempotencyKey, WebhookConfig, WebhookError, WebhookEvent, WebhookPayload,
};
use serde_json::{Value, json};

const NOW: u64 = 1_767_225_600_000;
const SIG_SECRET: &str = "whsec_test_signature";
const ENC_SECRET: &str = "dGVzdC1lbmNyeXB0aW9uLXNlY3JldC0zMi1ieXRlcyE="; // base64
const SALT: &str = "test-salt";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn config() -> WebhookConfig {
    static CONFIG: std::sync::OnceLock<WebhookConfig> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            WebhookConfig::builder()
                .signature_secret(SIG_SECRET)
                .encryption_secret(ENC_SECRET)
                .encryption_salt(SALT)
                .clock(FixedClock(NOW))
                .build()
                .unwrap()
        })
        .clone()
}

fn credential_event() -> Value {
    humanos_webhooks::sample::credential("req_123")
}

fn sign(ts: &str, body: &[u8]) -> String {
    let ts: u64 = ts.parse().unwrap();
    timestamped_signature(SIG_SECRET.as_bytes(), ts, body, BodyRule::Webhook)
}

/// A delivery: headers and body, built from a plaintext with valid signature unless altered.
#[derive(Clone)]
struct Delivery {
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Delivery {
    fn sealed(plaintext: &[u8]) -> Self {
        let sealed = config().seal_plaintext(plaintext, NOW).unwrap();
        Self {
            headers: vec![
                ("x-signature".into(), sealed.signature.into_bytes()),
                ("x-timestamp".into(), NOW.to_string().into_bytes()),
            ],
            body: sealed.body,
        }
    }

    fn valid() -> Self {
        Self::sealed(credential_event().to_string().as_bytes())
    }

    /// Replaces the body and re-signs it, so only the body is wrong.
    fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.resign()
    }

    fn resign(mut self) -> Self {
        let ts = self
            .header("x-timestamp")
            .unwrap_or_else(|| NOW.to_string());
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

    fn envelope(&self) -> serde_json::Map<String, Value> {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Edits the envelope JSON and re-signs.
    fn edit(self, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Self {
        let mut env = self.envelope();
        f(&mut env);
        let body = serde_json::to_vec(&env).unwrap();
        self.with_body(body)
    }

    fn field_bytes(&self, field: &str) -> Vec<u8> {
        B64.decode(self.envelope()[field].as_str().unwrap())
            .unwrap()
    }

    fn process(&self) -> Result<WebhookEvent, WebhookError> {
        config().process(&self.headers, &self.body)
    }
}

#[test]
fn a_sealed_delivery_opens_into_a_typed_event() {
    let event = Delivery::valid().process().unwrap();
    let WebhookEvent::Credential(credential) = &event else {
        panic!("expected a credential event, got {event:?}");
    };
    assert_eq!(credential.request_id, "req_123");
    assert_eq!(event.event_type(), "credential");
    assert_eq!(
        event.idempotency_key(),
        Some(IdempotencyKey::new("req_123", "credential"))
    );
    // The typed event serializes back to the very payload that was sealed.
    assert_eq!(serde_json::to_value(&event).unwrap(), credential_event());
}

#[test]
fn header_names_are_case_insensitive() {
    let d = Delivery::valid();
    let upper: Vec<(String, Vec<u8>)> = d
        .headers
        .iter()
        .map(|(k, v)| (k.to_uppercase(), v.clone()))
        .collect();
    assert!(config().process(&upper, &d.body).is_ok());
    let mut map = http::HeaderMap::new();
    for (k, v) in &d.headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(v).unwrap(),
        );
    }
    assert!(config().process(&map, &d.body).is_ok());
}

#[test]
fn unknown_event_types_are_kept_not_rejected() {
    let payload =
        json!({"eventType": "mandate.exhausted", "requestId": "r9", "new": {"x": [1, 2]}});
    let event = Delivery::sealed(payload.to_string().as_bytes())
        .process()
        .unwrap();
    match &event {
        WebhookEvent::Unknown(p) => {
            assert_eq!(event.event_type(), "mandate.exhausted");
            assert_eq!(Value::Object(p.clone()), payload);
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert_eq!(serde_json::to_value(&event).unwrap(), payload);
}

#[test]
fn rotation_accepts_old_and_new_secrets() {
    let rotated = WebhookConfig::builder()
        .signature_secret("new-secret")
        .additional_signature_secret(SIG_SECRET)
        .encryption_secret(ENC_SECRET)
        .encryption_salt(SALT)
        .clock(FixedClock(NOW))
        .build()
        .unwrap();
    let d = Delivery::valid();
    assert!(rotated.process(&d.headers, &d.body).is_ok(), "old secret");
    let fresh = rotated.seal(&credential_event()).unwrap();
    assert!(
        rotated.process(&fresh.headers(), &fresh.body).is_ok(),
        "new secret"
    );
    assert_eq!(
        config().process(&fresh.headers(), &fresh.body).unwrap_err(),
        WebhookError::Signature(SignatureError::Mismatch),
        "a receiver without the new secret refuses it"
    );
}

#[test]
fn config_errors_are_precise_and_secret_free() {
    assert_eq!(
        WebhookConfig::new("", ENC_SECRET, SALT).unwrap_err(),
        ConfigError::Missing("signature secret")
    );
    assert_eq!(
        WebhookConfig::new(SIG_SECRET, "not base64!!", SALT).unwrap_err(),
        ConfigError::EncryptionSecretNotBase64
    );
    assert_eq!(
        WebhookConfig::new(SIG_SECRET, ENC_SECRET, "").unwrap_err(),
        ConfigError::Missing("encryption salt")
    );
    let text = format!("{:?}", config());
    for secret in [SIG_SECRET, ENC_SECRET, SALT] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[test]
fn a_wrong_encryption_secret_is_named_as_such() {
    let other = WebhookConfig::builder()
        .signature_secret(SIG_SECRET)
        .encryption_secret("b3RoZXItc2VjcmV0")
        .encryption_salt(SALT)
        .clock(FixedClock(NOW))
        .build()
        .unwrap();
    let d = Delivery::valid();
    let err = other.process(&d.headers, &d.body).unwrap_err();
    assert_eq!(err, WebhookError::DecryptionFailed);
    assert!(err.to_string().contains("wrong encryption secret or salt"));
}

#[test]
fn malformed_deliveries_each_get_their_precise_error() {
    use WebhookError as E;
    let tol = 300_000_u64;
    let valid = Delivery::valid;
    let flip = |field: &'static str, f: fn(&mut Vec<u8>)| {
        move || {
            let d = valid();
            let mut bytes = d.field_bytes(field);
            f(&mut bytes);
            d.edit(|env| {
                env.insert(field.into(), json!(B64.encode(&bytes)));
            })
        }
    };

    let cases: Vec<(&str, Delivery, WebhookError, u16)> = vec![
        ("no x-signature", valid().without("x-signature"), E::MissingHeader("x-signature"), 400),
        ("no x-timestamp", valid().without("x-timestamp"), E::MissingHeader("x-timestamp"), 400),
        ("no headers at all", Delivery { headers: vec![], body: valid().body }, E::MissingHeader("x-signature"), 400),
        ("x-signature twice", valid().appended("X-Signature", "00"), E::DuplicateHeader("x-signature"), 400),
        ("x-timestamp twice", valid().appended("x-timestamp", &NOW.to_string()), E::DuplicateHeader("x-timestamp"), 400),
        ("timestamp not numeric", valid().with_header("x-timestamp", "yesterday"), E::Timestamp(TimestampError::Malformed), 400),
        ("timestamp negative", valid().with_header("x-timestamp", "-1767225600000"), E::Timestamp(TimestampError::Malformed), 400),
        ("timestamp with plus sign", valid().with_header("x-timestamp", "+1767225600000"), E::Timestamp(TimestampError::Malformed), 400),
        ("timestamp in seconds is far too old", valid().with_header("x-timestamp", "1767225600").resign(), E::Timestamp(TimestampError::TooOld { age_ms: NOW - 1_767_225_600, tolerance_ms: tol }), 401),
        ("timestamp fractional", valid().with_header("x-timestamp", "1767225600000.5"), E::Timestamp(TimestampError::Malformed), 400),
        ("timestamp overflowing u64", valid().with_header("x-timestamp", "99999999999999999999999"), E::Timestamp(TimestampError::Malformed), 400),
        ("timestamp empty", valid().with_header("x-timestamp", ""), E::Timestamp(TimestampError::Malformed), 400),
        ("stale by one ms past tolerance", valid().with_header("x-timestamp", &(NOW - tol - 1).to_string()).resign(), E::Timestamp(TimestampError::TooOld { age_ms: tol + 1, tolerance_ms: tol }), 401),
        ("future by one ms past tolerance", valid().with_header("x-timestamp", &(NOW + tol + 1).to_string()).resign(), E::Timestamp(TimestampError::InFuture { ahead_ms: tol + 1, tolerance_ms: tol }), 401),
        ("timestamp changed after signing", valid().with_header("x-timestamp", &(NOW - 1).to_string()), E::Signature(SignatureError::Mismatch), 401),
        ("signature too short", valid().with_header("x-signature", &sign(&NOW.to_string(), &valid().body)[..63]), E::Signature(SignatureError::Malformed { len: 63 }), 401),
        ("signature too long", valid().with_header("x-signature", &format!("{}0", sign(&NOW.to_string(), &valid().body))), E::Signature(SignatureError::Malformed { len: 65 }), 401),
        ("signature not hex", valid().with_header("x-signature", &"zz".repeat(32)), E::Signature(SignatureError::Malformed { len: 64 }), 401),
        ("signature base64 instead of hex", valid().with_header("x-signature", "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="), E::Signature(SignatureError::Malformed { len: 44 }), 401),
        ("signature empty", valid().with_header("x-signature", ""), E::Signature(SignatureError::Malformed { len: 0 }), 401),
        ("signature of other secret", valid().with_header("x-signature", &humanos_signing::hmac_sha256_hex(b"other", b"x")), E::Signature(SignatureError::Mismatch), 401),
        ("body changed after signing", { let mut d = valid(); d.body.push(b' '); d }, E::Signature(SignatureError::Mismatch), 401),
        ("empty body", valid().with_body(""), E::EnvelopeNotJson, 400),
        ("body not JSON", valid().with_body("iv=1&data=2"), E::EnvelopeNotJson, 400),
        ("body a JSON array", valid().with_body("[1,2,3]"), E::EnvelopeNotJson, 400),
        ("body JSON then garbage", { let b = [valid().body, b"x".to_vec()].concat(); valid().with_body(b) }, E::EnvelopeNotJson, 400),
        ("body truncated", { let b = valid().body; valid().with_body(&b[..b.len() / 2]) }, E::EnvelopeNotJson, 400),
        ("missing iv", valid().edit(|e| { e.remove("iv"); }), E::MissingField("iv"), 400),
        ("missing data", valid().edit(|e| { e.remove("data"); }), E::MissingField("data"), 400),
        ("missing tag", valid().edit(|e| { e.remove("tag"); }), E::MissingField("tag"), 400),
        ("iv is a number", valid().edit(|e| { e.insert("iv".into(), json!(12)); }), E::FieldNotString("iv"), 400),
        ("tag is null", valid().edit(|e| { e.insert("tag".into(), Value::Null); }), E::FieldNotString("tag"), 400),
        ("data invalid base64", valid().edit(|e| { e.insert("data".into(), json!("!!!not-base64!!!")); }), E::InvalidBase64("data"), 400),
        ("iv url-safe base64", valid().edit(|e| { e.insert("iv".into(), json!("-_-_-_-_-_-_-_-_")); }), E::InvalidBase64("iv"), 400),
        ("iv of 8 bytes", valid().edit(|e| { e.insert("iv".into(), json!(B64.encode([0u8; 8]))); }), E::InvalidIvLength(8), 400),
        ("iv of 16 bytes", valid().edit(|e| { e.insert("iv".into(), json!(B64.encode([0u8; 16]))); }), E::InvalidIvLength(16), 400),
        ("iv empty", valid().edit(|e| { e.insert("iv".into(), json!("")); }), E::InvalidIvLength(0), 400),
        ("tag truncated to 12 bytes", flip("tag", |t| t.truncate(12))(), E::InvalidTagLength(12), 400),
        ("tag of 17 bytes", flip("tag", |t| t.push(0))(), E::InvalidTagLength(17), 400),
        ("flipped ciphertext bit", flip("data", |d| d[0] ^= 1)(), E::DecryptionFailed, 400),
        ("flipped tag bit", flip("tag", |t| t[15] ^= 0x80)(), E::DecryptionFailed, 400),
        ("flipped iv bit", flip("iv", |i| i[3] ^= 4)(), E::DecryptionFailed, 400),
        ("ciphertext truncated", flip("data", |d| { d.pop(); })(), E::DecryptionFailed, 400),
        ("plaintext not JSON", Delivery::sealed(b"hello, not json"), E::PlaintextNotJson, 400),
        ("plaintext not UTF-8", Delivery::sealed(b"{\"eventType\":\"test\xff\"}"), E::PlaintextNotJson, 400),
        ("plaintext empty", Delivery::sealed(b""), E::PlaintextNotJson, 400),
        ("plaintext a JSON array", Delivery::sealed(b"[]"), E::PlaintextNotJson, 400),
        ("no eventType", Delivery::sealed(br#"{"requestId":"r"}"#), E::PayloadShape { event_type: String::new(), path: "eventType".into(), detail: ": missing or not a string".into() }, 400),
        ("eventType a number", Delivery::sealed(br#"{"eventType":7}"#), E::PayloadShape { event_type: String::new(), path: "eventType".into(), detail: ": missing or not a string".into() }, 400),
        ("credential without requestId", Delivery::sealed(br#"{"eventType":"credential"}"#), E::PayloadShape { event_type: "credential".into(), path: ".".into(), detail: ": missing field `requestId`".into() }, 400),
        ("credential with a numeric mandate id", { let mut e = credential_event(); e["credential"]["id"] = json!(7); Delivery::sealed(e.to_string().as_bytes()) }, E::PayloadShape { event_type: "credential".into(), path: "credential.id".into(), detail: String::new() }, 400),
        ("test with numeric message", Delivery::sealed(br#"{"eventType":"test","requestId":"r","issuerDid":"d","user":{"contact":"c","id":"i"},"api_version":"v","message":42}"#), E::PayloadShape { event_type: "test".into(), path: "message".into(), detail: String::new() }, 400),
    ];

    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, delivery, expected, status) in &cases {
        match delivery.process() {
            Err(err) if &err == expected && err.status() == *status => {
                // Messages name the check, never a secret.
                let text = err.to_string();
                assert!(
                    !text.contains(SIG_SECRET) && !text.contains(ENC_SECRET),
                    "{name}: {text}"
                );
            }
            other => failures.push(format!(
                "{name}: expected {expected:?} ({status}), got {other:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn payload_shape_errors_do_not_echo_payload_values() {
    let d = Delivery::sealed(
        br#"{"eventType":"test","requestId":"r","issuerDid":"d","user":"ana@secret.example","api_version":"v","message":"m"}"#,
    );
    let err = d.process().unwrap_err();
    assert_eq!(err.code(), "payload_shape");
    assert!(!format!("{err} {err:?}").contains("ana@secret.example"));
}

#[test]
fn generic_payloads() {
    let d = Delivery::valid();
    let value: Value = config().process_as(&d.headers, &d.body).unwrap();
    assert_eq!(value, credential_event());
    assert_eq!(
        value.idempotency_key().map(|k| k.to_string()),
        Some("req_123:credential".to_owned())
    );
    let typed: humanos_webhooks::CredentialEvent =
        config().process_as(&d.headers, &d.body).unwrap();
    assert_eq!(typed.request_id, "req_123");
    assert_eq!(
        typed.credential.id,
        "urn:via:credential:7c1e2a4b-5d3f-4e8a-9b1c-2d3e4f5a6b7c"
    );
}

#[test]
fn every_sample_opens_as_its_typed_variant() {
    for event_type in ["credential", "identity", "otp.failed", "test"] {
        let payload = humanos_webhooks::sample::of_type(event_type, "req_s").unwrap();
        let event = Delivery::sealed(payload.to_string().as_bytes())
            .process()
            .unwrap();
        assert_eq!(event.event_type(), event_type);
        assert!(
            !matches!(event, WebhookEvent::Unknown(_)),
            "{event_type} decoded as Unknown"
        );
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            payload,
            "{event_type} round trip"
        );
    }
}
