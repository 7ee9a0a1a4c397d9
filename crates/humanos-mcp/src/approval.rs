//! Asking the human from inside the agent's session: a protected tool called without a usable
//! mandate creates the mandate request, tells the client how the user approves (URL
//! elicitation, or a tool error carrying the link), and finds the approved mandate when the call
//! comes again (by polling the request).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use humanos::Action;
use humanos::models::{CredentialStatus, GenerateRequestDto, RequestDetailEntity};

/// Builds the mandate request for an action a call wanted to take: who approves (`users`), and
/// the credential with the action and its limits (`userParams`).
pub(crate) type RequestFn = dyn Fn(&Action) -> GenerateRequestDto + Send + Sync;

/// A mandate request created in this session and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    /// The request's id (`GenerateRequestEntity.id`).
    pub(crate) request_id: String,
    /// The mandates it will issue (`GenerateRequestEntity.credentials[].id`).
    pub(crate) mandate_ids: Vec<String>,
    /// The first subject's approval link, when the API returns it.
    pub(crate) link: Option<String>,
}

/// Where a pending request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestState {
    /// One of its mandates is active: its id.
    Approved(String),
    /// Still waiting for the user.
    Waiting,
    /// Rejected, cancelled or expired: ask again.
    Closed,
}

impl RequestState {
    /// Reads a request's detail for the mandates of `pending`.
    pub(crate) fn of(detail: &RequestDetailEntity, pending: &Pending) -> Self {
        let ours = detail
            .credentials
            .iter()
            .filter(|c| pending.mandate_ids.contains(&c.id));
        let mut waiting = false;
        for credential in ours {
            match credential.status {
                CredentialStatus::Active => return RequestState::Approved(credential.id.clone()),
                CredentialStatus::Draft => waiting = true,
                _ => {}
            }
        }
        if waiting && detail.canceled_at.is_none() {
            RequestState::Waiting
        } else {
            RequestState::Closed
        }
    }
}

/// What one MCP session (one stdio connection, one Streamable HTTP session) remembers: the
/// requests it created per action, and the mandates approved from inside it. Never shared
/// between sessions: an approval reaches only the agent that asked for it.
#[derive(Debug, Default)]
pub(crate) struct Session {
    pending: Mutex<HashMap<String, Pending>>,
    granted: Mutex<HashMap<String, String>>,
    /// One turn per action at looking up or creating its request, so that calls arriving
    /// together (an agent's parallel tool calls) ask the user once, not once each. One entry per
    /// protected action the session called: a fixed, small set.
    asking: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    /// A fresh session.
    pub(crate) fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Waits for this session's turn at asking for `action_id` (the turn ends when the guard is
    /// dropped).
    pub(crate) async fn asking_turn(&self, action_id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let turn = Arc::clone(lock(&self.asking).entry(action_id.to_owned()).or_default());
        turn.lock_owned().await
    }

    /// The request created for `action_id`, if one is waiting.
    pub(crate) fn pending(&self, action_id: &str) -> Option<Pending> {
        lock(&self.pending).get(action_id).cloned()
    }

    /// Remembers the request created for `action_id`.
    pub(crate) fn wait_for(&self, action_id: &str, pending: Pending) {
        lock(&self.pending).insert(action_id.to_owned(), pending);
    }

    /// Forgets the request for `action_id`.
    pub(crate) fn forget(&self, action_id: &str) {
        lock(&self.pending).remove(action_id);
    }

    /// The mandate approved from inside this session for `action_id`.
    pub(crate) fn granted(&self, action_id: &str) -> Option<String> {
        lock(&self.granted).get(action_id).cloned()
    }

    /// Records an approved mandate for `action_id` (and forgets the request).
    pub(crate) fn grant(&self, action_id: &str, mandate_id: &str) {
        self.forget(action_id);
        lock(&self.granted).insert(action_id.to_owned(), mandate_id.to_owned());
    }

    /// Forgets the mandate approved for `action_id` (it was revoked or expired).
    pub(crate) fn revoke(&self, action_id: &str) {
        lock(&self.granted).remove(action_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humanos::models::{CredentialEntity, SecurityLevel};
    use serde_json::json;

    fn detail(statuses: &[(&str, &str)], canceled: bool) -> RequestDetailEntity {
        let credentials: Vec<CredentialEntity> = statuses
            .iter()
            .map(|(id, status)| {
                serde_json::from_value(json!({
                    "id": id, "resourceType": "POLICY", "status": status,
                    "executionsRemaining": null, "w3cCredential": {}, "decisions": []
                }))
                .unwrap()
            })
            .collect();
        let mut d: RequestDetailEntity = serde_json::from_value(json!({
            "id": "r", "securityLevel": SecurityLevel::Contact, "createdAt": "2026-01-01T00:00:00Z",
            "subjects": [], "credentials": []
        }))
        .unwrap();
        d.credentials = credentials;
        if canceled {
            d.canceled_at = Some("2026-01-02T00:00:00Z".into());
        }
        d
    }

    #[test]
    fn a_request_is_approved_waiting_or_closed() {
        let pending = Pending {
            request_id: "r".into(),
            mandate_ids: vec!["m1".into()],
            link: None,
        };
        let state = |s, c| RequestState::of(&detail(s, c), &pending);
        assert_eq!(
            state(&[("m1", "ACTIVE")], false),
            RequestState::Approved("m1".into())
        );
        assert_eq!(state(&[("m1", "DRAFT")], false), RequestState::Waiting);
        assert_eq!(state(&[("m1", "DRAFT")], true), RequestState::Closed);
        assert_eq!(state(&[("m1", "INACTIVE")], false), RequestState::Closed);
        // Another request's active mandate approves nothing here.
        assert_eq!(state(&[("m2", "ACTIVE")], false), RequestState::Closed);
    }
}
