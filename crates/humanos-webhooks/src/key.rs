//! The idempotency key of an event: what makes two deliveries "the same event".

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The key under which an event is handled at most once.
///
/// One credential request can produce many events with the same `requestId`: a request names a
/// list of contacts, and each contact's decision on each credential arrives as its own
/// `credential` event (likewise `identity` and `otp.failed` per user). The official README's
/// advice, `requestId` + `eventType`, would therefore answer the second user's accepted mandate
/// as a duplicate. The key here identifies one event, and stays the same across Humanos's
/// retries of it (a retry carries the same payload; only the envelope's IV and the
/// timestamp/signature headers change):
///
/// | `eventType` | key |
/// | --- | --- |
/// | `credential` | `eventType`, `requestId`, `user.id`, `credential.id` (one decision per credential and user) |
/// | `identity` | `eventType`, `requestId`, `user.id`, `decision.date` (one outcome per identity check) |
/// | `otp.failed`, `test`, any other | `eventType`, `requestId`, `user.id`, SHA-256 of the payload's RFC 8785 canonical form (the payload carries no id or time of its own) |
///
/// A member that is absent counts as empty, so an event whose shape this SDK does not accept
/// (delivered as [`WebhookEvent::Undecoded`](crate::WebhookEvent::Undecoded)) gets the same key as
/// it would once decodable: the key is that of the decrypted JSON's members, never of our types
/// (when the lifecycle reads it from a decoded event, it is because those fields are exactly
/// the members, see `WebhookPayload::from_plaintext_with_key`).
///
/// [`as_str`](Self::as_str) is a fixed-length hex digest of the parts, suitable as a store key;
/// `Display` shows the readable parts for logs (ids only, never payload values).
///
/// ```
/// use humanos_webhooks::IdempotencyKey;
/// let ana = br#"{"eventType":"credential","requestId":"req_1","user":{"id":"usr_ana"},"credential":{"id":"urn:via:credential:1"}}"#;
/// let ben = br#"{"eventType":"credential","requestId":"req_1","user":{"id":"usr_ben"},"credential":{"id":"urn:via:credential:2"}}"#;
/// let a = IdempotencyKey::from_plaintext(ana).unwrap();
/// let b = IdempotencyKey::from_plaintext(ben).unwrap();
/// assert_ne!(a, b); // two users of one request: two events
/// assert_eq!(a.request_id(), "req_1");
/// assert_eq!(a.as_str().len(), 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey {
    digest: String,
    event_type: String,
    request_id: String,
    user_id: String,
    detail: String,
}

impl IdempotencyKey {
    /// The key of a decrypted payload, or `None` when it is not a JSON object.
    pub fn from_plaintext(plaintext: &[u8]) -> Option<Self> {
        let fields: KeyFields<'_> = serde_json::from_slice(plaintext).ok()?;
        let event_type = fields.event_type.unwrap_or_default();
        let detail = match event_type.as_ref() {
            "credential" => fields.credential_id.unwrap_or_default().into_owned(),
            "identity" => fields.decision_date.unwrap_or_default().into_owned(),
            _ => payload_digest(plaintext)?,
        };
        Some(Self::from_parts(
            event_type.into_owned(),
            fields.request_id.unwrap_or_default().into_owned(),
            fields.user_id.unwrap_or_default().into_owned(),
            detail,
        ))
    }

    /// The key of a payload already parsed into a [`Value`] (`None` when it is not an object).
    pub fn from_value(payload: &Value) -> Option<Self> {
        let object = payload.as_object()?;
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
        let nested = |outer: &str, inner: &str| text(object.get(outer).and_then(|o| o.get(inner)));
        let event_type = text(object.get("eventType"));
        let detail = match event_type.as_str() {
            "credential" => nested("credential", "id"),
            "identity" => nested("decision", "date"),
            _ => hex::encode(Sha256::digest(humanos_signing::jcs::to_vec(payload).ok()?)),
        };
        Some(Self::from_parts(
            event_type,
            text(object.get("requestId")),
            nested("user", "id"),
            detail,
        ))
    }

    pub(crate) fn from_parts(
        event_type: String,
        request_id: String,
        user_id: String,
        detail: String,
    ) -> Self {
        // Length-prefixed, so no choice of ids (URNs are full of `:`) makes two keys collide.
        let mut hasher = Sha256::new();
        for part in [&event_type, &request_id, &user_id, &detail] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        Self {
            digest: hex::encode(hasher.finalize()),
            event_type,
            request_id,
            user_id,
            detail,
        }
    }

    /// The key as 64 lowercase hex characters: what a store keeps.
    pub fn as_str(&self) -> &str {
        &self.digest
    }

    /// The `eventType` part.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The `requestId` part (empty when the payload has none).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The `user.id` part (empty when the payload has none).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential id or decision date is an identifier; a digest is shortened.
        let detail = match self.event_type.as_str() {
            "credential" | "identity" => self.detail.as_str(),
            _ => self.detail.get(..12).unwrap_or(&self.detail),
        };
        write!(
            f,
            "{} {} user={} {}",
            self.event_type, self.request_id, self.user_id, detail
        )
    }
}

