//! Credentials: detail, events, evidence, VP issuance, verification, revocation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::*;
use serde_json::Number;
use serde_json::{Value, json};

use crate::mandate::{self, Outcome};
use crate::state::{ApiError, ApiResult, AppState, CREDENTIAL, CredentialRec};
use crate::util;

use super::*;

pub(crate) fn credential_entity(c: &CredentialRec) -> CredentialEntity {
    CredentialEntity {
        inactive_at: None,
        id: c.id.clone(),
        name: Some(c.name.clone()),
        description: c.description.clone(),
        internal_id: c.internal_id.clone(),
        resource_type: c.resource_type.as_str().into(),
        status: c.status.as_str().into(),
        tags: None,
        executions_remaining: c.executions_remaining.map(Number::from),
        w3c_credential: c.w3c.clone().unwrap_or_default(),
        decisions: c.decisions.clone(),
    }
}

pub(crate) fn load_credential(s: &AppState, id: &str) -> ApiResult<CredentialRec> {
    check_urn(id, "credential")?;
    s.store
        .get(CREDENTIAL, id)?
        .ok_or_else(|| ApiError::not_found(format!("Credential `{id}` not found")))
}

pub(crate) async fn get_credential(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialEntity>> {
    Ok(Json(credential_entity(&load_credential(&s, &id)?)))
}

pub(crate) async fn credential_events(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<ChainAuditEntity>> {
    let c = load_credential(&s, &id)?;
    let (events, ok) = mandate::audit(&s, &c.id)?;
    Ok(Json(ChainAuditEntity {
        credential_urn: c.id.clone(),
        ok,
        reason: if ok {
            None
        } else {
            Some("an event does not verify or the chain is broken".into())
        },
        event_count: (events.len() as u64).into(),
        events,
    }))
}

pub(crate) async fn evidence(State(s): St, Path(id): Path<String>) -> ApiResult<Response> {
    check_urn(&id, "evidence")?;
    match s.store.evidence(&id)? {
        Some(content) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            content,
        )
            .into_response()),
        None => Err(ApiError::not_found(format!("Evidence `{id}` not found"))),
    }
}

fn revoked_error(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "credential_revoked: the credential has been revoked",
    )
    .with("reason", "credential_revoked")
    .with("credentialId", id)
}

pub(crate) async fn issue_vp(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: CreatePresentationDto = body(&bytes)?;
    let c = load_credential(&s, &id)?;
    let deny = |reason: &str, msg: &str| -> ApiResult<Response> {
        mandate::record_event(
            &s,
            &c.id,
            "VP_DENIED",
            s.agent.did(),
            json!({"reason": reason}),
        )?;
        Err(
            ApiError::new(StatusCode::FORBIDDEN, format!("{reason}: {msg}"))
                .with("reason", reason)
                .with("credentialId", c.id.clone()),
        )
    };
    match c.status.as_str() {
        "DRAFT" => {
            return Err(ApiError::bad_request(
                "Credential is not active: the user has not accepted the request yet",
            ));
        }
        "INACTIVE" if c.revoked => {
            mandate::record_event(
                &s,
                &c.id,
                "VP_DENIED",
                s.agent.did(),
                json!({"reason": "credential_revoked"}),
            )?;
            return Err(revoked_error(&c.id));
        }
        "INACTIVE" => return deny("credential_revoked", "the credential is inactive"),
        _ => {}
    }
    let now = s.now_ms();
    if c.valid_until
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|u| now > u)
    {
        return deny("expired", "the credential is past its validUntil");
    }
    if c.valid_from
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|f| now < f)
    {
        return deny("not_yet_valid", "the credential is not valid yet");
    }
    let target = dto.target_verifier.as_deref().filter(|t| !t.is_empty());
    let Some((presentation, presentation_encoded)) = mandate::presentation(&s, &c, target) else {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not sign the presentation",
        ));
    };
    mandate::record_event(
        &s,
        &c.id,
        "VP_CREATED",
        s.agent.did(),
        json!({"targetVerifier": target, "presentation": presentation_encoded}),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(PresentationEntity {
            presentation,
            presentation_encoded,
        }),
    )
        .into_response())
}

pub(crate) async fn verify(State(s): St, bytes: Bytes) -> ApiResult<Response> {
    let dto: VerifyPresentationDto = body(&bytes)?;
    let vp = presentation_of(&dto)?;
    let credential_id = presented_credential_id(&vp)?;
    let exec = Value::Object(dto.execution_params.clone().unwrap_or_default());
    let _w = s.write.lock().await;
    let Some(mut c) = s.store.get::<CredentialRec>(CREDENTIAL, &credential_id)? else {
        return Err(ApiError::not_found(format!(
            "Credential `{credential_id}` not found"
        )));
    };
    match mandate::verify(&s, &c, &vp, exec.clone())? {
        Outcome::Allow(evaluations) => {
            let evaluations = evaluation_entities(&evaluations);
            mandate::record_event(
                &s,
                &c.id,
                "VERIFICATION_APPROVED",
                s.agent.did(),
                json!({"executionParams": exec, "evaluations": evaluations}),
            )?;
            count_execution(&s, &mut c)?;
            Ok((
                StatusCode::CREATED,
                Json(VerifyAllowResponseEntity {
                    decision: VerifyDecision::Allow,
                    credential_id: c.id.clone(),
                    evaluations,
                }),
            )
                .into_response())
        }
        Outcome::Deny(d) if d.malformed => Err(ApiError::bad_request(format!(
            "presentation is malformed: {}",
            d.message
        ))),
        Outcome::Deny(d) => {
            let evaluations = evaluation_entities(&d.evaluations);
            mandate::record_event(
                &s,
                &c.id,
                "VERIFICATION_DENIED",
                s.agent.did(),
                json!({"executionParams": exec, "reason": d.reason, "evaluations": evaluations}),
            )?;
            let body = VerifyDenyResponseEntity {
                status_code: 403.into(),
                message: d.message.clone(),
                decision: VerifyDecision::Deny,
                reason: d.reason.clone(),
                credential_id: c.id.clone(),
                evaluations,
            };
            Ok((StatusCode::FORBIDDEN, Json(body)).into_response())
        }
    }
}

