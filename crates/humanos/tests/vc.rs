//! `humanos_vc::did::DidResolver` over `GET /did/resolve/{did}`, and presentations the client
//! received verified locally (feature `vc`).
#![cfg(feature = "vc")]

mod support;

use humanos::models::CreatePresentationDto;
use humanos_signing::FixedClock;
use humanos_vc::did::{DidResolver, ResolveError, StaticResolver};
use humanos_vc::{Ed25519SigningKey, Signer, Verifier, VerifyRequest, issue};
use serde_json::{Value, json};
use support::{Reply, TestServer};

const DID: &str = "did:web:humanos.tech:org:7d0c6f1e";

#[tokio::test]
async fn the_client_resolves_dids_for_local_verification() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        &json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": DID,
            "verificationMethod": [],
            "assertionMethod": []
        }),
    ));
    server.push(Reply::error(404, "DID not found", "Not Found"));
    server.push(Reply::json(
        200,
        &json!({"@context": [], "id": "did:web:elsewhere", "verificationMethod": []}),
    ));
    let client = server.client();
    let resolver: &dyn DidResolver = &client;

    let document = resolver.resolve(DID).await.unwrap();
    assert_eq!(document.id, DID);
    assert!(matches!(resolver.resolve(DID).await, Err(ResolveError::NotFound(d)) if d == DID));
    assert!(matches!(
        resolver.resolve(DID).await,
        Err(ResolveError::InvalidDocument(_))
    ));

    let got = server.received();
    assert_eq!(
        got[0].raw_path,
        "/did/resolve/did%3Aweb%3Ahumanos.tech%3Aorg%3A7d0c6f1e"
    );
    server.assert_clean();
}

/// Doubles whose shortest form a parser that is not correctly rounded (serde_json without
/// `float_roundtrip`) reads one ULP off, as `crates/humanos-signing/tests/javascript_roundtrip.rs`
/// found against Node.
const LONG_FLOATS: [f64; 4] = [
    90713.01334386505,
    4655502634.230949,
    56393880.17771624,
    -2.92255259013879e-57,
];

fn issuer() -> Signer {
    Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]))
}

/// A mandate by [`issuer`] carrying [`LONG_FLOATS`] in its user parameters, presented by its
/// holder; both proofs `eddsa-jcs-2022`, so each covers the doubles exactly as JavaScript reads
/// them.
fn presentation_with_long_floats(now_ms: u64) -> Value {
    let issuer = issuer();
    let holder = Signer::did_key(Ed25519SigningKey::from_bytes(&[9; 32]));
    let mandate = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:via:credential:long-floats",
        "type": ["VerifiableCredential", "ViaMandateCredential"],
        "issuer": issuer.did(),
        "validFrom": "2026-05-01T00:00:00Z",
        "credentialSubject": {
            "id": holder.did(),
            "mandate": {"userParams": {
                "maxAmount": {"value": LONG_FLOATS[0]},
                "rates": {"value": LONG_FLOATS[1..]}
            }}
        }
    });
    let mandate = issuer.sign_credential(&mandate, now_ms - 60_000).unwrap();
    holder
        .sign_presentation(
            &issue::presentation(holder.did(), vec![mandate]),
            now_ms - 1_000,
            Some("shop.example"),
            Some("nonce-1"),
        )
        .unwrap()
}

#[tokio::test]
async fn a_presentation_carrying_long_floats_verifies_as_the_client_received_it() {
    const NOW: u64 = 1_780_272_000_000; // 2026-06-01T00:00:00Z
    let vp = presentation_with_long_floats(NOW);
    let shortest = serde_json::to_string(&vp).unwrap();
    let server = TestServer::start().await;
    // The API's answer, with the doubles written shortest and with 17, 20 and 25 significant
    // digits: JSON.parse reads every form back to the signed double.
    let forms = [0, 17, 20, 25];
    for digits in forms {
        let mut text = shortest.clone();
        if digits > 0 {
            for x in LONG_FLOATS {
                let short = serde_json::to_string(&x).unwrap();
                assert!(text.contains(&short), "{short} in the presentation");
                text = text.replace(&short, &format!("{x:.*e}", digits - 1));
            }
        }
        let body = format!(r#"{{"presentation":{text},"presentationEncoded":""}}"#);
        server.push(Reply::raw(201, "application/json", body));
    }
    let client = server.client();
    let verifier = Verifier::new()
        .clock(FixedClock(NOW))
        .trusted_issuers([issuer().did()]);
    let bound = VerifyRequest::new()
        .domain("shop.example")
        .challenge("nonce-1");
    for digits in forms {
        let received = client
            .credentials()
            .issue_vp(
                "urn:via:credential:long-floats",
                CreatePresentationDto::new(),
            )
            .await
            .unwrap();
        verifier
            .verify_presentation_with(
                &Value::Object(received.presentation),
                &StaticResolver::new(),
                &bound,
            )
            .unwrap_or_else(|e| panic!("written with {digits} digits (0: shortest): {e:?}"));
    }
}
