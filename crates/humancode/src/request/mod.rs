//! Signed request bodies and response decoding, without any HTTP client.
//!
//! [`AppSigner`] builds the body of each API call (timestamp in ms as a string, a 16-char
//! nonce), turns it into compact JSON once with `humanos_signing::wire_json`, signs those very
//! bytes and hands back a [`SignedRequest`]: the URL (with `app_id` and `sign`), the bytes to
//! POST and, once the answer is in, [`SignedRequest::decode`] for the typed result. Use it
//! directly to drive HumanCode with another HTTP client.
//!
//! The parts: `credentials` (APP_ID and APP_KEY), `signer` (bodies, nonces, the signature),
//! `signed` (the request to send and the decoding of its answer's envelope) and `response`
//! (the typed `result` of each API).
//!
//! ```
//! use humancode::{BaseUrl, Credentials, AppSigner};
//! use humanos_signing::FixedClock;
//!
//! let signer = AppSigner::new(Credentials::new("a_8dcee8bb7963e46c", "app-key")?)
//!     .with_clock(FixedClock(1706096769589))
//!     .with_nonce_source(|| "ibuaiVcKdpRxkhJA".to_owned());
//! let request = signer.session_request()?;
//! assert_eq!(request.body(), br#"{"timestamp":"1706096769589","nonce_str":"ibuaiVcKdpRxkhJA"}"#);
//! assert_eq!(request.sign(), humanos_signing::app_signature::sign(b"app-key", request.body()));
//! assert!(request.url(&BaseUrl::default()).starts_with(
//!     "https://humancodeai.com/api/session/v2/get_id?app_id=a_8dcee8bb7963e46c&sign="
//! ));
//!
//! let session = request.decode(200, br#"{"code":0,"msg":"ok","result":{"session_id":"df20ea9666d3401780332e4aa26a460e"}}"#)?;
//! assert_eq!(session.session_id, "df20ea9666d3401780332e4aa26a460e");
//! assert_eq!(session.expires_at_ms(), 1706096769589 + 600_000);
//! # Ok::<(), humancode::Error>(())
//! ```

mod credentials;
mod response;
mod signed;
mod signer;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use credentials::Credentials;
pub use response::{ApiResult, HumanId, Session, ShowId};
pub use signed::SignedRequest;
pub use signer::{AppSigner, NonceSource, RandomNonce};

/// How long a session_id lives after the SESSION_ID API created it: 10 minutes. It also ends
/// 30 s after a vcode was issued for it, and at once when an authentication fails.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long a vcode can be checked with the VCODE API after the page issued it: 30 seconds.
pub const VCODE_LIFETIME: Duration = Duration::from_secs(30);
/// Length of the `nonce_str` of every signed body.
pub const NONCE_LEN: usize = 16;
/// Largest response body read from HumanCode, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Most characters of a response body quoted in an error.
pub const SNIPPET_MAX_CHARS: usize = 200;

/// The HumanCode APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// `POST /api/session/v2/get_id`: create a session.
    GetSessionId,
    /// `POST /api/vcode/v2/verify`: exchange a vcode for a human_id.
    VerifyVcode,
    /// `POST /api/vcode/v2/get_show_id`: the short display id of a human_id.
    GetShowId,
}

impl Api {
    /// The path of the API, from the base URL.
    pub const fn path(self) -> &'static str {
        match self {
            Api::GetSessionId => "/api/session/v2/get_id",
            Api::VerifyVcode => "/api/vcode/v2/verify",
            Api::GetShowId => "/api/vcode/v2/get_show_id",
        }
    }

    /// A short name for logs and tracing (`get_session_id`, `verify_vcode`, `get_show_id`).
    pub const fn name(self) -> &'static str {
        match self {
            Api::GetSessionId => "get_session_id",
            Api::VerifyVcode => "verify_vcode",
            Api::GetShowId => "get_show_id",
        }
    }
}
