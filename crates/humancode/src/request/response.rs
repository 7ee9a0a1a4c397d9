//! The typed `result` of each API.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::SESSION_LIFETIME;
use crate::{Error, validate};

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Session {}
    impl Sealed for super::HumanId {}
    impl Sealed for super::ShowId {}
}

/// The typed `result` of an API; implemented by [`Session`], [`HumanId`] and [`ShowId`] only.
pub trait ApiResult: sealed::Sealed + Sized {
    #[doc(hidden)]
    fn from_result(result: Value, request_timestamp_ms: u64) -> Result<Self, String>;
}

fn field<T: for<'de> Deserialize<'de>>(result: Value) -> Result<T, String> {
    serde_json::from_value(result).map_err(|e| format!("unexpected `result`: {e}"))
}

/// A HumanCode session, from the SESSION_ID API.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The session id to put in the page URL and to check the vcode against.
    pub session_id: String,
    /// When the session was requested (the request's `timestamp`), Unix milliseconds.
    pub created_at_ms: u64,
}

impl Session {
    /// When the session expires at the latest: [`SESSION_LIFETIME`] after its creation.
    pub fn expires_at_ms(&self) -> u64 {
        self.created_at_ms
            .saturating_add(u64::try_from(SESSION_LIFETIME.as_millis()).unwrap_or(u64::MAX))
    }

    /// Whether the session has certainly expired at `now_ms`.
    pub fn is_expired_at(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms()
    }
}

impl ApiResult for Session {
    fn from_result(result: Value, ts: u64) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct R {
            session_id: String,
        }
        let r: R = field(result)?;
        if !validate::is_id(&r.session_id) {
            return Err("`session_id` is malformed".into());
        }
        Ok(Session {
            session_id: r.session_id,
            created_at_ms: ts,
        })
    }
}

/// A human_id: HumanCode's stable, hashed identifier of a person, from the VCODE API.
///
/// Store it with your user to launch the VERIFICATION page next time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HumanId(String);

impl HumanId {
    /// Wraps a stored human_id, checking its shape (1 to 128 characters of `[A-Za-z0-9_-]`).
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        validate::human_id(&value)?;
        Ok(HumanId(value))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for HumanId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HumanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ApiResult for HumanId {
    fn from_result(result: Value, _: u64) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct R {
            human_id: String,
        }
        let r: R = field(result)?;
        if !validate::is_id(&r.human_id) {
            return Err("`human_id` is malformed".into());
        }
        Ok(HumanId(r.human_id))
    }
}

/// The short display id of a human_id, from the get_show_id API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ShowId {
    /// A short id to show to the user.
    pub show_id: String,
    /// When the human_id was created, as sent by HumanCode (a number is kept as its digits).
    #[serde(default, deserialize_with = "string_or_number")]
    pub create_time: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

impl ApiResult for ShowId {
    fn from_result(result: Value, _: u64) -> Result<Self, String> {
        field(result)
    }
}
