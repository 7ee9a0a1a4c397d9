//! Hand-written types for the schemas the Python SDK's generator models as wrapper objects
//! (`actual_instance`, `anyof_schema_1_validator`, `one_of_schemas`, ...). The error body behind
//! every `*Response` error wrapper is in `api_error.rs`.
//!
//! Those wrapper members never travel on the wire: the JSON is just one of the alternatives. Each
//! type here is that JSON, and the conformance test feeds it each alternative (see the crate docs,
//! "Python wrapper schemas").

use std::fmt;

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::{
    CredentialEvent, CredentialProof, IdentityEvent, JsonObject, OtpFailedEvent, TestEvent,
    W3CLegacyCredential, W3CV2Credential, WebhookEventType,
};

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The string as it appears on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype! {
    /// Data of a `DOCUMENT` credential: a base64-encoded PDF document.
    ///
    /// Schema `CredentialDtoData` (a one-alternative `oneOf` in the Python SDK): on the wire a
    /// plain JSON string.
    CredentialDtoData
}

string_newtype! {
    /// Issue or expiry date of an identity document (ISO 8601 date-time, or another date string).
    ///
    /// Schema `IdentityWebhookIssueDate` (`anyOf [date-time, string]` in the Python SDK): on the
    /// wire a plain JSON string, kept as sent.
    IdentityWebhookIssueDate
}

string_newtype! {
    /// `root` of a [`BoundKey`](crate::BoundKey): the root the agent key chains to.
    ///
    /// Schema `Root` (`anyOf [string, string]` in the Python SDK): on the wire a plain JSON string.
    Root
}

/// Grantor(s) of a [`Mandate`](crate::Mandate): one DID, or several.
///
/// Schema `MandateGrantor` (`anyOf [string, array of string]`): the JSON is a string or an array
/// of strings, and stays the same shape on a round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MandateGrantor {
    /// A single grantor DID (a JSON string).
    One(String),
    /// Several grantor DIDs (a JSON array).
    Many(Vec<String>),
}

impl MandateGrantor {
    /// The grantor DIDs, whichever shape the JSON had.
    pub fn dids(&self) -> Vec<&str> {
        match self {
            Self::One(did) => vec![did.as_str()],
            Self::Many(dids) => dids.iter().map(String::as_str).collect(),
        }
    }
}

impl From<String> for MandateGrantor {
    fn from(did: String) -> Self {
        Self::One(did)
    }
}

impl From<&str> for MandateGrantor {
    fn from(did: &str) -> Self {
        Self::One(did.to_owned())
    }
}

/// `proof` of a [`W3CV2Credential`]: one proof or a proof set.
///
/// Schema `W3CV2CredentialProof` (`anyOf [CredentialProof, array of CredentialProof]`): the JSON is
/// an object or an array of objects, and stays the same shape on a round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum W3CV2CredentialProof {
    /// A single proof (a JSON object).
    Single(Box<CredentialProof>),
    /// A proof set (a JSON array).
    Set(Vec<CredentialProof>),
}

impl W3CV2CredentialProof {
    /// The proofs, whichever shape the JSON had.
    pub fn proofs(&self) -> Vec<&CredentialProof> {
        match self {
            Self::Single(proof) => vec![proof.as_ref()],
            Self::Set(proofs) => proofs.iter().collect(),
        }
    }
}

/// A VIA credential in either of its published shapes.
///
/// Schema `W3CVerifiableCredential` (`anyOf [W3CLegacyCredential, W3CV2Credential]`). The Python
/// SDK tries the legacy shape first, which accepts nearly any object; here the choice is made on
/// the data: a credential whose `specVersion` is a string is [`W3CV2Credential`] (where it is
/// required), anything else is [`W3CLegacyCredential`]. Both keep unknown members, so the JSON
/// round-trips unchanged either way. `#[non_exhaustive]`: a later API version may publish a third
/// shape.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum W3CVerifiableCredential {
    /// A pre-0.2 credential (`evidences`, `proofs`).
    Legacy(W3CLegacyCredential),
    /// A W3C VC 2.0 credential (`specVersion`, `evidence`, `proof`).
    V2(W3CV2Credential),
}

