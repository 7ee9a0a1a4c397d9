//! Typed webhook events.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::WebhookError;

pub use crate::models::{CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent};

/// A decrypted webhook event, dispatched on its `eventType`.
///
/// Event types this version does not know arrive as [`WebhookEvent::Unknown`] with their
/// payload intact: a new event type on the server never turns a delivery into an error.
///
/// ```
/// use humanos_webhooks::WebhookEvent;
/// let event = WebhookEvent::from_json(br#"{"eventType":"mandate.expired","requestId":"r1","x":1}"#)?;
/// assert_eq!(event.event_type(), "mandate.expired");
/// assert_eq!(event.request_id(), Some("r1"));
/// assert!(matches!(event, WebhookEvent::Unknown { .. }));
/// # Ok::<(), humanos_webhooks::WebhookError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// `credential`: a credential request was accepted or rejected; on accept the credential is
    /// the mandate.
    Credential(Box<CredentialEvent>),
    /// `identity`: an identity (KYC) check completed.
    Identity(Box<IdentityEvent>),
    /// `otp.failed`: a user failed the one-time code.
    OtpFailed(Box<OtpFailedEvent>),
    /// `test`: "Send test event" from the dashboard.
    Test(Box<TestEvent>),
    /// An event type this version of the SDK does not know, kept as received.
    Unknown {
        /// The `eventType` value.
        #[serde(skip)]
        event_type: String,
        /// The whole decrypted payload.
        #[serde(flatten)]
        payload: Map<String, Value>,
    },
}

impl WebhookEvent {
    /// The `eventType` of a credential event.
    pub const CREDENTIAL: &'static str = "credential";
    /// The `eventType` of an identity event.
    pub const IDENTITY: &'static str = "identity";
    /// The `eventType` of an OTP failure event.
    pub const OTP_FAILED: &'static str = "otp.failed";
    /// The `eventType` of a test event.
    pub const TEST: &'static str = "test";

    /// Decodes a decrypted payload.
    pub fn from_json(plaintext: &[u8]) -> Result<Self, WebhookError> {
        let payload: Map<String, Value> =
            serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)?;
        Self::from_map(payload)
    }

    /// Dispatches an already parsed payload on its `eventType`.
    pub fn from_map(payload: Map<String, Value>) -> Result<Self, WebhookError> {
        let event_type = match payload.get("eventType") {
            Some(Value::String(t)) => t.clone(),
            _ => {
                return Err(WebhookError::PayloadShape {
                    event_type: String::new(),
                    path: "eventType".to_owned(),
                    detail: ": missing or not a string".to_owned(),
                });
            }
        };
        Ok(match event_type.as_str() {
            Self::CREDENTIAL => Self::Credential(typed(&event_type, payload)?),
            Self::IDENTITY => Self::Identity(typed(&event_type, payload)?),
            Self::OTP_FAILED => Self::OtpFailed(typed(&event_type, payload)?),
            Self::TEST => Self::Test(typed(&event_type, payload)?),
            _ => Self::Unknown {
                event_type,
                payload,
            },
        })
    }

    /// The `eventType`, such as `credential` or `otp.failed`.
    pub fn event_type(&self) -> &str {
        match self {
            Self::Credential(e) => &e.event_type,
            Self::Identity(e) => &e.event_type,
            Self::OtpFailed(e) => &e.event_type,
            Self::Test(e) => &e.event_type,
            Self::Unknown { event_type, .. } => event_type,
        }
    }

    /// The `requestId` the event belongs to (every documented event has one).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Credential(e) => Some(&e.request_id),
            Self::Identity(e) => Some(&e.request_id),
            Self::OtpFailed(e) => Some(&e.request_id),
            Self::Test(e) => Some(&e.request_id),
            Self::Unknown { payload, .. } => payload.get("requestId").and_then(Value::as_str),
        }
    }
}

fn typed<T: DeserializeOwned>(
    event_type: &str,
    payload: Map<String, Value>,
) -> Result<Box<T>, WebhookError> {
    serde_path_to_error::deserialize(Value::Object(payload))
        .map(Box::new)
        .map_err(|err| shape_error(event_type, &err))
}

/// A [`WebhookError::PayloadShape`] that names the path and, for missing fields, the field,
/// without echoing any value of the payload.
pub(crate) fn shape_error<E: fmt::Display>(
    event_type: &str,
    err: &serde_path_to_error::Error<E>,
) -> WebhookError {
    let message = err.inner().to_string();
    let detail = match message.strip_prefix("missing field ") {
        Some(field) => format!(": missing field {}", field.split(' ').next().unwrap_or("")),
        None => String::new(),
    };
    WebhookError::PayloadShape {
        event_type: event_type.to_owned(),
        path: err.path().to_string(),
        detail,
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let payload = Map::deserialize(deserializer)?;
        Self::from_map(payload).map_err(serde::de::Error::custom)
    }
}

/// The key under which a delivery should be processed at most once: `requestId` + `eventType`,
/// as the Humanos documentation recommends. Humanos retries deliveries until they are
/// acknowledged, so the same event can arrive more than once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey {
    request_id: String,
    event_type: String,
}

impl IdempotencyKey {
    /// The key of `event_type` for `request_id`.
    pub fn new(request_id: impl Into<String>, event_type: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            event_type: event_type.into(),
        }
    }

    /// The `requestId` part.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The `eventType` part.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.request_id, self.event_type)
    }
}

/// What a delivery can be decoded into: [`WebhookEvent`], one of the event structs, or a plain
/// [`serde_json::Value`].
///
/// Implement it for your own type to have the adapters hand you that type directly.
pub trait WebhookPayload: Sized {
    /// Decodes the decrypted plaintext.
    fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError>;

    /// The `eventType`, when the payload has one.
    fn event_type(&self) -> Option<&str>;

    /// The `requestId`, when the payload has one.
    fn request_id(&self) -> Option<&str>;

    /// The idempotency key (`requestId` + `eventType`), when both are present.
    fn idempotency_key(&self) -> Option<IdempotencyKey> {
        Some(IdempotencyKey::new(self.request_id()?, self.event_type()?))
    }
}

impl WebhookPayload for WebhookEvent {
    fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError> {
        Self::from_json(plaintext)
    }
    fn event_type(&self) -> Option<&str> {
        Some(WebhookEvent::event_type(self))
    }
    fn request_id(&self) -> Option<&str> {
        WebhookEvent::request_id(self)
    }
}

impl WebhookPayload for Value {
    fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError> {
        serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)
    }
    fn event_type(&self) -> Option<&str> {
        self.get("eventType").and_then(Value::as_str)
    }
    fn request_id(&self) -> Option<&str> {
        self.get("requestId").and_then(Value::as_str)
    }
}

macro_rules! typed_payload {
    ($($ty:ty),*) => {$(
        impl WebhookPayload for $ty {
            fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError> {
                let mut de = serde_json::Deserializer::from_slice(plaintext);
                serde_path_to_error::deserialize(&mut de).map_err(|err| {
                    if err.inner().is_data() {
                        shape_error(stringify!($ty), &err)
                    } else {
                        WebhookError::PlaintextNotJson
                    }
                })
            }
            fn event_type(&self) -> Option<&str> {
                Some(&self.event_type)
            }
            fn request_id(&self) -> Option<&str> {
                Some(&self.request_id)
            }
        }
    )*};
}

typed_payload!(CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent);
