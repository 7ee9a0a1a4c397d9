//! The enforcement point for services that agents call, free of any web framework: which
//! mandate a request names, what it is about to do, the [`authorize`] call, and the answer.
//! `humanos-axum` (a tower layer) and `humanos-actix` (a middleware) are thin adapters over
//! [`Enforcer`].
//!
//! # The protocol
//!
//! The agent names its mandate in the [`MANDATE_HEADER`] header
//! (`Humanos-Mandate: urn:via:credential:<uuid>`). Your function turns the request (method,
//! path, query, headers, body) into the [`Action`] it would take; the enforcer calls
//! [`authorize`] and answers:
//!
//! | outcome | status | body |
//! | --- | --- | --- |
//! | allowed | the handler's | the handler gets an [`Authorized`] |
//! | no (or a repeated) `Humanos-Mandate` header | 401 (`WWW-Authenticate: Humanos-Mandate`) | `{"statusCode":401,"message","error"}` |
//! | your function refused the request ([`Unmapped`]) | 400 | `{"statusCode":400,"message","error"}` |
//! | body over the limit (default 64 KiB) | 413 | `{"statusCode":413,"message","error"}` |
//! | denied (by the API or the local pre-check) | 403 | the API's `VerifyDenyResponseEntity`: `reason`, `evaluations` naming each rule |
//! | the API refused the mandate without a verdict ([`AuthorizeError::Refused`]: unknown, not accepted) | 403 | `{"statusCode":403,"message","error"}` |
//! | could not decide ([`AuthorizeError::Undecided`]: API down, timeout, `5xx`) | 503, or the handler with [`Grant::FailedOpen`] under [`Undecided::FailOpen`] | `{"statusCode":503,"message","error"}` |
//!
//! Error bodies have the API's own error shape; none carries a secret or the cause of an
//! outage (that is logged, in the `humanos.authorize` span).
//!
//! [`authorize`]: HumanosClient::authorize

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use humanos_models::{VerifyAllowResponseEntity, VerifyDenyResponseEntity};
use humanos_webhooks::{HeaderLookup, WebhookHeaders};
use serde::Serialize;
use serde_json::json;

use crate::{Action, AuthorizeError, HumanosClient, Verdict};

/// The request header in which an agent names its mandate: `Humanos-Mandate:
/// urn:via:credential:<uuid>` (lowercase here, as header maps compare names).
pub const MANDATE_HEADER: &str = "humanos-mandate";

/// The `WWW-Authenticate` challenge of a `401`: the scheme names the header to send.
pub const MANDATE_CHALLENGE: &str = "Humanos-Mandate";

/// Default largest request body the adapters read for the action function: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// What the action function sees of a request, whatever the framework.
pub struct AgentRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a (dyn WebhookHeaders + Sync),
    body: &'a [u8],
}

impl fmt::Debug for AgentRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<'a> AgentRequest<'a> {
    /// A request as an adapter read it (`query` without the `?`).
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a (dyn WebhookHeaders + Sync),
        body: &'a [u8],
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// The method (`GET`, `POST`, ...).
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The path, percent-encoded as received.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query string, without the `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The first value of query parameter `name`, percent-decoded (`+` is a space).
    pub fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.query?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key) == name).then(|| decode(value))
        })
    }

    /// A header that appears exactly once, when it is UTF-8 (`name` in lowercase).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        match self.headers.lookup(name) {
            HeaderLookup::One(value) => std::str::from_utf8(value).ok(),
            _ => None,
        }
    }

    /// The body, as far as the adapter read it (up to the enforcer's
    /// [`body_limit`](Enforcer::body_limit)).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['+', '%']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// The action function's refusal: the request does not describe an action it knows (a
/// missing or malformed parameter). Answered `400` with `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Unmapped {
    message: String,
}

impl Unmapped {
    /// A refusal with this message (sent to the agent: no secret in it).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// What to do when the API's answer is unknown ([`AuthorizeError::Undecided`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Undecided {
    /// Refuse with `503` (the default).
    #[default]
    FailClosed,
    /// Run the handler with [`Grant::FailedOpen`]: only for actions whose harm is bounded and
    /// reversible.
    FailOpen,
}

/// On what grounds the handler runs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Grant {
    /// The API allowed: its answer, with the per-rule evaluations.
    Allowed(VerifyAllowResponseEntity),
    /// Nobody decided and the enforcer is configured to fail open; `error` says why.
    FailedOpen {
        /// The failure (no secret in it).
        error: String,
    },
}

