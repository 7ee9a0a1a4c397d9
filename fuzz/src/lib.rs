//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/`) and the smoke
//! test that `.ci/run` runs on the stable toolchain (`tests/smoke.rs`).
//!
//! Each function takes arbitrary bytes, must never panic on them, and asserts the property its
//! doc comment states.

use std::sync::OnceLock;

use humanos_models as m;
use humanos_signing::{BodyRule, FixedClock, timestamped_signature, wire_json};
use humanos_vc::did::StaticResolver;
use humanos_vc::{Ed25519SigningKey, Signer, Verifier, VerifyRequest, issue, jcs};
use humanos_webhooks::{WebhookConfig, WebhookEvent, WebhookPayload};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// The fixed "now" of every target, so timestamps are deterministic.
pub const NOW: u64 = 1_767_225_600_000;
const WEBHOOK_SECRET: &str = "whsec_fuzz";

/// The webhook configuration every target uses (key derived once).
pub fn webhook_config() -> &'static WebhookConfig {
    static CONFIG: OnceLock<WebhookConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        WebhookConfig::builder()
            .signature_secret(WEBHOOK_SECRET)
            .encryption_secret("ZnV6ei1lbmNyeXB0aW9uLXNlY3JldA==")
            .encryption_salt("fuzz-salt")
            .clock(FixedClock(NOW))
            .build()
            .expect("config")
    })
}

/// `process_webhook` on arbitrary headers and body. The input is split into a header block and a
/// body; the first byte chooses whether the body is re-signed with the right secret, so the
/// fuzzer explores the envelope, decryption and decoding paths behind the HMAC too. Every
/// refusal is a 400 or 401 with a code.
pub fn webhook_process(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    // Header block up to the first 0xff byte: lines of `name:value` separated by '\n'.
    let (head, body) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let mut headers: Vec<(String, Vec<u8>)> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let i = line.iter().position(|&b| b == b':')?;
            Some((String::from_utf8_lossy(&line[..i]).into_owned(), line[i + 1..].to_vec()))
        })
        .collect();
    if mode & 1 == 1 {
        let sig = timestamped_signature(WEBHOOK_SECRET.as_bytes(), NOW, body, BodyRule::Webhook);
        headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("x-signature") && !k.eq_ignore_ascii_case("x-timestamp")
        });
        headers.push(("x-signature".into(), sig.into_bytes()));
        headers.push(("x-timestamp".into(), NOW.to_string().into_bytes()));
    }
    if let Err(err) = webhook_config().process(&headers, body) {
        assert!(matches!(err.status(), 400 | 401));
        assert!(!err.code().is_empty());
    }
}

/// The plaintext side: arbitrary bytes sealed with the right key, opened again and decoded into
/// a typed event. Opens to the same bytes; a decoded event re-encodes and decodes equal.
pub fn webhook_decrypt(plaintext: &[u8]) {
    let config = webhook_config();
    let sealed = config.seal_plaintext(plaintext, NOW).expect("seal");
    let opened = config
        .open(&sealed.headers(), &sealed.body)
        .expect("a sealed delivery opens");
    assert_eq!(opened, plaintext);
    if let Ok(event) = WebhookEvent::from_plaintext(plaintext) {
        let again = serde_json::to_vec(&event).expect("serialize");
        assert_eq!(WebhookEvent::from_plaintext(&again).ok(), Some(event));
    }
}

/// The wire-JSON encoder: for any JSON document the output parses back to the same value and is
/// a fixed point of `reencode` (what a JavaScript server reconstructs); non-JSON is refused.
/// The JCS writer built on it gives `serde_jcs`'s bytes and is a fixed point of itself.
pub fn wire_json(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        assert!(wire_json::reencode(data).is_err());
        return;
    };
    let canonical = humanos_signing::jcs::to_vec(&value).expect("a parsed Value canonicalizes");
    assert_eq!(
        canonical,
        serde_jcs::to_vec(&value).expect("serde_jcs"),
        "differs from serde_jcs"
    );
    let reparsed: Value = serde_json::from_slice(&canonical).expect("JCS output is JSON");
    assert_eq!(
        humanos_signing::jcs::to_vec(&reparsed).expect("again"),
        canonical,
        "JCS is not a fixed point"
    );
    match wire_json::value_to_vec(&value) {
        Ok(out) => {
            let back: Value = serde_json::from_slice(&out).expect("output is JSON");
            assert!(same_in_javascript(&value, &back), "value changed");
            assert_eq!(wire_json::reencode(&out).expect("reencode"), out, "not wire-stable");
        }
        Err(wire_json::WireJsonError::UnsafeInteger(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
    }
    if let Ok(once) = wire_json::reencode(data) {
        assert_eq!(wire_json::reencode(&once).expect("twice"), once);
    }
}

/// Equality as JavaScript sees it: numbers compared as doubles, object members by key (array-index
/// keys move first in JavaScript, so order may differ).
fn same_in_javascript(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_in_javascript(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_in_javascript(v, w)))
        }
        _ => a == b,
    }
}

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let out = serde_json::to_vec(&value).expect("serialize");
        let again: T = serde_json::from_slice(&out).expect("re-decode");
        assert_eq!(again, value);
    }
}

