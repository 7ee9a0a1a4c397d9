//! Typed webhook events.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{IdempotencyKey, WebhookError};

pub use humanos_models::{
    CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent, UndecodedEvent, WebhookEventType,
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

/// Decodes a parsed payload into the variant its `eventType` names. Any JSON object is an event:
/// one of a known type that does not fit its struct becomes [`WebhookEvent::Undecoded`], one
/// without a known type [`WebhookEvent::Unknown`].
pub(crate) fn dispatch(payload: Value) -> Result<WebhookEvent, WebhookError> {
    let Value::Object(object) = payload else {
        return Err(WebhookError::PlaintextNotJson);
    };
    let event_type = object
        .get("eventType")
        .and_then(Value::as_str)
        .map(WebhookEventType::from);
    match event_type {
        Some(t @ WebhookEventType::Credential) => fitted(t, object, WebhookEvent::Credential),
        Some(t @ WebhookEventType::Identity) => fitted(t, object, WebhookEvent::Identity),
        Some(t @ WebhookEventType::OtpFailed) => fitted(t, object, WebhookEvent::OtpFailed),
        Some(t @ WebhookEventType::Test) => fitted(t, object, WebhookEvent::Test),
        // Not a type this SDK knows, or no string `eventType`: kept whole.
        _ => Ok(WebhookEvent::Unknown(object)),
    }
}

/// The typed variant, or [`WebhookEvent::Undecoded`] with the payload and the reason.
fn fitted<T: DeserializeOwned>(
    event_type: WebhookEventType,
    object: Map<String, Value>,
    variant: fn(T) -> WebhookEvent,
) -> Result<WebhookEvent, WebhookError> {
    let payload = Value::Object(object);
    // Decoding from `&Value` leaves the payload in place for the (rare) event that does not fit.
    match typed::<T>(event_type.as_str(), &payload) {
        Ok(event) => Ok(variant(event)),
        Err(err) => {
            let Value::Object(payload) = payload else {
                return Err(err);
            };
            Ok(WebhookEvent::Undecoded(UndecodedEvent::new(
                event_type,
                payload,
                err.to_string(),
            )))
        }
    }
}

/// Parses a decrypted plaintext: the one pass over its bytes.
pub(crate) fn parse(plaintext: &[u8]) -> Result<Value, WebhookError> {
    serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)
}

/// Decodes a typed payload from parsed JSON; `label` names it in a
/// [`WebhookError::PayloadShape`].
fn typed<T: DeserializeOwned>(label: &str, payload: &Value) -> Result<T, WebhookError> {
    // Fast path without path tracking; a failure is decoded again to locate it.
    if let Ok(value) = T::deserialize(payload) {
        return Ok(value);
    }
    match serde_path_to_error::deserialize::<_, T>(payload) {
        Ok(value) => Ok(value),
        Err(err) => Err(shape_error(label, &err)),
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

/// What a delivery can be decoded into: [`WebhookEvent`], one of the event structs, or a plain
/// [`serde_json::Value`].
///
/// Implement it for your own type to have the adapters hand you that type directly.
pub trait WebhookPayload: Sized {
    /// Decodes the decrypted plaintext.
    fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError> {
        Self::from_json(parse(plaintext)?)
    }

    /// Decodes the decrypted plaintext and, when `with_key`, computes its [`IdempotencyKey`]
    /// (what the delivery lifecycle calls when dedup is on). The key is always the one
    /// [`IdempotencyKey::from_value`] gives for the parsed plaintext; a payload that is not a
    /// JSON object is [`WebhookError::PlaintextNotJson`].
    ///
    /// The provided method parses the plaintext once into a `Value` for both;
    /// [`WebhookEvent`]'s decodes the usual event straight from the bytes and takes the key
    /// from its fields.
    fn from_plaintext_with_key(
        plaintext: &[u8],
        with_key: bool,
    ) -> Result<(Self, Option<IdempotencyKey>), WebhookError> {
        let payload = parse(plaintext)?;
        let key = match with_key {
            true => {
                Some(IdempotencyKey::from_value(&payload).ok_or(WebhookError::PlaintextNotJson)?)
            }
            false => None,
        };
        Ok((Self::from_json(payload)?, key))
    }

    /// Decodes the decrypted payload, already parsed into a `Value`.
    fn from_json(payload: Value) -> Result<Self, WebhookError>;

    /// The `eventType`, when the payload has one.
    fn event_type(&self) -> Option<&str>;

    /// The `requestId`, when the payload has one.
    fn request_id(&self) -> Option<&str>;
}

// `WebhookPayload for WebhookEvent` is in `crate::decode`, with the one-pass decoder.

impl WebhookPayload for Value {
    fn from_json(payload: Value) -> Result<Self, WebhookError> {
        Ok(payload)
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
            fn from_json(payload: Value) -> Result<Self, WebhookError> {
                typed(stringify!($ty), &payload)
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