/// What the handler of an allowed request receives (the extractors of the adapters).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Authorized {
    /// The mandate the agent named.
    pub mandate_id: String,
    /// The action and execution parameters that were authorized: act on these, not on a
    /// second reading of the request.
    pub action: Action,
    /// Allowed by the API, or let through undecided.
    pub grant: Grant,
}

/// A request the enforcer answers itself.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Bytes,
    /// The `WWW-Authenticate` value to send with a `401`.
    pub challenge: Option<&'static str>,
}

impl Refusal {
    /// The content type of every refusal body.
    pub const CONTENT_TYPE: &'static str = "application/json";

    fn error(status: u16, error: &str, message: &str) -> Self {
        Self {
            status,
            body: Bytes::from(
                json!({"statusCode": status, "message": message, "error": error}).to_string(),
            ),
            challenge: None,
        }
    }

    fn deny(deny: &VerifyDenyResponseEntity) -> Self {
        Self {
            status: 403,
            body: to_bytes(deny),
            challenge: None,
        }
    }

    /// `413`: the body is over `limit` bytes (answered by the adapters, which read the body).
    pub fn payload_too_large(limit: usize) -> Self {
        Self::error(
            413,
            "Payload Too Large",
            &format!("the request body is over {limit} bytes"),
        )
    }

    /// `400`: the body could not be read.
    pub fn unreadable_body() -> Self {
        Self::error(400, "Bad Request", "the request body could not be read")
    }
}

fn to_bytes<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

/// The enforcer's answer to one request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Enforcement {
    /// Run the handler with this.
    Proceed(Authorized),
    /// Answer this instead.
    Refuse(Refusal),
}

type ActionFn = dyn Fn(&AgentRequest<'_>) -> Result<Action, Unmapped> + Send + Sync;

/// The enforcement point: reads the mandate header, asks your function for the [`Action`],
/// [`authorize`](HumanosClient::authorize)s, and says whether to run the handler. Build it
/// once; clones share it.
///
/// ```no_run
/// # fn run(client: humanos::HumanosClient) {
/// use humanos::Action;
/// use humanos::enforce::{Enforcer, Unmapped};
///
/// let enforcer = Enforcer::new(client, |request| {
///     let price = request
///         .query_param("price_eur")
///         .and_then(|p| p.parse::<u64>().ok())
///         .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
///     Ok(Action::new("urn:via:action:7d0c6f1e").param("amount", price))
/// });
/// # let _ = enforcer; }
/// ```
#[derive(Clone)]
pub struct Enforcer {
    client: HumanosClient,
    action: Arc<ActionFn>,
    undecided: Undecided,
    body_limit: usize,
    target_verifier: Option<String>,
    #[cfg(feature = "precheck")]
    precheck: Option<crate::LocalCheck>,
}

impl fmt::Debug for Enforcer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Enforcer");
        d.field("client", &self.client)
            .field("undecided", &self.undecided)
            .field("body_limit", &self.body_limit)
            .field("target_verifier", &self.target_verifier);
        #[cfg(feature = "precheck")]
        d.field("precheck", &self.precheck.is_some());
        d.finish_non_exhaustive()
    }
}

