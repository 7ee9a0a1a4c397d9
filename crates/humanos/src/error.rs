//! The error type of every call.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use humanos_models::ApiErrorBody;

/// Longest body excerpt an error carries.
const SNIPPET_CHARS: usize = 160;
/// Longest server-supplied code or message an [`Error::Api`]'s text shows.
const MESSAGE_CHARS: usize = 300;

/// Everything that can go wrong with a call.
///
/// Messages name what failed; none ever contains the API key or the signature secret (the
/// client never puts them anywhere but the outgoing headers).
///
/// ```
/// # async fn run(client: humanos::HumanosClient) {
/// use humanos::Error;
///
/// match client.requests().detail("66f0c0ffee0000000000abcd").await {
///     Ok(request) => println!("{} subjects", request.subjects.len()),
///     Err(Error::Api { status: 404, .. }) => println!("no such request"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (`400`, `402`, `403`, `404`, `409`, `429`, `5xx`, ...).
    ///
    /// `body` is always kept, even when it is not the documented error JSON; `parsed` is that
    /// JSON when it is.
    #[error("{}", api_message(*status, code.as_deref(), message.as_deref()))]
    Api {
        /// HTTP status.
        status: u16,
        /// The machine-readable code when the body has one (a `code` or `reason` member),
        /// otherwise its `error` phrase (`"Bad Request"`).
        code: Option<String>,
        /// The human-readable `message` (several validation messages are joined with `; `).
        message: Option<String>,
        /// The raw body.
        body: Bytes,
        /// The body as the documented error JSON (`{"statusCode", "message", "error"}`), when it
        /// parses as such.
        parsed: Option<Box<ApiErrorBody>>,
        /// The `Retry-After` delay the server asked for, if any.
        retry_after: Option<Duration>,
    },
    /// The exchange failed: DNS, connection refused or reset, TLS, a broken body. The URL is
    /// stripped from the inner error (query strings may hold contacts).
    #[error(
        "HTTP transport error{}: {}",
        if *connect { " (connecting)" } else { "" },
        with_root_cause(source)
    )]
    Transport {
        /// The `reqwest` error.
        #[source]
        source: reqwest::Error,
        /// Whether it happened while connecting, before anything was sent.
        connect: bool,
    },
    /// An attempt did not complete in time.
    #[error("the request timed out after {after:?}; raise the timeout or retry later")]
    Timeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// A `2xx` body is not the documented JSON.
    #[error(
        "cannot decode the {status} answer of {endpoint} at `{path}`: {message} (body: {snippet:?})"
    )]
    Decode {
        /// The endpoint (`requests.list`, ...).
        endpoint: &'static str,
        /// HTTP status of the answer.
        status: u16,
        /// JSON path of the failure (`data[2].createdAt`), `.` for the root.
        path: String,
        /// What serde reported.
        message: String,
        /// Up to 160 characters of the body around the failure.
        snippet: String,
    },
    /// The answer was larger than the configured limit.
    #[error("the answer exceeds {limit} bytes; raise `max_response_bytes` if this is expected")]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A request body cannot be sent as wire JSON (for example an integer beyond ±2^53).
    #[error("cannot encode the request body: {0}")]
    Encode(#[from] humanos_signing::wire_json::WireJsonError),
    /// The client or a call is misconfigured: a missing credential, a bad URL, an invalid header
    /// value. Nothing was sent.
    #[error("configuration error: {0}")]
    Config(#[from] ClientConfigError),
}

/// What is wrong with the client's or a call's configuration (inside [`Error::Config`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientConfigError {
    /// An environment variable the client reads is not set (or not UTF-8).
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// A required setting was not given or is empty.
    #[error("the {0} is required")]
    Missing(&'static str),
    /// A value that travels in a header (named here, not echoed) has characters a header cannot
    /// carry.
    #[error("the {0} contains characters not allowed in a header")]
    InvalidHeaderValue(&'static str),
    /// A timeout of zero.
    #[error("timeouts must be greater than zero")]
    ZeroTimeout,
    /// Settings that only apply to a client the builder creates were given with a
    /// caller-supplied `reqwest::Client`.
    #[error(
        "proxy, root certificates and connect timeout cannot be applied to a caller-supplied reqwest::Client: configure them on that client"
    )]
    SettingsOnSuppliedClient,
    /// The HTTP client could not be built (TLS backend, proxy, certificates).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// A root certificate given to `add_root_certificate_pem` or `add_root_certificate_der`
    /// does not parse (or a PEM text holds none).
    #[error("a root certificate cannot be used: {0}")]
    RootCertificate(String),
    /// A `reqwest::Certificate` (the deprecated `add_root_certificate`) with the default TLS
    /// stack (feature `rustls`: rustls with ring, configured by this crate), which cannot read
    /// it back.
    #[error(
        "a reqwest::Certificate cannot be used with the `rustls` (ring) TLS stack: pass the certificate's PEM or DER to add_root_certificate_pem or add_root_certificate_der, or build with `rustls-aws-lc` or `native-tls`"
    )]
    OpaqueRootCertificate,
    /// The base URL is not usable.
    #[error("the base URL `{url}` {problem}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: BaseUrlProblem,
    },
    /// The base URL carries a user name or password (not echoed: it may be a secret).
    #[error("the base URL must not carry credentials")]
    BaseUrlWithCredentials,
    /// An idempotency key on a call the API does not deduplicate: with a key the client would
    /// retry a call whose repetition the API does not recognise.
    #[error(
        "`{endpoint}` takes no idempotency key: the API honours one only on {honoured}, and a key would make the client retry a call the API does not deduplicate"
    )]
    IdempotencyKeyNotHonoured {
        /// The call (`credentials.verify`, ...).
        endpoint: &'static str,
        /// The calls that take one, comma-separated.
        honoured: String,
    },
    /// The request URL could not be built from the base URL and the path.
    #[error("cannot build the request URL: {0}")]
    RequestUrl(String),
    /// A query could not be encoded (it must be a struct or a map of scalars).
    #[error("cannot encode the query: {0}")]
    Query(String),
}

