//! One pass from a decrypted plaintext to its typed event and its idempotency key.
//!
//! The general path parses the plaintext into a [`Value`], reads the key from that `Value`
//! ([`IdempotencyKey::from_value`]) and decodes the event from it. It is right for every input,
//! and it is what every answer here is measured against. For the common case, an object of a
//! known `eventType` that names its `eventType` first (as Humanos writes its events), this
//! module decodes the event straight from the bytes and takes the key from the decoded fields,
//! without building the `Value`.
//!
//! The one pass gives up (and the general path runs) wherever its answer could differ from the
//! general path's:
//! - the plaintext is not UTF-8, is not an object, or `eventType` is not its first member or
//!   not a string of a known type (the general path keeps such an event whole or refuses it);
//! - the event does not fit its type, including a member that appears twice (the general path
//!   keeps the last, the typed decoder refuses; the general path then hands over
//!   [`WebhookEvent::Undecoded`] with the located reason);
//! - in a `credential` event, `credential` is not an object (its struct would accept an array,
//!   where the key reads `credential.id` as absent).
//!
//! Members the typed decoder would skip unread (the unknown members of `credential`, the only
//! event struct that does not keep them) are parsed into a `Value` and dropped, so that a
//! plaintext the general path refuses (an out-of-range number, a lone surrogate, nesting past
//! serde_json's limit) is refused here too. `tests/decode_differential.rs` compares both paths
//! on thousands of generated and hostile payloads.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};
use serde_json::Value;

use crate::event::{
    CredentialEvent, IdentityEvent, OtpFailedEvent, TestEvent, WebhookEvent, WebhookEventType,
    WebhookPayload, dispatch, parse,
};
use crate::{IdempotencyKey, WebhookError};

impl WebhookPayload for WebhookEvent {
    fn from_plaintext(plaintext: &[u8]) -> Result<Self, WebhookError> {
        event_and_key(plaintext, false).map(|(event, _)| event)
    }
    fn from_plaintext_with_key(
        plaintext: &[u8],
        with_key: bool,
    ) -> Result<(Self, Option<IdempotencyKey>), WebhookError> {
        event_and_key(plaintext, with_key)
    }
    fn from_json(payload: Value) -> Result<Self, WebhookError> {
        dispatch(payload)
    }
    fn event_type(&self) -> Option<&str> {
        Some(WebhookEvent::event_type(self))
    }
    fn request_id(&self) -> Option<&str> {
        WebhookEvent::request_id(self)
    }
}

/// The typed event and, when `with_key`, its idempotency key: the one pass where it applies,
/// the general path otherwise. Both give the same answer for every plaintext.
pub(crate) fn event_and_key(
    plaintext: &[u8],
    with_key: bool,
) -> Result<(WebhookEvent, Option<IdempotencyKey>), WebhookError> {
    let Some(event) = one_pass(plaintext) else {
        return general(plaintext, with_key);
    };
    let key = match with_key {
        true => Some(key_of(&event, plaintext)?),
        false => None,
    };
    Ok((event, key))
}

/// The reference path: parse into a `Value`, key from the `Value`, event from the `Value`.
fn general(
    plaintext: &[u8],
    with_key: bool,
) -> Result<(WebhookEvent, Option<IdempotencyKey>), WebhookError> {
    let payload = parse(plaintext)?;
    let key = match with_key {
        true => Some(IdempotencyKey::from_value(&payload).ok_or(WebhookError::PlaintextNotJson)?),
        false => None,
    };
    Ok((dispatch(payload)?, key))
}

/// The key of an event the one pass decoded. Its members were objects and strings (the typed
/// decoder checked them, and refused duplicates), so its fields are the members the general
/// path reads. The digest keys (`otp.failed`, `test`) need the canonical form of the whole
/// payload, so they take the general path's key.
fn key_of(event: &WebhookEvent, plaintext: &[u8]) -> Result<IdempotencyKey, WebhookError> {
    let parts = |event_type: &WebhookEventType, request: &str, user: &str, detail: &str| {
        IdempotencyKey::from_parts(
            event_type.as_str().to_owned(),
            request.to_owned(),
            user.to_owned(),
            detail.to_owned(),
        )
    };
    match event {
        WebhookEvent::Credential(e) => Ok(parts(
            &e.event_type,
            &e.request_id,
            &e.user.id,
            &e.credential.id,
        )),
        WebhookEvent::Identity(e) => Ok(parts(
            &e.event_type,
            &e.request_id,
            &e.user.id,
            &e.decision.date,
        )),
        _ => IdempotencyKey::from_value(&parse(plaintext)?).ok_or(WebhookError::PlaintextNotJson),
    }
}

/// The event decoded straight from the bytes, or `None` to take the general path.
fn one_pass(plaintext: &[u8]) -> Option<WebhookEvent> {
    // Valid UTF-8 up front: nothing below skips a string unread, and serde_json's `str`
    // reader then need not check each string again.
    let text = std::str::from_utf8(plaintext).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let event = de.deserialize_map(EventVisitor).ok()?;
    de.end().ok()?;
    Some(event)
}

