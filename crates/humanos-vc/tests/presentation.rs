//! Presentation round trips and one test per denial reason.

mod common;

use std::sync::Arc;

use common::*;
use humanos_signing::FixedClock;
use humanos_vc::did::{DidDocument, StaticResolver};
use humanos_vc::rules::{EvaluationResult, Rule};
use humanos_vc::{
    Ed25519SigningKey, ProofOptions, ProofPurpose, Reason, RuleCheck, Signer, StatusPolicy,
    VerifyFailure, VerifyRequest,
};
use serde_json::{Value, json};

fn bound() -> VerifyRequest {
    VerifyRequest::new()
        .domain("shop.example")
        .challenge("nonce-1")
}

fn deny(vp: &Value, req: &VerifyRequest) -> VerifyFailure {
    verifier()
        .verify_presentation_with(vp, &keys(), req)
        .unwrap_err()
}

fn purchase_rules(params: Value) -> RuleCheck {
    RuleCheck::new(
        vec![
            Rule::new("executionParams.amount <= userParams.maxAmount"),
            Rule::new("executionParams.category in userParams.allowedCategories"),
        ],
        params,
    )
    .for_action(ACTION_ID)
}

fn list_for(vp_status: &Value) -> Arc<humanos_vc::status::VerifiedStatusList> {
    Arc::new(verifier().verify_status_list(vp_status, &keys()).unwrap())
}

// ---------------------------------------------------------------- round trips

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
    let keys = StaticResolver::new().with_document(doc);
    verifier()
        .with_trusted_issuers([did])
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
        .with_clock(FixedClock(NOW));
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
    let v = verifier().with_status_list_fetcher(Arc::new(Fetch(revoked)));
    let f = block_on(v.verify_presentation(&vp(), &StaticResolver::new(), &bound())).unwrap_err();
    assert_eq!(f.reason, Reason::CredentialRevoked);
    let fine = status_list("revocation", &[], &issuer());
    let v = verifier().with_status_list_fetcher(Arc::new(Fetch(fine)));
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
    let strict = verifier().with_skew(std::time::Duration::from_secs(10));
    assert_eq!(
        strict
            .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
            .unwrap_err()
            .reason,
        Reason::Expired
    );
}

// ---------------------------------------------------------------- one test per reason

#[test]
fn reason_vp_signer_unknown() {
    // did:web holder the verifier knows nothing about.
    let ghost = Signer::new(
        Ed25519SigningKey::from_bytes(&[5; 32]),
        "did:web:ghost.example#k",
    );
    let f = deny(
        &vp_of(vec![mandate()], &ghost, None, None),
        &VerifyRequest::new(),
    );
    assert_eq!(f.reason, Reason::VpSignerUnknown);
    assert_eq!(
        f.credential_id.as_deref(),
        Some("urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11")
    );
    // A did:key whose fragment names another key.
    let mut vp = vp();
    vp["proof"]["verificationMethod"] = format!("{}#z6MkOther", holder().did()).into();
    assert_eq!(deny(&vp, &bound()).reason, Reason::VpSignerUnknown);
    // Without did:key resolution, a did:key holder is unknown too.
    let f = verifier()
        .verify_presentation_with(
            &super_vp(),
            &StaticResolver::new().without_did_key(),
            &bound(),
        )
        .unwrap_err();
    assert_eq!(f.reason, Reason::VpSignerUnknown);
}

fn super_vp() -> Value {
    vp()
}

#[test]
fn reason_vp_signature_invalid() {
    let mut vp = vp();
    vp["holder"] = "did:example:mallory".into();
    let f = deny(&vp, &bound());
    assert_eq!(f.reason, Reason::VpSignatureInvalid);
    let mut vp = super_vp();
    vp["proof"]["proofValue"] = "z3".into();
    assert_eq!(deny(&vp, &bound()).reason, Reason::VpSignatureInvalid);
    let mut vp = super_vp();
    vp.as_object_mut().unwrap().remove("proof");
    assert_eq!(deny(&vp, &bound()).reason, Reason::VpSignatureInvalid);
}

#[test]
fn reason_credential_revoked() {
    let list = status_list("revocation", &[STATUS_INDEX], &issuer());
    let f = deny(&vp(), &bound().status_list(list_for(&list)));
    assert_eq!(f.reason, Reason::CredentialRevoked);
    assert_eq!(
        f.credential_id.as_deref(),
        Some("urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11")
    );
    // Neighbouring bits do not revoke it.
    let list = status_list(
        "revocation",
        &[STATUS_INDEX - 1, STATUS_INDEX + 1],
        &issuer(),
    );
    verifier()
        .verify_presentation_with(&vp(), &keys(), &bound().status_list(list_for(&list)))
        .unwrap();
}