/// Model deserialization of arbitrary JSON into ten types (the first byte picks one): whatever
/// decodes re-encodes and decodes equal.
pub fn models(data: &[u8]) {
    let Some((&which, data)) = data.split_first() else { return };
    match which % 10 {
        0 => round_trip::<m::WebhookCallEvent>(data),
        1 => round_trip::<m::CredentialEntity>(data),
        2 => round_trip::<m::PresentationEntity>(data),
        3 => round_trip::<m::VerifyDenyResponseEntity>(data),
        4 => round_trip::<m::VerifyAllowResponseEntity>(data),
        5 => round_trip::<m::RequestDetailEntity>(data),
        6 => round_trip::<m::DidDocumentEntity>(data),
        7 => round_trip::<m::ApiErrorBody>(data),
        8 => round_trip::<m::GenerateRequestDto>(data),
        _ => round_trip::<m::ViaMandateCredential>(data),
    }
}

/// The HumanCode callback parser on arbitrary query strings and URLs.
pub fn humancode_callback(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = humancode::Callback::from_query(text);
    let _ = humancode::Callback::from_url(text);
}

struct SignedPresentation {
    bytes: Vec<u8>,
    canonical: Vec<u8>,
    verifier: Verifier,
}

/// A valid presentation carrying one mandate, signed with fixed keys.
fn signed_presentation() -> &'static SignedPresentation {
    static FIXTURE: OnceLock<SignedPresentation> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]));
        let holder = Signer::did_key(Ed25519SigningKey::from_bytes(&[9; 32]));
        let mandate = issuer
            .sign_credential(
                &json!({
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": "urn:via:credential:fuzz",
                    "type": ["VerifiableCredential", "ViaMandateCredential"],
                    "issuer": issuer.did(),
                    "validFrom": "2025-12-01T00:00:00Z",
                    "validUntil": "2026-12-01T00:00:00Z",
                    "credentialSubject": {"id": holder.did(), "mandate": {"scope": "agent.execute",
                        "grantor": "did:example:alice", "context": {"authorizedDIDs": [holder.did()]},
                        "userParams": {"maxAmount": {"description": "Cap", "value": 10000}}}}
                }),
                NOW,
            )
            .expect("sign mandate");
        let vp = holder
            .sign_presentation(&issue::presentation(holder.did(), vec![mandate]), NOW, None, None)
            .expect("sign vp");
        SignedPresentation {
            bytes: serde_json::to_vec(&vp).expect("bytes"),
            canonical: jcs::canonicalize(&vp).expect("jcs"),
            verifier: Verifier::new().with_clock(FixedClock(NOW)).with_trusted_issuers([issuer.did()]),
        }
    })
}

/// The `eddsa-jcs-2022` presentation verifier on a valid signed presentation with the input's
/// byte edits applied (each 3 bytes: a 16-bit position and a new byte). Nothing is accepted
/// unless it canonicalizes (JCS) to the document that was signed.
pub fn vc_verify(edits: &[u8]) {
    let fixture = signed_presentation();
    let mut bytes = fixture.bytes.clone();
    for edit in edits.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
        bytes[at] = edit[2];
    }
    let Ok(vp) = serde_json::from_slice::<Value>(&bytes) else { return };
    let result =
        fixture.verifier.verify_presentation_with(&vp, &StaticResolver::new(), &VerifyRequest::new());
    if result.is_ok() {
        assert_eq!(
            jcs::canonicalize(&vp).ok().as_deref(),
            Some(fixture.canonical.as_slice()),
            "accepted a changed presentation"
        );
    }
}
