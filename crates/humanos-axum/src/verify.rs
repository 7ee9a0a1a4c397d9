//! Reading, verifying and gating one delivery: the code the three shapes share.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use humanos_webhooks::{
    DedupOutcome, DeliveryGuard, WebhookPayload, WebhookState, check_signature_headers,
};
use tracing::Span;

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
pub(crate) async fn read_and_verify<E: WebhookPayload>(
    state: &WebhookState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(E, Bytes), WebhookRejection> {
    // Headers first: a request without them is refused before its body is read.
    check_signature_headers(headers)?;
    let limit = state.body_limit();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(WebhookRejection::PayloadTooLarge { limit });
    }
    let collect = Limited::new(body, limit).collect();
    let collected = match state.read_timeout() {
        Some(timeout) => tokio::time::timeout(timeout, collect)
            .await
            .map_err(|_| WebhookRejection::ReadTimeout)?,
        None => collect.await,
    };
    let bytes = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(WebhookRejection::PayloadTooLarge { limit });
        }
        Err(err) => {
            // A length-limit error may also arrive wrapped by axum's body.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
            while let Some(e) = source {
                if e.is::<LengthLimitError>() {
                    return Err(WebhookRejection::PayloadTooLarge { limit });
                }
                source = e.source();
            }
            return Err(WebhookRejection::BodyRead);
        }
    };
    let event = state.config().process_as::<E>(headers, &bytes)?;
    Ok((event, bytes))
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

/// Records and logs a refusal, and turns it into its response.
pub(crate) fn refuse(span: &Span, rejection: WebhookRejection) -> Response {
    span.record("outcome", rejection.code());
    tracing::info!(parent: span, status = rejection.status().as_u16(), code = rejection.code(), "webhook delivery refused: {rejection}");
    axum::response::IntoResponse::into_response(rejection)
}

/// Whether to run the handler for a verified event, or what to answer instead.
pub(crate) enum Gate {
    /// Run it; complete the guard on success.
    Run(Option<DeliveryGuard>),
    /// Answer this without running it.
    Respond(Response),
}

pub(crate) fn gate<E: WebhookPayload>(state: &WebhookState, span: &Span, event: &E) -> Gate {
    let Some(dedup) = state.dedup() else {
        return Gate::Run(None);
    };
    match dedup.begin(event.idempotency_key().as_ref()) {
        DedupOutcome::Process(guard) => Gate::Run(Some(guard)),
        DedupOutcome::Duplicate => {
            span.record("outcome", "duplicate");
            tracing::debug!(parent: span, "duplicate webhook delivery acknowledged without running the handler");
            Gate::Respond(status_response(DUPLICATE_BODY))
        }
        _ => Gate::Respond(refuse(span, WebhookRejection::InFlight)),
    }
}
