//! Mandates: issuing signed credentials on accept, the status list, presentations,
//! verification, revocation and the signed audit chain.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use humanos_models::JsonObject;
use humanos_signing::wire_json;
use humanos_vc::did::{DidKeyResolver, StaticResolver};
use humanos_vc::issue::CREDENTIALS_V2_CONTEXT;
use humanos_vc::status::{Bitstring, status_list_subject};
use humanos_vc::{Reason, RuleCheck, StatusPolicy, Verifier, VerifyFailure, VerifyRequest};
use serde_json::{Value, json};
use sha2::Digest;

use crate::context::Context;
use crate::records::{
    ACTION, ActionPin, ActionRec, CREDENTIAL, CredentialRec, CredentialStatus, EventKind, REQUEST,
    RequestRec, USER, UserRec,
};
use crate::store::SandboxStoreError;
use crate::util;

/// Bits in the sandbox's status list (the W3C minimum, 16 KiB).
pub(crate) const STATUS_LIST_BITS: usize = 131_072;
/// Context of VIA mandate credentials.
pub(crate) const MANDATE_CONTEXT: &str = "https://via.humanos.id/contexts/mandate/v1";

/// `sha256-<base64>` of the JCS canonical form of `value`.
pub(crate) fn digest_sri(value: &Value) -> String {
    let bytes = humanos_vc::jcs::canonicalize(value).unwrap_or_default();
    format!("sha256-{}", STANDARD.encode(sha2::Sha256::digest(&bytes)))
}

fn clock_of(state: &Context) -> impl humanos_signing::Clock + 'static {
    let clock = state.clock.clone();
    move || clock.now_unix_ms()
}

/// The verifier the sandbox checks presentations with.
pub(crate) fn verifier(state: &Context) -> Verifier {
    Verifier::new()
        .clock(clock_of(state))
        .trusted_issuers([state.issuer.did().to_owned()])
        .require_holder_binding(true)
        .status_policy(StatusPolicy::Require)
}

/// Issues (signs and stores) the mandate credentials of one accepted subject.
pub(crate) fn issue_credential(
    state: &Context,
    rec: &mut CredentialRec,
    user: &UserRec,
) -> Result<(), SandboxStoreError> {
    let now = state.now_ms();
    let grantor = state.user_signer(&user.id);
    let index = state.store.next_counter("status_index")?;
    let list = state.status_list_url();
    let mut subject = JsonObject::new();
    if let Some(pin) = &rec.action {
        subject.insert("id".into(), state.agent.did().into());
        let authorized = authorized_dids(state, rec)?;
        let mandate = mandate_claim(state, rec, pin, grantor.did(), authorized)?;
        subject.insert("mandate".into(), mandate);
    } else {
        subject.insert("id".into(), grantor.did().into());
        subject.insert("name".into(), rec.name.clone().into());
        if let Some(data) = &rec.data {
            subject.insert("data".into(), data.clone().into());
        }
    }
    let mut vc = json!({
        "@context": [CREDENTIALS_V2_CONTEXT, MANDATE_CONTEXT],
        "id": rec.id,
        "type": ["VerifiableCredential", if rec.action.is_some() { "ViaMandateCredential" } else { "ViaCredential" }],
        "issuer": state.issuer.did(),
        "validFrom": rec.valid_from.clone().unwrap_or_else(|| util::iso(now)),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{list}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": list,
        },
    });
    if let (Some(until), Some(o)) = (&rec.valid_until, vc.as_object_mut()) {
        o.insert("validUntil".into(), until.clone().into());
    }
    // The decision evidence, bound by digest as Humanos binds it, and fetchable with
    // `GET /credential/evidence/{id}`.
    if let (Some(id), Some(o)) = (&rec.evidence_id, vc.as_object_mut()) {
        o.insert("evidence".into(), evidence_claim(state, id)?);
    }
    let signed = state.issuer.sign_credential(&vc, now).unwrap_or(vc);
    rec.w3c = signed.as_object().cloned();
    rec.status_index = Some(index);
    rec.status = CredentialStatus::Active;
    rec.executions_remaining = rec.max_executions;
    Ok(())
}

