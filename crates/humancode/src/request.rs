//! Signed request bodies and response decoding, without any HTTP client.
//!
//! [`AppSigner`] builds the body of each API call (timestamp in ms as a string, a 16-char
//! nonce), turns it into compact JSON once with `humanos_signing::wire_json`, signs those very
//! bytes and hands back a [`SignedRequest`]: the URL (with `app_id` and `sign`), the bytes to
//! POST and, once the answer is in, [`SignedRequest::decode`] for the typed result. Use it
//! directly to drive HumanCode with another HTTP client.
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

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use humanos_signing::secrecy::{ExposeSecret, SecretString};
use humanos_signing::{Clock, SystemClock, wire_json};
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::pages::{BaseUrl, encode_uri_component};
use crate::{ConfigError, Error, ErrorCode, validate};

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

/// A source of `nonce_str` values: 16 ASCII letters or digits, fresh for every request.
///
/// Any `Fn() -> String` closure is a nonce source, for deterministic tests.
pub trait NonceSource: Send + Sync {
    /// A new nonce.
    fn nonce_str(&self) -> String;
}

/// 16 random alphanumerics from the thread-local CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce_str(&self) -> String {
        Alphanumeric.sample_string(&mut rand::rng(), NONCE_LEN)
    }
}

impl<F> NonceSource for F
where
    F: Fn() -> String + Send + Sync,
{
    fn nonce_str(&self) -> String {
        self()
    }
}

/// APP_ID and APP_KEY. The key is held as a [`SecretString`] and redacted in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    app_id: String,
    app_key: SecretString,
}

impl Credentials {
    /// Checks that both are present and printable (no whitespace or control characters).
    pub fn new(app_id: impl Into<String>, app_key: impl Into<String>) -> Result<Self, Error> {
        let app_id = app_id.into();
        let app_key = SecretString::from(app_key.into());
        let printable = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
        if !printable(&app_id) {
            return Err(ConfigError::InvalidAppId.into());
        }
        if app_key.expose_secret().trim().is_empty() {
            return Err(ConfigError::EmptyAppKey.into());
        }
        Ok(Credentials { app_id, app_key })
    }

    /// The APP_ID (public: it travels in every request URL).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The APP_KEY.
    pub fn app_key(&self) -> &SecretString {
        &self.app_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("app_key", &"[REDACTED]")
            .finish()
    }
}

/// Builds and signs HumanCode request bodies. Cheap to clone.
#[derive(Clone)]
pub struct AppSigner {
    credentials: Credentials,
    clock: Arc<dyn Clock>,
    nonce: Arc<dyn NonceSource>,
}

impl fmt::Debug for AppSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppSigner")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct SessionBody<'a> {
    timestamp: &'a str,
    nonce_str: &'a str,
}

#[derive(Serialize)]
struct VcodeBody<'a> {
    session_id: &'a str,
    vcode: &'a str,
    timestamp: &'a str,
    nonce_str: &'a str,
}

#[derive(Serialize)]
struct ShowIdBody<'a> {
    timestamp: &'a str,
    nonce_str: &'a str,
    human_id: &'a str,
}

impl AppSigner {
    /// A signer on the system clock with random nonces.
    pub fn new(credentials: Credentials) -> Self {
        AppSigner {
            credentials,
            clock: Arc::new(SystemClock),
            nonce: Arc::new(RandomNonce),
        }
    }

