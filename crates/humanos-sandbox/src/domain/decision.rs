//! A subject's decision (hosted page, admin API): issue or reject, OTP failures.

use humanos_models::{CredentialEvent, OtpFailedEvent};
use serde_json::json;

use crate::context::Context;
use crate::domain::entities::{credential_entity, typed};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::load::load_request;
use crate::domain::{mandate, webhooks};
use crate::records::{
    CREDENTIAL, CredentialRec, CredentialStatus, EventKind, REQUEST, RequestRec, USER, UserRec,
};
use crate::util;

/// What one subject's decision did: who decided, and the credentials it issued or rejected
/// (that subject's only).
#[derive(Debug, Clone)]
pub(crate) struct Decided {
    pub(crate) request_id: String,
    pub(crate) contact: String,
    pub(crate) accept: bool,
    pub(crate) credential_ids: Vec<String>,
}

/// Applies the decision of the subject with `contact` (without one, the first undecided
/// subject): issues (accept) or rejects its credentials, records the events and queues the
/// `credential` webhooks.
pub(crate) fn decide(
    s: &Context,
    request_id: &str,
    contact: Option<&str>,
    accept: bool,
    surface: &str,
) -> DomainResult<Decided> {
    let mut r = load_request(s, request_id)?;
    if r.canceled_at.is_some() {
        return Err(DomainError::Invalid("Request is canceled".into()));
    }
    let idx = match contact {
        Some(c) => r
            .subjects
            .iter()
            .position(|x| x.contact.eq_ignore_ascii_case(c)),
        None => r.subjects.iter().position(|x| x.decision.is_none()),
    }
    .ok_or_else(|| {
        DomainError::NotFound(match contact {
            Some(_) => "No subject with that contact in this request".into(),
            None => "No undecided subject in this request: every subject has decided".into(),
        })
    })?;
    if r.subjects[idx].decision.is_some() {
        return Err(DomainError::Conflict(
            "This subject has already decided".into(),
        ));
    }
    let now = s.now_iso();
    let action = if accept { "accept" } else { "reject" };
    let sub = r.subjects[idx].clone();
    let user: UserRec = s
        .store
        .get(USER, &sub.user_id)?
        .ok_or_else(|| DomainError::NotFound("User not found".into()))?;
    let grantor = s.user_signer(&user.id);
    let decision = Decision {
        request: &r,
        contact: &sub.contact,
        user: &user,
        grantor: grantor.did(),
        accept,
        action,
        now: &now,
        surface,
    };
    for cid in &sub.credential_ids {
        if let Some(c) = s.store.get::<CredentialRec>(CREDENTIAL, cid)? {
            decision.apply(s, c)?;
        }
    }
    r.subjects[idx].decision = Some(action.into());
    r.subjects[idx].decided_at = Some(now);
    s.store.put(REQUEST, &r.id, &r)?;
    Ok(Decided {
        request_id: r.id,
        contact: sub.contact,
        accept,
        credential_ids: sub.credential_ids,
    })
}

/// Applies the same decision for every undecided subject of `request_id`, in order; 404 when
/// none is left.
pub(crate) fn decide_all(
    s: &Context,
    request_id: &str,
    accept: bool,
    surface: &str,
) -> DomainResult<Vec<Decided>> {
    let r = load_request(s, request_id)?;
    if r.canceled_at.is_some() {
        return Err(DomainError::Invalid("Request is canceled".into()));
    }
    let undecided: Vec<&str> = r
        .subjects
        .iter()
        .filter(|x| x.decision.is_none())
        .map(|x| x.contact.as_str())
        .collect();
    if undecided.is_empty() {
        return Err(DomainError::NotFound(
            "No undecided subject in this request: every subject has decided".into(),
        ));
    }
    undecided
        .into_iter()
        .map(|contact| decide(s, request_id, Some(contact), accept, surface))
        .collect()
}