/// The DIDs a mandate authorizes: the sandbox's agent, then the request's `authorizedDIDs`.
fn authorized_dids(state: &Context, rec: &CredentialRec) -> Result<Vec<Value>, SandboxStoreError> {
    let mut authorized = vec![Value::from(state.agent.did())];
    if let Some(req) = state.store.get::<RequestRec>(REQUEST, &rec.request_id)? {
        for did in req.authorized_dids {
            if !authorized.iter().any(|d| d.as_str() == Some(did.as_str())) {
                authorized.push(did.into());
            }
        }
    }
    Ok(authorized)
}

/// The `mandate` claim: grantor, scope, authorized DIDs, the pinned action version (by
/// digest), the user's parameters with the action's descriptions, `maxExecutions`.
fn mandate_claim(
    state: &Context,
    rec: &CredentialRec,
    pin: &ActionPin,
    grantor: &str,
    authorized: Vec<Value>,
) -> Result<Value, SandboxStoreError> {
    let action: Option<ActionRec> = state.store.get(ACTION, &pin.id)?;
    let version = action
        .as_ref()
        .and_then(|a| a.versions.iter().find(|v| v.version == pin.version));
    let declared = version
        .and_then(|v| v.content.get("userParams"))
        .and_then(Value::as_object);
    let mut user_params = JsonObject::new();
    for (name, value) in &pin.user_params {
        let description = declared
            .and_then(|d| d.get(name))
            .and_then(|d| d.get("description"))
            .and_then(Value::as_str)
            .unwrap_or(name);
        user_params.insert(
            name.clone(),
            json!({"description": description, "value": value}),
        );
    }
    let mut mandate = json!({
        "grantor": grantor,
        "scope": rec.scope.clone().unwrap_or_else(|| "agent.execute".into()),
        "context": {"authorizedDIDs": authorized},
        "action": {
            "id": pin.id,
            "digestSRI": version.map(|v| v.digest_sri.clone()).unwrap_or_default(),
            "location": format!("{}/actions/version/{}", state.base_url, pin.id),
        },
        "userParams": user_params,
    });
    if let (Some(max), Some(m)) = (rec.max_executions, mandate.as_object_mut()) {
        m.insert("maxExecutions".into(), max.into());
    }
    Ok(mandate)
}

