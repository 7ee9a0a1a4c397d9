//! The request authentication layer: API key, timestamp window, HMAC signature, api-version.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use humanos_signing::{SignatureError, SignatureVerifier, TimestampError, VerifyError, wire_json};

use crate::context::{API_VERSION, KNOWN_API_VERSIONS};
use crate::http::error::ApiError;

/// Largest accepted request body.
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;

/// What the authentication layer checks requests against: the API key and the request
/// signature secret.
pub(crate) struct ApiAuth {
    pub(crate) api_key: String,
    pub(crate) signature_secret: String,
    pub(crate) verifier: SignatureVerifier,
}

/// The `api-version` a request asked for (extension set by the auth layer).
#[derive(Debug, Clone)]
pub(crate) struct ApiVersion(pub(crate) String);

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

fn single_header<'a>(req: &'a Request, name: &str) -> Result<Option<&'a str>, ApiError> {
    let mut values = req.headers().get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(unauthorized(format!(
            "Header {name} was sent more than once"
        )));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| unauthorized(format!("Header {name} is not visible ASCII")))
}

/// Checks `Authorization`, `X-Timestamp` and `X-Signature`, and records `api-version`.
pub(crate) async fn authenticate(
    State(state): State<Arc<ApiAuth>>,
    req: Request,
    next: Next,
) -> Response {
    let checked = api_version(&req).and_then(|version| {
        check_api_key(&req, &state)?;
        let (timestamp, signature) = signature_headers(&req)?;
        Ok((version, timestamp, signature))
    });
    let (version, timestamp, signature) = match checked {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
            .into_response();
    };
    let signed = match signed_form(&bytes) {
        Ok(signed) => signed,
        Err(e) => return e.into_response(),
    };
    let verifier: &SignatureVerifier = &state.verifier;
    if let Err(e) = verifier.verify(timestamp.as_bytes(), signature.as_bytes(), &signed) {
        return unauthorized(describe(&e)).into_response();
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(ApiVersion(version.clone()));
    let mut response = next.run(req).await;
    stamp_version(&mut response, &version);
    response
}

/// The `api-version` asked for (default [`API_VERSION`]); several conflicting values (the
/// official SDK's per-call override bug) are a 400.
fn api_version(req: &Request) -> Result<String, ApiError> {
    let versions: Vec<String> = req
        .headers()
        .get_all("api-version")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    let mut distinct = versions;
    distinct.dedup();
    if distinct.len() > 1 {
        return Err(ApiError::bad_request(format!(
            "Conflicting api-version headers: {}. Send exactly one api-version header \
             (a per-call override must replace the default, not be added beside it)",
            distinct.join(", ")
        )));
    }
    Ok(distinct
        .into_iter()
        .next()
        .unwrap_or_else(|| API_VERSION.to_owned()))
}

/// `Authorization: Bearer <api key>`, compared in constant time.
fn check_api_key(req: &Request, state: &ApiAuth) -> Result<(), ApiError> {
    let Some(auth) = single_header(req, "authorization")? else {
        return Err(unauthorized(
            "Missing Authorization header: send `Authorization: Bearer <api key>`",
        ));
    };
    let Some(key) = auth.strip_prefix("Bearer ") else {
        return Err(unauthorized(
            "Authorization header must use the Bearer scheme: `Bearer <api key>`",
        ));
    };
    if !constant_time_eq(key.trim().as_bytes(), state.api_key.as_bytes()) {
        return Err(unauthorized("Invalid API key"));
    }
    Ok(())
}

/// `X-Timestamp` and `X-Signature`, each present exactly once.
fn signature_headers(req: &Request) -> Result<(String, String), ApiError> {
    let Some(timestamp) = single_header(req, "x-timestamp")? else {
        return Err(unauthorized(
            "Missing X-Timestamp header: send the Unix time in milliseconds",
        ));
    };
    let Some(signature) = single_header(req, "x-signature")? else {
        return Err(unauthorized(
            "Missing X-Signature header: send hex(HMAC-SHA256(signature secret, \"<timestamp>.<body>\"))",
        ));
    };
    Ok((timestamp.to_owned(), signature.to_owned()))
}

/// The bytes the signature covers. The service checks it over
/// JSON.stringify(JSON.parse(body)) and over nothing else: a client that signs bytes which
/// re-serialize differently (spaces, `5000.0`, member order) is refused there, so it is
/// refused here too.
fn signed_form(bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    wire_json::reencode(bytes).map_err(|_| {
        ApiError::bad_request("Request body is not valid JSON: send a JSON document, or no body")
    })
}

/// Echoes the version answered, with a `Warning` when it is not one the sandbox knows.
fn stamp_version(response: &mut Response, version: &str) {
    if let Ok(v) = HeaderValue::from_str(version) {
        response.headers_mut().insert("api-version", v);
    }
    if !KNOWN_API_VERSIONS.contains(&version) {
        let warning = format!(
            "299 humanos-sandbox \"Unknown api-version {version}; answering as {API_VERSION}\""
        );
        if let Ok(v) = HeaderValue::from_str(&warning) {
            response.headers_mut().insert(header::WARNING, v);
        }
    }
}

fn describe(e: &VerifyError) -> String {
    match e {
        VerifyError::Timestamp(TimestampError::Malformed) => {
            "X-Timestamp is not an integer number of milliseconds".to_owned()
        }
        VerifyError::Timestamp(TimestampError::TooOld { age_ms, .. }) => format!(
            "X-Timestamp is outside the allowed window: {} s old (at most 300 s); check the clock",
            age_ms / 1000
        ),
        VerifyError::Timestamp(TimestampError::InFuture { ahead_ms, .. }) => format!(
            "X-Timestamp is outside the allowed window: {} s in the future (at most 300 s); check the clock",
            ahead_ms / 1000
        ),
        VerifyError::Signature(SignatureError::Mismatch) => {
            "X-Signature does not match: sign \"<timestamp>.<body>\" (or \"<timestamp>\" without a body) with the signature secret, \
             where <body> is JSON.stringify(JSON.parse(body)): send bytes that survive that unchanged".to_owned()
        }
        VerifyError::Signature(_) => "X-Signature is not 64 hex digits".to_owned(),
        other => format!("Request signature rejected: {other}"),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
