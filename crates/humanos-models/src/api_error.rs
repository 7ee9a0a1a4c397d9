//! The API's error answers: the body every non-2xx status carries ([`ApiErrorBody`]) and the
//! `Retry-After` header of `429` and `503` ([`retry_after`]).
//!
//! Both are parsed here, without an HTTP client, so that every client built on these models (the
//! `humanos` crate, or another SDK author's) reads an error answer the same way.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use humanos_models::{ApiErrorBody, retry_after};
//!
//! let body = br#"{"statusCode":403,"message":"revoked","error":"Forbidden","reason":"credential_revoked"}"#;
//! let error = ApiErrorBody::from_response_body(body).expect("the documented error JSON");
//! assert_eq!(error.status(), Some(403));
//! assert_eq!(error.code(), Some("credential_revoked"));
//! assert_eq!(ApiErrorBody::from_response_body(b"<html>Bad Gateway</html>"), None);
//!
//! assert_eq!(retry_after("120", SystemTime::now()), Some(Duration::from_secs(120)));
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::JsonObject;

/// The error body the API answers non-2xx statuses with (NestJS style):
/// `{"statusCode": 400, "message": "...", "error": "Bad Request"}`.
///
/// Every `*NNNResponse` schema of the API description (`RequestsCreate400Response`,
/// `CredentialsDetail404Response`, ...) is this shape, and each is a type alias of it. Validation
/// errors carry a list of messages, so [`ApiErrorBody::message`] accepts both shapes; any other
/// member is kept in `additional_properties`.
///
/// `#[non_exhaustive]`: build one with [`ApiErrorBody::new`] and the setters (as a test or an
/// emulator does), or read one from a response.
///
/// ```
/// use humanos_models::ApiErrorBody;
/// let body = ApiErrorBody::new().status_code(404).message("Not Found").error("Not Found");
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"statusCode":404,"message":"Not Found","error":"Not Found"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// HTTP status code.
    #[serde(
        rename = "statusCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub status_code: Option<Number>,
    /// Human-readable message (or messages, for validation errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<ErrorMessage>,
    /// HTTP reason phrase (for example `Bad Request`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Other members of the body, kept verbatim.
    #[serde(flatten)]
    pub additional_properties: JsonObject,
}

impl ApiErrorBody {
    /// An error body with every member unset (`{}`); fill it with the setters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `statusCode`.
    #[must_use]
    pub fn status_code(mut self, status_code: impl Into<Number>) -> Self {
        self.status_code = Some(status_code.into());
        self
    }

    /// Sets `message`: a string, or a list of strings for validation errors.
    #[must_use]
    pub fn message(mut self, message: impl Into<ErrorMessage>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sets `error`, the HTTP reason phrase (`Bad Request`).
    #[must_use]
    pub fn error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    /// Sets the other members of the body (`code`, `reason`, `path`, ...).
    #[must_use]
    pub fn additional_properties(mut self, members: JsonObject) -> Self {
        self.additional_properties = members;
        self
    }

    /// The body of an error answer, when it is the documented error JSON: an object with at
    /// least one of `statusCode`, `message` and `error`. `None` for anything else (an HTML page
    /// from a proxy, an empty body, JSON of another shape), which callers keep as raw bytes.
    pub fn from_response_body(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(body)
            .ok()
            .filter(|b| b.status_code.is_some() || b.message.is_some() || b.error.is_some())
    }

    /// The machine-readable code of the error: the body's `code` member, else its `reason`
    /// (as the verify endpoint sends `credential_revoked`), else the `error` phrase
    /// (`"Bad Request"`).
    pub fn code(&self) -> Option<&str> {
        let member = |name: &str| self.additional_properties.get(name).and_then(Value::as_str);
        member("code")
            .or_else(|| member("reason"))
            .or(self.error.as_deref())
    }

    /// The status code as an integer, when present and integral.
    pub fn status(&self) -> Option<u16> {
        self.status_code
            .as_ref()
            .and_then(Number::as_u64)
            .and_then(|s| u16::try_from(s).ok())
    }
}

/// `message` of an [`ApiErrorBody`]: a string, or a list of strings for validation errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorMessage {
    /// A single message (a JSON string).
    Text(String),
    /// Several messages (a JSON array of strings), as validation errors send them.
    List(Vec<String>),
    /// Any other JSON, kept verbatim.
    Other(Value),
}

impl From<String> for ErrorMessage {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for ErrorMessage {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<Vec<String>> for ErrorMessage {
    fn from(list: Vec<String>) -> Self {
        Self::List(list)
    }
}

impl fmt::Display for ErrorMessage {
    /// Writes the message; several messages are joined with `; `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::List(list) => f.write_str(&list.join("; ")),
            Self::Other(value) => write!(f, "{value}"),
        }
    }
}

/// The delay a `Retry-After` header value asks for (RFC 9110 §10.2.3): delay-seconds (ASCII
/// digits; a number beyond `u64` saturates, which a client reads as "do not retry soon"), or an
/// HTTP date, as a delay from `now` (zero when the date is past). `None` when the value is
/// neither, so the caller falls back to its own backoff.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim_matches([' ', '\t']);
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 0\t", now), Some(Duration::ZERO));
        // `now` is 2026-01-01T00:00:00Z: the three date forms of RFC 9110 §5.6.7, 7 s later.
        for later in [
            "Thu, 01 Jan 2026 00:00:07 GMT",
            "Thursday, 01-Jan-26 00:00:07 GMT",
            "Thu Jan  1 00:00:07 2026",
        ] {
            assert_eq!(
                retry_after(later, now),
                Some(Duration::from_secs(7)),
                "{later}"
            );
        }
        // RFC 9110's own example: a date in the past asks for no delay.
        assert_eq!(
            retry_after("Fri, 31 Dec 1999 23:59:59 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for refused in ["", "soon", "+3", "-1", "1.5", "3 s", "0x10"] {
            assert_eq!(retry_after(refused, now), None, "{refused:?}");
        }
    }

    #[test]
    fn the_code_prefers_code_then_reason_then_the_phrase() {
        let parse = |json: &str| ApiErrorBody::from_response_body(json.as_bytes());
        let body = parse(r#"{"statusCode":409,"error":"Conflict","code":"c","reason":"r"}"#);
        assert_eq!(
            body.and_then(|b| b.code().map(str::to_owned)),
            Some("c".into())
        );
        let body = parse(r#"{"statusCode":409,"error":"Conflict","reason":"r"}"#);
        assert_eq!(
            body.and_then(|b| b.code().map(str::to_owned)),
            Some("r".into())
        );
        let body = parse(r#"{"error":"Conflict","code":7}"#);
        assert_eq!(
            body.and_then(|b| b.code().map(str::to_owned)),
            Some("Conflict".into())
        );
        for other in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"detail":"x"}"#,
            "<html>",
            r#""text""#,
        ] {
            assert_eq!(parse(other), None, "{other:?}");
        }
    }
}
