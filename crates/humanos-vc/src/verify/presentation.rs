//! Verifying a presentation: its proof and audience binding, the holder binding of every
//! embedded credential, the rule pre-check; and the async path that resolves DIDs and
//! fetches status lists first.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::cache::KnownCredential;
use super::proof_check::{Kind, Transformed};
use super::{
    RuleCheck, StatusPolicy, VerifiedCredential, VerifiedPresentation, Verifier, VerifyFailure,
    VerifyRequest,
};
use crate::did::{
    DidResolver, KeyLookup, ResolveError, ResolvedDocuments, ResolvedKey, split_did_url, truncate,
};
use crate::proof::{eddsa_jcs_2022, single_proof};
use crate::reason::Reason;
use crate::rules::{VerifyEvaluation, evaluate_rules, user_params_from_mandate};
use crate::split_hash::CredentialDigest;
use crate::status::StatusEntry;

impl Verifier {
    /// Verifies a presentation with keys at hand, without any executor: the VP proof
    /// (`authentication`, domain and challenge when expected), every embedded credential
    /// (proof by `assertionMethod` from its issuer, validity, status), then the rules.
    pub fn verify_presentation_with(
        &self,
        vp: &Value,
        keys: &dyn KeyLookup,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        self.verify_presentation_inner(vp, keys, request)
            .map_err(|mut f| {
                if f.credential_id.is_none() {
                    f.credential_id = credentials_of(vp).ok().and_then(|c| {
                        c.first()
                            .and_then(|c| c.get("id"))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    });
                }
                f
            })
    }

    fn verify_presentation_inner(
        &self,
        vp: &Value,
        keys: &dyn KeyLookup,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        let obj = vp.as_object().ok_or_else(|| {
            VerifyFailure::new(Reason::VpMalformed, "the presentation is not a JSON object")
        })?;
        if !has_type(obj, "VerifiablePresentation") {
            return Err(VerifyFailure::new(
                Reason::VpMalformed,
                "`type` does not include VerifiablePresentation",
            ));
        }
        let credentials = credentials_of(vp)?;
        // Each credential is canonicalized once, for the presentation's digest and its own, or
        // not at all when it verified before.
        let mut shared = Vec::new();
        let key = self.check_proof_with(
            vp,
            keys,
            &Kind::Presentation,
            Transformed::SharingCredentials {
                cache: self.signature_cache.as_deref(),
                credentials: &mut shared,
            },
        )?;
        // check_proof succeeded, so the single proof object exists.
        let proof = single_proof(obj)
            .map_err(|e| VerifyFailure::new(Reason::VpMalformed, e.to_string()))?;
        check_audience(proof, request)?;
        let holder = obj
            .get("holder")
            .and_then(|h| h.as_str().or_else(|| h.get("id").and_then(Value::as_str)));
        if self.require_holder_binding && holder != Some(key.controller.as_str()) {
            return Err(VerifyFailure::new(
                Reason::HolderMismatch,
                format!(
                    "the presentation is signed by `{}`, not by its holder",
                    truncate(&key.controller)
                ),
            ));
        }
        let verified = self.verify_embedded(credentials, keys, request, &key, shared)?;
        let evaluations = match &request.rules {
            Some(check) => passing_rules(credentials, check)?,
            None => Vec::new(),
        };
        Ok(VerifiedPresentation {
            holder: holder.map(str::to_owned),
            verification_method: key.id,
            status_checked: verified.iter().all(|c| c.status_checked),
            credentials: verified,
            rules_checked: request.rules.is_some(),
            evaluations,
        })
    }

    /// Verifies every embedded credential and, under holder binding, that each one names
    /// the presentation's signer. Keeps those that verify in the signature cache.
    fn verify_embedded(
        &self,
        credentials: &[Value],
        keys: &dyn KeyLookup,
        request: &VerifyRequest,
        signer: &ResolvedKey,
        shared: Vec<CredentialDigest<Arc<KnownCredential>>>,
    ) -> Result<Vec<VerifiedCredential>, VerifyFailure> {
        let mut verified = Vec::with_capacity(credentials.len());
        let mut shared = shared.into_iter();
        for c in credentials {
            let had = shared.next();
            let (transformed, fresh) = match &had {
                Some(CredentialDigest::Known(known)) => (Transformed::Verified(known), None),
                Some(CredentialDigest::Own { digest, canonical }) => (
                    Transformed::Known(*digest),
                    canonical.as_deref().map(|c| (*digest, c)),
                ),
                Some(CredentialDigest::Unshared) | None => (Transformed::Canonical, None),
            };
            let (credential, public_key) =
                self.verify_credential_as(c, keys, &request.status_lists, transformed)?;
            if self.require_holder_binding && !binds(c, &signer.controller) {
                return Err(VerifyFailure {
                    credential_id: credential.id,
                    ..VerifyFailure::new(
                        Reason::HolderMismatch,
                        format!(
                            "the presentation is signed by `{}`, which the credential names \
                             neither as its subject nor among its authorizedDIDs",
                            truncate(&signer.controller)
                        ),
                    )
                });
            }
            if let (Some((digest, canonical)), Some(cache)) = (fresh, &self.signature_cache) {
                // Its hash data and signature again, from the digest had above (cheap next to
                // the canonicalization; only the first time a credential is seen).
                if let Ok((hash_data, signature)) =
                    eddsa_jcs_2022::verification_input_by(c, |_, _| Ok(digest))
                {
                    cache.remember(c, canonical, hash_data, signature, public_key);
                }
            }
            verified.push(credential);
        }
        Ok(verified)
    }

