//! Why a verification denied, in the API's own vocabulary where it has a word.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A machine-readable denial reason.
///
/// The first group are the values `POST /credential/verify` answers with in
/// `VerifyDenyResponseEntity.reason`; the second group are finer local reasons for which
/// the API documents no value ([`Reason::api_equivalent`] maps them onto the closest API
/// reason). Unknown strings round-trip through [`Reason::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// API: the VP's signing key could not be resolved or is not authorized.
    VpSignerUnknown,
    /// API: a signature does not verify.
    VpSignatureInvalid,
    /// API: the credential's revocation bit is set.
    CredentialRevoked,
    /// API: past `validUntil` (or the proof's `expires`).
    Expired,
    /// API: before `validFrom` (or a proof `created` in the future).
    NotYetValid,
    /// API: the verifier is not authorized for this credential.
    VerifierNotAuthorized,
    /// API: the VP's `proof.domain` is not the expected audience.
    VpDomainMismatch,
    /// API: the mandate does not pin the action whose rules were to be evaluated.
    ActionNotFound,
    /// API: `executionParams` do not fit the action's declared shape.
    ExecutionParamsInvalid,
    /// API: at least one CEL rule did not pass.
    RuleFailed,
    /// Local: the presentation is not a well-formed VP (the API answers 400 here).
    VpMalformed,
    /// Local: the VP's `proof.challenge` is not the expected nonce.
    VpChallengeMismatch,
    /// Local: a proof has the wrong `proofPurpose` (VP: authentication, VC: assertionMethod).
    ProofPurposeMismatch,
    /// Local: a proof uses another cryptosuite than `eddsa-jcs-2022`.
    UnsupportedCryptosuite,
    /// Local: a credential's signing key could not be resolved, is not authorized for
    /// `assertionMethod`, or is not the issuer's.
    CredentialSignerUnknown,
    /// Local: a credential's signature does not verify.
    CredentialSignatureInvalid,
    /// Local: the issuer is not in the configured trusted set.
    IssuerUntrusted,
    /// Local: the VP was not signed by its `holder`.
    HolderMismatch,
    /// Local: the credential's suspension bit is set.
    CredentialSuspended,
    /// Local: a status list was required but missing, invalid or stale.
    StatusUnavailable,
    /// A value this version does not know.
    Unknown(String),
}

impl Reason {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Reason::VpSignerUnknown => "vp_signer_unknown",
            Reason::VpSignatureInvalid => "vp_signature_invalid",
            Reason::CredentialRevoked => "credential_revoked",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::VerifierNotAuthorized => "verifier_not_authorized",
            Reason::VpDomainMismatch => "vp_domain_mismatch",
            Reason::ActionNotFound => "action_not_found",
            Reason::ExecutionParamsInvalid => "execution_params_invalid",
            Reason::RuleFailed => "rule_failed",
            Reason::VpMalformed => "vp_malformed",
            Reason::VpChallengeMismatch => "vp_challenge_mismatch",
            Reason::ProofPurposeMismatch => "proof_purpose_mismatch",
            Reason::UnsupportedCryptosuite => "unsupported_cryptosuite",
            Reason::CredentialSignerUnknown => "credential_signer_unknown",
            Reason::CredentialSignatureInvalid => "credential_signature_invalid",
            Reason::IssuerUntrusted => "issuer_untrusted",
            Reason::HolderMismatch => "holder_mismatch",
            Reason::CredentialSuspended => "credential_suspended",
            Reason::StatusUnavailable => "status_unavailable",
            Reason::Unknown(s) => s,
        }
    }

    /// Parses a wire string (unknown values are kept in [`Reason::Unknown`]).
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .iter()
            .find(|r| r.as_str() == s)
            .cloned()
            .unwrap_or_else(|| Reason::Unknown(s.to_owned()))
    }

    /// Every known reason, API ones first.
    pub const ALL: [Reason; 20] = [
        Reason::VpSignerUnknown,
        Reason::VpSignatureInvalid,
        Reason::CredentialRevoked,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::VerifierNotAuthorized,
        Reason::VpDomainMismatch,
        Reason::ActionNotFound,
        Reason::ExecutionParamsInvalid,
        Reason::RuleFailed,
        Reason::VpMalformed,
        Reason::VpChallengeMismatch,
        Reason::ProofPurposeMismatch,
        Reason::UnsupportedCryptosuite,
        Reason::CredentialSignerUnknown,
        Reason::CredentialSignatureInvalid,
        Reason::IssuerUntrusted,
        Reason::HolderMismatch,
        Reason::CredentialSuspended,
        Reason::StatusUnavailable,
    ];

    /// Whether the API documents this value.
    pub fn is_api_reason(&self) -> bool {
        matches!(
            self,
            Reason::VpSignerUnknown
                | Reason::VpSignatureInvalid
                | Reason::CredentialRevoked
                | Reason::Expired
                | Reason::NotYetValid
                | Reason::VerifierNotAuthorized
                | Reason::VpDomainMismatch
                | Reason::ActionNotFound
                | Reason::ExecutionParamsInvalid
                | Reason::RuleFailed
        )
    }

    /// The closest API reason (itself for API reasons), e.g. for a sandbox answering with
    /// the API's vocabulary only. `None` for [`Reason::VpMalformed`] (the API answers 400)
    /// and unknown values.
    pub fn api_equivalent(&self) -> Option<Reason> {
        Some(match self {
            r if r.is_api_reason() => r.clone(),
            Reason::VpChallengeMismatch => Reason::VpDomainMismatch,
            Reason::ProofPurposeMismatch
            | Reason::UnsupportedCryptosuite
            | Reason::CredentialSignatureInvalid => Reason::VpSignatureInvalid,
            Reason::CredentialSignerUnknown | Reason::IssuerUntrusted | Reason::HolderMismatch => {
                Reason::VpSignerUnknown
            }
            Reason::CredentialSuspended | Reason::StatusUnavailable => Reason::CredentialRevoked,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Reason::parse(&s))
    }
}
