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

/// Only the `eventType` of a payload; every other member is skipped without being built.
#[derive(serde::Deserialize)]
struct EventTypeOnly<'a> {
    #[serde(rename = "eventType", borrow, default)]
    event_type: Option<std::borrow::Cow<'a, str>>,
}

/// Decodes a plaintext into the variant its `eventType` names, straight from the bytes (no
/// intermediate `Value`), with the JSON path of any mismatch.
fn dispatch(plaintext: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let peek: EventTypeOnly<'_> = match serde_json::from_slice(plaintext) {
        Ok(peek) => peek,
        Err(err) if err.is_data() => EventTypeOnly { event_type: None },
        Err(_) => return Err(WebhookError::PlaintextNotJson),
    };
    let Some(event_type) = peek.event_type.map(|t| WebhookEventType::from(t.as_ref())) else {
        // Not an object, or no string `eventType`.
        return match serde_json::from_slice::<Map<String, Value>>(plaintext) {
            Ok(_) => Err(WebhookError::PayloadShape {
                event_type: String::new(),
                path: "eventType".to_owned(),
                detail: ": missing or not a string".to_owned(),
            }),
            Err(_) => Err(WebhookError::PlaintextNotJson),
        };
    };
    Ok(match event_type {
        WebhookEventType::Credential => {
            WebhookEvent::Credential(typed(event_type.as_str(), plaintext)?)
        }
        WebhookEventType::Identity => {
            WebhookEvent::Identity(typed(event_type.as_str(), plaintext)?)
        }
        WebhookEventType::OtpFailed => {
            WebhookEvent::OtpFailed(typed(event_type.as_str(), plaintext)?)
        }
        WebhookEventType::Test => WebhookEvent::Test(typed(event_type.as_str(), plaintext)?),
        _ => WebhookEvent::Unknown(
            serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)?,
        ),
    })
}

/// Decodes a typed payload; `label` names it in a [`WebhookError::PayloadShape`].
fn typed<T: DeserializeOwned>(label: &str, plaintext: &[u8]) -> Result<T, WebhookError> {
    // Fast path without path tracking; a failure is decoded again to locate it.
    if let Ok(value) = serde_json::from_slice(plaintext) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(plaintext);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(err) if err.inner().is_data() => Err(shape_error(label, &err)),
        _ => Err(WebhookError::PlaintextNotJson),
    }
}

/// A [`WebhookError::PayloadShape`] that names the path and, for missing fields, the field,
/// without echoing any value of the payload.
fn shape_error<E: fmt::Display>(
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
        dispatch(plaintext)
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
                typed(stringify!($ty), plaintext)
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