    /// Uses `clock` for the `timestamp` of bodies and the `ts` of page URLs.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses a shared clock.
    pub fn with_shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `nonce` for `nonce_str`; it must produce 16 ASCII letters or digits.
    pub fn with_nonce_source(mut self, nonce: impl NonceSource + 'static) -> Self {
        self.nonce = Arc::new(nonce);
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn stamp(&self) -> Result<(u64, String), Error> {
        let nonce = self.nonce.nonce_str();
        if nonce.len() != NONCE_LEN || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ConfigError::InvalidNonce.into());
        }
        Ok((self.clock.now_unix_ms(), nonce))
    }

    fn finish<T>(&self, api: Api, timestamp_ms: u64, body: Vec<u8>) -> SignedRequest<T> {
        let sign = humanos_signing::app_signature::sign(
            self.credentials.app_key.expose_secret().as_bytes(),
            &body,
        );
        SignedRequest {
            api,
            app_id: self.credentials.app_id.clone(),
            body,
            sign,
            timestamp_ms,
            _response: PhantomData,
        }
    }

    /// SESSION_ID API: `{"timestamp","nonce_str"}`.
    pub fn session_request(&self) -> Result<SignedRequest<Session>, Error> {
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&SessionBody {
            timestamp: &timestamp,
            nonce_str: &nonce,
        })?;
        Ok(self.finish(Api::GetSessionId, ts, body))
    }

    /// VCODE API: `{"session_id","vcode","timestamp","nonce_str"}`.
    pub fn vcode_request(
        &self,
        session_id: &str,
        vcode: &str,
    ) -> Result<SignedRequest<HumanId>, Error> {
        validate::session_id(session_id)?;
        validate::vcode(vcode)?;
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&VcodeBody {
            session_id,
            vcode,
            timestamp: &timestamp,
            nonce_str: &nonce,
        })?;
        Ok(self.finish(Api::VerifyVcode, ts, body))
    }

    /// get_show_id API: `{"timestamp","nonce_str","human_id"}`.
    pub fn show_id_request(&self, human_id: &str) -> Result<SignedRequest<ShowId>, Error> {
        validate::human_id(human_id)?;
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&ShowIdBody {
            timestamp: &timestamp,
            nonce_str: &nonce,
            human_id,
        })?;
        Ok(self.finish(Api::GetShowId, ts, body))
    }
}

/// A signed request, ready to POST; `T` is the typed result of its API.
#[derive(Clone)]
pub struct SignedRequest<T> {
    api: Api,
    app_id: String,
    body: Vec<u8>,
    sign: String,
    timestamp_ms: u64,
    _response: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for SignedRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("api", &self.api)
            .field("app_id", &self.app_id)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("sign", &self.sign)
            .finish()
    }
}

impl<T: ApiResult> SignedRequest<T> {
    /// Which API this request calls.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The exact JSON bytes to send as the body (`Content-Type: application/json`); they are the
    /// bytes that were signed.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The hex HMAC-SHA256 of [`body`](Self::body) under the APP_KEY.
    pub fn sign(&self) -> &str {
        &self.sign
    }

    /// The `timestamp` of the body, in Unix milliseconds.
    pub fn timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }

    /// The URL to POST to: `{base}{path}?app_id=…&sign=…`.
    pub fn url(&self, base: &BaseUrl) -> String {
        format!(
            "{}?app_id={}&sign={}",
            base.join(self.api.path()),
            encode_uri_component(&self.app_id),
            self.sign
        )
    }

    /// Decodes HumanCode's answer: HTTP 200 and `{"code":0,"msg":"ok","result":{…}}`.
    ///
    /// `code != 0` gives [`Error::Api`]; another status [`Error::Http`]; a body that is not the
    /// envelope, or a `result` without the expected field, [`Error::Decode`].
    pub fn decode(&self, status: u16, body: &[u8]) -> Result<T, Error> {
        let snippet = || validate::snippet(body, SNIPPET_MAX_CHARS);
        if status != 200 {
            return Err(Error::Http {
                status,
                snippet: snippet(),
            });
        }
        // serde's messages quote the offending value (`invalid type: string "…"`): bounded
        // like the snippet, so a huge answer cannot make a huge error.
        let reason = |r: String| validate::snippet(r.as_bytes(), SNIPPET_MAX_CHARS);
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| Error::Decode {
            reason: reason(format!("not the JSON envelope: {e}")),
            snippet: snippet(),
        })?;
        let code = ErrorCode::from_code(envelope.code);
        if code != ErrorCode::Ok {
            let mut msg = envelope.msg.unwrap_or_default();
            if msg.chars().count() > SNIPPET_MAX_CHARS {
                msg = validate::snippet(msg.as_bytes(), SNIPPET_MAX_CHARS);
            }
            return Err(Error::Api { code, msg });
        }
        T::from_result(envelope.result.unwrap_or(Value::Null), self.timestamp_ms).map_err(|r| {
            Error::Decode {
                reason: reason(r),
                snippet: snippet(),
            }
        })
    }
}

