//! The crate's error type.

use std::time::Duration;

use crate::ErrorCode;
use crate::callback::CallbackError;

/// Everything that can go wrong talking to HumanCode or handling its pages.
///
/// No variant ever contains the APP_KEY. Response excerpts (`snippet`) are truncated to
/// [`SNIPPET_MAX_CHARS`](crate::SNIPPET_MAX_CHARS) characters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HumanCode answered with `code != 0`: the call was understood and refused.
    ///
    /// `msg` is the server's own message; [`ErrorCode::message`] gives the documented one.
    #[error("HumanCode API error {code}: {msg}")]
    Api {
        /// The code of the response (never [`ErrorCode::Ok`]).
        code: ErrorCode,
        /// The `msg` of the response, as sent by the server (truncated).
        msg: String,
    },
    /// The request did not reach HumanCode or its answer could not be read (DNS, connection
    /// refused, TLS, reset). The request URL is stripped from the inner error.
    #[cfg(feature = "client")]
    #[error("HTTP request to HumanCode failed: {0}; check the base URL and the network")]
    Transport(#[source] reqwest::Error),
    /// No complete answer within the configured timeout.
    #[error("HumanCode did not answer within {after:?}; try again or raise the client timeout")]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// HumanCode answered with an HTTP status other than 200 (it answers every API call, errors
    /// included, with 200 and a JSON envelope).
    #[error("HumanCode answered HTTP {status}: {snippet}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The start of the body, truncated.
        snippet: String,
    },
    /// The answer was not the documented JSON envelope, or its `result` lacked a field.
    #[error("unexpected HumanCode response ({reason}): {snippet}")]
    Decode {
        /// What was wrong with the body.
        reason: String,
        /// The start of the body, truncated.
        snippet: String,
    },
    /// The response body exceeded [`MAX_RESPONSE_BYTES`](crate::MAX_RESPONSE_BYTES).
    #[error("HumanCode response larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The client configuration is invalid or incomplete (missing APP_ID, bad base URL, ...).
    #[error("invalid HumanCode configuration: {0}")]
    Config(#[from] HumanCodeConfigError),
    /// A callback URL that HumanCode would not accept: it must be an absolute `http` or `https`
    /// URL with a host and without query string or fragment.
    #[error("invalid callback URL: {0}")]
    InvalidCallbackUrl(String),
    /// A value passed in (session_id, vcode, human_id) is not well formed; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The parameter name.
        field: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A callback query string could not be parsed.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// The request body could not be serialized (does not happen for this crate's bodies).
    #[error("cannot serialize the request body: {0}")]
    Serialize(#[from] humanos_signing::wire_json::WireJsonError),
}

impl Error {
    /// The HumanCode code of an [`Api`](Error::Api) error.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether trying the same call again may succeed: transport failures, timeouts, HTTP 5xx,
    /// 408, 429 and HumanCode's `10005 server error`. Keep the lifetimes in mind: a vcode lives
    /// [`VCODE_LIFETIME`](crate::VCODE_LIFETIME).
    pub fn is_retryable(&self) -> bool {
        match self {
            #[cfg(feature = "client")]
            Error::Transport(_) => true,
            Error::Timeout { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Error::Api { code, .. } => code.is_retryable(),
            _ => false,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with a HumanCode configuration (inside [`Error::Config`]). Never echoes the
/// APP_KEY.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HumanCodeConfigError {
    /// An environment variable the client reads is not set (or not UTF-8).
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// A required setting (`APP_ID`, `APP_KEY`) was not given.
    #[error("{0} is required")]
    Missing(&'static str),
    /// The APP_ID is empty or has whitespace or non-ASCII characters.
    #[error("APP_ID is empty or contains whitespace or non-ASCII characters")]
    InvalidAppId,
    /// The APP_KEY is empty.
    #[error("APP_KEY is empty")]
    EmptyAppKey,
    /// A timeout of zero.
    #[error("timeout must be greater than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// A custom nonce source produced something else than 16 ASCII letters or digits.
    #[error("the nonce source must produce 16 ASCII letters or digits")]
    InvalidNonce,
    /// The base URL is not usable.
    #[error("base URL {0}")]
    BaseUrl(HumanCodeBaseUrlProblem),
}

/// Why a HumanCode base URL was refused (inside [`HumanCodeConfigError::BaseUrl`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HumanCodeBaseUrlProblem {
    /// It does not parse as an absolute URL.
    #[error("is not an absolute URL: {0}")]
    NotAbsolute(String),
    /// Its scheme is neither `http` nor `https`.
    #[error("must use http or https")]
    Scheme,
    /// It has no host.
    #[error("has no host")]
    NoHost,
    /// It has a query string or a fragment.
    #[error("must not have a query string or fragment")]
    QueryOrFragment,
    /// It carries a user name or password.
    #[error("must not contain credentials")]
    Credentials,
}
