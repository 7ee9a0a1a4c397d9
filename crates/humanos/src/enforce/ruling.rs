//! The decision every enforcement point makes, free of how it answers: the [`authorize`] call
//! with the point's options ([`AuthorizePolicy`]), sorted into a [`Ruling`]. [`Enforcer`]
//! answers a ruling over HTTP; `humanos-mcp`'s `MandateGate` answers it with tool results.
//!
//! [`authorize`]: HumanosClient::authorize
//! [`Enforcer`]: super::Enforcer

use std::fmt;

use humanos_models::VerifyDenyResponseEntity;

use super::{Grant, Undecided};
use crate::{Action, AuthorizeError, DecidedBy, HumanosClient, Verdict};

/// What an enforcement point does with each [`authorize`](HumanosClient::authorize) call: the
/// verifier domain it binds presentations to, the local pre-check (feature `precheck`), and
/// what to do when nobody could decide. The default fails closed, with neither option.
#[derive(Clone, Default)]
pub struct AuthorizePolicy {
    undecided: Undecided,
    target_verifier: Option<String>,
    #[cfg(feature = "precheck")]
    precheck: Option<crate::LocalCheck>,
}

impl fmt::Debug for AuthorizePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AuthorizePolicy");
        d.field("undecided", &self.undecided)
            .field("target_verifier", &self.target_verifier);
        #[cfg(feature = "precheck")]
        d.field("precheck", &self.precheck.is_some());
        d.finish()
    }
}

/// How an [`AuthorizePolicy`] sorted one `authorize` call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Ruling {
    /// The call may run: allowed by the API, or let through undecided under
    /// [`Undecided::FailOpen`].
    Granted {
        /// On what grounds.
        grant: Grant,
        /// Who decided: the API for an allow, and for a call let through undecided.
        decided_by: DecidedBy,
    },
    /// Denied, by the API or the local pre-check: the API's deny body (`reason`, `evaluations`).
    Denied(VerifyDenyResponseEntity),
    /// Nobody could decide ([`AuthorizeError::Undecided`]) and the policy fails closed.
    Undecided,
    /// The API refused the mandate without a verdict ([`AuthorizeError::Refused`]: unknown, not
    /// accepted); `message` is the API's own, when it gave one.
    Refused {
        /// The API's message (no secret in it).
        message: Option<String>,
    },
}

impl AuthorizePolicy {
    /// A policy that fails closed, with no verifier domain and no pre-check.
    pub fn new() -> Self {
        Self::default()
    }

    /// What to do when nobody could decide (default [`Undecided::FailClosed`]).
    pub fn undecided(mut self, policy: Undecided) -> Self {
        self.undecided = policy;
        self
    }

    /// Binds each presentation to this verifier domain (see
    /// [`Authorize::target_verifier`](crate::Authorize::target_verifier)).
    pub fn target_verifier(mut self, domain: impl Into<String>) -> Self {
        self.target_verifier = Some(domain.into());
        self
    }

    /// Pre-checks each presentation locally (feature `precheck`): out-of-bounds actions are
    /// denied without an online verification.
    #[cfg(feature = "precheck")]
    pub fn precheck(mut self, check: crate::LocalCheck) -> Self {
        self.precheck = Some(check);
        self
    }

    /// [`authorize`](HumanosClient::authorize)s `action` under `mandate_id` through `client`
    /// with this policy's options, and sorts the result.
    pub async fn rule(&self, client: &HumanosClient, mandate_id: &str, action: Action) -> Ruling {
        let mut call = client.authorize(mandate_id, action);
        if let Some(domain) = &self.target_verifier {
            call = call.target_verifier(domain.clone());
        }
        #[cfg(feature = "precheck")]
        if let Some(check) = &self.precheck {
            call = call.precheck(check);
        }
        match call.await {
            Ok(decision) => match decision.verdict {
                Verdict::Allow(allow) => Ruling::Granted {
                    grant: Grant::Allowed(allow),
                    decided_by: decision.decided_by,
                },
                Verdict::Deny(deny) => Ruling::Denied(deny),
            },
            Err(AuthorizeError::Undecided(error)) if self.undecided == Undecided::FailOpen => {
                Ruling::Granted {
                    grant: Grant::FailedOpen {
                        error: error.to_string(),
                    },
                    decided_by: DecidedBy::Api,
                }
            }
            Err(AuthorizeError::Undecided(_)) => Ruling::Undecided,
            Err(error) => Ruling::Refused {
                message: match error.error() {
                    crate::Error::Api {
                        message: Some(m), ..
                    } => Some(m.clone()),
                    _ => None,
                },
            },
        }
    }
}