/// SHA-256 (hex) of the payload's RFC 8785 form: member order and number spelling do not change it.
fn payload_digest(plaintext: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(plaintext).ok()?;
    let canonical = humanos_signing::jcs::to_vec(&value).ok()?;
    Some(hex::encode(Sha256::digest(canonical)))
}

/// The members the key reads, picked in one pass over the payload without building it; a member
/// of an unexpected JSON type is read as absent.
#[derive(Default)]
struct KeyFields<'a> {
    event_type: Option<Cow<'a, str>>,
    request_id: Option<Cow<'a, str>>,
    user_id: Option<Cow<'a, str>>,
    credential_id: Option<Cow<'a, str>>,
    decision_date: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for KeyFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Top;
        impl<'de> Visitor<'de> for Top {
            type Value = KeyFields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a webhook event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = KeyFields::default();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    match name.as_ref() {
                        "eventType" => fields.event_type = map.next_value::<Lenient<'de>>()?.0,
                        "requestId" => fields.request_id = map.next_value::<Lenient<'de>>()?.0,
                        "user" => fields.user_id = map.next_value_seed(Member("id"))?,
                        "credential" => fields.credential_id = map.next_value_seed(Member("id"))?,
                        "decision" => fields.decision_date = map.next_value_seed(Member("date"))?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Top)
    }
}

/// A string, or `None` for any other JSON value (skipped).
struct Lenient<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Lenient<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PickVisitor(None)).map(Lenient)
    }
}

/// Reads the string member `.0` of an object value; `None` for anything else.
struct Member(&'static str);

impl<'de> de::DeserializeSeed<'de> for Member {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(PickVisitor(Some(self.0)))
    }
}

/// With `None`: a string value, or `None` for any other value. With `Some(name)`: the string
/// member `name` of an object value, or `None`.
struct PickVisitor(Option<&'static str>);

impl<'de> Visitor<'de> for PickVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(self.0.is_none().then_some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.is_none().then(|| Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            if self.0 == Some(name.as_ref()) {
                found = map.next_value::<Lenient<'de>>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn key(v: &Value) -> IdempotencyKey {
        let from_bytes = IdempotencyKey::from_plaintext(&serde_json::to_vec(v).unwrap()).unwrap();
        assert_eq!(Some(&from_bytes), IdempotencyKey::from_value(v).as_ref());
        from_bytes
    }

    #[test]
    fn credential_events_of_one_request_differ_per_user_and_credential() {
        let event = |user: &str, cred: &str| {
            json!({"eventType": "credential", "requestId": "req_1", "user": {"id": user, "contact": "x"},
                   "credential": {"id": cred, "status": "ACTIVE"}, "decision": {"action": "ACCEPT", "date": "d"}})
        };
        let a = key(&event("usr_a", "urn:via:credential:1"));
        assert_ne!(a, key(&event("usr_b", "urn:via:credential:2")));
        assert_ne!(a, key(&event("usr_a", "urn:via:credential:3")));
        // A retry re-rendered with another status or member order is the same event.
        let mut retry = event("usr_a", "urn:via:credential:1");
        retry["credential"]["status"] = json!("INACTIVE");
        assert_eq!(a, key(&retry));
    }

    #[test]
    fn identity_and_digest_keys() {
        let identity = |date: &str| json!({"eventType": "identity", "requestId": "r", "user": {"id": "u"}, "decision": {"success": true, "date": date}});
        assert_ne!(key(&identity("2026-01-01")), key(&identity("2026-01-02")));
        let otp = |error: &str| json!({"eventType": "otp.failed", "requestId": "r", "user": {"id": "u"}, "otp": {"error": error, "n": 1.0}});
        assert_ne!(key(&otp("EXPIRED")), key(&otp("INVALID")));
        // The digest is over the canonical form: member order and `1.0` vs `1` do not matter.
        let reordered: &[u8] = br#"{"otp":{"n":1,"error":"EXPIRED"},"user":{"id":"u"},"requestId":"r","eventType":"otp.failed"}"#;
        assert_eq!(
            IdempotencyKey::from_plaintext(reordered),
            Some(key(&otp("EXPIRED")))
        );
    }

    #[test]
    fn members_of_unexpected_types_count_as_absent() {
        let odd = key(
            &json!({"eventType": "credential", "requestId": 7, "user": "u", "credential": {"id": [1]}}),
        );
        assert_eq!(odd.request_id(), "");
        assert_eq!(odd.user_id(), "");
        assert!(IdempotencyKey::from_plaintext(b"[1,2]").is_none());
        assert!(IdempotencyKey::from_plaintext(b"not json").is_none());
    }

    #[test]
    fn parts_cannot_be_shifted_into_each_other() {
        let a = key(
            &json!({"eventType": "credential", "requestId": "a:b", "user": {"id": "c"}, "credential": {"id": "d"}}),
        );
        let b = key(
            &json!({"eventType": "credential", "requestId": "a", "user": {"id": "b:c"}, "credential": {"id": "d"}}),
        );
        assert_ne!(a.as_str(), b.as_str());
    }
}
