//! HumanCode's numeric codes: API `code` and the callback's `error_code` share one space.

use std::fmt;

/// A HumanCode code, as found in an API response's `code` and in the callback's `error_code`.
///
/// Every code of the HumanCode error table has a variant; any other value is kept in
/// [`ErrorCode::Unknown`] and round-trips unchanged through [`ErrorCode::code`].
///
/// Three codes are *successes* that come with a valid vcode on the callback:
/// [`PalmAlreadyRegistered`](ErrorCode::PalmAlreadyRegistered) (11),
/// [`PalmRegistered`](ErrorCode::PalmRegistered) (12) and
/// [`VerificationSucceeded`](ErrorCode::VerificationSucceeded) (20). [`Ok`](ErrorCode::Ok) (0)
/// is the success of an API call.
///
/// ```
/// use humancode::ErrorCode;
/// assert_eq!(ErrorCode::from_code(10011), ErrorCode::Expired);
/// assert_eq!(ErrorCode::Expired.message(), "session_id or vcode expired");
/// assert_eq!(ErrorCode::from_code(4242), ErrorCode::Unknown(4242));
/// assert_eq!(ErrorCode::Unknown(4242).code(), 4242);
/// assert!(ErrorCode::PalmRegistered.carries_vcode());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 0: ok.
    Ok,
    /// 11: palm already registered (a valid vcode is returned).
    PalmAlreadyRegistered,
    /// 12: new palm registered (a valid vcode is returned).
    PalmRegistered,
    /// 13: registration failed (not a real human).
    RegistrationFailed,
    /// 20: verification succeeded (a valid vcode is returned).
    VerificationSucceeded,
    /// 10001: signature verification failed (wrong APP_KEY, or body bytes changed after signing).
    SignatureFailed,
    /// 10002: wrong APP_ID.
    WrongAppId,
    /// 10005: server error.
    ServerError,
    /// 10006: invalid parameters.
    InvalidParameters,
    /// 10010: session_id does not exist.
    SessionNotFound,
    /// 10011: session_id or vcode expired.
    Expired,
    /// 10012: session is closed.
    SessionClosed,
    /// 10020: invalid vcode or human_id.
    InvalidVcodeOrHumanId,
    /// 10021: verification failed (not the registered user).
    VerificationFailed,
    /// 10030: webview is not supported.
    WebviewNotSupported,
    /// 10040: spoof detected.
    SpoofDetected,
    /// A code this version of the crate does not know, kept as received.
    Unknown(i64),
}

impl ErrorCode {
    /// Every code of the HumanCode table, in table order (not [`Unknown`](ErrorCode::Unknown)).
    pub const KNOWN: [ErrorCode; 16] = [
        ErrorCode::Ok,
        ErrorCode::PalmAlreadyRegistered,
        ErrorCode::PalmRegistered,
        ErrorCode::RegistrationFailed,
        ErrorCode::VerificationSucceeded,
        ErrorCode::SignatureFailed,
        ErrorCode::WrongAppId,
        ErrorCode::ServerError,
        ErrorCode::InvalidParameters,
        ErrorCode::SessionNotFound,
        ErrorCode::Expired,
        ErrorCode::SessionClosed,
        ErrorCode::InvalidVcodeOrHumanId,
        ErrorCode::VerificationFailed,
        ErrorCode::WebviewNotSupported,
        ErrorCode::SpoofDetected,
    ];

