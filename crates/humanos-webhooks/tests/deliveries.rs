//! Every way a delivery can be malformed gets its own precise error, and well-formed ones open.

use humanos_signing::{FixedClock, SignatureError};
use humanos_webhooks::{
    IdempotencyKey, WebhookConfig, WebhookConfigError, WebhookError, WebhookEvent,
};
use serde_json::{Value, json};

const NOW: u64 = 1_767_225_600_000;
const SIG_SECRET: &str = "whsec_test_signature";
const ENC_SECRET: &str = "dGVzdC1lbmNyeXB0aW9uLXNlY3JldC0zMi1ieXRlcyE="; // base64
const SALT: &str = "test-salt";

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
        WebhookConfigError::Missing("signature secret")
    );
    assert_eq!(
        WebhookConfig::new(SIG_SECRET, "not base64!!", SALT).unwrap_err(),
        WebhookConfigError::EncryptionSecretNotBase64
    );
    assert_eq!(
        WebhookConfig::new(SIG_SECRET, ENC_SECRET, "").unwrap_err(),
        WebhookConfigError::Missing("encryption salt")
    );
    let text = format!("{:?}", config());
    for secret in [SIG_SECRET, ENC_SECRET, SALT] {
        assert!(!text.contains(secret), "{text}");
    }
}

fn with_encryption(secret: &str, salt: &str) -> humanos_webhooks::WebhookConfigBuilder {
    WebhookConfig::builder()
        .signature_secret(SIG_SECRET)
        .encryption_secret(secret)
        .encryption_salt(salt)
        .clock(FixedClock(NOW))
}

#[test]
fn a_wrong_encryption_key_on_an_authentic_delivery_is_retried_not_refused() {
    let d = Delivery::valid();
    for (secret, salt) in [("b3RoZXItc2VjcmV0", SALT), (ENC_SECRET, "other-salt")] {
        let other = with_encryption(secret, salt).build().unwrap();
        let err = other.process(&d.headers, &d.body).unwrap_err();
        assert_eq!(err, WebhookError::DecryptionFailed);
        // The signature verified: the delivery is authentic, so the receiver's own key problem
        // must not be answered with a final 4xx (Humanos drops those).
        assert_eq!(err.status(), 500);
        assert!(err.is_retryable());
        assert!(
            err.to_string().contains("encryption secret or salt"),
            "{err}"
        );
    }
}

#[test]
fn encryption_key_rotation_opens_deliveries_of_either_pair() {
    // Humanos switches to a new (secret, salt); deliveries in flight still use the old one.
    let new_secret = "bmV3LWVuY3J5cHRpb24tc2VjcmV0LTMyLWJ5dGVzIQ==";
    let rotated = with_encryption(new_secret, "new-salt")
        .additional_encryption_key(ENC_SECRET, SALT)
        .build()
        .unwrap();
    let old = Delivery::valid();
    let event = rotated.process(&old.headers, &old.body).unwrap();
    assert_eq!(serde_json::to_value(&event).unwrap(), credential_event());
    let fresh = rotated.seal(&credential_event()).unwrap();
    assert!(rotated.process(&fresh.headers(), &fresh.body).is_ok());
    // The old configuration alone cannot open what the new pair sealed.
    assert_eq!(
        config().process(&fresh.headers(), &fresh.body).unwrap_err(),
        WebhookError::DecryptionFailed
    );
    // Only the salt rotated.
    let salt_only = with_encryption(ENC_SECRET, "new-salt")
        .additional_encryption_key(ENC_SECRET, SALT)
        .build()
        .unwrap();
    assert!(salt_only.process(&old.headers, &old.body).is_ok());
    // An empty additional pair is a configuration error, not a silent no-op.
    assert!(
        with_encryption(ENC_SECRET, SALT)
            .additional_encryption_key("", SALT)
            .build()
            .is_err()
    );
}

