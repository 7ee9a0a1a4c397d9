//! Reading, verifying and gating one delivery: the code the three shapes share.

use actix_web::HttpResponse;
use actix_web::ResponseError;
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use humanos_webhooks::{
    DedupOutcome, DeliveryGuard, WebhookPayload, WebhookState, check_signature_headers,
};
use tracing::Span;

use crate::headers::ActixHeaders;
use crate::rejection::{DUPLICATE_BODY, WebhookRejection, status_response};

/// A span per delivery; fields are filled in as they become known. Never holds a secret.
pub(crate) fn delivery_span() -> Span {
    tracing::info_span!(
        "humanos_webhook",
        event_type = tracing::field::Empty,
        request_id = tracing::field::Empty,
        outcome = tracing::field::Empty,
    )
}

/// Checks the signature headers are there, reads the body within the limit, then verifies,
/// decrypts and decodes it. Returns the event and the raw body.
pub(crate) async fn read_and_verify<E, S>(
    state: &WebhookState,
    headers: &HeaderMap,
    mut payload: S,
) -> Result<(E, Bytes), WebhookRejection>
where
    E: WebhookPayload,
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let headers = ActixHeaders(headers);
    // Headers first: a request without them is refused before its body is read.
    check_signature_headers(&headers)?;
    let limit = state.body_limit();
    let declared = headers
        .0
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(WebhookRejection::PayloadTooLarge { limit });
    }
    let read = read_body(&mut payload, limit, declared);
    let body = match state.read_timeout() {
        Some(timeout) => actix_web::rt::time::timeout(timeout, read)
            .await
            .map_err(|_| WebhookRejection::ReadTimeout)??,
        None => read.await?,
    };
    let event = state.config().process_as::<E>(&headers, &body)?;
    Ok((event, body))
}

/// Reads the whole body, refusing it as soon as it grows past `limit`.
async fn read_body<S>(
    payload: &mut S,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, WebhookRejection>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    // Most deliveries arrive in one chunk: keep it as is, copy only when there are several.
    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| match err {
            PayloadError::Overflow => WebhookRejection::PayloadTooLarge { limit },
            _ => WebhookRejection::BodyRead,
        })?;
        len += chunk.len();
        if len > limit {
            return Err(WebhookRejection::PayloadTooLarge { limit });
        }
        match (&mut first, &mut rest) {
            (None, _) => first = Some(chunk),
            (Some(head), None) => {
                let capacity = declared.map_or(2 * len, |declared| declared as usize);
                let mut buf = BytesMut::with_capacity(capacity.max(len));
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

/// Records a verified event on the span.
pub(crate) fn record_event<E: WebhookPayload>(span: &Span, event: &E) {
    if let Some(event_type) = event.event_type() {
        span.record("event_type", event_type);
    }
    if let Some(request_id) = event.request_id() {
        span.record("request_id", request_id);
    }
}

/// Records and logs a refusal.
pub(crate) fn log_refusal(span: &Span, rejection: &WebhookRejection) {
    span.record("outcome", rejection.code());
    tracing::info!(
        parent: span,
        status = rejection.status_code().as_u16(),
        code = rejection.code(),
        "webhook delivery refused: {rejection}"
    );
}

/// Whether to run the handler for a verified event, or what to answer instead.
pub(crate) enum Gate {
    /// Run it; complete the guard on success.
    Run(Option<DeliveryGuard>),
    /// Answer this without running it.
    Respond(HttpResponse),
}

pub(crate) fn gate<E: WebhookPayload>(state: &WebhookState, span: &Span, event: &E) -> Gate {
    let Some(dedup) = state.dedup() else {
        return Gate::Run(None);
    };
    match dedup.begin(event.idempotency_key().as_ref()) {
        DedupOutcome::Process(guard) => Gate::Run(Some(guard)),
        DedupOutcome::Duplicate => {
            span.record("outcome", "duplicate");
            tracing::debug!(
                parent: span,
                "duplicate webhook delivery acknowledged without running the handler"
            );
            Gate::Respond(status_response(DUPLICATE_BODY))
        }
        _ => {
            let rejection = WebhookRejection::InFlight;
            log_refusal(span, &rejection);
            Gate::Respond(rejection.error_response())
        }
    }
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
    ) -> Result<Bytes, WebhookRejection> {
        let stream = futures_util::stream::iter(chunks.into_iter().map(Ok));
        actix_web::rt::System::new()
            .block_on(read_and_verify::<serde_json::Value, _>(
                state, headers, stream,
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
            Err(WebhookRejection::PayloadTooLarge {
                limit: body.len() - 1
            })
        );
        // An empty body is read as empty (and then fails the signature).
        assert!(read(&state, &headers, vec![]).is_err());
    }
}
