//! The enforcement point for services that agents call, free of any web framework: which
//! mandate a request names, what it is about to do, the [`authorize`] call, and the answer.
//! `humanos-axum` (a tower layer) and `humanos-actix` (a middleware) are thin adapters over
//! [`Enforcer::guard`]: they hand over the request head, the body as a
//! [`ChunkSource`] and their runtime's `sleep`, and convert the [`Answer`].
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
//! | your function refused the request ([`Unmapped`]), or the body stream broke | 400 | `{"statusCode":400,"message","error"}` |
//! | body over the limit (default 64 KiB), announced or received, or cut by a length limit in front | 413 | `{"statusCode":413,"message","error"}` |
//! | body not received within the read timeout (default 30 s) | 408 | `{"statusCode":408,"message","error"}` |
//! | denied (by the API or the local pre-check) | 403 | the API's `VerifyDenyResponseEntity`: `reason`, `evaluations` naming each rule |
//! | the API refused the mandate without a verdict ([`AuthorizeError::Refused`]: unknown, not accepted) | 403 | `{"statusCode":403,"message","error"}` |
//! | could not decide ([`AuthorizeError::Undecided`]: API down, timeout, `5xx`) | 503, or the handler with [`Grant::FailedOpen`] under [`Undecided::FailOpen`] | `{"statusCode":503,"message","error"}` |
//!
//! The body is read and limited by the same pump as the webhook routes
//! ([`humanos_webhooks::body::read`]), and every answer is an [`Answer`], the type the webhook
//! lifecycle answers with too: each adapter converts it once. A test
//! (`the_status_table_matches_the_code`) reads this table and checks each row.
//!
//! Error bodies have the API's own error shape; none carries a secret or the cause of an
//! outage (that is logged, in the `humanos.authorize` span).
//!
//! [`authorize`]: HumanosClient::authorize
//! [`AuthorizeError::Refused`]: crate::AuthorizeError::Refused
//! [`AuthorizeError::Undecided`]: crate::AuthorizeError::Undecided

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use bytes::Bytes;
use humanos_models::{VerifyAllowResponseEntity, VerifyDenyResponseEntity};
pub use humanos_webhooks::answer::{Answer, Outcome};
use humanos_webhooks::body::{self, BodyError, BodyLimits, ChunkSource, declared_length};
use humanos_webhooks::{HeaderLookup, RequestHead, WebhookHeaders};
use serde::Serialize;
use serde_json::json;

use crate::{Action, HumanosClient};

mod ruling;
pub use ruling::{AuthorizePolicy, Ruling};

/// The request header in which an agent names its mandate: `Humanos-Mandate:
/// urn:via:credential:<uuid>` (lowercase here, as header maps compare names).
pub const MANDATE_HEADER: &str = "humanos-mandate";

/// The `WWW-Authenticate` challenge of a `401`: the scheme names the header to send.
pub const MANDATE_CHALLENGE: &str = "Humanos-Mandate";

/// Default largest request body the adapters read for the action function: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Default body read timeout of the enforcement point: 30 s, as on the webhook routes.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

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

/// What to do when the API's answer is unknown
/// ([`AuthorizeError::Undecided`](crate::AuthorizeError::Undecided)).
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

/// An answer in the API's error shape: `{"statusCode", "message", "error"}`.
fn api_error(status: u16, error: &str, message: &str) -> Answer {
    let body = json!({"statusCode": status, "message": message, "error": error}).to_string();
    Answer::json(status, body)
}

/// `403` with the API's deny body.
fn deny(deny: &VerifyDenyResponseEntity) -> Answer {
    Answer::json(403, to_bytes(deny))
}

/// The answer to a body the enforcer could not read: `413`, `408` or `400`.
fn body_refused(err: BodyError) -> Answer {
    match err {
        BodyError::TooLarge { limit } => api_error(
            413,
            "Payload Too Large",
            &format!("the request body is over {limit} bytes"),
        ),
        BodyError::TimedOut => api_error(
            408,
            "Request Timeout",
            "the request body was not received in time",
        ),
        _ => api_error(400, "Bad Request", "the request body could not be read"),
    }
}

