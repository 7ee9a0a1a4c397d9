//! Parsing the redirect HumanCode sends the browser to after the palm page.
//!
//! The HumanCode page redirects to your `callback_url` with three query parameters:
//! `session_id`, `vcode` and `error_code`. Codes 11 and 12 (registration) and 20 (verification)
//! carry a vcode to check with the VCODE API; every other code is a failure and `vcode` is the
//! literal `error`.
//!
//! ```
//! use humancode::{Callback, CallbackOutcome, ErrorCode};
//!
//! let cb = Callback::from_query("session_id=df20ea9666d3401780332e4aa26a460e&vcode=413675&error_code=12")?;
//! assert_eq!(cb.session_id, "df20ea9666d3401780332e4aa26a460e");
//! assert_eq!(cb.outcome, CallbackOutcome::Registered { vcode: "413675".into(), already: false });
//!
//! let cb = Callback::from_query("session_id=df20ea9666d3401780332e4aa26a460e&vcode=error&error_code=10021")?;
//! assert_eq!(cb.outcome, CallbackOutcome::Failed(ErrorCode::VerificationFailed));
//! # Ok::<(), humancode::CallbackError>(())
//! ```
//!
//! The parser never trusts the query string: it bounds its length, refuses duplicated or
//! missing parameters, invalid percent-encoding and malformed values, and never panics. A vcode
//! from the callback proves nothing by itself: check it server-side with
//! `HumanCodeClient::verify_vcode`, for the session_id *your server* created for this browser.

use percent_encoding::percent_decode_str;

use crate::ErrorCode;
use crate::validate;

/// Longest callback query string accepted, in bytes.
pub const MAX_CALLBACK_QUERY_LEN: usize = 4096;

/// A parsed HumanCode callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// The session the callback is about. Compare it with the session your server created for
    /// this browser (for example kept in a cookie) before trusting the outcome.
    pub session_id: String,
    /// What happened on the HumanCode page.
    pub outcome: CallbackOutcome,
}

/// The result of the HumanCode page, as told by the callback's `error_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// Registration page: the palm is registered. `already` is true for code 11 (the palm was
    /// registered before), false for code 12 (newly registered).
    Registered {
        /// The vcode to check with the VCODE API within 30 s.
        vcode: String,
        /// Whether the palm was already registered (code 11).
        already: bool,
    },
    /// Verification page: the palm matched the human_id (code 20).
    Verified {
        /// The vcode to check with the VCODE API within 30 s.
        vcode: String,
    },
    /// Any other code: registration or verification failed (13, 10011, 10021, 10040, ...), or a
    /// code this crate does not know. No vcode is usable; the session is closed.
    Failed(ErrorCode),
}

impl CallbackOutcome {
    /// The vcode to check, for the successful outcomes.
    pub fn vcode(&self) -> Option<&str> {
        match self {
            CallbackOutcome::Registered { vcode, .. } | CallbackOutcome::Verified { vcode } => {
                Some(vcode)
            }
            CallbackOutcome::Failed(_) => None,
        }
    }

    /// The callback's `error_code`.
    pub fn code(&self) -> ErrorCode {
        match self {
            CallbackOutcome::Registered { already: true, .. } => ErrorCode::PalmAlreadyRegistered,
            CallbackOutcome::Registered { already: false, .. } => ErrorCode::PalmRegistered,
            CallbackOutcome::Verified { .. } => ErrorCode::VerificationSucceeded,
            CallbackOutcome::Failed(code) => *code,
        }
    }
}

