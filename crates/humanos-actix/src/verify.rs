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
                let announced = declared.map_or(2 * len, |d| usize::try_from(d).unwrap_or(limit));
                let capacity = announced.min(MAX_INITIAL_CAPACITY).max(len);
                let mut buf = BytesMut::with_capacity(capacity);
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

/// Logs a refusal and turns it into its response.
pub(crate) fn refuse(span: &Span, refusal: Refusal) -> HttpResponse {
    lifecycle::log_refusal(span, &refusal);
    WebhookRejection(refusal).error_response()
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};
    use humanos_webhooks::WebhookConfig;

    use super::*;

    fn read(
        state: &WebhookState,
        headers: &HeaderMap,
        chunks: Vec<Bytes>,
    ) -> Result<Bytes, Refusal> {
        let stream = futures_util::stream::iter(chunks.into_iter().map(Ok));
        actix_web::rt::System::new()
            .block_on(read_and_verify::<serde_json::Value, _>(
                state,
                headers,
                stream,
                &Span::none(),
            ))
            .map(|(_, body)| body)
    }

    #[test]
    fn bodies_in_one_or_many_chunks() {
        let config =
            WebhookConfig::new("whsec", "c2VjcmV0LWVuY3J5cHRpb24ta2V5", "salt").expect("config");
        let delivery = config
            .seal(&serde_json::json!({"eventType": "x.y", "requestId": "r"}))
            .expect("seal");
        let mut headers = HeaderMap::new();
        for (name, value) in delivery.headers() {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).expect("value"),
            );
        }
        let state = WebhookState::new(config);
        let body = Bytes::from(delivery.body.clone());
        assert_eq!(
            read(&state, &headers, vec![body.clone()]).expect("one"),
            body
        );
        let chunks = body.chunks(7).map(Bytes::copy_from_slice).collect();
        assert_eq!(read(&state, &headers, chunks).expect("many"), body);
        let small = state.clone().with_body_limit(body.len() - 1);
        let chunks = body.chunks(7).map(Bytes::copy_from_slice).collect();
        assert_eq!(
            read(&small, &headers, chunks),
            Err(Refusal::PayloadTooLarge {
                limit: body.len() - 1
            })
        );
        // An empty body is read as empty (and then fails the signature).
        assert!(read(&state, &headers, vec![]).is_err());
    }
}
