//! Reading, verifying and gating one delivery: the code the three shapes share.

use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpResponse, ResponseError};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use humanos_webhooks::lifecycle::{self, Verified};
use humanos_webhooks::{Refusal, WebhookPayload, WebhookState};
use tracing::Span;

use crate::headers::ActixHeaders;
use crate::rejection::WebhookRejection;

/// The first buffer is at most this large whatever `Content-Length` announces: the declared
/// length is the sender's claim, and the buffer grows with what actually arrives.
const MAX_INITIAL_CAPACITY: usize = 64 * 1024;

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
    let declared = headers
        .0
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
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

/// Reads the whole body, refusing it as soon as it grows past `limit`.
async fn read_body<S>(
    payload: &mut S,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, Refusal>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    // Most deliveries arrive in one chunk: keep it as is, copy only when there are several.
    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| match err {
            PayloadError::Overflow => Refusal::PayloadTooLarge { limit },
            _ => Refusal::BodyRead,
        })?;
        len += chunk.len();
        if len > limit {
            return Err(Refusal::PayloadTooLarge { limit });
        }
        match (&mut first, &mut rest) {
            (None, _) => first = Some(chunk),
            (Some(head), None) => {
                let mut buf = BytesMut::with_capacity(initial_capacity(declared, len));
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                rest = Some(buf);
            }
            (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
        }
    }
    Ok(match (first, rest) {
        (_, Some(buf)) => buf.freeze(),
        (Some(head), None) => head,
        (None, None) => Bytes::new(),
    })
}

/// The buffer for a body that arrives in several chunks, `received` bytes so far: what
/// `Content-Length` announces (or twice what came), but never more than 64 KiB up front: the
/// announced length is the sender's claim, and a sender that announces the limit and dribbles
/// must not make every connection hold the limit in memory.
fn initial_capacity(declared: Option<u64>, received: usize) -> usize {
    let announced = declared.map_or(received.saturating_mul(2), |d| {
        usize::try_from(d).unwrap_or(usize::MAX)
    });
    announced.min(MAX_INITIAL_CAPACITY).max(received)
}

/// Logs a refusal and turns it into its response.
pub(crate) fn refuse(span: &Span, refusal: Refusal) -> HttpResponse {
    lifecycle::log_refusal(span, &refusal);
    WebhookRejection(refusal).error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_buffer_is_capped_whatever_the_sender_announces() {
        assert_eq!(
            initial_capacity(Some(1024 * 1024), 10),
            MAX_INITIAL_CAPACITY
        );
        assert_eq!(initial_capacity(Some(u64::MAX), 10), MAX_INITIAL_CAPACITY);
        assert_eq!(initial_capacity(Some(3000), 10), 3000);
        assert_eq!(initial_capacity(None, 100), 200);
        // Never smaller than what already arrived.
        assert_eq!(initial_capacity(Some(5), 100), 100);
        assert_eq!(initial_capacity(None, 100_000), 100_000);
    }
}
