//! A credential's life after issuance: presenting it, counting its executions, revoking it.

use humanos_models::{JsonObject, RevokeCredentialEntity};
use serde_json::json;

use crate::context::Context;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::load::load_credential;
use crate::domain::mandate;
use crate::records::{CREDENTIAL, CredentialRec, CredentialStatus, EventKind};
use crate::util;

/// Signs a presentation of credential `id` by the sandbox's agent (bound to `target` when
/// given) and records `VP_CREATED`: `(presentation, presentationEncoded)`. A credential that
/// is not usable is refused, and nothing is recorded (the description lists no event for a
/// refused presentation).
pub(crate) fn present(
    ctx: &Context,
    id: &str,
    target: Option<&str>,
) -> DomainResult<(JsonObject, String)> {
    let c = load_credential(ctx, id)?;
    let refuse = |reason: &'static str, message: &str| DomainError::Refused {
        reason,
        message: message.to_owned(),
        credential_id: c.id.clone(),
    };
    match c.status {
        CredentialStatus::Draft => {
            return Err(DomainError::Invalid(
                "Credential is not active: the user has not accepted the request yet".into(),
            ));
        }
        CredentialStatus::Inactive if c.revoked => {
            return Err(refuse(
                "credential_revoked",
                "the credential has been revoked",
            ));
        }
        CredentialStatus::Inactive => {
            return Err(refuse("credential_revoked", "the credential is inactive"));
        }
        CredentialStatus::Active => {}
    }
    let now = ctx.now_ms();
    if c.valid_until
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|u| now > u)
    {
        return Err(refuse("expired", "the credential is past its validUntil"));
    }
    if c.valid_from
        .as_deref()
        .and_then(util::parse_iso)
        .is_some_and(|f| now < f)
    {
        return Err(refuse("not_yet_valid", "the credential is not valid yet"));
    }
    let (presentation, encoded) = mandate::presentation(ctx, &c, target)
        .ok_or_else(|| DomainError::Internal("could not sign the presentation".into()))?;
    mandate::record_event(
        ctx,
        &c.id,
        EventKind::VpCreated,
        ctx.agent.did(),
        json!({"targetVerifier": target, "presentation": encoded}),
    )?;
    Ok((presentation, encoded))
}

/// Counts one allowed execution of an execution-bounded credential; the last one makes it
/// inactive (`EXHAUST`).
pub(crate) fn count_execution(ctx: &Context, c: &mut CredentialRec) -> DomainResult<()> {
    let Some(left) = c.executions_remaining else {
        return Ok(());
    };
    let left = left.saturating_sub(1);
    c.executions_remaining = Some(left);
    if left == 0 {
        c.status = CredentialStatus::Inactive;
        c.revoked = true;
        c.inactive_at = Some(ctx.now_iso());
        c.inactive_reason = Some("exhausted:maxExecutions".into());
        mandate::record_event(
            ctx,
            &c.id,
            EventKind::Exhaust,
            ctx.issuer.did(),
            json!({"maxExecutions": c.max_executions}),
        )?;
    }
    ctx.store.put(CREDENTIAL, &c.id, c)?;
    Ok(())
}

/// Revokes an active credential (the API's revoke, the admin API's and the dashboard's
/// button) for `reason` (at most 200 characters); the caller holds the write lock.
pub(crate) fn revoke_credential(
    ctx: &Context,
    id: &str,
    reason: String,
) -> DomainResult<RevokeCredentialEntity> {
    if reason.chars().count() > 200 {
        return Err(DomainError::Validation(vec![
            "reason must be shorter than or equal to 200 characters".into(),
        ]));
    }
    let mut c = load_credential(ctx, id)?;
    match c.status {
        CredentialStatus::Inactive => {
            return Err(DomainError::Conflict(
                "Credential is already inactive".into(),
            ));
        }
        CredentialStatus::Draft => {
            return Err(DomainError::Invalid(
                "Only an active credential can be revoked".into(),
            ));
        }
        CredentialStatus::Active => {}
    }
    let now = ctx.now_iso();
    c.status = CredentialStatus::Inactive;
    c.revoked = true;
    c.inactive_at = Some(now.clone());
    c.inactive_reason = Some(format!("revoked:{reason}"));
    if let Some(w3c) = c.w3c.as_mut() {
        // The REVOKE proof appended to the credential (a second DataIntegrityProof).
        let revoke_proof = ctx
            .issuer
            .sign_credential(
                &json!({"id": c.id, "revoked": now, "reason": reason}),
                ctx.now_ms(),
            )
            .ok();
        if let Some(p) = revoke_proof.and_then(|p| p.get("proof").cloned()) {
            w3c.insert("revocationProof".into(), p);
        }
    }
    ctx.store.put(CREDENTIAL, &c.id, &c)?;
    mandate::record_event(
        ctx,
        &c.id,
        EventKind::Revoke,
        ctx.issuer.did(),
        json!({"activity": "MANDATE_REVOKED", "reason": reason, "at": now}),
    )?;
    tracing::info!(credential = %c.id, %reason, "MANDATE_REVOKED");
    Ok(RevokeCredentialEntity::new(
        c.id.clone(),
        humanos_models::CredentialStatus::Inactive,
        now,
    ))
}
