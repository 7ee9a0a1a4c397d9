//! Reading and verifying one delivery the axum way; the lifecycle itself is
//! [`humanos_webhooks::lifecycle`].

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use humanos_webhooks::body::declared_length;
use humanos_webhooks::lifecycle::{self, Verified};
use humanos_webhooks::{Refusal, WebhookPayload, WebhookState};
use tracing::Span;

use crate::body::{self, ReadError};
use crate::rejection::WebhookRejection;

/// Prechecks the headers, reads the body within the limit and timeout, then verifies, decrypts
/// and decodes it. Returns the verified event and the raw body.
pub(crate) async fn read_and_verify<E: WebhookPayload>(
    state: &WebhookState,
    headers: &HeaderMap,
    body: Body,
    span: &Span,
) -> Result<(Verified<E>, Bytes), Refusal> {
    let declared = declared_length(headers);
    // Headers first: a request without them is refused before its body is read.
    lifecycle::precheck(state, headers, declared)?;
    let bytes = read_body(body, state, declared).await?;
    let verified = lifecycle::verify::<E>(state, headers, &bytes, span)?;
    Ok((verified, bytes))
}

/// Reads the whole body, refusing it as soon as it grows past the limit or takes too long.
async fn read_body(
    body: Body,
    state: &WebhookState,
    declared: Option<u64>,
) -> Result<Bytes, Refusal> {
    let read = body::read_body(body, state.body_limit(), declared);
    let read = match state.read_timeout() {
        Some(timeout) => tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| Refusal::ReadTimeout)?,
        None => read.await,
    };
    read.map_err(|err| match err {
        ReadError::TooLarge(too_large) => too_large.into(),
        ReadError::Unreadable => Refusal::BodyRead,
    })
}

/// Logs a refusal and turns it into its response.
pub(crate) fn refuse(span: &Span, refusal: Refusal) -> Response {
    lifecycle::log_refusal(span, &refusal);
    WebhookRejection(refusal).into_response()
}