fn give_up<E: de::Error>() -> E {
    E::custom("not decodable in one pass")
}

/// The top-level object: `eventType` first, then the typed event from the rest.
struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = WebhookEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a webhook event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WebhookEvent, A::Error> {
        match map.next_key::<Key<'de>>()? {
            Some(Key(name)) if name == "eventType" => {}
            _ => return Err(give_up()),
        }
        let event_type = map.next_value::<WebhookEventType>()?;
        let rest = |guard| Prepended {
            event_type: Some(event_type.clone()),
            map,
            guard,
            guard_next: false,
        };
        let de = |guard| MapAccessDeserializer::new(rest(guard));
        match event_type {
            WebhookEventType::Credential => {
                CredentialEvent::deserialize(de(Some("credential"))).map(WebhookEvent::Credential)
            }
            WebhookEventType::Identity => {
                IdentityEvent::deserialize(de(None)).map(WebhookEvent::Identity)
            }
            WebhookEventType::OtpFailed => {
                OtpFailedEvent::deserialize(de(None)).map(WebhookEvent::OtpFailed)
            }
            WebhookEventType::Test => TestEvent::deserialize(de(None)).map(WebhookEvent::Test),
            _ => Err(give_up()),
        }
    }
}

/// A member name, borrowed from the text when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Key<'de> {
    /// Hands the name to a field seed as serde_json would have: borrowed when it was.
    fn into_seed<S: DeserializeSeed<'de>, E: de::Error>(self, seed: S) -> Result<S::Value, E> {
        match self.0 {
            Cow::Borrowed(name) => seed.deserialize(BorrowedStrDeserializer::new(name)),
            Cow::Owned(name) => seed.deserialize(StrDeserializer::new(&name)),
        }
    }
}

/// The top-level members after `eventType`, with `eventType` (already read) replayed first.
/// With `guard`, the value of that member must be an object whose unknown members are parsed
/// (see [`ObjectOnly`]).
struct Prepended<A> {
    event_type: Option<WebhookEventType>,
    map: A,
    guard: Option<&'static str>,
    guard_next: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prepended<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if self.event_type.is_some() {
            return seed
                .deserialize(BorrowedStrDeserializer::new("eventType"))
                .map(Some);
        }
        let Some(guard) = self.guard else {
            return self.map.next_key_seed(seed);
        };
        let Some(key) = self.map.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        self.guard_next = key.0 == guard;
        key.into_seed(seed).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        if let Some(event_type) = self.event_type.take() {
            return seed.deserialize(StrDeserializer::new(event_type.as_str()));
        }
        if std::mem::take(&mut self.guard_next) {
            return self.map.next_value_seed(ObjectSeed(seed));
        }
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Deserializes its seed from [`ObjectOnly`].
struct ObjectSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for ObjectSeed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(ObjectOnly(deserializer))
    }
}

/// A struct from a JSON object only (never from an array), whose members not among the
/// struct's fields are parsed into a `Value` rather than skipped unread. Anything but a struct
/// gives up.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, D::Error> {
        Err(give_up())
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Members { visitor, fields })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The struct's visitor, given the object's members through [`KnownOnly`].
struct Members<V> {
    visitor: V,
    fields: &'static [&'static str],
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Members<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(KnownOnly {
            map,
            fields: self.fields,
            unknown: false,
        })
    }
}

/// An object's members; the value of a member not in `fields` is parsed into a `Value` and
/// dropped, and the struct's visitor (which would have skipped it) is handed a unit.
struct KnownOnly<A> {
    map: A,
    fields: &'static [&'static str],
    unknown: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for KnownOnly<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        self.unknown = !self.fields.contains(&key.0.as_ref());
        key.into_seed(seed).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        if std::mem::take(&mut self.unknown) {
            self.map.next_value::<Value>()?;
            return seed.deserialize(serde::de::value::UnitDeserializer::new());
        }
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }

    #[test]
    fn the_sample_events_take_the_one_pass() {
        for event_type in ["credential", "identity", "otp.failed", "test"] {
            let event = crate::sample::of_type(event_type, "req_1").unwrap();
            let decoded = one_pass(&bytes(&event)).expect("one pass");
            assert_eq!(decoded.event_type(), event_type);
        }
    }

    #[test]
    fn it_gives_up_where_its_answer_could_differ() {
        let mut event = crate::sample::credential("req_1");
        let reordered: serde_json::Map<_, _> = event
            .as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert!(one_pass(&bytes(&Value::Object(reordered))).is_none());
        event["credential"] = serde_json::json!(["urn:x", "urn:y"]);
        assert!(one_pass(&bytes(&event)).is_none());
        let text = String::from_utf8(bytes(&crate::sample::credential("req_1"))).unwrap();
        let duplicate = text.replacen(
            r#""requestId":"req_1""#,
            r#""requestId":"a","requestId":"req_1""#,
            1,
        );
        assert!(one_pass(duplicate.as_bytes()).is_none());
        let unread = text.replacen(r#""credential":{"#, r#""credential":{"x":1e400,"#, 1);
        assert!(one_pass(unread.as_bytes()).is_none());
    }
}
