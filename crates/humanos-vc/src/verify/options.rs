//! What a verification is asked to check: the status policy, the issuers trusted, the
//! status list fetcher, and the per-call [`VerifyRequest`] with its [`RuleCheck`].

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::did::ResolveError;
use crate::rules::Rule;
use crate::status::VerifiedStatusList;

/// What to do with a credential's `credentialStatus` when no status list is at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StatusPolicy {
    /// Deny with [`Reason::StatusUnavailable`](crate::Reason::StatusUnavailable) when a list cannot be had (default): a
    /// credential whose revocation cannot be checked is not accepted.
    #[default]
    Require,
    /// Opt-out: check the bit when the list was supplied or could be fetched; otherwise
    /// carry on and report `status_checked: false` in the result.
    CheckIfAvailable,
    /// Opt-out: never look at `credentialStatus`.
    Skip,
}

/// Which issuers a [`Verifier`](super::Verifier) accepts credentials from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IssuerTrust {
    /// Only these DIDs (none until the caller names some).
    Only(HashSet<String>),
    /// Any issuer whose signature verifies ([`Verifier::danger_accept_any_issuer`](super::Verifier::danger_accept_any_issuer)).
    Any,
}

/// The future returned by [`StatusListFetcher::fetch`].
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, ResolveError>> + Send + 'a>>;

/// Fetches status list credentials by URL (async, runtime-agnostic like
/// [`DidResolver`](crate::did::DidResolver)). The fetched credential is verified before use.
pub trait StatusListFetcher: Send + Sync {
    /// Returns the status list credential at `url` as JSON.
    fn fetch<'a>(&'a self, url: &'a str) -> FetchFuture<'a>;
}

/// The CEL rule pre-check to run on the mandate of a presentation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RuleCheck {
    /// The action the mandate must pin (`credentialSubject.mandate.action.id`), if known.
    pub action_id: Option<String>,
    /// The action's rules.
    pub rules: Vec<Rule>,
    /// Fields the action declares under `executionParams`, if known.
    pub declared_execution_params: Option<Vec<String>>,
    /// What the agent intends to do (`executionParams`).
    pub execution_params: Value,
}

impl RuleCheck {
    /// Rules and the agent's `executionParams`.
    pub fn new(rules: Vec<Rule>, execution_params: Value) -> Self {
        Self {
            action_id: None,
            rules,
            declared_execution_params: None,
            execution_params,
        }
    }

    /// Reads `rules` and the declared `executionParams` from an action definition (the
    /// `content` of an action version, or `definition` of `/intelligence/action`).
    pub fn from_action_definition(definition: &Value, execution_params: Value) -> Self {
        let rules = definition
            .get("rules")
            .map(Rule::parse_list)
            .unwrap_or_default();
        let declared = match definition.get("executionParams") {
            Some(Value::Object(o)) => Some(o.keys().cloned().collect()),
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(|v| v.as_str().or_else(|| v.get("name").and_then(Value::as_str)))
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        };
        Self {
            action_id: None,
            rules,
            declared_execution_params: declared,
            execution_params,
        }
    }

    /// Requires the mandate to pin this action.
    pub fn action_id(mut self, action_id: impl Into<String>) -> Self {
        self.action_id = Some(action_id.into());
        self
    }
}

/// Per-call expectations: audience binding, status lists at hand, rules.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyRequest {
    /// The audience this verifier expects in the VP's `proof.domain`.
    pub domain: Option<String>,
    /// The nonce this verifier expects in the VP's `proof.challenge`.
    pub challenge: Option<String>,
    /// Already verified status lists, by URL.
    pub status_lists: HashMap<String, Arc<VerifiedStatusList>>,
    /// The rule pre-check, if any.
    pub rules: Option<RuleCheck>,
}

impl VerifyRequest {
    /// No audience, no status lists, no rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expects `proof.domain` to be (or contain) `domain`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Expects `proof.challenge` to equal `challenge`.
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// Supplies a verified status list.
    pub fn status_list(mut self, list: impl Into<Arc<VerifiedStatusList>>) -> Self {
        let list = list.into();
        self.status_lists.insert(list.id.clone(), list);
        self
    }

    /// Runs the rule pre-check on the mandate.
    pub fn rules(mut self, rules: RuleCheck) -> Self {
        self.rules = Some(rules);
        self
    }
}
