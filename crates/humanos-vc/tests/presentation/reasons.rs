//! One test per denial reason, and every reason's wire string.

use humanos_vc::did::StaticResolver;
use humanos_vc::rules::{EvaluationResult, Rule};
use humanos_vc::{
    Ed25519SigningKey, ProofOptions, ProofPurpose, Reason, RuleCheck, Signer, StatusPolicy,
    VerifyRequest,
};
use serde_json::{Value, json};

use super::{bound, deny, list_for, purchase_rules};
use crate::common::*;

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
        .verify_presentation_with(&super_vp(), &StaticResolver::new().did_key(false), &bound())
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
        RuleCheck::new(vec![Rule::new("true")], json!({})).action_id("urn:via:action:other");
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
    let v = verifier().trusted_issuers(["did:web:humanos.example"]);
    let f = v
        .verify_presentation_with(&vp(), &keys(), &bound())
        .unwrap_err();
    assert_eq!(f.reason, Reason::IssuerUntrusted);
    let v = verifier().trusted_issuers([issuer().did()]);
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
    let v = verifier().status_policy(StatusPolicy::Require);
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
    let skip = verifier().status_policy(StatusPolicy::Skip);
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
