//! Credentials: detail, events, evidence, VP issuance, verification, revocation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use humanos_models::*;
use serde_json::{Value, json};

use crate::domain::credentials::{count_execution, present, revoke_credential};
use crate::domain::entities::credential_entity;
use crate::domain::load::{check_urn, load_credential};
use crate::domain::mandate::{self, Outcome};
use crate::http::error::{ApiError, ApiResult};
use crate::records::{CREDENTIAL, CredentialRec, EventKind};

use super::common::*;

pub(crate) async fn get_credential(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialEntity>> {
    Ok(Json(credential_entity(
        &load_credential(&s, &id)?,
        s.now_ms(),
    )))
}

pub(crate) async fn credential_events(
    State(s): St,
    Path(id): Path<String>,
) -> ApiResult<Json<ChainAuditEntity>> {
    let c = load_credential(&s, &id)?;
    let (events, ok) = mandate::audit(&s, &c.id)?;
    Ok(Json({
        let mut value = ChainAuditEntity::new(c.id.clone(), ok, events.len() as u64, events);
        value.reason = if ok {
            None
        } else {
            Some("an event does not verify or the chain is broken".into())
        };
        value
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

pub(crate) async fn issue_vp(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: CreatePresentationDto = body(&bytes)?;
    let target = dto.target_verifier.as_deref().filter(|t| !t.is_empty());
    let (presentation, presentation_encoded) = present(&s, &id, target)?;
    Ok((
        StatusCode::CREATED,
        Json(PresentationEntity::new(presentation_encoded).presentation(presentation)),
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
                EventKind::VerificationApproved,
                s.agent.did(),
                json!({"executionParams": exec, "evaluations": evaluations}),
            )?;
            count_execution(&s, &mut c)?;
            Ok((
                StatusCode::CREATED,
                Json(VerifyAllowResponseEntity::new(
                    VerifyDecision::Allow,
                    c.id.clone(),
                    evaluations,
                )),
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
                EventKind::VerificationDenied,
                s.agent.did(),
                json!({"executionParams": exec, "reason": d.reason, "evaluations": evaluations}),
            )?;
            let body = VerifyDenyResponseEntity::new(
                403,
                d.message.clone(),
                VerifyDecision::Deny,
                d.reason.clone(),
                c.id.clone(),
                evaluations,
            );
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

pub(crate) async fn revoke(
    State(s): St,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let dto: RevokeCredentialDto = body(&bytes)?;
    let _w = s.write.lock().await;
    let revoked = revoke_credential(&s, &id, dto.reason.unwrap_or_default())?;
    Ok(Json(revoked).into_response())
}
