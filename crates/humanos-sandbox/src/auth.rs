//! The request authentication layer: API key, timestamp window, HMAC signature, api-version.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use humanos_signing::{SignatureError, SignatureVerifier, TimestampError, VerifyError, wire_json};

use crate::state::{API_VERSION, ApiError, AppState, KNOWN_API_VERSIONS};

/// Largest accepted request body.
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;

/// The `api-version` a request asked for (extension set by the auth layer).
#[derive(Debug, Clone)]
pub(crate) struct ApiVersion(pub(crate) String);

fn unauthorized(message: impl Into<String>) -> Response {
    ApiError::new(StatusCode::UNAUTHORIZED, message).into_response()
}

#[allow(clippy::result_large_err)]
fn single_header<'a>(req: &'a Request, name: &str) -> Result<Option<&'a str>, Response> {
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
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    // api-version: several conflicting values (the official SDK's per-call override bug).
    let versions: Vec<String> = req
        .headers()
        .get_all("api-version")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    let mut distinct = versions.clone();
    distinct.dedup();
    if distinct.len() > 1 {
        return ApiError::bad_request(format!(
            "Conflicting api-version headers: {}. Send exactly one api-version header \
             (a per-call override must replace the default, not be added beside it)",
            distinct.join(", ")
        ))
        .into_response();
    }
    let version = distinct
        .into_iter()
        .next()
        .unwrap_or_else(|| API_VERSION.to_owned());

    let auth = match single_header(&req, "authorization") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(auth) = auth else {
        return unauthorized(
            "Missing Authorization header: send `Authorization: Bearer <api key>`",
        );
    };
    let Some(key) = auth.strip_prefix("Bearer ") else {
        return unauthorized("Authorization header must use the Bearer scheme: `Bearer <api key>`");
    };
    if !constant_time_eq(key.trim().as_bytes(), state.api_key.as_bytes()) {
        return unauthorized("Invalid API key");
    }
    let timestamp = match single_header(&req, "x-timestamp") {
        Ok(Some(v)) => v.to_owned(),
        Ok(None) => {
            return unauthorized("Missing X-Timestamp header: send the Unix time in milliseconds");
        }
        Err(r) => return r,
    };
    let signature = match single_header(&req, "x-signature") {
        Ok(Some(v)) => v.to_owned(),
        Ok(None) => {
            return unauthorized(
                "Missing X-Signature header: send hex(HMAC-SHA256(signature secret, \"<timestamp>.<body>\"))",
            );
        }
        Err(r) => return r,
    };

    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
            .into_response();
    };

    // The service checks the signature over JSON.stringify(JSON.parse(body)) and over nothing
    // else: a client that signs bytes which re-serialize differently (spaces, `5000.0`, member
    // order) is refused there, so it is refused here too.
    let signed = if bytes.is_empty() {
        Vec::new()
    } else {
        match wire_json::reencode(&bytes) {
            Ok(reencoded) => reencoded,
            Err(_) => {
                return ApiError::bad_request(
                    "Request body is not valid JSON: send a JSON document, or no body",
                )
                .into_response();
            }
        }
    };
    let verifier: &SignatureVerifier = &state.request_verifier;
    if let Err(e) = verifier.verify(timestamp.as_bytes(), signature.as_bytes(), &signed) {
        return unauthorized(describe(&e));
    }

    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(ApiVersion(version.clone()));
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&version) {
        response.headers_mut().insert("api-version", v);
    }
    if !KNOWN_API_VERSIONS.contains(&version.as_str()) {
        let warning = format!(
            "299 humanos-sandbox \"Unknown api-version {version}; answering as {API_VERSION}\""
        );
        if let Ok(v) = HeaderValue::from_str(&warning) {
            response.headers_mut().insert(header::WARNING, v);
        }
    }
    response
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
