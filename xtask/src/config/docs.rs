//! The rustdoc the API description does not give: docs of enums, variants, types and fields.

/// Rustdoc of each enum (schema-level enums without a description and every field enum).
pub(crate) const ENUM_DOCS: &[(&str, &str)] = &[
    (
        "Assurance",
        "How strongly an agent's key is bound to the agent (VIA `BoundKey.assurance`).",
    ),
    (
        "Binding",
        "Who holds an agent's key (VIA `BoundKey.binding`).",
    ),
    (
        "CredentialStatus",
        "Lifecycle status of a credential (mandate).",
    ),
    (
        "DeliveryActionType",
        "The user's decision on a credential request, as delivered by the `credential` webhook event.",
    ),
    (
        "EventType",
        "Event of a credential's signed event chain (also the `event` of a chain proof).",
    ),
    ("ProofPurpose", "Purpose of a Data Integrity proof."),
    (
        "SpecVersion",
        "Version of the VIA mandate specification a credential follows.",
    ),
    (
        "StatusListEntryType",
        "`type` of a Bitstring Status List entry.",
    ),
    (
        "StatusPurpose",
        "What a Bitstring Status List entry tracks.",
    ),
    (
        "CreateSubjectStatus",
        "Per-subject outcome of `POST /user`, as an HTTP status code.",
    ),
    (
        "CredentialType",
        "Type of a credential requested through `POST /request`.",
    ),
    (
        "WebhookEventType",
        "`eventType` of a webhook event; it selects the variant of [`crate::WebhookCallEvent`].",
    ),
    (
        "PlacementType",
        "Kind of a predefined placement on a document credential.",
    ),
    ("ProofType", "`type` of a Data Integrity proof."),
    (
        "Cryptosuite",
        "Cryptographic suite of a Data Integrity proof.",
    ),
    (
        "GrantorAssurance",
        "How the grantor's key binding was verified.",
    ),
    (
        "SecurityLevel",
        "How strongly the user must be identified before deciding on a request.",
    ),
    (
        "IdentityStatus",
        "Identity status of a subject within the issuer.",
    ),
    (
        "ResourceType",
        "Type of a resource (and of the credential issued from it).",
    ),
    ("VerifyDecision", "Outcome of `POST /credential/verify`."),
    ("EvaluationResult", "Result of evaluating one action rule."),
    (
        "KycStatus",
        "Status of the identity verification (KYC) process of a subject in a request.",
    ),
];

/// Variant docs taken from the field descriptions of the description.
pub(crate) const VARIANT_DOCS: &[(&str, &str, &str)] = &[
    ("Binding", "self", "The agent holds its own key."),
    (
        "CreateSubjectStatus",
        "201",
        "Subject created or updated (the message distinguishes them).",
    ),
    (
        "CreateSubjectStatus",
        "400",
        "Invalid body payload; details in the message.",
    ),
    (
        "CreateSubjectStatus",
        "409",
        "Duplicate contact within the request body.",
    ),
    (
        "CreateSubjectStatus",
        "410",
        "The contact maps to a subject with inconsistent references (the same subject appears through more than one contact in this request).",
    ),
    ("CreateSubjectStatus", "500", "Unexpected processing error."),
    ("CredentialType", "JSON", "Recommended for general use."),
    ("CredentialType", "DOCUMENT", "A document (PDF) to sign."),
    (
        "CredentialType",
        "POLICY",
        "An action-bound mandate: provide an `action` (id + `userParams`) and omit `data`.",
    ),
    ("IdentityStatus", "NONE", "No identity verified."),
    (
        "IdentityStatus",
        "KYC",
        "The user has an identity within your organization.",
    ),
    (
        "IdentityStatus",
        "HUMANOS",
        "The user has a Humanos-verified identity.",
    ),
    (
        "SecurityLevel",
        "CONTACT",
        "Contact verification only (OTP by email or SMS); the default.",
    ),
    ("VerifyDecision", "allow", "Every check passed (HTTP 201)."),
    (
        "VerifyDecision",
        "deny",
        "At least one check failed (HTTP 403).",
    ),
    (
        "DeliveryActionType",
        "accept",
        "The user accepted; the credential was issued.",
    ),
    (
        "DeliveryActionType",
        "reject",
        "The user rejected the request.",
    ),
    (
        "WebhookEventType",
        "credential",
        "A credential request was accepted or rejected.",
    ),
    (
        "WebhookEventType",
        "identity",
        "An identity (KYC) check completed.",
    ),
    ("WebhookEventType", "otp.failed", "A user failed OTP entry."),
    (
        "WebhookEventType",
        "test",
        "\"Send test event\" from the dashboard.",
    ),
];