    /// The code for a number; numbers outside the table become [`Unknown`](ErrorCode::Unknown).
    pub const fn from_code(code: i64) -> Self {
        match code {
            0 => ErrorCode::Ok,
            11 => ErrorCode::PalmAlreadyRegistered,
            12 => ErrorCode::PalmRegistered,
            13 => ErrorCode::RegistrationFailed,
            20 => ErrorCode::VerificationSucceeded,
            10001 => ErrorCode::SignatureFailed,
            10002 => ErrorCode::WrongAppId,
            10005 => ErrorCode::ServerError,
            10006 => ErrorCode::InvalidParameters,
            10010 => ErrorCode::SessionNotFound,
            10011 => ErrorCode::Expired,
            10012 => ErrorCode::SessionClosed,
            10020 => ErrorCode::InvalidVcodeOrHumanId,
            10021 => ErrorCode::VerificationFailed,
            10030 => ErrorCode::WebviewNotSupported,
            10040 => ErrorCode::SpoofDetected,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The number on the wire.
    pub const fn code(self) -> i64 {
        match self {
            ErrorCode::Ok => 0,
            ErrorCode::PalmAlreadyRegistered => 11,
            ErrorCode::PalmRegistered => 12,
            ErrorCode::RegistrationFailed => 13,
            ErrorCode::VerificationSucceeded => 20,
            ErrorCode::SignatureFailed => 10001,
            ErrorCode::WrongAppId => 10002,
            ErrorCode::ServerError => 10005,
            ErrorCode::InvalidParameters => 10006,
            ErrorCode::SessionNotFound => 10010,
            ErrorCode::Expired => 10011,
            ErrorCode::SessionClosed => 10012,
            ErrorCode::InvalidVcodeOrHumanId => 10020,
            ErrorCode::VerificationFailed => 10021,
            ErrorCode::WebviewNotSupported => 10030,
            ErrorCode::SpoofDetected => 10040,
            ErrorCode::Unknown(code) => code,
        }
    }

    /// The message of the HumanCode table for this code (`"unknown code"` for unknown ones).
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::Ok => "ok",
            ErrorCode::PalmAlreadyRegistered => {
                "palm already registered (a valid vcode is returned)"
            }
            ErrorCode::PalmRegistered => "new palm registered (a valid vcode is returned)",
            ErrorCode::RegistrationFailed => "registration failed (not a real human)",
            ErrorCode::VerificationSucceeded => {
                "verification succeeded (a valid vcode is returned)"
            }
            ErrorCode::SignatureFailed => "signature verification failed",
            ErrorCode::WrongAppId => "wrong APP_ID",
            ErrorCode::ServerError => "server error",
            ErrorCode::InvalidParameters => "invalid parameters",
            ErrorCode::SessionNotFound => "session_id does not exist",
            ErrorCode::Expired => "session_id or vcode expired",
            ErrorCode::SessionClosed => "session is closed",
            ErrorCode::InvalidVcodeOrHumanId => "invalid vcode or human_id",
            ErrorCode::VerificationFailed => "verification failed (not the registered user)",
            ErrorCode::WebviewNotSupported => "webview is not supported",
            ErrorCode::SpoofDetected => "spoof detected",
            ErrorCode::Unknown(_) => "unknown code",
        }
    }

    /// Whether a callback with this code carries a valid vcode (11, 12 and 20).
    pub const fn carries_vcode(self) -> bool {
        matches!(
            self,
            ErrorCode::PalmAlreadyRegistered
                | ErrorCode::PalmRegistered
                | ErrorCode::VerificationSucceeded
        )
    }

    /// Whether this code reports a success: 0, or one of the vcode-carrying callback codes.
    pub const fn is_success(self) -> bool {
        matches!(self, ErrorCode::Ok) || self.carries_vcode()
    }

    /// Whether the same call may succeed if simply tried again: only [`ServerError`](ErrorCode::ServerError).
    ///
    /// Session and vcode failures are final: start a new session instead.
    pub const fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::ServerError)
    }
}

impl From<i64> for ErrorCode {
    fn from(code: i64) -> Self {
        ErrorCode::from_code(code)
    }
}

impl From<ErrorCode> for i64 {
    fn from(code: ErrorCode) -> Self {
        code.code()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips() {
        for code in ErrorCode::KNOWN {
            assert_eq!(ErrorCode::from_code(code.code()), code);
            assert_ne!(code.message(), "unknown code");
        }
        for n in [-1, 1, 10, 14, 21, 10000, 10003, 99999, i64::MIN, i64::MAX] {
            assert_eq!(ErrorCode::from_code(n), ErrorCode::Unknown(n));
            assert_eq!(ErrorCode::from_code(n).code(), n);
        }
    }

    #[test]
    fn display_has_number_and_message() {
        assert_eq!(ErrorCode::WrongAppId.to_string(), "10002 (wrong APP_ID)");
        assert_eq!(ErrorCode::Unknown(7).to_string(), "7 (unknown code)");
    }

    #[test]
    fn only_11_12_20_carry_a_vcode() {
        let carrying: Vec<i64> = ErrorCode::KNOWN
            .iter()
            .filter(|c| c.carries_vcode())
            .map(|c| c.code())
            .collect();
        assert_eq!(carrying, [11, 12, 20]);
    }
}