    /// Verifies a presentation, resolving every DID it needs through `resolver` (wrap it
    /// in a [`CachingResolver`](crate::did::CachingResolver)) and fetching missing status
    /// lists through the configured [`StatusListFetcher`](super::StatusListFetcher), then
    /// runs the same checks as [`verify_presentation_with`](Self::verify_presentation_with).
    pub async fn verify_presentation(
        &self,
        vp: &Value,
        resolver: &dyn DidResolver,
        request: &VerifyRequest,
    ) -> Result<VerifiedPresentation, VerifyFailure> {
        let mut dids = Vec::new();
        push_signer_did(&mut dids, vp);
        let creds = credentials_of(vp).unwrap_or_default();
        for c in creds {
            push_signer_did(&mut dids, c);
        }
        let fetched = self.fetch_status_lists(creds, request).await;
        for (_, list) in &fetched {
            push_signer_did(&mut dids, list);
        }
        let docs = resolve_all(resolver, dids).await;
        if fetched.is_empty() {
            return self.verify_presentation_with(vp, &docs, request);
        }
        let mut request = request.clone();
        for (url, list) in fetched {
            // An invalid fetched list counts as unavailable; under `Require` that denies.
            if let Ok(v) = self.verify_status_list(&list, &docs)
                && v.id == url
            {
                request.status_lists.insert(url, Arc::new(v));
            }
        }
        self.verify_presentation_with(vp, &docs, &request)
    }

    /// Fetches, through the configured fetcher, every status list the credentials name
    /// and the request does not supply (none under [`StatusPolicy::Skip`]). A list that
    /// cannot be fetched is left out.
    async fn fetch_status_lists(
        &self,
        creds: &[Value],
        request: &VerifyRequest,
    ) -> Vec<(String, Value)> {
        let mut fetched: Vec<(String, Value)> = Vec::new();
        let Some(fetcher) = &self.fetcher else {
            return fetched;
        };
        if self.status_policy == StatusPolicy::Skip {
            return fetched;
        }
        for c in creds {
            let entries = c
                .as_object()
                .map(StatusEntry::from_credential)
                .and_then(Result::ok)
                .unwrap_or_default();
            for e in entries {
                let url = e.status_list_credential;
                if request.status_lists.contains_key(&url) || fetched.iter().any(|(u, _)| u == &url)
                {
                    continue;
                }
                if let Ok(list) = fetcher.fetch(&url).await {
                    fetched.push((url, list));
                }
            }
        }
        fetched
    }
}

/// Adds the DID of `doc`'s proof's verification method to `dids`, once.
fn push_signer_did(dids: &mut Vec<String>, doc: &Value) {
    if let Some(vm) = doc
        .as_object()
        .and_then(|o| single_proof(o).ok())
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        && let Ok((did, _)) = split_did_url(vm)
        && !dids.iter().any(|d| d == did)
    {
        dids.push(did.to_owned());
    }
}

/// Resolves each DID, keeping the error of any that fails or answers for another DID.
async fn resolve_all(resolver: &dyn DidResolver, dids: Vec<String>) -> ResolvedDocuments {
    let mut docs = ResolvedDocuments::default();
    for did in dids {
        let r = resolver.resolve(&did).await.and_then(|d| {
            if d.id == did {
                Ok(d)
            } else {
                Err(ResolveError::InvalidDocument(format!(
                    "resolver answered for `{}`",
                    truncate(&d.id)
                )))
            }
        });
        docs.docs.insert(did, r);
    }
    docs
}

