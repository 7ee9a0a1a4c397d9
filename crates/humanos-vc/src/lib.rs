//! Local verification of Humanos mandates and presentations.
//!
//! Mandates are W3C Verifiable Credentials and presentations are W3C Verifiable
//! Presentations, both secured with a `DataIntegrityProof` using the `eddsa-jcs-2022`
//! cryptosuite. This crate creates and verifies those proofs exactly as the W3C
//! "Data Integrity EdDSA Cryptosuites v1.0" Recommendation defines them (checked against
//! its published test vectors), and verifies whole presentations locally so a service can
//! reject a forged, expired, revoked or out-of-bounds presentation before it calls
//! `POST /credential/verify`.
//!
//! | Need | Items |
//! | --- | --- |
//! | Sign / verify one proof | [`add_proof`], [`proof::eddsa_jcs_2022`], [`ProofOptions`] |
//! | Keys (Multikey `z6Mk…`, JWK) | [`Ed25519PublicKey`], [`Ed25519SigningKey`] |
//! | Issue credentials and VPs | [`Signer`], [`issue::presentation`] |
//! | Verify a presentation | [`Verifier`], [`VerifyRequest`], [`VerifiedPresentation`], [`VerifyFailure`], [`Reason`] |
//! | Keys at hand (sync) | [`did::StaticResolver`], [`did::DidKeyResolver`], [`did::KeyLookup`] |
//! | DID resolution (async) | [`did::DidResolver`], [`did::CachingResolver`], `did_web::DidWebResolver` (feature `did-web`) |
//! | Revocation | [`status::Bitstring`], [`status::VerifiedStatusList`], [`StatusPolicy`] |
//! | CEL rule pre-check | [`rules::evaluate_rules`], [`RuleCheck`], [`rules::VerifyEvaluation`] (feature `cel`, default) |
//!
//! Local verification is a pre-check. The API stays authoritative for revocation
//! freshness and execution counts (`maxExecutions`): see `docs/vc.md`.
//!
//! # Example: issue a mandate, present it, verify it
//!
//! ```
//! use humanos_signing::FixedClock;
//! use humanos_vc::did::StaticResolver;
//! use humanos_vc::{Ed25519SigningKey, Reason, RuleCheck, Signer, Verifier, VerifyRequest, issue, rules::Rule};
//! use serde_json::json;
//!
//! let now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
//! let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[1; 32]));
//! let holder = Signer::did_key(Ed25519SigningKey::from_bytes(&[2; 32]));
//!
//! // The issuer signs a mandate (assertionMethod).
//! let mandate = issuer.sign_credential(&json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "id": "urn:via:credential:1",
//!     "type": ["VerifiableCredential", "ViaMandateCredential"],
//!     "issuer": issuer.did(),
//!     "validFrom": "2025-12-01T00:00:00Z",
//!     "validUntil": "2026-12-01T00:00:00Z",
//!     "credentialSubject": {
//!         "id": holder.did(),
//!         "mandate": {
//!             "scope": "agent.execute",
//!             "grantor": "did:example:alice",
//!             "context": {"authorizedDIDs": [holder.did()]},
//!             "userParams": {"maxAmount": {"description": "Cap", "value": 10000}}
//!         }
//!     }
//! }), now).unwrap();
//!
//! // The holder derives a VP bound to a verifier (authentication, domain + challenge).
//! let vp = holder
//!     .sign_presentation(&issue::presentation(holder.did(), vec![mandate]), now, Some("shop.example"), Some("n-123"))
//!     .unwrap();
//!
//! // The verifier checks it locally, synchronously, with did:key resolved in memory.
//! // It trusts only the issuers it is told to, and binds the VP's signer to the mandate.
//! let verifier = Verifier::new().clock(FixedClock(now)).trusted_issuers([issuer.did()]);
//! let request = VerifyRequest::new().domain("shop.example").challenge("n-123").rules(RuleCheck::new(
//!     vec![Rule::new("executionParams.amount <= userParams.maxAmount")],
//!     json!({"amount": 5000}),
//! ));
//! let ok = verifier.verify_presentation_with(&vp, &StaticResolver::new(), &request).unwrap();
//! assert_eq!(ok.credential_id(), Some("urn:via:credential:1"));
//!
//! // Out of bounds: denied with the API's reason and the per-rule evaluations.
//! let request = VerifyRequest::new().rules(RuleCheck::new(
//!     vec![Rule::new("executionParams.amount <= userParams.maxAmount")],
//!     json!({"amount": 50000}),
//! ));
//! let denied = verifier.verify_presentation_with(&vp, &StaticResolver::new(), &request).unwrap_err();
//! assert_eq!(denied.reason, Reason::RuleFailed);
//! assert_eq!(denied.evaluations[0].result.as_str(), "fail");
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod base58;
pub mod did;
#[cfg(feature = "did-web")]
pub mod did_web;
pub mod issue;
pub mod jcs;
pub mod keys;
pub mod proof;
pub mod reason;
pub mod rules;
mod split_hash;
pub mod status;
mod time;
pub mod verify;

pub use issue::Signer;
pub use keys::{Ed25519PublicKey, Ed25519SigningKey, KeyError};
pub use proof::{ProofError, ProofOptions, ProofPurpose, add_proof};
pub use reason::Reason;
pub use verify::{
    RuleCheck, StatusListFetcher, StatusPolicy, VerifiedCredential, VerifiedPresentation, Verifier,
    VerifyFailure, VerifyRequest,
};

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