impl Enforcer {
    /// An enforcer that authorizes through `client` what `action` makes of each request.
    /// Fails closed; reads bodies up to [`DEFAULT_BODY_LIMIT`].
    pub fn new(
        client: HumanosClient,
        action: impl Fn(&AgentRequest<'_>) -> Result<Action, Unmapped> + Send + Sync + 'static,
    ) -> Self {
        Self {
            client,
            action: Arc::new(action),
            undecided: Undecided::FailClosed,
            body_limit: DEFAULT_BODY_LIMIT,
            target_verifier: None,
            #[cfg(feature = "precheck")]
            precheck: None,
        }
    }

    /// What to do when nobody could decide (default [`Undecided::FailClosed`]: `503`).
    pub fn on_undecided(mut self, policy: Undecided) -> Self {
        self.undecided = policy;
        self
    }

    /// The largest body the adapters read for the action function (default 64 KiB); larger
    /// requests are answered `413`.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The configured body limit.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Binds each presentation to this verifier domain (see
    /// [`Authorize::target_verifier`](crate::Authorize::target_verifier)).
    pub fn target_verifier(mut self, domain: impl Into<String>) -> Self {
        self.target_verifier = Some(domain.into());
        self
    }

    /// Pre-checks each presentation locally (feature `precheck`): out-of-bounds requests are
    /// denied without an online verification.
    #[cfg(feature = "precheck")]
    pub fn precheck(mut self, check: crate::LocalCheck) -> Self {
        self.precheck = Some(check);
        self
    }

    /// Decides one request.
    pub async fn enforce(&self, request: &AgentRequest<'_>) -> Enforcement {
        let mandate_id = match request.headers.lookup(MANDATE_HEADER) {
            HeaderLookup::One(v) => std::str::from_utf8(v).ok().map(str::trim),
            _ => None,
        };
        let Some(mandate_id) = mandate_id.filter(|m| !m.is_empty()) else {
            let mut refusal = Refusal::error(
                401,
                "Unauthorized",
                "name your mandate in one Humanos-Mandate header",
            );
            refusal.challenge = Some(MANDATE_CHALLENGE);
            return Enforcement::Refuse(refusal);
        };
        let action = match (self.action)(request) {
            Ok(action) => action,
            Err(unmapped) => {
                return Enforcement::Refuse(Refusal::error(400, "Bad Request", &unmapped.message));
            }
        };
        let mut call = self.client.authorize(mandate_id, action.clone());
        if let Some(domain) = &self.target_verifier {
            call = call.target_verifier(domain.clone());
        }
        #[cfg(feature = "precheck")]
        if let Some(check) = &self.precheck {
            call = call.precheck(check);
        }
        let grant = match call.await {
            Ok(decision) => match decision.verdict {
                Verdict::Allow(allow) => Grant::Allowed(allow),
                Verdict::Deny(deny) => return Enforcement::Refuse(Refusal::deny(&deny)),
            },
            Err(AuthorizeError::Undecided(error)) if self.undecided == Undecided::FailOpen => {
                Grant::FailedOpen {
                    error: error.to_string(),
                }
            }
            Err(AuthorizeError::Undecided(_)) => {
                return Enforcement::Refuse(Refusal::error(
                    503,
                    "Service Unavailable",
                    "the mandate could not be verified now; try again later",
                ));
            }
            Err(error) => {
                let message = match error.error() {
                    crate::Error::Api {
                        message: Some(m), ..
                    } => format!("the mandate cannot be used: {m}"),
                    _ => "the mandate cannot be used".to_owned(),
                };
                return Enforcement::Refuse(Refusal::error(403, "Forbidden", &message));
            }
        };
        Enforcement::Proceed(Authorized {
            mandate_id: mandate_id.to_owned(),
            action,
            grant,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded() {
        let headers: [(&str, &str); 0] = [];
        let r = AgentRequest::new("GET", "/", Some("a=1&b=x%20y+z&c"), &headers, b"");
        assert_eq!(r.query_param("a").as_deref(), Some("1"));
        assert_eq!(r.query_param("b").as_deref(), Some("x y z"));
        assert_eq!(r.query_param("c").as_deref(), Some(""));
        assert_eq!(r.query_param("d"), None);
    }

    #[tokio::test]
    async fn missing_or_repeated_mandate_headers_are_401() {
        let client = HumanosClient::builder()
            .api_key("k")
            .signature_secret("s")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let enforcer = Enforcer::new(client, |_| Ok(Action::new("a")));
        for headers in [
            vec![],
            vec![("Humanos-Mandate", "a"), ("humanos-mandate", "b")],
            vec![("Humanos-Mandate", " ")],
        ] {
            let r = AgentRequest::new("GET", "/", None, &headers, b"");
            let Enforcement::Refuse(refusal) = enforcer.enforce(&r).await else {
                panic!("not refused")
            };
            assert_eq!(refusal.status, 401);
            assert_eq!(refusal.challenge, Some(MANDATE_CHALLENGE));
        }
    }
}