fn to_bytes<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
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
    policy: AuthorizePolicy,
    body_limit: usize,
    read_timeout: Option<Duration>,
}

impl fmt::Debug for Enforcer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enforcer")
            .field("client", &self.client)
            .field("policy", &self.policy)
            .field("body_limit", &self.body_limit)
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
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
            policy: AuthorizePolicy::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
        }
    }

    /// What to do when nobody could decide (default [`Undecided::FailClosed`]: `503`).
    pub fn undecided(mut self, policy: Undecided) -> Self {
        self.policy = self.policy.undecided(policy);
        self
    }

    /// The largest body the adapters read for the action function (default 64 KiB); larger
    /// requests are answered `413`.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long reading the body may take (default [`DEFAULT_READ_TIMEOUT`], 30 s); a slower
    /// body is answered `408` before anything is authorized. `None` disables it (then rely on
    /// your server's or a proxy's timeout).
    pub fn read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.read_timeout = timeout.into();
        self
    }

    /// Binds each presentation to this verifier domain (see
    /// [`Authorize::target_verifier`](crate::Authorize::target_verifier)).
    pub fn target_verifier(mut self, domain: impl Into<String>) -> Self {
        self.policy = self.policy.target_verifier(domain);
        self
    }

    /// Pre-checks each presentation locally (feature `precheck`): out-of-bounds requests are
    /// denied without an online verification.
    #[cfg(feature = "precheck")]
    pub fn precheck(mut self, check: crate::LocalCheck) -> Self {
        self.policy = self.policy.precheck(check);
        self
    }

    /// The whole enforcement point, for an adapter: reads the body from `source` within the
    /// limit and the read timeout (`sleep` is the adapter's runtime timer), decides, and calls
    /// `next` with the head, the decision and the body (to put back into the request) only when
    /// the request may go on. Otherwise the [`Answer`] to send: nothing was authorized.
    pub async fn guard<H, S, T, TF, N, NF>(
        &self,
        head: H,
        source: S,
        sleep: T,
        next: N,
    ) -> Outcome<NF::Output>
    where
        H: RequestHead,
        S: ChunkSource,
        T: FnOnce(Duration) -> TF,
        TF: Future<Output = ()>,
        N: FnOnce(H, Authorized, Bytes) -> NF,
        NF: Future,
    {
        let limits = BodyLimits::new(self.body_limit, self.read_timeout);
        let declared = declared_length(&head.headers());
        let bytes = match body::read(source, limits, declared, sleep).await {
            Ok(bytes) => bytes,
            Err(err) => return Outcome::Answer(body_refused(err)),
        };
        let decision = {
            let headers = head.headers();
            let request =
                AgentRequest::new(head.method(), head.path(), head.query(), &headers, &bytes);
            self.enforce(&request).await
        };
        match decision {
            Outcome::Proceed(authorized) => Outcome::Proceed(next(head, authorized, bytes).await),
            Outcome::Answer(answer) => Outcome::Answer(answer),
        }
    }

    /// Decides one request whose body was read: go on with the [`Authorized`] decision, or the
    /// [`Answer`] to send.
    pub async fn enforce(&self, request: &AgentRequest<'_>) -> Outcome<Authorized> {
        let mandate_id = match request.headers.lookup(MANDATE_HEADER) {
            HeaderLookup::One(v) => std::str::from_utf8(v).ok().map(str::trim),
            _ => None,
        };
        let Some(mandate_id) = mandate_id.filter(|m| !m.is_empty()) else {
            let message = "name your mandate in one Humanos-Mandate header";
            let answer = api_error(401, "Unauthorized", message);
            return Outcome::Answer(answer.with_header("www-authenticate", MANDATE_CHALLENGE));
        };
        let action = match (self.action)(request) {
            Ok(action) => action,
            Err(unmapped) => {
                return Outcome::Answer(api_error(400, "Bad Request", &unmapped.message));
            }
        };
        let grant = match self
            .policy
            .rule(&self.client, mandate_id, action.clone())
            .await
        {
            Ruling::Granted { grant, .. } => grant,
            Ruling::Denied(verdict) => return Outcome::Answer(deny(&verdict)),
            Ruling::Undecided => {
                return Outcome::Answer(api_error(
                    503,
                    "Service Unavailable",
                    "the mandate could not be verified now; try again later",
                ));
            }
            Ruling::Refused { message } => {
                let message = match message {
                    Some(m) => format!("the mandate cannot be used: {m}"),
                    None => "the mandate cannot be used".to_owned(),
                };
                return Outcome::Answer(api_error(403, "Forbidden", &message));
            }
        };
        Outcome::Proceed(Authorized {
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

    fn enforcer(action: Result<Action, Unmapped>) -> Enforcer {
        let client = HumanosClient::builder()
            .api_key("k")
            .signature_secret("s")
            .base_url("http://127.0.0.1:9")
            .retry(crate::RetryConfig::disabled())
            .build()
            .unwrap();
        Enforcer::new(client, move |_| action.clone())
    }

    async fn answer(enforcer: &Enforcer, headers: &[(&str, &str)]) -> Answer {
        let r = AgentRequest::new("GET", "/", None, &headers, b"");
        match enforcer.enforce(&r).await {
            Outcome::Answer(answer) => answer,
            Outcome::Proceed(_) => panic!("not refused"),
        }
    }

    #[tokio::test]
    async fn missing_or_repeated_mandate_headers_are_401() {
        let enforcer = enforcer(Ok(Action::new("a")));
        for headers in [
            vec![],
            vec![("Humanos-Mandate", "a"), ("humanos-mandate", "b")],
            vec![("Humanos-Mandate", " ")],
        ] {
            let answer = answer(&enforcer, &headers).await;
            assert_eq!(answer.status, 401);
            assert_eq!(answer.header("www-authenticate"), Some(MANDATE_CHALLENGE));
        }
    }

    /// The answer to every row of the module's table, made by the code (the 403 rows by the
    /// functions the verdicts go through; the sandbox suites of the adapters drive them online).
    async fn every_answer() -> Vec<Answer> {
        let mandate = [("humanos-mandate", "urn:via:credential:x")];
        let deny_body = json!({
            "statusCode": 403, "message": "denied", "decision": "deny", "reason": "rule_failed",
            "credentialId": "urn:via:credential:x", "evaluations": [],
        });
        vec![
            answer(&enforcer(Ok(Action::new("a"))), &[]).await,
            answer(&enforcer(Err(Unmapped::new("no"))), &mandate).await,
            body_refused(BodyError::Unreadable),
            body_refused(BodyError::TooLarge { limit: 1 }),
            body_refused(BodyError::TimedOut),
            deny(&serde_json::from_value(deny_body).unwrap()),
            api_error(403, "Forbidden", "the mandate cannot be used"),
            // Nobody listens on 127.0.0.1:9: undecided, failing closed.
            answer(&enforcer(Ok(Action::new("a"))), &mandate).await,
        ]
    }

    #[tokio::test]
    async fn the_status_table_matches_the_code() {
        let source = include_str!("enforce.rs");
        let rows: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("//! | "))
            .filter(|l| !l.starts_with("outcome") && !l.starts_with("---"))
            .collect();
        let answers = every_answer().await;
        for row in &rows {
            let status = row.split(" | ").nth(1).unwrap_or_default();
            let digits: String = status.chars().take_while(char::is_ascii_digit).collect();
            let Ok(code) = digits.parse::<u16>() else {
                assert!(row.starts_with("allowed"), "{row}");
                continue;
            };
            let answer = answers.iter().find(|a| a.status == code);
            let answer = answer.unwrap_or_else(|| panic!("no answer of the code is {code}: {row}"));
            let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            assert_eq!(body["statusCode"], code, "{row}");
            assert_eq!(answer.header("content-type"), Some("application/json"));
            let challenge = answer.header("www-authenticate");
            assert_eq!(
                challenge.is_some(),
                row.contains("WWW-Authenticate"),
                "{row}"
            );
        }
        for answer in &answers {
            let listed = rows.iter().any(|r| {
                r.split(" | ")
                    .nth(1)
                    .is_some_and(|s| s.starts_with(&answer.status.to_string()))
            });
            assert!(listed, "{} has no row in the table", answer.status);
        }
    }
}