/// Type docs for schemas whose description is just their own name.
pub(crate) const TYPE_DOCS: &[(&str, &str)] = &[
    (
        "CredentialEvent",
        "Decrypted payload of the `credential` webhook event: a credential request was accepted or rejected. `credential.id` is the mandate ID.",
    ),
    (
        "IdentityEvent",
        "Decrypted payload of the `identity` webhook event: an identity (KYC) check completed.",
    ),
    (
        "OtpFailedEvent",
        "Decrypted payload of the `otp.failed` webhook event: a user failed OTP entry (a possible fraud signal).",
    ),
    (
        "TestEvent",
        "Decrypted payload of the `test` webhook event, sent by \"Send test event\" in the dashboard.",
    ),
    (
        "CredentialEventDecision",
        "The user's decision in a `credential` webhook event.",
    ),
    (
        "CredentialEventUser",
        "The user a `credential` webhook event is about.",
    ),
    (
        "IdentityEventDecision",
        "Outcome of the identity check in an `identity` webhook event.",
    ),
    (
        "IdentityEventUser",
        "The user an `identity`, `otp.failed` or `test` webhook event is about.",
    ),
    (
        "IdentityWebhook",
        "Identity data extracted by the identity (KYC) check, delivered in an `identity` webhook event.",
    ),
    ("OtpFailedEventOtp", "Details of a failed OTP entry."),
    ("OtpError", "Why an OTP entry failed."),
    (
        "ViaMandateCredential",
        "A VIA mandate as a W3C Verifiable Credential (VIA spec 0.2): the signed permission slip a user issues to an agent.",
    ),
    (
        "ViaMandateCredentialCredentialSubject",
        "Subject of a VIA mandate credential: the agent and the mandate it holds.",
    ),
    ("W3CLegacyCredential", "A pre-0.2 (legacy) VIA credential."),
    (
        "W3CLegacyCredentialCredentialSubject",
        "Subject of a VIA credential: the agent and the mandate it holds.",
    ),
    (
        "W3CV2Credential",
        "A VIA credential following the W3C VC Data Model 2.0.",
    ),
    (
        "Mandate",
        "A VIA mandate: who grants what to whom, for which action and with which `userParams`.",
    ),
    ("MandateContext", "Who may use a mandate."),
    (
        "MandateAction",
        "Reference to the action a mandate is bound to.",
    ),
    (
        "ActionReference",
        "Reference to a published action version: its URN, SRI digest and location.",
    ),
    (
        "BoundKey",
        "An agent key bound to a mandate, with how and when it was bound.",
    ),
    (
        "BoundKeyCnf",
        "Confirmation (`cnf`) of a bound key: the public key as a JWK.",
    ),
    (
        "GrantorBinding",
        "Binding of the grantor to a key, verified by Humanos.",
    ),
    (
        "GrantorBindingCnf",
        "Confirmation (`cnf`) of the grantor's key: its JWK thumbprint.",
    ),
    ("Jwk", "A JSON Web Key (RFC 7517)."),
    ("CustodyRef", "Where a custodial agent key is held."),
    (
        "DataIntegrityProof",
        "A W3C Data Integrity proof (`eddsa-jcs-2022`).",
    ),
    (
        "CredentialProof",
        "A legacy VIA credential proof, bound to an action.",
    ),
    (
        "Evidence",
        "Evidence attached to a credential (for example the signed PDF or form answers).",
    ),
    ("EvidenceEntry", "Evidence entry of a VIA 0.2 credential."),
    (
        "BitstringStatusListEntry",
        "A W3C Bitstring Status List entry: where to check the credential's revocation or suspension.",
    ),
    (
        "WrappedUserParam",
        "A `userParams` value of a mandate with its description.",
    ),
];