#[test]
fn reason_expired() {
    let mut unsigned = mandate_unsigned();
    unsigned["validUntil"] = "2026-05-01T00:00:00Z".into();
    let f = deny(
        &vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None),
        &VerifyRequest::new(),
    );
    assert_eq!(f.reason, Reason::Expired);
    // A VP proof past its `expires`.
    let mut opts = ProofOptions::new(holder().verification_method(), ProofPurpose::Authentication)
        .created_at_ms(NOW - 600_000);
    opts = opts.expires_at_ms(NOW - 300_000);
    let vp = holder()
        .sign_with(
            &humanos_vc::issue::presentation(holder().did(), vec![mandate()]),
            &opts,
        )
        .unwrap();
    assert_eq!(deny(&vp, &VerifyRequest::new()).reason, Reason::Expired);
}

#[test]
fn reason_not_yet_valid() {
    let mut unsigned = mandate_unsigned();
    unsigned["validFrom"] = "2026-07-01T00:00:00Z".into();
    let f = deny(
        &vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None),
        &VerifyRequest::new(),
    );
    assert_eq!(f.reason, Reason::NotYetValid);
    // A VP created an hour in the future.
    let vp = holder()
        .sign_presentation(
            &humanos_vc::issue::presentation(holder().did(), vec![mandate()]),
            NOW + 3_600_000,
            None,
            None,
        )
        .unwrap();
    assert_eq!(deny(&vp, &VerifyRequest::new()).reason, Reason::NotYetValid);
}

#[test]
fn reason_vp_domain_mismatch() {
    assert_eq!(
        deny(&vp(), &VerifyRequest::new().domain("evil.example")).reason,
        Reason::VpDomainMismatch
    );
    let unbound = vp_of(vec![mandate()], &holder(), None, None);
    assert_eq!(
        deny(&unbound, &VerifyRequest::new().domain("shop.example")).reason,
        Reason::VpDomainMismatch
    );
}

#[test]
fn reason_vp_challenge_mismatch() {
    let f = deny(
        &vp(),
        &VerifyRequest::new()
            .domain("shop.example")
            .challenge("nonce-2"),
    );
    assert_eq!(f.reason, Reason::VpChallengeMismatch);
    assert_eq!(f.reason.api_equivalent(), Some(Reason::VpDomainMismatch));
}

#[test]
fn reason_action_not_found() {
    let check =
        RuleCheck::new(vec![Rule::new("true")], json!({})).for_action("urn:via:action:other");
    assert_eq!(
        deny(&vp(), &bound().rules(check)).reason,
        Reason::ActionNotFound
    );
    // A VP whose only credential is not a mandate.
    let mut unsigned = mandate_unsigned();
    unsigned["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("mandate");
    let vp = vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None);
    let check = RuleCheck::new(vec![Rule::new("true")], json!({}));
    assert_eq!(
        deny(&vp, &VerifyRequest::new().rules(check)).reason,
        Reason::ActionNotFound
    );
}

#[test]
fn reason_execution_params_invalid() {
    assert_eq!(
        deny(&vp(), &bound().rules(purchase_rules(json!([5000])))).reason,
        Reason::ExecutionParamsInvalid
    );
    let definition = json!({
        "executionParams": {"amount": {"type": "number"}, "category": {"type": "string"}},
        "rules": ["executionParams.amount <= userParams.maxAmount"]
    });
    let check = RuleCheck::from_action_definition(
        &definition,
        json!({"amount": 1, "category": "BOOKS", "tip": 5}),
    );
    assert_eq!(
        deny(&vp(), &bound().rules(check)).reason,
        Reason::ExecutionParamsInvalid
    );
    let check = RuleCheck::from_action_definition(&definition, json!({"amount": 1}));
    assert_eq!(
        deny(&vp(), &bound().rules(check)).reason,
        Reason::ExecutionParamsInvalid
    );
    let check =
        RuleCheck::from_action_definition(&definition, json!({"amount": 1, "category": "BOOKS"}));
    verifier()
        .verify_presentation_with(&vp(), &keys(), &bound().rules(check))
        .unwrap();
}