/// The audience binding: `proof.domain` (one or several) and `proof.challenge`, when the
/// request expects them.
fn check_audience(
    proof: &Map<String, Value>,
    request: &VerifyRequest,
) -> Result<(), VerifyFailure> {
    if let Some(expected) = &request.domain {
        let ok = match proof.get("domain") {
            Some(Value::String(d)) => d == expected,
            Some(Value::Array(ds)) => ds.iter().any(|d| d.as_str() == Some(expected.as_str())),
            _ => false,
        };
        if !ok {
            return Err(VerifyFailure::new(
                Reason::VpDomainMismatch,
                format!("the presentation is not bound to `{}`", truncate(expected)),
            ));
        }
    }
    if let Some(expected) = &request.challenge
        && proof.get("challenge").and_then(Value::as_str) != Some(expected.as_str())
    {
        return Err(VerifyFailure::new(
            Reason::VpChallengeMismatch,
            "the presentation's challenge is not the expected one",
        ));
    }
    Ok(())
}

/// Runs the rule pre-check; every evaluation passes or the presentation is denied with
/// [`Reason::RuleFailed`] and the evaluations.
fn passing_rules(
    credentials: &[Value],
    check: &RuleCheck,
) -> Result<Vec<VerifyEvaluation>, VerifyFailure> {
    let (mandate_id, evaluations) = run_rules(credentials, check)?;
    if evaluations.iter().any(|e| !e.passed()) {
        return Err(VerifyFailure {
            reason: Reason::RuleFailed,
            message: "at least one rule of the action did not pass".into(),
            credential_id: mandate_id,
            evaluations,
        });
    }
    Ok(evaluations)
}

fn run_rules(
    credentials: &[Value],
    check: &RuleCheck,
) -> Result<(Option<String>, Vec<VerifyEvaluation>), VerifyFailure> {
    let mandate = credentials
        .iter()
        .find(|c| c.pointer("/credentialSubject/mandate").is_some())
        .ok_or_else(|| {
            VerifyFailure::new(
                Reason::ActionNotFound,
                "the presentation carries no mandate",
            )
        })?;
    let mandate_id = mandate.get("id").and_then(Value::as_str).map(str::to_owned);
    let with_id = |mut f: VerifyFailure| {
        f.credential_id.clone_from(&mandate_id);
        f
    };
    if let Some(action) = &check.action_id {
        let pinned = mandate
            .pointer("/credentialSubject/mandate/action/id")
            .and_then(Value::as_str);
        if pinned != Some(action.as_str()) {
            return Err(with_id(VerifyFailure::new(
                Reason::ActionNotFound,
                format!("the mandate does not pin action `{}`", truncate(action)),
            )));
        }
    }
    let params = check.execution_params.as_object().ok_or_else(|| {
        with_id(VerifyFailure::new(
            Reason::ExecutionParamsInvalid,
            "executionParams must be a JSON object",
        ))
    })?;
    if let Some(declared) = &check.declared_execution_params {
        if let Some(extra) = params.keys().find(|k| !declared.contains(k)) {
            return Err(with_id(VerifyFailure::new(
                Reason::ExecutionParamsInvalid,
                format!("executionParams has undeclared field `{}`", truncate(extra)),
            )));
        }
        if let Some(missing) = declared.iter().find(|k| !params.contains_key(*k)) {
            return Err(with_id(VerifyFailure::new(
                Reason::ExecutionParamsInvalid,
                format!(
                    "executionParams lacks declared field `{}`",
                    truncate(missing)
                ),
            )));
        }
    }
    let user = user_params_from_mandate(mandate);
    Ok((
        mandate_id,
        evaluate_rules(&check.rules, &user, &check.execution_params),
    ))
}

/// Whether `credential` names `did` as a subject (`credentialSubject.id`, one subject or
/// several) or among its mandate's `context.authorizedDIDs`: the DIDs the API lets create
/// presentations of it.
fn binds(credential: &Value, did: &str) -> bool {
    let subjects = match credential.get("credentialSubject") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(v) => std::slice::from_ref(v),
        None => &[],
    };
    subjects.iter().any(|s| {
        s.get("id").and_then(Value::as_str) == Some(did)
            || s.pointer("/mandate/context/authorizedDIDs")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(did)))
    })
}

fn has_type(obj: &Map<String, Value>, t: &str) -> bool {
    match obj.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(t)),
        _ => false,
    }
}

fn credentials_of(vp: &Value) -> Result<&[Value], VerifyFailure> {
    let creds = match vp.get("verifiableCredential") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(v @ Value::Object(_)) => std::slice::from_ref(v),
        _ => &[],
    };
    if creds.is_empty() {
        return Err(VerifyFailure::new(
            Reason::VpMalformed,
            "the presentation carries no verifiableCredential",
        ));
    }
    Ok(creds)
}