#[test]
fn the_events_of_one_request_to_three_contacts_have_three_keys() {
    let event = |user: &str, credential: &str| {
        let mut e = credential_event();
        e["user"]["id"] = json!(user);
        e["credential"]["id"] = json!(credential);
        e["credential"]["w3cCredential"]["id"] = json!(credential);
        e
    };
    let keys: Vec<IdempotencyKey> = [
        ("usr_ana", "urn:c:1"),
        ("usr_ben", "urn:c:2"),
        ("usr_eva", "urn:c:3"),
    ]
    .into_iter()
    .map(|(u, c)| {
        let d = Delivery::sealed(event(u, c).to_string().as_bytes());
        let plaintext = config().open(&d.headers, &d.body).unwrap();
        IdempotencyKey::from_plaintext(&plaintext).unwrap()
    })
    .collect();
    assert!(keys.iter().all(|k| k.request_id() == "req_123"));
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
    assert_ne!(keys[0], keys[2]);
    // A retry is sealed again (new IV, new timestamp): same key.
    let again = Delivery::sealed(event("usr_ana", "urn:c:1").to_string().as_bytes());
    assert_ne!(
        again.body,
        Delivery::sealed(event("usr_ana", "urn:c:1").to_string().as_bytes()).body
    );
    let plaintext = config().open(&again.headers, &again.body).unwrap();
    assert_eq!(IdempotencyKey::from_plaintext(&plaintext).unwrap(), keys[0]);
}

#[test]
fn authentic_payloads_our_types_do_not_fit_are_handed_over() {
    use humanos_webhooks::sample;
    let config = sample::catalogue_config();
    let cases = sample::undecodable();
    assert_eq!(cases.len(), 5);
    for case in &cases {
        let event = config
            .process(&case.headers, &case.body)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let plaintext = config.open(&case.headers, &case.body).unwrap();
        let payload: Value = serde_json::from_slice(&plaintext).unwrap();
        match (&event, case.known_event_type) {
            (WebhookEvent::Undecoded(undecoded), Some(event_type)) => {
                assert_eq!(undecoded.event_type.as_str(), event_type, "{}", case.name);
                assert_eq!(
                    Value::Object(undecoded.payload.clone()),
                    payload,
                    "{}",
                    case.name
                );
                assert!(
                    undecoded.error.contains(event_type),
                    "{}: {}",
                    case.name,
                    undecoded.error
                );
            }
            (WebhookEvent::Unknown(object), None) => {
                assert_eq!(Value::Object(object.clone()), payload, "{}", case.name);
            }
            other => panic!("{}: unexpected {other:?}", case.name),
        }
        // The payload round-trips unchanged, and the idempotency key does not depend on our types.
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            payload,
            "{}",
            case.name
        );
        assert!(
            IdempotencyKey::from_plaintext(&plaintext).is_some(),
            "{}",
            case.name
        );
        // A generic payload type opens it too.
        let value: Value = config.process_as(&case.headers, &case.body).unwrap();
        assert_eq!(value, payload);
    }
}

#[test]
fn malformed_deliveries_each_get_their_precise_error() {
    // The catalogue lives in `sample` so the adapters replay it over HTTP
    // (crates/humanos-{axum,actix}/tests/hostile.rs).
    use humanos_webhooks::sample;
    let config = sample::catalogue_config();
    let cases = sample::malformed();
    assert_eq!(cases.len(), 47);
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    let mut failures = Vec::new();
    for case in &cases {
        match config.process(&case.headers, &case.body) {
            Err(err) if err == case.error && err.status() == case.status => {
                // Messages name the check, never a secret.
                let text = err.to_string();
                assert!(
                    !text.contains(sample::CATALOGUE_SIGNATURE_SECRET)
                        && !text.contains(sample::CATALOGUE_ENCRYPTION_SECRET),
                    "{}: {text}",
                    case.name
                );
            }
            other => failures.push(format!(
                "{}: expected {:?} ({}), got {other:?}",
                case.name, case.error, case.status
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
fn payload_shape_errors_of_narrow_types_are_retryable_and_do_not_echo_values() {
    let d = Delivery::sealed(
        br#"{"eventType":"test","requestId":"r","issuerDid":"d","user":"ana@secret.example","api_version":"v","message":"m"}"#,
    );
    // Into one event struct, a shape mismatch is an error: 500, so the event is retried (after
    // an upgrade) rather than dropped.
    let err = config()
        .process_as::<humanos_webhooks::TestEvent>(&d.headers, &d.body)
        .unwrap_err();
    assert_eq!(err.code(), "payload_shape");
    assert_eq!(err.status(), 500);
    assert!(!format!("{err} {err:?}").contains("ana@secret.example"));
    // Into `WebhookEvent`, it is handed over; the reason does not echo the value either.
    let WebhookEvent::Undecoded(event) = d.process().unwrap() else {
        panic!("expected Undecoded")
    };
    assert!(event.error.contains("user"), "{}", event.error);
    assert!(
        !event.error.contains("ana@secret.example"),
        "{}",
        event.error
    );
}

#[test]
fn generic_payloads() {
    let d = Delivery::valid();
    let value: Value = config().process_as(&d.headers, &d.body).unwrap();
    assert_eq!(value, credential_event());
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
