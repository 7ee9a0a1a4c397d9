//! What a domain operation can fail with, in the domain's words; `http::error` maps each kind
//! to the service's status and body.

use crate::store::SandboxStoreError;

/// A domain operation's failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DomainError {
    /// The request, credential, user, action or subject does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The operation does not apply to the input (400, one message).
    #[error("{0}")]
    Invalid(String),
    /// The input fails validation (400, one message per failed constraint, as the service's
    /// validation pipe lists them).
    #[error("{}", .0.join("; "))]
    Validation(Vec<String>),
    /// The operation conflicts with the current state: already decided, already inactive, a
    /// duplicate `internalId` (409).
    #[error("{0}")]
    Conflict(String),
    /// A credential may not be used: revoked, expired, not yet valid (403 with the API's
    /// `reason` and the `credentialId`).
    #[error("{reason}: {message}")]
    Refused {
        /// The API's reason (`credential_revoked`, `expired`, `not_yet_valid`).
        reason: &'static str,
        /// What happened, for a person.
        message: String,
        /// The credential refused.
        credential_id: String,
    },
    /// The store failed (500).
    #[error("sandbox storage failure: {0}")]
    Store(#[from] SandboxStoreError),
    /// The sandbox produced something it should not have (500).
    #[error("{0}")]
    Internal(String),
}

/// A domain operation's result.
pub(crate) type DomainResult<T> = Result<T, DomainError>;
