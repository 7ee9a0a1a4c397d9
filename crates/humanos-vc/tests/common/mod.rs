//! Shared fixtures: a Humanos-shaped mandate, its issuer and holder, a status list.
#![allow(dead_code, unreachable_pub)]

use humanos_signing::FixedClock;
use humanos_vc::did::StaticResolver;
use humanos_vc::status::{Bitstring, status_list_subject};
use humanos_vc::{Ed25519SigningKey, Signer, Verifier, issue};
use serde_json::{Value, json};

/// 2026-06-01T00:00:00Z
pub const NOW: u64 = 1_780_272_000_000;
pub const STATUS_URL: &str = "https://api.humanos.example/status/1";
pub const STATUS_INDEX: u64 = 94_567;
pub const ACTION_ID: &str = "urn:via:action:5f0c2a7e-purchase:v3";

pub fn issuer() -> Signer {
    Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]))
}

pub fn holder() -> Signer {
    Signer::did_key(Ed25519SigningKey::from_bytes(&[9; 32]))
}

pub fn stranger() -> Signer {
    Signer::did_key(Ed25519SigningKey::from_bytes(&[11; 32]))
}

/// The verifier most tests use: it trusts the fixture issuer, as a user names the issuer
/// they rely on, and (since most tests are about something else and supply no status list)
/// opts out of requiring one. `tests/secure_defaults.rs` checks `Verifier::new()` itself.
pub fn verifier() -> Verifier {
    Verifier::new()
        .clock(FixedClock(NOW))
        .trusted_issuers([issuer().did()])
        .status_policy(humanos_vc::StatusPolicy::CheckIfAvailable)
}

pub fn keys() -> StaticResolver {
    StaticResolver::new()
}

/// An unsigned mandate shaped like `ViaMandateCredential`.
pub fn mandate_unsigned() -> Value {
    let issuer = issuer();
    let holder = holder();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/via/v0.2"],
        "id": "urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11",
        "type": ["VerifiableCredential", "ViaMandateCredential"],
        "specVersion": "0.2",
        "issuer": issuer.did(),
        "validFrom": "2026-05-01T00:00:00Z",
        "validUntil": "2026-12-31T23:59:59Z",
        "credentialSubject": {
            "id": holder.did(),
            "mandate": {
                "grantor": "did:via:user:6a1e0c",
                "scope": "agent.execute",
                "context": {"authorizedDIDs": [holder.did()]},
                "action": {
                    "id": ACTION_ID,
                    "digestSRI": "sha256-2dXHoFZ0m2k0nS0XKc8v2JrYk0uKMg8u3tQm9G7hU1M",
                    "location": "https://api.humanos.example/actions/version/purchase"
                },
                "userParams": {
                    "maxAmount": {"description": "Largest amount per purchase", "value": 10000},
                    "allowedCategories": {"description": "Categories", "value": ["BOOKS", "OFFICE"]}
                },
                "maxExecutions": 20
            }
        },
        "evidence": [{
            "id": "urn:via:evidence:consent:1",
            "type": ["ConsentEvidence"],
            "digestSRI": "sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
            "location": "https://api.humanos.example/evidence/1"
        }],
        "credentialStatus": {
            "id": format!("{STATUS_URL}#{STATUS_INDEX}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": STATUS_INDEX.to_string(),
            "statusListCredential": STATUS_URL
        }
    })
}

pub fn sign_mandate(unsigned: &Value) -> Value {
    issuer()
        .sign_credential(unsigned, NOW - 86_400_000)
        .unwrap()
}

pub fn mandate() -> Value {
    sign_mandate(&mandate_unsigned())
}

pub fn vp_of(
    credentials: Vec<Value>,
    signer: &Signer,
    domain: Option<&str>,
    challenge: Option<&str>,
) -> Value {
    signer
        .sign_presentation(
            &issue::presentation(holder().did(), credentials),
            NOW - 1_000,
            domain,
            challenge,
        )
        .unwrap()
}

pub fn vp() -> Value {
    vp_of(
        vec![mandate()],
        &holder(),
        Some("shop.example"),
        Some("nonce-1"),
    )
}

/// A signed status list credential with `set` bits on.
pub fn status_list(purpose: &str, set: &[u64], signer: &Signer) -> Value {
    let mut bits = Bitstring::zeros(131_072);
    for i in set {
        assert!(bits.set(*i, true));
    }
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.did(),
        "validFrom": "2026-05-31T00:00:00Z",
        "credentialSubject": status_list_subject(&format!("{STATUS_URL}#list"), purpose, &bits),
    });
    signer.sign_credential(&unsigned, NOW - 3_600_000).unwrap()
}

/// Drives a future that never waits on I/O (the in-memory resolvers) to completion.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
