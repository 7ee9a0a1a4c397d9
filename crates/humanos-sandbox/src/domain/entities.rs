//! Records as the API's entities (the answers and the webhook payloads share them).

use humanos_models::{CredentialEntity, JsonObject};
use serde_json::Number;
use serde_json::{Value, json};

use crate::domain::error::{DomainError, DomainResult};
use crate::records::{CredentialRec, CredentialStatus};
use crate::util;

/// The status a credential has at `now_ms`, and when and why it stopped being usable: the
/// stored status, except that an active credential past its `validUntil` is inactive
/// (`expired`) from that instant.
pub(crate) fn lifecycle(c: &CredentialRec, now_ms: u64) -> (CredentialStatus, Option<JsonObject>) {
    let inactive =
        |at: &str, reason: &str| json!({"at": at, "reason": reason}).as_object().cloned();
    match c.status {
        CredentialStatus::Inactive => (
            CredentialStatus::Inactive,
            inactive(
                c.inactive_at.as_deref().unwrap_or_default(),
                c.inactive_reason.as_deref().unwrap_or("inactive"),
            ),
        ),
        CredentialStatus::Active => match c.valid_until.as_deref() {
            Some(until) if util::parse_iso(until).is_some_and(|u| now_ms > u) => {
                (CredentialStatus::Inactive, inactive(until, "expired"))
            }
            _ => (CredentialStatus::Active, None),
        },
        CredentialStatus::Draft => (CredentialStatus::Draft, None),
    }
}

/// The API's view of a credential at `now_ms`. `inactiveAt` is an object in the API
/// description (`anyOf: [object, null]`, "when the credential stopped being usable"): the
/// sandbox sends `{"at": <ISO 8601 instant>, "reason": <inactiveReason>}` once the credential is
/// rejected, canceled, revoked, exhausted or expired, and `null` while it is DRAFT or ACTIVE.
pub(crate) fn credential_entity(c: &CredentialRec, now_ms: u64) -> CredentialEntity {
    let (status, inactive_at) = lifecycle(c, now_ms);
    {
        let mut value = CredentialEntity::new(
            c.id.clone(),
            c.resource_type.as_str(),
            status,
            c.decisions.clone(),
        )
        .name(c.name.clone())
        .w3c_credential(c.w3c.clone().unwrap_or_default());
        value.inactive_at = inactive_at;
        value.description = c.description.clone();
        value.internal_id = c.internal_id.clone();
        value.executions_remaining = c.executions_remaining.map(Number::from);
        value
    }
}

/// Checks `value` against the model type `T` (so a served body always has the API's shape)
/// and returns it as the model writes it.
pub(crate) fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: Value,
) -> DomainResult<Value> {
    let t: T = serde_json::from_value(value)
        .map_err(|e| DomainError::Internal(format!("sandbox produced an ill-shaped body: {e}")))?;
    serde_json::to_value(t).map_err(|e| DomainError::Internal(e.to_string()))
}