/// One subject's decision, applied to each of its credentials.
struct Decision<'a> {
    request: &'a RequestRec,
    contact: &'a str,
    user: &'a UserRec,
    grantor: &'a str,
    accept: bool,
    action: &'a str,
    now: &'a str,
    surface: &'a str,
}

impl Decision<'_> {
    /// Records the decision and its evidence on `c`, issues or rejects it, and queues its
    /// `credential` webhook.
    fn apply(&self, s: &Context, mut c: CredentialRec) -> DomainResult<()> {
        let (r, action, now, surface) = (self.request, self.action, self.now, self.surface);
        c.decisions.push(vec![
            self.grantor.into(),
            action.into(),
            self.contact.into(),
        ]);
        let evidence_id = format!("urn:via:evidence:{}", util::uuid());
        s.store.put_evidence(
            &evidence_id,
            &json!({
                "requestId": r.id, "credentialId": c.id, "decision": action, "date": now,
                "contact": self.contact, "otpChannel": "sandbox-log", "surface": surface,
            })
            .to_string(),
        )?;
        c.evidence_id = Some(evidence_id.clone());
        if self.accept {
            mandate::issue_credential(s, &mut c, self.user)?;
            s.store.put(CREDENTIAL, &c.id, &c)?;
            mandate::record_event(
                s,
                &c.id,
                EventKind::Issue,
                s.issuer.did(),
                json!({"activity": "MANDATE_ISSUE", "action": c.action.as_ref().map(|a| a.id.clone()), "userParams": c.action.as_ref().map(|a| a.user_params.clone())}),
            )?;
        } else {
            c.status = CredentialStatus::Inactive;
            c.inactive_at = Some(now.to_owned());
            c.inactive_reason = Some("rejected".into());
            s.store.put(CREDENTIAL, &c.id, &c)?;
        }
        mandate::record_event(
            s,
            &c.id,
            if self.accept {
                EventKind::Accept
            } else {
                EventKind::Reject
            },
            self.grantor,
            json!({"evidence": evidence_id, "surface": surface}),
        )?;
        let user = self.user;
        let event = typed::<CredentialEvent>(json!({
            "eventType": "credential",
            "requestId": r.id,
            "internalId": r.internal_id,
            "issuerDid": s.issuer.did(),
            "user": {"contact": user.contact, "id": user.id, "internalId": user.internal_id},
            "api_version": r.api_version,
            "credential": credential_entity(&c, s.now_ms()),
            "decision": {"action": action, "date": now},
        }))?;
        webhooks::emit(s, &event)?;
        tracing::info!(request_id = %r.id, credential = %c.id, decision = action, "human decision");
        Ok(())
    }
}

/// Registers a wrong OTP for a subject; the third failure emits `otp.failed`.
pub(crate) fn otp_failure(s: &Context, request_id: &str, contact: &str) -> DomainResult<u32> {
    let mut r = load_request(s, request_id)?;
    let Some(sub) = r
        .subjects
        .iter_mut()
        .find(|x| x.contact.eq_ignore_ascii_case(contact))
    else {
        return Err(DomainError::NotFound("Subject not found".into()));
    };
    sub.otp_failures += 1;
    let failures = sub.otp_failures;
    let sub = sub.clone();
    s.store.put(REQUEST, &r.id, &r)?;
    if failures == 3 {
        let user: Option<UserRec> = s.store.get(USER, &sub.user_id)?;
        let event = typed::<OtpFailedEvent>(json!({
            "eventType": "otp.failed",
            "requestId": r.id,
            "internalId": r.internal_id,
            "issuerDid": s.issuer.did(),
            "user": {"contact": sub.contact, "id": sub.user_id, "internalId": user.and_then(|u| u.internal_id)},
            "api_version": r.api_version,
            "otp": {
                "resendEndpoint": format!("/request/resend/{}", r.id),
                "error": {"code": "OTP_MAX_ATTEMPTS", "message": "Maximum number of attempts reached"}
            }
        }))?;
        webhooks::emit(s, &event)?;
    }
    Ok(failures)
}
