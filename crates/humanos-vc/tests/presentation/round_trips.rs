//! Presentations that verify: bound and unbound, reordered, with status and rules, keys from
//! DID documents, the async path, clock skew; and the signature cache.

use std::sync::Arc;

use humanos_signing::FixedClock;
use humanos_vc::did::{DidDocument, StaticResolver};
use humanos_vc::rules::EvaluationResult;
use humanos_vc::{Ed25519SigningKey, Reason, Signer, VerifyRequest};
use serde_json::{Value, json};

use super::{bound, list_for, purchase_rules};
use crate::common::*;

#[test]
fn a_signed_vp_verifies() {
    let ok = verifier()
        .verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
    assert_eq!(
        ok.credential_id(),
        Some("urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11")
    );
    assert_eq!(ok.holder.as_deref(), Some(holder().did()));
    assert_eq!(ok.verification_method, holder().verification_method());
    assert_eq!(ok.credentials[0].issuer, issuer().did());
    assert!(!ok.status_checked, "no status list was supplied");
    assert!(!ok.rules_checked);
    assert_eq!(
        ok.to_allow_response(),
        json!({"decision": "allow", "credentialId": ok.credential_id().unwrap(), "evaluations": []})
    );
}

#[test]
fn an_unbound_vp_verifies_when_no_audience_is_expected() {
    let vp = vp_of(vec![mandate()], &holder(), None, None);
    verifier()
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap();
}

#[test]
fn the_vp_survives_a_json_round_trip_and_reordering() {
    let text = serde_json::to_string_pretty(&vp()).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    // Reorder the top-level members: JCS makes member order irrelevant.
    let obj = std::mem::take(v.as_object_mut().unwrap());
    let mut rev = serde_json::Map::new();
    for (k, x) in obj.into_iter().rev() {
        rev.insert(k, x);
    }
    verifier()
        .verify_presentation_with(&Value::Object(rev), &keys(), &bound())
        .unwrap();
}

#[test]
fn status_and_rules_pass_for_an_in_bounds_request() {
    let list = status_list("revocation", &[1, 2, 3], &issuer());
    let req = bound()
        .status_list(list_for(&list))
        .rules(purchase_rules(json!({"amount": 5000, "category": "BOOKS"})));
    let ok = verifier()
        .verify_presentation_with(&vp(), &keys(), &req)
        .unwrap();
    assert!(ok.status_checked);
    assert!(ok.rules_checked);
    assert_eq!(ok.evaluations.len(), 2);
    assert!(
        ok.evaluations
            .iter()
            .all(|e| e.result == EvaluationResult::Pass && e.reason.is_none())
    );
}

#[test]
fn keys_from_a_did_document_with_a_jwk() {
    // An issuer published as did:web with a JWK key, known ahead (the sync path).
    let key = Ed25519SigningKey::from_bytes(&[21; 32]);
    let did = "did:web:issuer.humanos.example";
    let vm = format!("{did}#key-1");
    let doc = DidDocument::from_json(json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [{"id": "#key-1", "type": "JsonWebKey", "controller": did, "publicKeyJwk": key.public_key().to_jwk()}],
        "assertionMethod": ["#key-1"],
        "authentication": []
    }))
    .unwrap();
    let web_issuer = Signer::new(key, vm);
    let mut unsigned = mandate_unsigned();
    unsigned["issuer"] = did.into();
    let vc = web_issuer.sign_credential(&unsigned, NOW).unwrap();
    let vp = vp_of(vec![vc], &holder(), None, None);
    let keys = StaticResolver::new().document(doc);
    verifier()
        .trusted_issuers([did])
        .verify_presentation_with(&vp, &keys, &VerifyRequest::new())
        .unwrap();
    // The same issuer key may not authenticate a VP: it is not under `authentication`.
    let vp2 = vp_of(vec![mandate()], &web_issuer, None, None);
    let f = verifier()
        .verify_presentation_with(&vp2, &keys, &VerifyRequest::new())
        .unwrap_err();
    assert_eq!(f.reason, Reason::VpSignerUnknown, "{f}");
}

#[test]
fn the_async_path_resolves_through_a_caching_resolver() {
    use humanos_vc::did::{CachingResolver, DidKeyResolver};
    let resolver = CachingResolver::new(DidKeyResolver, std::time::Duration::from_secs(300))
        .clock(FixedClock(NOW));
    let ok = block_on(verifier().verify_presentation(&vp(), &resolver, &bound())).unwrap();
    assert_eq!(ok.credentials.len(), 1);
    assert_eq!(resolver.len(), 2, "issuer and holder documents cached");
    let f = block_on(verifier().verify_presentation(
        &vp(),
        &resolver,
        &VerifyRequest::new().domain("evil.example"),
    ))
    .unwrap_err();
    assert_eq!(f.reason, Reason::VpDomainMismatch);
}

#[test]
fn the_async_path_fetches_and_checks_the_status_list() {
    use humanos_vc::{StatusListFetcher, verify::FetchFuture};
    struct Fetch(Value);
    impl StatusListFetcher for Fetch {
        fn fetch<'a>(&'a self, url: &'a str) -> FetchFuture<'a> {
            assert_eq!(url, STATUS_URL);
            Box::pin(std::future::ready(Ok(self.0.clone())))
        }
    }
    let revoked = status_list("revocation", &[STATUS_INDEX], &issuer());
    let v = verifier().status_list_fetcher(Arc::new(Fetch(revoked)));
    let f = block_on(v.verify_presentation(&vp(), &StaticResolver::new(), &bound())).unwrap_err();
    assert_eq!(f.reason, Reason::CredentialRevoked);
    let fine = status_list("revocation", &[], &issuer());
    let v = verifier().status_list_fetcher(Arc::new(Fetch(fine)));
    let ok = block_on(v.verify_presentation(&vp(), &StaticResolver::new(), &bound())).unwrap();
    assert!(ok.status_checked);
}

#[test]
fn clock_skew_is_tolerated_within_bounds() {
    let mut unsigned = mandate_unsigned();
    unsigned["validUntil"] = "2026-05-31T23:59:30Z".into(); // 30 s before NOW
    let vp = vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None);
    verifier()
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap();
    let strict = verifier().skew(std::time::Duration::from_secs(10));
    assert_eq!(
        strict
            .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
            .unwrap_err()
            .reason,
        Reason::Expired
    );
}

#[test]
fn the_signature_cache_never_accepts_a_changed_document() {
    let v = verifier();
    v.verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
    v.verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
    let mut vc = mandate();
    vc["credentialSubject"]["mandate"]["userParams"]["maxAmount"]["value"] = json!(1_000_000);
    let f = v
        .verify_presentation_with(
            &vp_of(vec![vc], &holder(), None, None),
            &keys(),
            &VerifyRequest::new(),
        )
        .unwrap_err();
    assert_eq!(f.reason, Reason::CredentialSignatureInvalid);
    let mut tampered = vp();
    tampered["holder"] = "did:example:mallory".into();
    assert_eq!(
        v.verify_presentation_with(&tampered, &keys(), &bound())
            .unwrap_err()
            .reason,
        Reason::VpSignatureInvalid
    );
    // Same signature presented with another key: a miss, and a failure.
    let mut other_key = vp();
    other_key["proof"]["verificationMethod"] = stranger().verification_method().into();
    assert_eq!(
        v.verify_presentation_with(&other_key, &keys(), &bound())
            .unwrap_err()
            .reason,
        Reason::VpSignatureInvalid
    );
    // Cache off behaves the same.
    let cold = verifier().signature_cache(0);
    cold.verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
}