impl Serialize for W3CVerifiableCredential {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Legacy(credential) => credential.serialize(serializer),
            Self::V2(credential) => credential.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for W3CVerifiableCredential {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = JsonObject::deserialize(deserializer)?;
        let v2 = object.get("specVersion").is_some_and(Value::is_string);
        let value = Value::Object(object);
        if v2 {
            serde_json::from_value(value)
                .map(Self::V2)
                .map_err(D::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(Self::Legacy)
                .map_err(D::Error::custom)
        }
    }
}

/// A decrypted webhook event, dispatched on its `eventType`.
///
/// Schema `WebhookCallEvent` (a `oneOf` of the four events in the Python SDK). On the wire it is
/// the event object itself; `eventType` selects the variant. Decoding never loses an event: an
/// event type this version of the SDK does not know is kept whole in
/// [`WebhookCallEvent::Unknown`], and an event of a known type whose members do not have the
/// shape our types expect arrives as [`WebhookCallEvent::Undecoded`], with its JSON and the
/// reason. Both serialize back unchanged.
///
/// ```
/// use humanos_models::{DeliveryActionType, WebhookCallEvent};
///
/// let payload = br#"{"eventType":"test","requestId":"req_1","issuerDid":"did:web:org.example",
///     "user":{"contact":"user@example.com","id":"usr_1"},"api_version":"2026-09-01",
///     "message":"Hello"}"#;
/// match serde_json::from_slice::<WebhookCallEvent>(payload)? {
///     WebhookCallEvent::Credential(event) => {
///         if event.decision.action != DeliveryActionType::Accept {
///             return Ok(()); // user rejected
///         }
///         let _mandate_id = &event.credential.id; // persist: rule_id -> mandate_id
///     }
///     WebhookCallEvent::Identity(_) => { /* KYC / identity verification completed */ }
///     WebhookCallEvent::OtpFailed(_) => { /* user failed OTP: possible fraud signal */ }
///     WebhookCallEvent::Test(event) => assert_eq!(event.message, "Hello"),
///     other => println!("event type {} is new to this SDK", other.event_type()),
/// }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one event per webhook delivery; boxing buys nothing
pub enum WebhookCallEvent {
    /// `credential`: a credential request was accepted or rejected.
    Credential(CredentialEvent),
    /// `identity`: an identity (KYC) check completed.
    Identity(IdentityEvent),
    /// `otp.failed`: a user failed OTP entry.
    OtpFailed(OtpFailedEvent),
    /// `test`: "Send test event" from the dashboard.
    Test(TestEvent),
    /// An event type this version of the SDK does not know (or an object without a string
    /// `eventType`), kept verbatim.
    Unknown(JsonObject),
    /// An event of a known `eventType` whose members do not match this SDK's types (a required
    /// member missing, a member of another JSON type): the payload verbatim and why it did not
    /// decode, so an authentic event is handed over instead of refused.
    Undecoded(UndecodedEvent),
}

/// A webhook event of a known type that did not decode into its struct: see
/// [`WebhookCallEvent::Undecoded`].
///
/// ```
/// use humanos_models::{WebhookCallEvent, WebhookEventType};
/// let raw = r#"{"eventType":"credential","requestId":"req_1","credential":{"id":7}}"#;
/// let WebhookCallEvent::Undecoded(event) = serde_json::from_str(raw)? else { unreachable!() };
/// assert_eq!(event.event_type, WebhookEventType::Credential);
/// assert_eq!(event.payload["requestId"], "req_1");
/// assert!(!event.error.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UndecodedEvent {
    /// The event's `eventType`, one this SDK knows.
    pub event_type: WebhookEventType,
    /// The whole payload, as received.
    pub payload: JsonObject,
    /// Why it did not decode: the JSON path and the expectation that failed.
    pub error: String,
}

impl UndecodedEvent {
    /// The event of type `event_type` whose `payload` did not decode, and why (`error`).
    pub fn new(
        event_type: WebhookEventType,
        payload: JsonObject,
        error: impl Into<String>,
    ) -> Self {
        Self {
            event_type,
            payload,
            error: error.into(),
        }
    }
}

impl WebhookCallEvent {
    /// The event's `eventType` as on the wire (`""` if an unknown event has none).
    pub fn event_type(&self) -> &str {
        match self {
            Self::Credential(e) => e.event_type.as_str(),
            Self::Identity(e) => e.event_type.as_str(),
            Self::OtpFailed(e) => e.event_type.as_str(),
            Self::Test(e) => e.event_type.as_str(),
            Self::Unknown(object) => object
                .get("eventType")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            Self::Undecoded(event) => event.event_type.as_str(),
        }
    }

    /// The event's `requestId`: the credential request the event belongs to. Several events
    /// share it (one per user and credential of the request), so it is not an idempotency key
    /// on its own.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Credential(e) => Some(&e.request_id),
            Self::Identity(e) => Some(&e.request_id),
            Self::OtpFailed(e) => Some(&e.request_id),
            Self::Test(e) => Some(&e.request_id),
            Self::Unknown(object) => object.get("requestId").and_then(Value::as_str),
            Self::Undecoded(event) => event.payload.get("requestId").and_then(Value::as_str),
        }
    }
}

impl Serialize for WebhookCallEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Credential(e) => e.serialize(serializer),
            Self::Identity(e) => e.serialize(serializer),
            Self::OtpFailed(e) => e.serialize(serializer),
            Self::Test(e) => e.serialize(serializer),
            Self::Unknown(object) => object.serialize(serializer),
            Self::Undecoded(event) => event.payload.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for WebhookCallEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Value::Object(JsonObject::deserialize(deserializer)?);
        let Some(event_type) = object
            .get("eventType")
            .and_then(Value::as_str)
            .map(WebhookEventType::from)
        else {
            return Ok(Self::Unknown(into_object(object)));
        };
        // Decoding from `&Value` leaves the object in place, so an event that does not fit its
        // type can still be handed over whole.
        let decoded = match &event_type {
            WebhookEventType::Credential => {
                CredentialEvent::deserialize(&object).map(Self::Credential)
            }
            WebhookEventType::Identity => IdentityEvent::deserialize(&object).map(Self::Identity),
            WebhookEventType::OtpFailed => {
                OtpFailedEvent::deserialize(&object).map(Self::OtpFailed)
            }
            WebhookEventType::Test => TestEvent::deserialize(&object).map(Self::Test),
            _ => return Ok(Self::Unknown(into_object(object))),
        };
        Ok(decoded.unwrap_or_else(|err| {
            Self::Undecoded(UndecodedEvent {
                event_type,
                payload: into_object(object),
                error: err.to_string(),
            })
        }))
    }
}

fn into_object(value: Value) -> JsonObject {
    match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    }
}
