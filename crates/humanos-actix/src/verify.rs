//! Reading, verifying and gating one delivery: the code the three shapes share.

use actix_web::error::PayloadError;
use actix_web::http::header::HeaderMap;
use actix_web::{HttpResponse, ResponseError};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use humanos_webhooks::body::{BodyCollector, declared_length};
use humanos_webhooks::lifecycle::{self, Verified};
use humanos_webhooks::{Refusal, WebhookPayload, WebhookState};
use tracing::Span;

use crate::headers::ActixHeaders;
use crate::rejection::WebhookRejection;

/// Prechecks the headers, reads the body within the limit and timeout, then verifies, decrypts
/// and decodes it. Returns the verified event and the raw body.
pub(crate) async fn read_and_verify<E, S>(
    state: &WebhookState,
    headers: &HeaderMap,
    mut payload: S,
    span: &Span,
) -> Result<(Verified<E>, Bytes), Refusal>
where
    E: WebhookPayload,
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let headers = ActixHeaders(headers);
    let declared = declared_length(&headers);
    // Headers first: a request without them is refused before its body is read.
    lifecycle::precheck(state, &headers, declared)?;
    let read = read_body(&mut payload, state.body_limit(), declared);
    let body = match state.read_timeout() {
        Some(timeout) => actix_web::rt::time::timeout(timeout, read)
            .await
            .map_err(|_| Refusal::ReadTimeout)??,
        None => read.await?,
    };
    let verified = lifecycle::verify::<E>(state, &headers, &body, span)?;
    Ok((verified, body))
}

/// Reads the whole body into a [`BodyCollector`], refusing it as soon as it grows past `limit`.
async fn read_body<S>(
    payload: &mut S,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, Refusal>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut body = BodyCollector::new(limit, declared);
    while let Some(chunk) = payload.next().await {
        body.push(chunk.map_err(|err| match err {
            PayloadError::Overflow => Refusal::PayloadTooLarge { limit },
            _ => Refusal::BodyRead,
        })?)?;
    }
    Ok(body.finish())
}

/// Logs a refusal and turns it into its response.
pub(crate) fn refuse(span: &Span, refusal: Refusal) -> HttpResponse {
    lifecycle::log_refusal(span, &refusal);
    WebhookRejection(refusal).error_response()
}