#[derive(Deserialize)]
struct Envelope {
    code: i64,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    result: Option<Value>,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use humanos_signing::FixedClock;

    fn signer() -> AppSigner {
        AppSigner::new(Credentials::new("a_8dcee8bb7963e46c", "k").unwrap())
            .with_clock(FixedClock(1706096769589))
            .with_nonce_source(|| "ibuaiVcKdpRxkhJA".to_owned())
    }

    #[test]
    fn bodies_are_compact_in_documented_order_and_signed_as_sent() {
        let s = signer();
        let v = s.vcode_request("sid", "879453").unwrap();
        assert_eq!(
            v.body(),
            br#"{"session_id":"sid","vcode":"879453","timestamp":"1706096769589","nonce_str":"ibuaiVcKdpRxkhJA"}"#
        );
        assert!(
            humanos_signing::app_signature::verify(b"k", v.body(), v.sign().as_bytes()).is_ok()
        );
        let sh = s.show_id_request("u_1").unwrap();
        assert_eq!(
            sh.body(),
            br#"{"timestamp":"1706096769589","nonce_str":"ibuaiVcKdpRxkhJA","human_id":"u_1"}"#
        );
        assert_eq!(
            sh.url(&BaseUrl::default()),
            format!(
                "https://humancodeai.com/api/vcode/v2/get_show_id?app_id=a_8dcee8bb7963e46c&sign={}",
                sh.sign()
            )
        );
    }

    #[test]
    fn random_nonces_are_16_alphanumerics_and_differ() {
        let a = RandomNonce.nonce_str();
        let b = RandomNonce.nonce_str();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn bad_inputs_are_refused_before_signing() {
        let s = signer();
        assert!(matches!(
            s.vcode_request("sid", "error"),
            Err(Error::InvalidInput { field: "vcode", .. })
        ));
        assert!(matches!(
            s.vcode_request("s\"id", "1"),
            Err(Error::InvalidInput {
                field: "session_id",
                ..
            })
        ));
        let bad_nonce = signer().with_nonce_source(|| "short".to_owned());
        assert!(matches!(bad_nonce.session_request(), Err(Error::Config(_))));
        assert!(Credentials::new("", "k").is_err());
        assert!(Credentials::new("a b", "k").is_err());
        assert!(Credentials::new("a", " ").is_err());
    }

    #[test]
    fn debug_redacts_the_key() {
        let c = Credentials::new("app", "super-secret-key").unwrap();
        let dbg = format!("{:?} {:?}", c, AppSigner::new(c.clone()));
        assert!(!dbg.contains("super-secret-key"));
        assert!(dbg.contains("REDACTED"));
    }

    #[test]
    fn decode_envelopes() {
        let s = signer();
        let r = s.show_id_request("u_1").unwrap();
        let ok = r
            .decode(
                200,
                br#"{"code":0,"msg":"ok","result":{"show_id":"H123","create_time":1700}}"#,
            )
            .unwrap();
        assert_eq!(ok.show_id, "H123");
        assert_eq!(ok.create_time.as_deref(), Some("1700"));
        let err = r
            .decode(200, br#"{"code":10020,"msg":"invalid vcode","result":{}}"#)
            .unwrap_err();
        assert!(
            matches!(err, Error::Api { code: ErrorCode::InvalidVcodeOrHumanId, ref msg } if msg == "invalid vcode")
        );
        let unknown = r.decode(200, br#"{"code":777}"#).unwrap_err();
        assert_eq!(unknown.code(), Some(ErrorCode::Unknown(777)));
        assert!(matches!(
            r.decode(200, b"<html>"),
            Err(Error::Decode { .. })
        ));
        assert!(matches!(
            r.decode(200, br#"{"code":0,"result":{}}"#),
            Err(Error::Decode { .. })
        ));
        assert!(matches!(
            r.decode(200, br#"{"code":0}"#),
            Err(Error::Decode { .. })
        ));
        assert!(matches!(
            r.decode(502, b"bad gateway"),
            Err(Error::Http { status: 502, .. })
        ));
        let v = s.vcode_request("sid", "1").unwrap();
        assert!(matches!(
            v.decode(200, br#"{"code":0,"result":{"human_id":"x y"}}"#),
            Err(Error::Decode { .. })
        ));
    }
}