/// Field docs for fields without a description.
pub(crate) const FIELD_DOCS: &[(&str, &str, &str)] = &[
    (
        "*Event",
        "eventType",
        "Event type; selects the variant of [`crate::WebhookCallEvent`].",
    ),
    (
        "*Event",
        "requestId",
        "ID of the credential request the event belongs to. With `eventType` it makes a good idempotency key.",
    ),
    (
        "*Event",
        "internalId",
        "Your own identifier of the request, if you set one.",
    ),
    ("*Event", "issuerDid", "DID of the issuing organization."),
    ("*Event", "user", "The user the event is about."),
    (
        "*Event",
        "api_version",
        "API version the payload was rendered with.",
    ),
    (
        "CredentialEvent",
        "credential",
        "The credential; `credential.id` is the mandate ID.",
    ),
    ("CredentialEvent", "decision", "The user's decision."),
    (
        "IdentityEvent",
        "identity",
        "Identity data extracted by the check, when it succeeded.",
    ),
    (
        "IdentityEvent",
        "decision",
        "Outcome of the identity check.",
    ),
    ("OtpFailedEvent", "otp", "Details of the failed OTP entry."),
    (
        "TestEvent",
        "message",
        "Free-text message of the test event.",
    ),
    (
        "CredentialEventDecision",
        "action",
        "Whether the user accepted or rejected.",
    ),
    (
        "CredentialEventDecision",
        "date",
        "When the user decided (ISO 8601).",
    ),
    (
        "IdentityEventDecision",
        "success",
        "Whether the identity check succeeded.",
    ),
    (
        "IdentityEventDecision",
        "message",
        "Message explaining the outcome.",
    ),
    (
        "IdentityEventDecision",
        "date",
        "When the check completed (ISO 8601).",
    ),
    (
        "*EventUser",
        "contact",
        "The user's contact (email or phone number).",
    ),
    ("*EventUser", "id", "The user's ID."),
    (
        "*EventUser",
        "internalId",
        "Your own identifier of the user, if you set one.",
    ),
    (
        "OtpFailedEventOtp",
        "resendEndpoint",
        "Endpoint to call to send a new OTP.",
    ),
    ("OtpFailedEventOtp", "error", "Why the OTP entry failed."),
    ("OtpError", "code", "Machine-readable error code."),
    ("OtpError", "message", "Human-readable error message."),
    ("*", "@context", "JSON-LD contexts."),
    ("*", "issuer", "DID of the issuer."),
    ("*", "validFrom", "Start of validity (ISO 8601)."),
    ("*", "validUntil", "End of validity (ISO 8601), if any."),
    ("*", "credentialSubject", "The credential subject."),
    (
        "*",
        "digestSRI",
        "Subresource Integrity digest (`sha256-<base64url>`) of the referenced content.",
    ),
    (
        "*",
        "location",
        "Where the referenced content can be fetched.",
    ),
    ("*", "proofValue", "The signature, multibase-encoded."),
    (
        "*",
        "verificationMethod",
        "DID URL of the key that made the proof.",
    ),
    ("*", "proofPurpose", "Purpose of the proof."),
    ("*", "cryptosuite", "Cryptographic suite of the proof."),
    ("*", "created", "When the proof was made (ISO 8601)."),
    (
        "*",
        "specVersion",
        "Version of the VIA specification the credential follows.",
    ),
    (
        "Mandate",
        "grantor",
        "DID (or DIDs) of the user(s) granting the mandate.",
    ),
    (
        "Mandate",
        "grantorBinding",
        "Binding of the grantor to a verified key.",
    ),
    (
        "Mandate",
        "scope",
        "Scope of the mandate (the credential's `scope`).",
    ),
    ("Mandate", "context", "Who may use the mandate."),
    ("Mandate", "action", "The action the mandate is bound to."),
    (
        "Mandate",
        "userParams",
        "The `userParams` values the user approved, by name.",
    ),
    ("Mandate", "extensions", "Extensions the mandate uses."),
    (
        "MandateContext",
        "authorizedDIDs",
        "DIDs authorized to use the mandate.",
    ),
    (
        "MandateContext",
        "authorizedAgents",
        "Agent keys bound to the mandate.",
    ),
    (
        "WrappedUserParam",
        "description",
        "What the value means, as declared by the action.",
    ),
    (
        "WrappedUserParam",
        "value",
        "The approved value (any JSON, possibly `null`).",
    ),
    (
        "BoundKey",
        "cnf",
        "Confirmation (`cnf`) of the key: the public key as a JWK.",
    ),
    (
        "BoundKey",
        "assurance",
        "How strongly the key is bound to the agent.",
    ),
    ("BoundKey", "binding", "Who holds the key."),
    (
        "BoundKey",
        "root",
        "Root of trust of the binding, when there is one.",
    ),
    (
        "BoundKey",
        "custodyRef",
        "Where the key is held, for a custodial key.",
    ),
    (
        "BoundKey",
        "maxAttestationStaleness",
        "How old the key's attestation may be, when bounded.",
    ),
    ("BoundKey", "verifiedAt", "When the binding was verified."),
    (
        "BoundKey",
        "attestationDigestSRI",
        "Subresource Integrity digest of the key's attestation.",
    ),
    ("BoundKeyCnf", "jwk", "The public key."),
    ("GrantorBinding", "grantor", "DID of the grantor."),
    (
        "GrantorBinding",
        "cnf",
        "Confirmation (`cnf`) of the grantor's key.",
    ),
    (
        "GrantorBinding",
        "assurance",
        "How the binding was verified.",
    ),
    (
        "GrantorBinding",
        "verifiedAt",
        "When the binding was verified (ISO 8601).",
    ),
    (
        "GrantorBindingCnf",
        "jkt",
        "JWK thumbprint (RFC 7638) of the grantor's key.",
    ),
    ("Jwk", "kty", "Key type (for example `OKP` or `EC`)."),
    ("Jwk", "crv", "Curve (for example `Ed25519` or `P-256`)."),
    ("Jwk", "x", "Public key (x coordinate), base64url."),
    ("Jwk", "y", "Public key y coordinate (EC keys), base64url."),
    ("Jwk", "d", "Private key part; never expected in API data."),
    ("*", "evidence", "Evidence attached to the credential."),
    (
        "*",
        "evidences",
        "Evidence attached to the credential (legacy plural name).",
    ),
    ("*", "proof", "Proof securing the credential."),
    (
        "*",
        "proofs",
        "Proofs securing the credential (legacy plural name).",
    ),
    (
        "*",
        "credentialStatus",
        "Where to check revocation or suspension.",
    ),
    ("*", "statusCode", "HTTP status code."),
    ("*", "message", "Human-readable message."),
    (
        "*",
        "error",
        "HTTP reason phrase (for example `Bad Request`).",
    ),
];
