//! Typed webhook events.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::WebhookError;

pub use humanos_models::{
    CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent, WebhookEventType,
};

/// A decrypted webhook event, dispatched on its `eventType`: the models crate's
/// [`humanos_models::WebhookCallEvent`].
///
/// Event types this version does not know arrive as [`WebhookEvent::Unknown`] with their
/// payload intact: a new event type on the server never turns a delivery into an error.
///
/// ```
/// use humanos_webhooks::{WebhookEvent, WebhookPayload};
/// let event = WebhookEvent::from_plaintext(br#"{"eventType":"mandate.expired","requestId":"r1","x":1}"#)?;
/// assert_eq!(event.event_type(), "mandate.expired");
/// assert_eq!(event.request_id(), Some("r1"));
/// assert!(matches!(event, WebhookEvent::Unknown(_)));
/// # Ok::<(), humanos_webhooks::WebhookError>(())
/// ```
pub type WebhookEvent = humanos_models::WebhookCallEvent;

/// Dispatches a parsed payload on its `eventType`, decoding known events with the JSON path of
/// any mismatch.
fn dispatch(payload: Map<String, Value>) -> Result<WebhookEvent, WebhookError> {
    let event_type = match payload.get("eventType") {
        Some(Value::String(t)) => WebhookEventType::from(t.as_str()),
        _ => {
            return Err(WebhookError::PayloadShape {
                event_type: String::new(),
                path: "eventType".to_owned(),
                detail: ": missing or not a string".to_owned(),
            });
        }
    };
    Ok(match event_type {
        WebhookEventType::Credential => WebhookEvent::Credential(typed(&event_type, payload)?),
        WebhookEventType::Identity => WebhookEvent::Identity(typed(&event_type, payload)?),
        WebhookEventType::OtpFailed => WebhookEvent::OtpFailed(typed(&event_type, payload)?),
        WebhookEventType::Test => WebhookEvent::Test(typed(&event_type, payload)?),
        _ => WebhookEvent::Unknown(payload),
    })
}

fn typed<T: DeserializeOwned>(
    event_type: &WebhookEventType,
    payload: Map<String, Value>,
) -> Result<T, WebhookError> {
    serde_path_to_error::deserialize(Value::Object(payload))
        .map_err(|err| shape_error(event_type.as_str(), &err))
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
        let payload: Map<String, Value> =
            serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)?;
        dispatch(payload)
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
                Some(self.event_type.as_str())
            }
            fn request_id(&self) -> Option<&str> {
                Some(&self.request_id)
            }
        }
    )*};
}

typed_payload!(CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent);