#[test]
fn reason_rule_failed_with_per_rule_evaluations() {
    let f = deny(
        &vp(),
        &bound().rules(purchase_rules(
            json!({"amount": 50000, "category": "FLIGHTS"}),
        )),
    );
    assert_eq!(f.reason, Reason::RuleFailed);
    assert_eq!(f.evaluations.len(), 2);
    assert!(
        f.evaluations
            .iter()
            .all(|e| e.result == EvaluationResult::Fail)
    );
    let body = f.to_deny_response(true);
    assert_eq!(body["statusCode"], 403);
    assert_eq!(body["decision"], "deny");
    assert_eq!(body["reason"], "rule_failed");
    assert_eq!(
        body["credentialId"],
        "urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11"
    );
    assert_eq!(
        body["evaluations"][0],
        json!({"rule": "executionParams.amount <= userParams.maxAmount", "result": "fail", "reason": "rule evaluated to false"})
    );
    // One passes, one fails.
    let f = deny(
        &vp(),
        &bound().rules(purchase_rules(json!({"amount": 10, "category": "FLIGHTS"}))),
    );
    assert_eq!(f.evaluations[0].result, EvaluationResult::Pass);
    assert_eq!(f.evaluations[1].result, EvaluationResult::Fail);
    // A rule on a field the agent did not send is an error, which denies too.
    let f = deny(
        &vp(),
        &bound().rules(purchase_rules(json!({"category": "BOOKS"}))),
    );
    assert_eq!(f.reason, Reason::RuleFailed);
    assert_eq!(f.evaluations[0].result, EvaluationResult::Error);
}

#[test]
fn reason_vp_malformed() {
    let v = verifier();
    let k = keys();
    for bad in [
        json!(null),
        json!("vp"),
        json!({"type": ["VerifiableCredential"], "verifiableCredential": [mandate()]}),
        json!({"type": "VerifiablePresentation", "verifiableCredential": []}),
        json!({"type": "VerifiablePresentation"}),
    ] {
        assert_eq!(
            v.verify_presentation_with(&bad, &k, &VerifyRequest::new())
                .unwrap_err()
                .reason,
            Reason::VpMalformed,
            "{bad}"
        );
    }
    // A credential with an unparseable validUntil (signed that way).
    let mut unsigned = mandate_unsigned();
    unsigned["validUntil"] = "soon".into();
    let vp = vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None);
    assert_eq!(deny(&vp, &VerifyRequest::new()).reason, Reason::VpMalformed);
    assert_eq!(Reason::VpMalformed.api_equivalent(), None);
}

#[test]
fn reason_proof_purpose_mismatch() {
    let opts = ProofOptions::new(
        holder().verification_method(),
        ProofPurpose::AssertionMethod,
    )
    .created_at_ms(NOW);
    let vp = holder()
        .sign_with(
            &humanos_vc::issue::presentation(holder().did(), vec![mandate()]),
            &opts,
        )
        .unwrap();
    assert_eq!(
        deny(&vp, &VerifyRequest::new()).reason,
        Reason::ProofPurposeMismatch
    );
    // A credential signed for authentication.
    let opts = ProofOptions::new(issuer().verification_method(), ProofPurpose::Authentication)
        .created_at_ms(NOW);
    let vc = issuer().sign_with(&mandate_unsigned(), &opts).unwrap();
    assert_eq!(
        deny(
            &vp_of(vec![vc], &holder(), None, None),
            &VerifyRequest::new()
        )
        .reason,
        Reason::ProofPurposeMismatch
    );
}