/// Why a callback query string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The query string is longer than [`MAX_CALLBACK_QUERY_LEN`].
    #[error("callback query string too long ({len} bytes, at most {MAX_CALLBACK_QUERY_LEN})")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A required parameter is absent.
    #[error("callback parameter `{0}` is missing")]
    Missing(&'static str),
    /// A parameter appears more than once (possible tampering).
    #[error("callback parameter `{0}` appears more than once")]
    Duplicate(&'static str),
    /// A parameter is not valid percent-encoded UTF-8.
    #[error("callback parameter `{0}` is not valid percent-encoded UTF-8")]
    InvalidEncoding(&'static str),
    /// `error_code` is not an integer.
    #[error("callback parameter `error_code` is not an integer")]
    InvalidErrorCode,
    /// `session_id` is not 1 to 128 characters out of `[A-Za-z0-9_-]`.
    #[error("callback parameter `session_id` is malformed")]
    InvalidSessionId,
    /// The code says a vcode was issued (11, 12, 20) but `vcode` is absent, `error` or malformed.
    #[error("callback reports {code} but carries no valid vcode")]
    InvalidVcode {
        /// The callback's code.
        code: ErrorCode,
    },
}

#[derive(Clone, Copy)]
enum Param {
    SessionId,
    Vcode,
    ErrorCode,
}

impl Param {
    fn name(self) -> &'static str {
        match self {
            Param::SessionId => "session_id",
            Param::Vcode => "vcode",
            Param::ErrorCode => "error_code",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "session_id" => Some(Param::SessionId),
            "vcode" => Some(Param::Vcode),
            "error_code" => Some(Param::ErrorCode),
            _ => None,
        }
    }
}

fn decode(raw: &str, param: &'static str) -> Result<String, CallbackError> {
    // `+` is a space in form encoding; none of the values may contain one, so a `+` ends up
    // refused by the value checks either way.
    let raw = raw.replace('+', " ");
    percent_decode_str(&raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| CallbackError::InvalidEncoding(param))
}

impl Callback {
    /// Parses the query string of the callback request (with or without a leading `?`).
    ///
    /// Unknown parameters are ignored; `session_id` and `error_code` are required; `vcode` is
    /// required and checked only for the codes that carry one (11, 12, 20).
    pub fn from_query(query: &str) -> Result<Self, CallbackError> {
        if query.len() > MAX_CALLBACK_QUERY_LEN {
            return Err(CallbackError::TooLong { len: query.len() });
        }
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut values: [Option<String>; 3] = [None, None, None];
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            // A name that does not decode cannot be one of ours; skip it like any unknown one.
            let Ok(name) = percent_decode_str(raw_name).decode_utf8() else {
                continue;
            };
            let Some(param) = Param::from_name(&name) else {
                continue;
            };
            let slot = &mut values[param as usize];
            if slot.is_some() {
                return Err(CallbackError::Duplicate(param.name()));
            }
            *slot = Some(decode(raw_value, param.name())?);
        }
        let [session_id, vcode, error_code] = values;

        let error_code = error_code.ok_or(CallbackError::Missing("error_code"))?;
        let code = parse_code(&error_code).ok_or(CallbackError::InvalidErrorCode)?;
        let session_id = session_id.ok_or(CallbackError::Missing("session_id"))?;
        if !validate::is_id(&session_id) {
            return Err(CallbackError::InvalidSessionId);
        }

        let outcome = if code.carries_vcode() {
            let vcode = vcode
                .filter(|v| validate::is_vcode(v))
                .ok_or(CallbackError::InvalidVcode { code })?;
            match code {
                ErrorCode::PalmAlreadyRegistered => CallbackOutcome::Registered {
                    vcode,
                    already: true,
                },
                ErrorCode::PalmRegistered => CallbackOutcome::Registered {
                    vcode,
                    already: false,
                },
                _ => CallbackOutcome::Verified { vcode },
            }
        } else {
            CallbackOutcome::Failed(code)
        };
        Ok(Callback {
            session_id,
            outcome,
        })
    }

    /// Parses a full callback URL (the query string after `?`, a fragment ignored).
    pub fn from_url(url: &str) -> Result<Self, CallbackError> {
        let after = url.split_once('?').map_or("", |(_, q)| q);
        let query = after.split_once('#').map_or(after, |(q, _)| q);
        Self::from_query(query)
    }
}

fn parse_code(value: &str) -> Option<ErrorCode> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<i64>().ok().map(ErrorCode::from_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SID: &str = "df20ea9666d3401780332e4aa26a460e";

    #[test]
    fn seed_examples() {
        let ok = Callback::from_url(&format!(
            "https://yourcallbackurl?session_id={SID}&vcode=413675&error_code=12"
        ))
        .unwrap();
        assert_eq!(ok.session_id, SID);
        assert_eq!(ok.outcome.vcode(), Some("413675"));
        assert_eq!(ok.outcome.code(), ErrorCode::PalmRegistered);
        let failed = Callback::from_url(&format!(
            "https://yourcallbackurl?session_id={SID}&vcode=error&error_code=10011"
        ))
        .unwrap();
        assert_eq!(failed.outcome, CallbackOutcome::Failed(ErrorCode::Expired));
        assert_eq!(failed.outcome.vcode(), None);
    }

    #[test]
    fn order_and_leading_question_mark_do_not_matter() {
        let cb =
            Callback::from_query(&format!("?error_code=20&vcode=1&session_id={SID}&x=y")).unwrap();
        assert_eq!(cb.outcome, CallbackOutcome::Verified { vcode: "1".into() });
    }
}