/// The decision evidence, bound by digest as Humanos binds it, and fetchable with
/// `GET /credential/evidence/{id}`.
fn evidence_claim(state: &Context, id: &str) -> Result<Value, SandboxStoreError> {
    let content: Value = match state.store.evidence(id)? {
        Some(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        None => Value::Null,
    };
    Ok(json!([{
        "id": id,
        "digestSRI": digest_sri(&content),
        "location": format!("{}/credential/evidence/{id}", state.base_url),
    }]))
}

/// The signed status list credential, built from the stored revocations.
pub(crate) fn status_list_credential(
    state: &Context,
    url: &str,
) -> Result<Value, SandboxStoreError> {
    let mut bits = Bitstring::zeros(STATUS_LIST_BITS);
    for c in state.store.list::<CredentialRec>(CREDENTIAL)? {
        if let (true, Some(i)) = (c.revoked, c.status_index) {
            bits.set(i, true);
        }
    }
    let now = state.now_ms();
    let vc = json!({
        "@context": [CREDENTIALS_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": state.issuer.did(),
        "validFrom": util::iso(now.saturating_sub(60_000)),
        "validUntil": util::iso(now + 5 * 60_000),
        "credentialSubject": status_list_subject(&format!("{url}#list"), "revocation", &bits),
    });
    Ok(state.issuer.sign_credential(&vc, now).unwrap_or(vc))
}

/// Signs a presentation of `rec` by the sandbox-managed agent key.
pub(crate) fn presentation(
    state: &Context,
    rec: &CredentialRec,
    target_verifier: Option<&str>,
) -> Option<(JsonObject, String)> {
    let vc = Value::Object(rec.w3c.clone()?);
    let vp = humanos_vc::issue::presentation(state.agent.did(), vec![vc]);
    let challenge = target_verifier.map(|_| util::random_token(24));
    let signed = state
        .agent
        .sign_presentation(&vp, state.now_ms(), target_verifier, challenge.as_deref())
        .ok()?;
    let bytes = wire_json::value_to_vec(&signed).ok()?;
    Some((signed.as_object()?.clone(), STANDARD.encode(bytes)))
}

/// Decodes `presentationEncoded` (any base64 alphabet) into JSON.
pub(crate) fn decode_presentation(encoded: &str) -> Option<Value> {
    let encoded = encoded.trim();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(encoded).ok())?;
    serde_json::from_slice(&bytes).ok()
}

/// Verification outcome.
pub(crate) enum Outcome {
    Allow(Vec<humanos_vc::rules::VerifyEvaluation>),
    Deny(Denial),
}

/// A denial in the API's vocabulary.
pub(crate) struct Denial {
    /// The API reason (`credential_revoked`, `rule_failed`, ...).
    pub(crate) reason: String,
    pub(crate) message: String,
    pub(crate) evaluations: Vec<humanos_vc::rules::VerifyEvaluation>,
    /// The presentation is not a well-formed VP (the API answers 400).
    pub(crate) malformed: bool,
}

impl From<VerifyFailure> for Denial {
    fn from(f: VerifyFailure) -> Self {
        let malformed = f.reason == Reason::VpMalformed;
        let reason = f.reason.api_equivalent().unwrap_or(f.reason);
        Self {
            reason: reason.as_str().to_owned(),
            message: f.message,
            evaluations: f.evaluations,
            malformed,
        }
    }
}

/// Verifies `vp` for the stored credential `rec` with `execution_params`.
pub(crate) fn verify(
    state: &Context,
    rec: &CredentialRec,
    vp: &Value,
    execution_params: Value,
) -> Result<Outcome, SandboxStoreError> {
    let verifier = verifier(state);
    let keys = StaticResolver::new();
    // The list at the URL the credential names (the sandbox may have moved port since).
    let url = rec
        .w3c
        .as_ref()
        .and_then(|w| w.get("credentialStatus"))
        .and_then(|s| s.get("statusListCredential"))
        .and_then(Value::as_str)
        .map_or_else(|| state.status_list_url(), str::to_owned);
    let list = status_list_credential(state, &url)?;
    let mut request = VerifyRequest::new();
    if let Ok(verified) = verifier.verify_status_list(&list, &keys) {
        request = request.status_list(verified);
    }
    let deny = |reason: Reason, message: &str| {
        Outcome::Deny(Denial {
            reason: reason.as_str().to_owned(),
            message: message.to_owned(),
            evaluations: Vec::new(),
            malformed: false,
        })
    };
    if let Some(pin) = &rec.action {
        let action: Option<ActionRec> = state.store.get(ACTION, &pin.id)?;
        let Some(version) = action
            .as_ref()
            .and_then(|a| a.versions.iter().find(|v| v.version == pin.version))
        else {
            return Ok(deny(
                Reason::ActionNotFound,
                "the action this mandate pins no longer exists",
            ));
        };
        request = request.rules(
            RuleCheck::from_action_definition(
                &Value::Object(version.content.clone()),
                execution_params,
            )
            .action_id(pin.id.clone()),
        );
    }
    match verifier.verify_presentation_with(vp, &keys, &request) {
        Err(f) => Ok(Outcome::Deny(f.into())),
        Ok(ok) => {
            // The VP signer must be authorized by the mandate.
            let authorized = vp
                .pointer("/verifiableCredential/0/credentialSubject/mandate/context/authorizedDIDs")
                .and_then(Value::as_array)
                .is_none_or(|dids| {
                    dids.iter()
                        .any(|d| Some(d.as_str().unwrap_or_default()) == ok.holder.as_deref())
                });
            if !authorized {
                return Ok(deny(
                    Reason::VpSignerUnknown,
                    "the presentation's signer is not in the mandate's authorizedDIDs",
                ));
            }
            Ok(Outcome::Allow(ok.evaluations))
        }
    }
}

/// Appends a signed VIAEvent to the credential's chain.
pub(crate) fn record_event(
    state: &Context,
    credential_id: &str,
    event: EventKind,
    actor: &str,
    content: Value,
) -> Result<(), SandboxStoreError> {
    let previous = state
        .store
        .events(credential_id)?
        .last()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|v| {
            v.pointer("/signed/id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let now = state.now_ms();
    let doc = json!({
        "@context": [CREDENTIALS_V2_CONTEXT],
        "id": format!("urn:via:event:{}", util::uuid()),
        "type": ["VerifiableCredential", "VIAEvent"],
        "issuer": state.issuer.did(),
        "validFrom": util::iso(now),
        "credentialSubject": {
            "id": credential_id,
            "event": event.as_str(),
            "actor": actor,
            "previousEvent": previous,
            "contentDigest": digest_sri(&content),
        },
    });
    let signed = state.issuer.sign_credential(&doc, now).unwrap_or(doc);
    let row = json!({"signed": signed, "content": content, "at": now});
    state.store.push_event(credential_id, &row.to_string())?;
    tracing::info!(
        credential = credential_id,
        event = event.as_str(),
        "audit event"
    );
    Ok(())
}

/// Re-verifies a credential's event chain: `(events, ok)`.
pub(crate) fn audit(
    state: &Context,
    credential_id: &str,
) -> Result<(Vec<humanos_models::EventAuditEntity>, bool), SandboxStoreError> {
    let verifier = verifier(state);
    let keys = StaticResolver::new();
    let mut previous: Option<String> = None;
    let mut out = Vec::new();
    let mut all_ok = true;
    for row in state.store.events(credential_id)? {
        let row: Value = serde_json::from_str(&row)?;
        let signed = row.get("signed").cloned().unwrap_or(Value::Null);
        let subject = signed
            .get("credentialSubject")
            .cloned()
            .unwrap_or(Value::Null);
        let s = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let signature_valid = verifier
            .verify_credential_with(&signed, &keys, &HashMap::new())
            .is_ok();
        let content_bound = row
            .get("content")
            .is_some_and(|c| digest_sri(c) == s(&subject, "contentDigest"));
        let link = subject
            .get("previousEvent")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let chain_link_valid = link == previous;
        all_ok &= signature_valid && content_bound && chain_link_valid;
        previous = signed.get("id").and_then(Value::as_str).map(str::to_owned);
        out.push(
            humanos_models::EventAuditEntity::new(
                s(&signed, "id"),
                s(&subject, "event").as_str(),
                s(&subject, "actor"),
                s(&signed, "issuer"),
                s(&signed, "validFrom"),
                content_bound,
                signature_valid,
            )
            .chain_link_valid(chain_link_valid),
        );
    }
    Ok((out, all_ok))
}

/// Whether `did` is one the sandbox controls (issuer, agent or a user's grantor key).
pub(crate) fn known_did(state: &Context, did: &str) -> Result<bool, SandboxStoreError> {
    if did == state.issuer.did() || did == state.agent.did() {
        return Ok(true);
    }
    for u in state.store.list::<UserRec>(USER)? {
        if state.user_signer(&u.id).did() == did {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The DID document of a did:key.
pub(crate) fn did_document(did: &str) -> Option<humanos_models::DidDocumentEntity> {
    let doc = DidKeyResolver::document(did).ok()?;
    let ids: Vec<String> = doc
        .verification_method
        .iter()
        .map(|m| m.id.clone())
        .collect();
    Some(
        humanos_models::DidDocumentEntity::new(
            [
                "https://www.w3.org/ns/did/v1.1",
                "https://w3id.org/security/multikey/v1",
            ],
            doc.id.clone(),
            doc.verification_method
                .iter()
                .map(|m| {
                    humanos_models::VerificationMethodEntity::new(
                        m.id.clone(),
                        "Multikey",
                        m.controller.clone(),
                        m.public_key_multibase.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        )
        .authentication(ids.clone())
        .assertion_method(ids),
    )
}