/// The VP of a verify body: `presentationEncoded` (base64 JSON) first, else `presentation`.
fn presentation_of(dto: &VerifyPresentationDto) -> ApiResult<Value> {
    match (&dto.presentation_encoded, &dto.presentation) {
        (Some(enc), _) => mandate::decode_presentation(enc).ok_or_else(|| {
            ApiError::bad_request("presentationEncoded is not valid base64-encoded JSON")
        }),
        (None, Some(p)) => Ok(Value::Object(p.clone())),
        (None, None) => Err(ApiError::bad_request(
            "presentation or presentationEncoded is required",
        )),
    }
}

/// The id of the (first) credential the VP carries, which must be a credential URN.
fn presented_credential_id(vp: &Value) -> ApiResult<String> {
    let credential_id = vp
        .pointer("/verifiableCredential/0/id")
        .or_else(|| vp.pointer("/verifiableCredential/id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                "presentation must be a VP with a verifiableCredential carrying an id",
            )
        })?;
    if credential_id.strip_prefix("urn:via:credential:").is_none() {
        return Err(ApiError::bad_request(
            "the presentation's credential id is not a credential URN",
        ));
    }
    Ok(credential_id)
}

/// The verifier's rule evaluations as the API's entities.
fn evaluation_entities<T: serde::Serialize>(evaluations: &T) -> Vec<VerifyEvaluationEntity> {
    serde_json::from_value(serde_json::to_value(evaluations).unwrap_or_default())
        .unwrap_or_default()
}

/// Counts one allowed execution of an execution-bounded credential; the last one makes it
/// inactive (`EXHAUST`).
fn count_execution(s: &AppState, c: &mut CredentialRec) -> ApiResult<()> {
    let Some(left) = c.executions_remaining else {
        return Ok(());
    };
    let left = left.saturating_sub(1);
    c.executions_remaining = Some(left);
    if left == 0 {
        c.status = "INACTIVE".into();
        c.revoked = true;
        c.inactive_at = Some(s.now_iso());
        c.inactive_reason = Some("exhausted:maxExecutions".into());
        mandate::record_event(
            s,
            &c.id,
            "EXHAUST",
            s.issuer.did(),
            json!({"maxExecutions": c.max_executions}),
        )?;
    }
    s.store.put(CREDENTIAL, &c.id, c)?;
    Ok(())
}

pub(crate) async fn revoke(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: RevokeCredentialDto = body(&bytes)?;
    if dto.reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::validation(vec![
            "reason must be shorter than or equal to 200 characters".into(),
        ]));
    }
    let _w = s.write.lock().await;
    let revoked = revoke_credential(&s, &id, dto.reason.unwrap_or_default())?;
    Ok(Json(revoked).into_response())
}

/// Revokes an active credential (the API's revoke and the dashboard's button); the caller
/// holds the write lock.
pub(crate) fn revoke_credential(
    s: &AppState,
    id: &str,
    reason: String,
) -> ApiResult<RevokeCredentialEntity> {
    let mut c = load_credential(s, id)?;
    match c.status.as_str() {
        "INACTIVE" => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Credential is already inactive",
            ));
        }
        "DRAFT" => {
            return Err(ApiError::bad_request(
                "Only an active credential can be revoked",
            ));
        }
        _ => {}
    }
    let now = s.now_iso();
    c.status = "INACTIVE".into();
    c.revoked = true;
    c.inactive_at = Some(now.clone());
    c.inactive_reason = Some(format!("revoked:{reason}"));
    if let Some(w3c) = c.w3c.as_mut() {
        // The REVOKE proof appended to the credential (a second DataIntegrityProof).
        let revoke_proof = s
            .issuer
            .sign_credential(
                &json!({"id": c.id, "revoked": now, "reason": reason}),
                s.now_ms(),
            )
            .ok();
        if let Some(p) = revoke_proof.and_then(|p| p.get("proof").cloned()) {
            w3c.insert("revocationProof".into(), p);
        }
    }
    s.store.put(CREDENTIAL, &c.id, &c)?;
    mandate::record_event(
        s,
        &c.id,
        "REVOKE",
        s.issuer.did(),
        json!({"activity": "MANDATE_REVOKED", "reason": reason, "at": now}),
    )?;
    tracing::info!(credential = %c.id, %reason, "MANDATE_REVOKED");
    Ok(RevokeCredentialEntity {
        credential_id: c.id.clone(),
        status: CredentialStatus::Inactive,
        revoked_at: now,
    })
}
