//! Hand-curated decisions the generator applies on top of the API description.
//!
//! Everything that is not mechanical lives here, so a reviewer can read the generator's policy in
//! one place. This file holds the decisions that shape the types (renames, hand-written schemas,
//! enum-typed fields, variant names, defaults); `docs.rs` the rustdoc the description lacks. Both
//! are read as `config::TABLE`. `docs/models.md` explains each table.

mod docs;

pub(crate) use docs::{ENUM_DOCS, FIELD_DOCS, TYPE_DOCS, VARIANT_DOCS};

/// Schema names that are not valid Rust type names, or read badly.
pub(crate) const TYPE_RENAMES: &[(&str, &str)] = &[("CONSENT", "Consent")];

/// Python-generator wrapper schemas (`actual_instance`, `anyof_schema_N_validator`, ...). They are
/// not what travels on the wire, so they are hand-written in `crates/humanos-models/src/unions.rs`
/// as what the JSON really is. The generator refuses any other wrapper schema.
pub(crate) const HAND_WRITTEN: &[&str] = &[
    "CredentialDtoData",
    "IdentityWebhookIssueDate",
    "MandateGrantor",
    "Root",
    "W3CVerifiableCredential",
    "W3CV2CredentialProof",
    "WebhookCallEvent",
];

/// The hand-written type behind every `*Response` error wrapper (`{statusCode, message, error}`).
pub(crate) const ERROR_BODY: &str = "ApiErrorBody";

/// Enum-typed fields: (schema, wire name, Rust enum). Covers every `enum_fields` entry of the
/// description (the generator fails on a missing one) plus fields whose description documents a
/// closed set of values (marked "extra" in the comment).
pub(crate) const ENUM_FIELDS: &[(&str, &str, &str)] = &[
    ("BitstringStatusListEntry", "type", "StatusListEntryType"),
    ("BitstringStatusListEntry", "statusPurpose", "StatusPurpose"),
    ("CreateSubjectEntity", "status", "CreateSubjectStatus"),
    ("CredentialDto", "type", "CredentialType"),
    ("CredentialEntity", "status", "CredentialStatus"),
    ("CredentialEvent", "eventType", "WebhookEventType"),
    ("IdentityEvent", "eventType", "WebhookEventType"),
    ("OtpFailedEvent", "eventType", "WebhookEventType"),
    ("TestEvent", "eventType", "WebhookEventType"),
    ("CredentialPlacementDto", "type", "PlacementType"),
    ("DataIntegrityProof", "type", "ProofType"),
    ("DataIntegrityProof", "cryptosuite", "Cryptosuite"),
    ("EventAuditEntity", "event", "EventType"),
    ("GrantorBinding", "assurance", "GrantorAssurance"),
    ("RequestCredentialEntity", "status", "CredentialStatus"),
    ("RevokeCredentialEntity", "status", "CredentialStatus"),
    ("RequestDetailEntity", "securityLevel", "SecurityLevel"),
    ("RequestEntity", "securityLevel", "SecurityLevel"),
    (
        "RequestDetailSubjectEntity",
        "identityStatus",
        "IdentityStatus",
    ),
    ("RequestSubjectEntity", "identityStatus", "IdentityStatus"),
    ("SubjectIssuerEntity", "identityStatus", "IdentityStatus"),
    ("ResourceEntity", "type", "ResourceType"),
    ("ResourceMinimalEntity", "type", "ResourceType"),
    ("VerifyAllowResponseEntity", "decision", "VerifyDecision"),
    ("VerifyDenyResponseEntity", "decision", "VerifyDecision"),
    ("VerifyEvaluationEntity", "result", "EvaluationResult"),
    // extra: plain strings in the description, documented as one of these values
    ("GenerateRequestDto", "securityLevel", "SecurityLevel"),
    ("RequestQuery", "securityLevel", "SecurityLevel"),
    ("CredentialEntity", "resourceType", "ResourceType"),
    ("RequestCredentialEntity", "resourceType", "ResourceType"),
    ("ResourceQuery", "types", "ResourceType"),
    ("RequestDetailSubjectEntity", "kyc", "KycStatus"),
    ("RequestSubjectEntity", "kyc", "KycStatus"),
];

/// Values of enums that exist only through an "extra" entry above.
pub(crate) const EXTRA_ENUM_VALUES: &[(&str, &[&str])] =
    &[("KycStatus", &["PENDING", "APPROVED", "REJECTED"])];

/// Rust variant names where the mechanical conversion of the wire value does not work or reads
/// badly.
pub(crate) const VARIANT_NAMES: &[(&str, &str, &str)] = &[
    ("Binding", "self", "SelfCustody"),
    ("CreateSubjectStatus", "201", "Success"),
    ("CreateSubjectStatus", "400", "InvalidPayload"),
    ("CreateSubjectStatus", "409", "DuplicateContact"),
    ("CreateSubjectStatus", "410", "InconsistentReferences"),
    ("CreateSubjectStatus", "500", "UnexpectedError"),
];

/// Enum defaults, only where the description states one.
pub(crate) const ENUM_DEFAULTS: &[(&str, &str, &str)] = &[
    (
        "SecurityLevel",
        "CONTACT",
        "`CONTACT`, the server-side default of `GenerateRequestDto.securityLevel`.",
    ),
    (
        "CredentialType",
        "JSON",
        "`JSON`, which the API recommends for general use.",
    ),
];