#[test]
fn reason_unsupported_cryptosuite() {
    let mut vp = vp();
    vp["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    assert_eq!(deny(&vp, &bound()).reason, Reason::UnsupportedCryptosuite);
    let mut vc = mandate();
    vc["proof"]["type"] = "Ed25519Signature2020".into();
    assert_eq!(
        deny(
            &vp_of(vec![vc], &holder(), None, None),
            &VerifyRequest::new()
        )
        .reason,
        Reason::UnsupportedCryptosuite
    );
}

#[test]
fn reason_credential_signer_unknown() {
    // Signed by a stranger's key while claiming the Humanos issuer.
    let vc = stranger()
        .sign_credential(&mandate_unsigned(), NOW)
        .unwrap();
    let f = deny(
        &vp_of(vec![vc], &holder(), None, None),
        &VerifyRequest::new(),
    );
    assert_eq!(f.reason, Reason::CredentialSignerUnknown);
    assert_eq!(
        f.credential_id.as_deref(),
        Some("urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11")
    );
    // Signed through a verification method nobody can resolve.
    let ghost = Signer::new(
        Ed25519SigningKey::from_bytes(&[7; 32]),
        "did:web:ghost.example#k",
    );
    let vc = ghost.sign_credential(&mandate_unsigned(), NOW).unwrap();
    assert_eq!(
        deny(
            &vp_of(vec![vc], &holder(), None, None),
            &VerifyRequest::new()
        )
        .reason,
        Reason::CredentialSignerUnknown
    );
}

#[test]
fn reason_credential_signature_invalid() {
    // The holder raises their own limit and re-signs the VP: the VP proof is valid, the
    // mandate's is not.
    let mut vc = mandate();
    vc["credentialSubject"]["mandate"]["userParams"]["maxAmount"]["value"] = json!(1_000_000);
    let f = deny(
        &vp_of(vec![vc], &holder(), None, None),
        &VerifyRequest::new(),
    );
    assert_eq!(f.reason, Reason::CredentialSignatureInvalid);
    assert_eq!(f.reason.api_equivalent(), Some(Reason::VpSignatureInvalid));
    let mut vc = mandate();
    vc.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        deny(
            &vp_of(vec![vc], &holder(), None, None),
            &VerifyRequest::new()
        )
        .reason,
        Reason::CredentialSignatureInvalid
    );
}

#[test]
fn reason_issuer_untrusted() {
    let v = verifier().with_trusted_issuers(["did:web:humanos.example"]);
    let f = v
        .verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap_err();
    assert_eq!(f.reason, Reason::IssuerUntrusted);
    let v = verifier().with_trusted_issuers([issuer().did()]);
    v.verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
}

#[test]
fn reason_holder_mismatch() {
    let vp = stranger()
        .sign_presentation(
            &humanos_vc::issue::presentation(holder().did(), vec![mandate()]),
            NOW,
            None,
            None,
        )
        .unwrap();
    // Denied by default (holder binding is on)...
    let f = verifier()
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap_err();
    assert_eq!(f.reason, Reason::HolderMismatch);
    verifier()
        .verify_presentation_with(&super_vp(), &keys(), &bound())
        .unwrap();
    // ...accepted only when the caller opts out.
    verifier()
        .require_holder_binding(false)
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap();
}

#[test]
fn reason_credential_suspended() {
    let mut unsigned = mandate_unsigned();
    unsigned["credentialStatus"]["statusPurpose"] = "suspension".into();
    let vp = vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None);
    let list = status_list("suspension", &[STATUS_INDEX], &issuer());
    let f = deny(&vp, &VerifyRequest::new().status_list(list_for(&list)));
    assert_eq!(f.reason, Reason::CredentialSuspended);
}

#[test]
fn reason_status_unavailable() {
    // Required but not supplied.
    let v = verifier().with_status_policy(StatusPolicy::Require);
    assert_eq!(
        v.verify_presentation_with(&vp(), &keys(), &bound())
            .unwrap_err()
            .reason,
        Reason::StatusUnavailable
    );
    // A list from another issuer is refused when verified against the credential...
    let foreign = list_for(&status_list("revocation", &[], &stranger()));
    assert_eq!(
        deny(&vp(), &bound().status_list(foreign)).reason,
        Reason::StatusUnavailable
    );
    // ...a list for another purpose too...
    let other = list_for(&status_list("suspension", &[], &issuer()));
    assert_eq!(
        deny(&vp(), &bound().status_list(other)).reason,
        Reason::StatusUnavailable
    );
    // ...and a tampered list never verifies.
    let mut list = status_list("revocation", &[STATUS_INDEX], &issuer());
    list["credentialSubject"]["encodedList"] = humanos_vc::status::Bitstring::zeros(131_072)
        .encode()
        .into();
    let f = verifier().verify_status_list(&list, &keys()).unwrap_err();
    assert_eq!(f.reason, Reason::StatusUnavailable);
    // Skip policy ignores the status entirely.
    let skip = verifier().with_status_policy(StatusPolicy::Skip);
    let revoked = list_for(&status_list("revocation", &[STATUS_INDEX], &issuer()));
    skip.verify_presentation_with(&vp(), &keys(), &bound().status_list(revoked))
        .unwrap();
}

