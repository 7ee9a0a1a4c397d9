//! Loading the records an operation works on, with the service's answers when they are
//! missing or their id is malformed.

use crate::context::Context;
use crate::domain::error::{DomainError, DomainResult};
use crate::records::{CREDENTIAL, CredentialRec, REQUEST, RequestRec};

/// Checks that `id` is a `urn:via:<kind>:<something>` URN.
pub(crate) fn check_urn(id: &str, kind: &str) -> DomainResult<()> {
    let prefix = format!("urn:via:{kind}:");
    match id.strip_prefix(&prefix) {
        Some(rest) if !rest.is_empty() => Ok(()),
        _ => Err(DomainError::Invalid(format!(
            "{kind}Id must be a {kind} URN (urn:via:{kind}:<uuid>)"
        ))),
    }
}

/// The request `id`.
pub(crate) fn load_request(ctx: &Context, id: &str) -> DomainResult<RequestRec> {
    if id.trim().is_empty() {
        return Err(DomainError::Invalid("requestId is required".into()));
    }
    ctx.store
        .get(REQUEST, id)?
        .ok_or_else(|| DomainError::NotFound(format!("Request `{id}` not found")))
}

/// The credential `id` (a credential URN).
pub(crate) fn load_credential(ctx: &Context, id: &str) -> DomainResult<CredentialRec> {
    check_urn(id, "credential")?;
    ctx.store
        .get(CREDENTIAL, id)?
        .ok_or_else(|| DomainError::NotFound(format!("Credential `{id}` not found")))
}
