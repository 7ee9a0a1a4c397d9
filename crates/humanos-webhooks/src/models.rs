//! Interim event structs, until `humanos-models` provides the generated ones.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

macro_rules! event_struct {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $wire:literal : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            /// The event type.
            #[serde(rename = "eventType")]
            pub event_type: String,
            /// The request the event belongs to.
            #[serde(rename = "requestId")]
            pub request_id: String,
            /// Your own identifier of the request, if you gave one.
            #[serde(rename = "internalId", default, skip_serializing_if = "Option::is_none")]
            pub internal_id: Option<String>,
            /// DID of the issuing organization.
            #[serde(rename = "issuerDid")]
            pub issuer_did: String,
            /// The user the event is about.
            pub user: EventUser,
            /// API version the payload is shaped by.
            pub api_version: String,
            $($(#[$fdoc])* #[serde(rename = $wire)] pub $field: $ty,)*
            /// Properties this version does not know.
            #[serde(flatten)]
            pub additional_properties: Map<String, Value>,
        }
    };
}

event_struct!(
    /// `credential` event.
    CredentialEvent {
        /// The credential (the mandate on accept).
        credential: "credential": Value,
        /// The user's decision.
        decision: "decision": Value,
    }
);
event_struct!(
    /// `identity` event.
    IdentityEvent {
        /// The identity result.
        identity: "identity": Option<Value>,
        /// The decision.
        decision: "decision": Value,
    }
);
event_struct!(
    /// `otp.failed` event.
    OtpFailedEvent {
        /// The OTP failure.
        otp: "otp": Value,
    }
);
event_struct!(
    /// `test` event.
    TestEvent {
        /// The test message.
        message: "message": String,
    }
);

/// The user an event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventUser {
    /// Email or phone number.
    pub contact: String,
    /// Humanos user id.
    pub id: String,
    /// Your own identifier of the user.
    #[serde(
        rename = "internalId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_id: Option<String>,
}
