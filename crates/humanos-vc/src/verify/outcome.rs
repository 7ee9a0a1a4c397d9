//! What a verification answers: a [`VerifiedPresentation`] (with its
//! [`VerifiedCredential`]s) or a [`VerifyFailure`], and their API response bodies.

use serde_json::{Value, json};

use crate::reason::Reason;
use crate::rules::VerifyEvaluation;

/// A denial: which check failed, in the API's vocabulary where it has a word.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{reason}: {message}")]
#[non_exhaustive]
pub struct VerifyFailure {
    /// The reason code.
    pub reason: Reason,
    /// A human-readable explanation (never contains key material).
    pub message: String,
    /// The credential being evaluated, when known.
    pub credential_id: Option<String>,
    /// Rule evaluations (non-empty only for rule denials).
    pub evaluations: Vec<VerifyEvaluation>,
}

impl VerifyFailure {
    pub(crate) fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
            credential_id: None,
            evaluations: Vec::new(),
        }
    }

    /// The body the API would answer with (`VerifyDenyResponseEntity`, status 403). Local
    /// reasons are mapped to their [`api_equivalent`](Reason::api_equivalent) when
    /// `api_vocabulary_only` is set.
    pub fn to_deny_response(&self, api_vocabulary_only: bool) -> Value {
        let reason = if api_vocabulary_only {
            self.reason
                .api_equivalent()
                .unwrap_or_else(|| self.reason.clone())
        } else {
            self.reason.clone()
        };
        json!({
            "statusCode": 403,
            "message": self.message,
            "decision": "deny",
            "reason": reason.as_str(),
            "credentialId": self.credential_id.clone().unwrap_or_default(),
            "evaluations": self.evaluations,
        })
    }
}

/// Summary of one verified embedded credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedCredential {
    /// The credential's `id`, if any.
    pub id: Option<String>,
    /// The issuer DID.
    pub issuer: String,
    /// The verification method that signed it.
    pub verification_method: String,
    /// Whether every status entry was checked against a status list.
    pub status_checked: bool,
}

/// A presentation that passed every local check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedPresentation {
    /// The VP's `holder`, if any.
    pub holder: Option<String>,
    /// The verification method that signed the VP.
    pub verification_method: String,
    /// The embedded credentials, in order.
    pub credentials: Vec<VerifiedCredential>,
    /// Whether every status entry of every credential was checked.
    pub status_checked: bool,
    /// Whether the rule pre-check ran.
    pub rules_checked: bool,
    /// Rule evaluations (all `pass`).
    pub evaluations: Vec<VerifyEvaluation>,
}

impl VerifiedPresentation {
    /// The first credential's id (the mandate, for a Humanos VP).
    pub fn credential_id(&self) -> Option<&str> {
        self.credentials.first().and_then(|c| c.id.as_deref())
    }

    /// The body the API answers with on allow (`VerifyAllowResponseEntity`, status 201).
    pub fn to_allow_response(&self) -> Value {
        json!({
            "decision": "allow",
            "credentialId": self.credential_id().unwrap_or_default(),
            "evaluations": self.evaluations,
        })
    }
}
