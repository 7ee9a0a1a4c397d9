//! Records as the API's entities (the answers and the webhook payloads share them).

use humanos_models::CredentialEntity;
use serde_json::Number;
use serde_json::Value;

use crate::domain::error::{DomainError, DomainResult};
use crate::records::CredentialRec;

/// The API's view of a credential.
pub(crate) fn credential_entity(c: &CredentialRec) -> CredentialEntity {
    {
        let mut value = CredentialEntity::new(
            c.id.clone(),
            c.resource_type.as_str(),
            c.status,
            c.decisions.clone(),
        )
        .name(c.name.clone())
        .w3c_credential(c.w3c.clone().unwrap_or_default());
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
