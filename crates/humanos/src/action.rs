//! [`Action`]: what an agent is about to do, and where a mandate pins the action it allows
//! (read by `authorize` and by the local pre-check alike).

use humanos_models::{JsonObject, PresentationEntity};
use serde_json::Value;

/// What an agent is about to do: the action it invokes (`urn:via:action:<uuid>`) and the
/// `executionParams` it invokes it with.
///
/// ```
/// use humanos::Action;
///
/// let action = Action::new("urn:via:action:7d0c6f1e")
///     .param("amount", 12)
///     .param("category", "BOOKS");
/// assert_eq!(action.execution_params["amount"], 12);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Action {
    /// The action's URN. The mandate must pin it: a mandate for another action (or for none)
    /// is denied with `action_not_found` before any verification is spent on it.
    pub id: String,
    /// The `executionParams` sent to `POST /credential/verify` and given to the CEL rules.
    pub execution_params: JsonObject,
}

impl Action {
    /// The action `id` with no execution parameters yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            execution_params: JsonObject::new(),
        }
    }

    /// Adds (or replaces) one execution parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.execution_params.insert(name.into(), value.into());
        self
    }

    /// Replaces all execution parameters.
    pub fn params(mut self, execution_params: JsonObject) -> Self {
        self.execution_params = execution_params;
        self
    }
}

/// `credentialSubject.mandate.action` of the presentation's first credential (the mandate).
pub(crate) fn mandate_action(vp: &PresentationEntity) -> Option<&Value> {
    let first = match vp.presentation.get("verifiableCredential")? {
        Value::Array(items) => items.first()?,
        single => single,
    };
    first.pointer("/credentialSubject/mandate/action")
}
