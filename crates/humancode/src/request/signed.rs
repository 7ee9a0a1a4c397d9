//! The signed request to send, and the decoding of HumanCode's answer envelope.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde_json::Value;

use super::{Api, ApiResult, SNIPPET_MAX_CHARS};
use crate::pages::{BaseUrl, encode_uri_component};
use crate::{Error, ErrorCode, validate};

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

impl<T> SignedRequest<T> {
    pub(super) fn new(
        api: Api,
        app_id: String,
        body: Vec<u8>,
        sign: String,
        timestamp_ms: u64,
    ) -> Self {
        SignedRequest {
            api,
            app_id,
            body,
            sign,
            timestamp_ms,
            _response: PhantomData,
        }
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
