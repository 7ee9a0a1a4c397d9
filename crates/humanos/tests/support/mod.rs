//! A Humanos API stand-in on 127.0.0.1 for the client tests.
//!
//! Every request is checked the way the real API checks it before any scripted answer is
//! served: `Authorization: Bearer <key>`, `X-Timestamp` within ±5 minutes, `X-Signature`
//! recomputed over the raw received body with `humanos_signing::SignatureVerifier`
//! (`BodyRule::Request`), exactly one `api-version`, `X-SDK-Language: rust`,
//! `Content-Type: application/json`, a `humanos-rust/` user agent, and a body that is
//! wire-stable JSON (`JSON.stringify(JSON.parse(body)) == body`). A request failing any check
//! is answered `401` with the reasons and recorded in `rejections()`.
//!
//! Tests queue scripted answers (status, headers, body, delay), served in order, and read back
//! every received request.
#![allow(dead_code, unreachable_pub)]

pub mod capture;
pub mod samples;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use humanos::{HumanosClient, HumanosClientBuilder, RetryConfig};
use humanos_signing::{BodyRule, SignatureVerifier, wire_json};
use serde_json::{Value, json};

pub const API_KEY: &str = "hk_test_0f9e8d7c6b5a-NEVER-PRINT";
pub const SECRET: &str = "sig_secret_1a2b3c4d5e6f-NEVER-PRINT";

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// The NestJS error body the API documents for every 4xx.
    pub fn error(status: u16, message: &str, error: &str) -> Self {
        Self::json(
            status,
            &json!({"statusCode": status, "message": message, "error": error}),
        )
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    /// The path as sent (percent-encoded).
    pub raw_path: String,
    /// The path, percent-decoded.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn header_count(&self, name: &str) -> usize {
        self.headers.get_all(name).iter().count()
    }

    pub fn timestamp(&self) -> u64 {
        self.header("x-timestamp").unwrap().parse().unwrap()
    }

    pub fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    verifier: SignatureVerifier,
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
    rejections: Mutex<Vec<String>>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let shared = Arc::new(Shared {
            verifier: SignatureVerifier::new(SECRET, BodyRule::Request),
            replies: Mutex::default(),
            received: Mutex::default(),
            rejections: Mutex::default(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer { addr, shared }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A builder pointed at this server with the test credentials and fast retries.
    pub fn builder(&self) -> HumanosClientBuilder {
        HumanosClient::builder()
            .api_key(API_KEY)
            .signature_secret(SECRET)
            .base_url(self.base_url())
            .retry(fast_retry())
    }

    pub fn client(&self) -> HumanosClient {
        self.builder().build().unwrap()
    }

    pub fn push(&self, reply: Reply) -> &Self {
        self.shared.replies.lock().unwrap().push_back(reply);
        self
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn only(&self) -> Received {
        let received = self.received();
        assert_eq!(
            received.len(),
            1,
            "expected exactly one request: {received:#?}"
        );
        received.into_iter().next().unwrap()
    }

    pub fn rejections(&self) -> Vec<String> {
        self.shared.rejections.lock().unwrap().clone()
    }

    /// Every request passed the checks and every scripted reply was used.
    pub fn assert_clean(&self) {
        assert!(self.rejections().is_empty(), "{:#?}", self.rejections());
        let left = self.shared.replies.lock().unwrap().len();
        assert_eq!(left, 0, "{left} scripted replies were not used");
    }
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

/// A local port with nothing listening on it.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

fn checks(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let one = |name: &str| -> Option<&str> {
        let mut values = headers.get_all(name).iter();
        let first = values.next()?;
        if values.next().is_some() {
            return None;
        }
        first.to_str().ok()
    };
    if one("authorization") != Some(format!("Bearer {API_KEY}").as_str()) {
        problems.push("authorization: missing, repeated or wrong".to_owned());
    }
    match (one("x-timestamp"), one("x-signature")) {
        (Some(ts), Some(sig)) => {
            if let Err(e) = shared.verifier.verify(ts.as_bytes(), sig.as_bytes(), body) {
                problems.push(format!("signature: {e}"));
            }
        }
        _ => problems.push("x-timestamp / x-signature missing or repeated".to_owned()),
    }
    match one("api-version") {
        Some(v) if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' => {}
        other => problems.push(format!(
            "api-version must be sent exactly once as YYYY-MM-DD, got {other:?} ({} headers)",
            headers.get_all("api-version").iter().count()
        )),
    }
    if one("x-sdk-language") != Some("rust") {
        problems.push("x-sdk-language must be `rust`".to_owned());
    }
    if one("content-type") != Some("application/json") {
        problems.push("content-type must be application/json".to_owned());
    }
    if !one("user-agent").is_some_and(|ua| ua.contains("humanos-rust/")) {
        problems.push("user-agent must carry humanos-rust/<version>".to_owned());
    }
    if !body.is_empty() && !wire_json::is_wire_stable(body) {
        problems.push("body is not wire-stable JSON".to_owned());
    }
    problems
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_path = uri.path().to_owned();
    let path = percent_encoding::percent_decode_str(&raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let problems = checks(&shared, &headers, &body);
    shared.received.lock().unwrap().push(Received {
        method: method.clone(),
        raw_path,
        path: path.clone(),
        query,
        headers,
        body,
    });
    if !problems.is_empty() {
        let message = problems.join("; ");
        shared.rejections.lock().unwrap().push(message.clone());
        return (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            json!({"statusCode": 401, "message": message, "error": "Unauthorized"}).to_string(),
        )
            .into_response();
    }
    let reply = shared.replies.lock().unwrap().pop_front();
    let Some(reply) = reply else {
        return (
            StatusCode::IM_A_TEAPOT,
            format!("no scripted reply for {method} {path}"),
        )
            .into_response();
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response.body(reply.body.into()).unwrap()
}