/// Why a base URL was refused (inside [`ClientConfigError::BaseUrl`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaseUrlProblem {
    /// It does not parse as a URL.
    #[error("is not a valid URL: {0}")]
    Invalid(String),
    /// Its scheme is neither `http` nor `https`.
    #[error("must use http or https")]
    Scheme,
    /// Plain `http` on a host that is not loopback.
    #[error(
        "uses plain http on a non-loopback host: a captured request signature could be replayed for five minutes; use https (or danger_allow_insecure_http)"
    )]
    InsecureHttp,
    /// It has a query or a fragment.
    #[error("must not have a query or fragment")]
    QueryOrFragment,
}

/// The text of an [`Error::Api`]. The code and message are the server's: each is cut at
/// [`MESSAGE_CHARS`] characters so that a huge error body cannot make a huge log line (the
/// fields keep them whole).
fn api_message(status: u16, code: Option<&str>, message: Option<&str>) -> String {
    let mut out = format!("Humanos API error {status}");
    if let Some(code) = code {
        out.push_str(&format!(" ({})", cut(code)));
    }
    if let Some(message) = message {
        out.push_str(": ");
        out.push_str(&cut(message));
    }
    out
}

/// `text` up to [`MESSAGE_CHARS`] characters, with `…` when it was longer.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// `error`, followed by its innermost cause when that adds something ("error sending request:
/// Connection refused (os error 111)").
fn with_root_cause(error: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = error;
    while let Some(next) = root.source() {
        root = next;
    }
    let outer = error.to_string();
    let inner = root.to_string();
    if std::ptr::addr_eq(root, error) || outer.contains(&inner) {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether trying the same call again later may succeed: transport errors, timeouts, and
    /// `408`, `429` and `5xx` answers. Other `4xx` answers, decode and configuration errors are
    /// final.
    ///
    /// The client's own retries apply this together with the method's safety (see
    /// [`RetryConfig`](crate::RetryConfig)); this method is for your own retry logic.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => retryable_status(*status),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status of an [`Error::Api`] or [`Error::Decode`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The parsed error body of an [`Error::Api`], when it is the documented JSON.
    pub fn api_error(&self) -> Option<&ApiErrorBody> {
        match self {
            Error::Api { parsed, .. } => parsed.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn transport(error: reqwest::Error) -> Self {
        let connect = error.is_connect();
        Error::Transport {
            source: error.without_url(),
            connect,
        }
    }

    /// An [`Error::Api`] from a non-success answer.
    pub(crate) fn api(status: u16, body: Bytes, retry_after: Option<Duration>) -> Self {
        let parsed = ApiErrorBody::from_response_body(&body);
        let code = parsed.as_ref().and_then(|p| p.code()).map(str::to_owned);
        let message = parsed
            .as_ref()
            .and_then(|p| p.message.as_ref())
            .map(ToString::to_string);
        Error::Api {
            status,
            code,
            message,
            body,
            parsed: parsed.map(Box::new),
            retry_after,
        }
    }

    /// An [`Error::Decode`] from a `serde_path_to_error` failure.
    pub(crate) fn decode(
        endpoint: &'static str,
        status: u16,
        body: &[u8],
        error: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let path = error.path().to_string();
        Self::decode_at(endpoint, status, body, path, error.into_inner())
    }

    /// An [`Error::Decode`] at a known path.
    pub(crate) fn decode_at(
        endpoint: &'static str,
        status: u16,
        body: &[u8],
        path: String,
        inner: serde_json::Error,
    ) -> Self {
        let snippet = snippet(body, inner.line(), inner.column());
        Error::Decode {
            endpoint,
            status,
            path,
            message: inner.to_string(),
            snippet,
        }
    }
}

/// `408`, `429` and `5xx`.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

/// Up to [`SNIPPET_CHARS`] characters of `body` ending near `line`:`column` (1-based, as serde
/// reports them; `0` when unknown).
fn snippet(body: &[u8], line: usize, column: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let offset = if line == 0 {
        0
    } else {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        (line_start + column).min(text.len())
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = chars
        .iter()
        .position(|(i, _)| *i >= offset)
        .unwrap_or(chars.len());
    let end = (at + SNIPPET_CHARS / 4).min(chars.len());
    let start = end.saturating_sub(SNIPPET_CHARS);
    let mut out: String = chars
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|(_, c)| *c)
        .collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Shown by `Debug` of configuration types in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_reads_documented_bodies() {
        let e = Error::api(
            400,
            Bytes::from_static(
                br#"{"statusCode":400,"message":["name is required","x"],"error":"Bad Request"}"#,
            ),
            None,
        );
        assert_eq!(
            e.to_string(),
            "Humanos API error 400 (Bad Request): name is required; x"
        );
        assert!(!e.is_retryable());
        let e = Error::api(503, Bytes::from_static(b"<html>down</html>"), None);
        assert!(e.is_retryable());
        assert!(
            matches!(&e, Error::Api { parsed: None, code: None, body, .. } if body.len() == 17)
        );
        let e = Error::api(
            400,
            Bytes::from_static(
                br#"{"statusCode":400,"message":"nope","reason":"credential_revoked"}"#,
            ),
            None,
        );
        assert!(matches!(e, Error::Api { code: Some(c), .. } if c == "credential_revoked"));
    }

    #[test]
    fn a_huge_error_message_makes_a_bounded_text_and_a_whole_field() {
        let message = "é".repeat(100_000);
        let body = format!(r#"{{"statusCode":400,"message":"{message}","code":"{message}"}}"#);
        let error = Error::api(400, Bytes::from(body), None);
        let text = error.to_string();
        assert!(
            text.chars().count() < 2 * MESSAGE_CHARS + 40,
            "{} chars",
            text.len()
        );
        assert!(text.ends_with('…'));
        let Error::Api {
            message: Some(kept),
            ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(kept, &message);
    }

    #[test]
    fn snippets_are_bounded_and_char_safe() {
        let body = format!("{{\"a\":\"{}é", "x".repeat(500));
        let s = snippet(body.as_bytes(), 1, body.len());
        assert!(s.chars().count() <= SNIPPET_CHARS + 2, "{s}");
        assert!(s.ends_with('é'), "{s}");
        assert_eq!(snippet(b"{\"a\":", 1, 5), "{\"a\":");
        assert_eq!(snippet(b"", 0, 0), "");
    }
}
