//! `Verifier::new()` is secure by default (issue 15): it trusts no issuer until told, binds
//! the presentation's signer to each credential's subject, and denies a credential whose
//! status list cannot be checked. Each opt-out is explicit.

mod common;

use common::*;
use humanos_signing::FixedClock;
use humanos_vc::{Reason, StatusPolicy, Verifier, VerifyRequest, issue};
use serde_json::Value;

/// `Verifier::new()` with only the test clock: every other setting is the default.
fn default_verifier() -> Verifier {
    Verifier::new().clock(FixedClock(NOW))
}

fn with_list() -> VerifyRequest {
    let list = issuer_verifier()
        .verify_status_list(&status_list("revocation", &[], &issuer()), &keys())
        .unwrap();
    VerifyRequest::new().status_list(list)
}

/// The default verifier told to trust the fixture issuer, as a user names Humanos'.
fn issuer_verifier() -> Verifier {
    default_verifier().trusted_issuers([issuer().did()])
}

/// A mandate the stranger signed for itself with a fresh `did:key`.
fn self_issued_vp() -> Value {
    let me = stranger();
    let mut unsigned = mandate_unsigned();
    unsigned["issuer"] = me.did().into();
    unsigned["credentialSubject"]["id"] = me.did().into();
    unsigned["credentialSubject"]["mandate"]["context"]["authorizedDIDs"] = vec![me.did()].into();
    unsigned.as_object_mut().unwrap().remove("credentialStatus");
    let vc = me.sign_credential(&unsigned, NOW - 1_000).unwrap();
    me.sign_presentation(&issue::presentation(me.did(), vec![vc]), NOW, None, None)
        .unwrap()
}

#[test]
fn a_self_issued_mandate_is_denied_by_default() {
    let f = default_verifier()
        .verify_presentation_with(&self_issued_vp(), &keys(), &VerifyRequest::new())
        .unwrap_err();
    assert_eq!(f.reason, Reason::IssuerUntrusted, "{f}");
    assert!(f.message.contains("trusted_issuers"), "{f}");
    // Trusting someone else does not help it...
    let f = issuer_verifier()
        .verify_presentation_with(&self_issued_vp(), &keys(), &VerifyRequest::new())
        .unwrap_err();
    assert_eq!(f.reason, Reason::IssuerUntrusted, "{f}");
    // ...only the loudly named opt-out lets it through.
    default_verifier()
        .danger_accept_any_issuer()
        .verify_presentation_with(&self_issued_vp(), &keys(), &VerifyRequest::new())
        .unwrap();
}

#[test]
fn a_copied_mandate_in_a_foreign_presentation_is_denied_by_default() {
    // The stranger presents the holder's mandate as its own holder: the VP is well signed
    // and consistent, but the mandate names the holder, not the stranger.
    let me = stranger();
    let vp = me
        .sign_presentation(
            &issue::presentation(me.did(), vec![mandate()]),
            NOW,
            None,
            None,
        )
        .unwrap();
    let f = issuer_verifier()
        .verify_presentation_with(&vp, &keys(), &with_list())
        .unwrap_err();
    assert_eq!(f.reason, Reason::HolderMismatch, "{f}");
    assert_eq!(
        f.credential_id.as_deref(),
        mandate()["id"].as_str(),
        "names the copied credential"
    );
    // The rightful holder's presentation of the same mandate verifies.
    issuer_verifier()
        .verify_presentation_with(
            &vp_of(vec![mandate()], &holder(), None, None),
            &keys(),
            &with_list(),
        )
        .unwrap();
    // The opt-out restores the old behaviour.
    issuer_verifier()
        .require_holder_binding(false)
        .verify_presentation_with(&vp, &keys(), &with_list())
        .unwrap();
}

#[test]
fn a_signer_listed_in_authorized_dids_is_bound() {
    // The API lets every DID on the mandate's authorizedDIDs create VPs of it.
    let me = stranger();
    let mut unsigned = mandate_unsigned();
    unsigned["credentialSubject"]["mandate"]["context"]["authorizedDIDs"] =
        vec![holder().did(), me.did()].into();
    let vc = sign_mandate(&unsigned);
    let vp = me
        .sign_presentation(&issue::presentation(me.did(), vec![vc]), NOW, None, None)
        .unwrap();
    issuer_verifier()
        .verify_presentation_with(&vp, &keys(), &with_list())
        .unwrap();
}

#[test]
fn a_missing_status_list_is_denied_by_default() {
    let vp = vp_of(vec![mandate()], &holder(), None, None);
    let f = issuer_verifier()
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap_err();
    assert_eq!(f.reason, Reason::StatusUnavailable, "{f}");
    // The async path without a fetcher cannot get the list either.
    let f = block_on(issuer_verifier().verify_presentation(
        &vp,
        &humanos_vc::did::DidKeyResolver,
        &VerifyRequest::new(),
    ))
    .unwrap_err();
    assert_eq!(f.reason, Reason::StatusUnavailable, "{f}");
    // Supplied, it is checked...
    let ok = issuer_verifier()
        .verify_presentation_with(&vp, &keys(), &with_list())
        .unwrap();
    assert!(ok.status_checked);
    // ...and the opt-out accepts without it, saying so.
    let ok = issuer_verifier()
        .status_policy(StatusPolicy::CheckIfAvailable)
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new())
        .unwrap();
    assert!(!ok.status_checked);
}
