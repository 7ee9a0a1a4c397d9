//! The stored records (one JSON document per record in the store) and their kinds.

use humanos_models::JsonObject;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A credential's status, as stored and as the API writes it (`CredentialStatus` of the API
/// description: `DRAFT`, `ACTIVE`, `INACTIVE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum CredentialStatus {
    /// Created with its request; not decided yet.
    Draft,
    /// Accepted and issued: usable.
    Active,
    /// Rejected, canceled, revoked or exhausted: never usable again.
    Inactive,
}

impl CredentialStatus {
    /// The wire value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
        }
    }
}

/// The kind of a signed event in a credential's chain: the documented `EventAuditEntity.event`
/// values the sandbox records (`EventType` of the API description). A refused presentation is
/// no event: the description lists none for it, and `POST /credential/vp` appends none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// The credential was issued (signed) on acceptance.
    Issue,
    /// The grantor accepted.
    Accept,
    /// The grantor rejected.
    Reject,
    /// The issuer revoked it.
    Revoke,
    /// Its request was canceled.
    Cancel,
    /// Its last allowed execution was verified.
    Exhaust,
    /// A presentation of it was signed.
    VpCreated,
    /// A presentation of it was verified and allowed.
    VerificationApproved,
    /// A presentation of it was verified and denied.
    VerificationDenied,
}

impl EventKind {
    /// The wire value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Issue => "ISSUE",
            Self::Accept => "ACCEPT",
            Self::Reject => "REJECT",
            Self::Revoke => "REVOKE",
            Self::Cancel => "CANCEL",
            Self::Exhaust => "EXHAUST",
            Self::VpCreated => "VP_CREATED",
            Self::VerificationApproved => "VERIFICATION_APPROVED",
            Self::VerificationDenied => "VERIFICATION_DENIED",
        }
    }
}

/// The API's enum for this status.
impl From<CredentialStatus> for humanos_models::CredentialStatus {
    fn from(s: CredentialStatus) -> Self {
        match s {
            CredentialStatus::Draft => Self::Draft,
            CredentialStatus::Active => Self::Active,
            CredentialStatus::Inactive => Self::Inactive,
        }
    }
}

pub(crate) const ACTION: &str = "action";
pub(crate) const REQUEST: &str = "request";
pub(crate) const CREDENTIAL: &str = "credential";
pub(crate) const USER: &str = "user";

/// A published action and its versions (newest last).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActionRec {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) versions: Vec<VersionRec>,
}

/// One published version of an action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VersionRec {
    pub(crate) id: String,
    pub(crate) version: u64,
    pub(crate) content: JsonObject,
    pub(crate) digest_sri: String,
    pub(crate) created_at: String,
}

/// A user (subject) of the organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRec {
    pub(crate) id: String,
    pub(crate) contact: String,
    pub(crate) internal_id: Option<String>,
    pub(crate) extra_contacts: Vec<String>,
    pub(crate) identity: Option<Value>,
    pub(crate) created_at: String,
}

/// One subject of a request: its OTP and decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SubjectRec {
    pub(crate) user_id: String,
    pub(crate) contact: String,
    pub(crate) otp: String,
    pub(crate) otp_failures: u32,
    pub(crate) otp_sends: u32,
    pub(crate) last_send_ms: u64,
    pub(crate) decision: Option<String>,
    pub(crate) decided_at: Option<String>,
    pub(crate) credential_ids: Vec<String>,
}

/// A credential request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestRec {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) internal_id: Option<String>,
    pub(crate) security_level: String,
    pub(crate) language: Option<String>,
    pub(crate) redirect_url: Option<String>,
    pub(crate) created_at: String,
    pub(crate) created_ms: u64,
    pub(crate) canceled_at: Option<String>,
    pub(crate) authorized_dids: Vec<String>,
    pub(crate) subjects: Vec<SubjectRec>,
    pub(crate) api_version: String,
}

/// The action a mandate pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActionPin {
    pub(crate) id: String,
    pub(crate) version: u64,
    pub(crate) user_params: JsonObject,
}

/// A credential (mandate or other), draft until accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CredentialRec {
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) user_id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) internal_id: Option<String>,
    pub(crate) resource_type: String,
    pub(crate) status: CredentialStatus,
    pub(crate) scope: Option<String>,
    pub(crate) valid_from: Option<String>,
    pub(crate) valid_until: Option<String>,
    pub(crate) max_executions: Option<u64>,
    pub(crate) executions_remaining: Option<u64>,
    pub(crate) action: Option<ActionPin>,
    pub(crate) data: Option<String>,
    pub(crate) w3c: Option<JsonObject>,
    pub(crate) status_index: Option<u64>,
    pub(crate) decisions: Vec<Vec<Value>>,
    pub(crate) inactive_at: Option<String>,
    pub(crate) inactive_reason: Option<String>,
    pub(crate) revoked: bool,
    pub(crate) evidence_id: Option<String>,
}
