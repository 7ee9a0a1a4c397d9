//! Realistic decrypted payloads of every documented event type, for tests, examples, the CLI's
//! `webhook trigger` and the local sandbox. Compiled only with the `test-util` feature (as
//! tokio's test utilities are): its secrets are public test values.
//!
//! Each function returns the JSON object Humanos would encrypt, with the `eventType`,
//! `requestId` and the fields the API description requires, filled with plausible values.
//!
//! [`malformed`] is the catalogue of hostile deliveries (47 ways to be refused, each with the
//! error it must get), and [`undecodable`] the authentic deliveries our types do not fit; both
//! are shared by this crate's tests and the adapters' tests over HTTP.
//!
//! ```
//! use humanos_webhooks::{sample, WebhookConfig, WebhookEvent};
//! let config = WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt")?;
//! let delivery = config.seal(&sample::credential("req_1"))?;
//! let event = config.process(&delivery.headers(), &delivery.body)?;
//! assert!(matches!(event, WebhookEvent::Credential(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::{Value, json};

mod malformed;
pub use malformed::{
    CATALOGUE_ENCRYPTION_SALT, CATALOGUE_ENCRYPTION_SECRET, CATALOGUE_NOW_MS,
    CATALOGUE_SIGNATURE_SECRET, MalformedDelivery, UndecodableDelivery, catalogue_config,
    malformed, undecodable,
};

const ISSUER: &str = "did:web:humanos.id";
const API_VERSION: &str = "2026-09-01";

fn user() -> Value {
    json!({"contact": "ana@example.com", "id": "usr_01JB4Q5Z8XK3M2N7P9R6T1V0W", "internalId": "crm-42"})
}

/// A `credential` event: the user accepted a mandate request. `credential.id` is the mandate ID.
pub fn credential(request_id: &str) -> Value {
    json!({
        "eventType": "credential",
        "requestId": request_id,
        "internalId": "order-7731",
        "issuerDid": ISSUER,
        "user": user(),
        "api_version": API_VERSION,
        "credential": {
            "id": "urn:via:credential:7c1e2a4b-5d3f-4e8a-9b1c-2d3e4f5a6b7c",
            "name": "Action mandate",
            "resourceType": "POLICY",
            "status": "ACTIVE",
            "executionsRemaining": 10,
            "w3cCredential": {
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://via.humanos.id/contexts/mandate/v1"],
                "id": "urn:via:credential:7c1e2a4b-5d3f-4e8a-9b1c-2d3e4f5a6b7c",
                "type": ["VerifiableCredential", "ViaMandateCredential"],
                "issuer": ISSUER,
                "validFrom": "2026-09-01T10:00:00Z",
                "validUntil": "2027-09-01T10:00:00Z",
                "credentialSubject": {
                    "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                    "mandate": {
                        "grantor": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                        "scope": "agent.execute",
                        "context": {"authorizedDIDs": ["did:web:agent.example.com"]},
                        "action": {
                            "id": "urn:via:action:3f9a1c2e-8b7d-4e6f-a5b4-c3d2e1f0a9b8",
                            "digestSRI": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                            "location": "https://api.humanos.id/actions/version/3f9a1c2e"
                        },
                        "userParams": {
                            "maxAmount": {"description": "Largest single purchase", "value": 10000},
                            "allowedCategories": {"description": "Categories the agent may buy", "value": ["BOOKS", "OFFICE"]}
                        },
                        "maxExecutions": 10
                    }
                },
                "credentialStatus": {
                    "id": "https://api.humanos.id/status/1#94567",
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "94567",
                    "statusListCredential": "https://api.humanos.id/status/1"
                },
                "proof": {
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-jcs-2022",
                    "proofPurpose": "assertionMethod",
                    "verificationMethod": "did:web:humanos.id#key-1",
                    "created": "2026-09-01T10:00:00Z",
                    "proofValue": "z2iAR3CFTjuSWCxPxH1fVkXKkWK5sACYsB6ZzfSJTeVFmYoRV4WRHqSNZ8mBuZ2V7Ur3NAVx1WeCnYdNSvJQjQe3"
                }
            },
            "decisions": [["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "accept", "ana@example.com"]]
        },
        "decision": {"action": "accept", "date": "2026-09-01T10:00:00.000Z"}
    })
}

/// An `identity` event: the user completed an identity (KYC) check.
pub fn identity(request_id: &str) -> Value {
    json!({
        "eventType": "identity",
        "requestId": request_id,
        "issuerDid": ISSUER,
        "user": user(),
        "api_version": API_VERSION,
        "identity": {
            "fullName": "Ana Sofia Ribeiro",
            "birth": "1990-04-12T00:00:00.000Z",
            "docId": "15883421",
            "fullDocId": "15883421 4 ZX7",
            "countryAlpha3": "PRT",
            "nationality": "PRT",
            "documentType": "ID_CARD",
            "gender": "F"
        },
        "decision": {"success": true, "message": "Identity verified", "date": "2026-09-01T10:05:00.000Z"}
    })
}

/// An `otp.failed` event: the user entered a wrong one-time code too many times.
pub fn otp_failed(request_id: &str) -> Value {
    json!({
        "eventType": "otp.failed",
        "requestId": request_id,
        "issuerDid": ISSUER,
        "user": user(),
        "api_version": API_VERSION,
        "otp": {
            "resendEndpoint": format!("/request/resend/{request_id}"),
            "error": {"code": "OTP_MAX_ATTEMPTS", "message": "Maximum number of attempts reached"}
        }
    })
}

/// A `test` event, as the dashboard's "Send test event" sends it.
pub fn test(request_id: &str) -> Value {
    json!({
        "eventType": "test",
        "requestId": request_id,
        "issuerDid": ISSUER,
        "user": user(),
        "api_version": API_VERSION,
        "message": "This is a test event from Humanos"
    })
}

/// The sample of `event_type` (`credential`, `identity`, `otp.failed` or `test`), if it is one
/// of those.
pub fn of_type(event_type: &str, request_id: &str) -> Option<Value> {
    Some(match event_type {
        "credential" => credential(request_id),
        "identity" => identity(request_id),
        "otp.failed" => otp_failed(request_id),
        "test" => test(request_id),
        _ => return None,
    })
}