#[test]
fn every_reason_round_trips_its_wire_string() {
    for r in Reason::ALL {
        assert_eq!(Reason::parse(r.as_str()), r);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(serde_json::from_value::<Reason>(json).unwrap(), r);
        if r.is_api_reason() {
            assert_eq!(r.api_equivalent(), Some(r.clone()));
        }
    }
    // Only the API can say verifier_not_authorized (it needs the caller's organization);
    // it and unknown values still parse and round-trip.
    assert_eq!(
        Reason::parse("verifier_not_authorized"),
        Reason::VerifierNotAuthorized
    );
    assert_eq!(
        Reason::parse("quota_exceeded"),
        Reason::Unknown("quota_exceeded".into())
    );
    assert_eq!(Reason::parse("quota_exceeded").as_str(), "quota_exceeded");
    let api: Vec<&str> = Reason::ALL
        .iter()
        .filter(|r| r.is_api_reason())
        .map(|r| r.as_str())
        .collect();
    assert_eq!(
        api,
        [
            "vp_signer_unknown",
            "vp_signature_invalid",
            "credential_revoked",
            "expired",
            "not_yet_valid",
            "verifier_not_authorized",
            "vp_domain_mismatch",
            "action_not_found",
            "execution_params_invalid",
            "rule_failed"
        ]
    );
}

#[test]
fn hostile_inputs_never_panic() {
    let v = verifier();
    let k = keys();
    let base = vp();
    let mut cases = Vec::new();
    for (ptr, val) in [
        ("/proof/verificationMethod", json!(42)),
        ("/proof/verificationMethod", json!("did:")),
        ("/proof/verificationMethod", json!("did:key:z")),
        (
            "/proof/verificationMethod",
            json!("did:key:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
        ),
        (
            "/proof/verificationMethod",
            json!(format!("did:key:{}", "z".repeat(100_000))),
        ),
        ("/proof/created", json!("9999-99-99T99:99:99Z")),
        ("/proof/expires", json!(17)),
        ("/proof/domain", json!({"x": 1})),
        ("/proof/proofValue", json!("z".repeat(10_000))),
        ("/verifiableCredential/0/proof", json!([1, 2])),
        ("/verifiableCredential/0/issuer", json!({"id": 5})),
        (
            "/verifiableCredential/0/credentialStatus",
            json!({"type": "BitstringStatusListEntry", "statusListIndex": "-1"}),
        ),
        ("/verifiableCredential/0/credentialStatus", json!([null])),
        (
            "/verifiableCredential/0/credentialStatus/statusSize",
            json!(8),
        ),
        ("/verifiableCredential/0/validFrom", json!(1.5e308)),
        (
            "/verifiableCredential/0",
            json!({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,eyJ"}),
        ),
    ] {
        let mut vp = base.clone();
        let (parent, last) = ptr.rsplit_once('/').unwrap();
        match vp.pointer_mut(parent).unwrap() {
            Value::Object(o) => {
                o.insert(last.to_owned(), val);
            }
            Value::Array(a) => a[last.parse::<usize>().unwrap()] = val,
            _ => unreachable!(),
        }
        cases.push(vp);
    }
    let list = list_for(&status_list("revocation", &[], &issuer()));
    for vp in cases {
        let r = v.verify_presentation_with(&vp, &k, &bound().status_list(list.clone()));
        assert!(r.is_err(), "{vp}");
    }
    // Deeply nested JSON in a rule's input and a pathological rule.
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let check = RuleCheck::new(
        vec![
            Rule::new("(".repeat(100) + "1" + &")".repeat(100)),
            Rule::new("x".repeat(10_000)),
            Rule::new("executionParams.d[0] == 1"),
        ],
        json!({"d": deep}),
    );
    let f = v
        .verify_presentation_with(&base, &k, &bound().rules(check))
        .unwrap_err();
    assert_eq!(f.reason, Reason::RuleFailed);
    assert_eq!(
        f.evaluations[0].result,
        EvaluationResult::Error,
        "{:?}",
        f.evaluations
    );
    assert_eq!(
        f.evaluations[1].result,
        EvaluationResult::Error,
        "{:?}",
        f.evaluations
    );
    assert_ne!(
        f.evaluations[2].result,
        EvaluationResult::Pass,
        "{:?}",
        f.evaluations
    );
    let _ = Signer::did_key(Ed25519SigningKey::generate().unwrap());
    let _ = DidDocument::from_slice(&vec![b' '; 300 * 1024]).unwrap_err();
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
    let cold = verifier().with_signature_cache(0);
    cold.verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap();
}
