//! The delivery lifecycle every framework adapter runs, written once.
//!
//! An adapter (`humanos-axum`, `humanos-actix`, or yours for another framework) does only what
//! its framework requires: read the body its way, implement the framework's traits, and turn a
//! [`Refusal`] into its response type. Everything else is here, in this order:
//!
//! 1. [`precheck`]: the signature headers are present once and the declared `Content-Length`
//!    fits the body limit, before any byte of the body is read.
//! 2. The adapter reads the body within [`WebhookState::body_limit`] and
//!    [`WebhookState::read_timeout`] (refusing with [`Refusal::PayloadTooLarge`],
//!    [`Refusal::ReadTimeout`] or [`Refusal::BodyRead`]).
//! 3. [`verify`]: signature, time window, decryption, decoding, and the event's
//!    [`IdempotencyKey`] when dedup is configured.
//! 4. [`admit`]: the dedup protocol's reservation (200 duplicate, 409 in flight, 503 store
//!    unavailable).
//! 5. [`run`]: the handler, with the lease renewed while it runs.
//! 6. [`finish`]: complete the reservation on success, release it on failure.
//!
//! Each step records on the span from [`delivery_span`] and logs its refusals; no secret and no
//! payload value is ever logged or sent.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use tracing::Span;

use crate::dedup::{DedupOutcome, Reservation};
use crate::error::WebhookError;
use crate::key::IdempotencyKey;
use crate::{WebhookHeaders, WebhookPayload, WebhookState, check_signature_headers};
use humanos_signing::TimestampError;

/// The 200 body of a handled delivery.
pub const OK_BODY: &str = r#"{"status":"ok"}"#;
/// The 200 body of a redelivery acknowledged without running the handler.
pub const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;
/// Seconds a 503 asks Humanos to wait before retrying (`Retry-After`).
pub const RETRY_AFTER_SECS: u32 = 5;

/// Why a delivery was not handled, with the HTTP status, code and body to answer. One type for
/// every adapter; each wraps it in its framework's response.
///
/// | variant | status |
/// | --- | --- |
/// | [`Invalid`](Self::Invalid) | [`WebhookError::status`]: 401 not authentic, 400 malformed, 500 authentic but not decryptable or decodable here |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) | 413 |
/// | [`BodyRead`](Self::BodyRead) | 400 |
/// | [`ReadTimeout`](Self::ReadTimeout) | 408 |
/// | [`InFlight`](Self::InFlight) | 409 (the same event is being handled; Humanos retries) |
/// | [`StoreUnavailable`](Self::StoreUnavailable) | 503 with `Retry-After` (the handler did not run) |
/// | [`HandlerFailed`](Self::HandlerFailed) | 500 (your handler failed; Humanos retries) |
/// | [`NotVerified`](Self::NotVerified) | 500 (an extractor on a route without the layer) |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Verification, decryption or decoding failed.
    #[error(transparent)]
    Invalid(#[from] WebhookError),
    /// The body is larger than the configured limit.
    #[error("body larger than the {limit}-byte limit")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read (the client went away or sent a broken stream).
    #[error("the request body could not be read")]
    BodyRead,
    /// The body was not received within the read timeout.
    #[error("the request body was not received in time")]
    ReadTimeout,
    /// Another delivery of the same event is being handled right now.
    #[error("the same event is being handled; retry later")]
    InFlight,
    /// The dedup store could not be reached: the handler did not run.
    #[error("the dedup store is unavailable; retry later")]
    StoreUnavailable,
    /// The handler returned an error (logged, never sent).
    #[error("the webhook handler failed; the delivery will be retried")]
    HandlerFailed,
    /// A verified-event extractor ran on a route without the verifying layer or middleware.
    #[error("no verified webhook in the request: is the webhook layer installed on this route?")]
    NotVerified,
    /// The route has no [`WebhookState`] registered (a framework that looks it up at run time).
    #[error("webhook verification is not configured: register the WebhookState with the app")]
    NotConfigured,
}

impl Refusal {
    /// The HTTP status answered.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(err) => err.status(),
            Self::PayloadTooLarge { .. } => 413,
            Self::BodyRead => 400,
            Self::ReadTimeout => 408,
            Self::InFlight => 409,
            Self::StoreUnavailable => 503,
            Self::HandlerFailed | Self::NotVerified | Self::NotConfigured => 500,
        }
    }

    /// A stable machine-readable name (the `error` member of the body).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(err) => err.code(),
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BodyRead => "body_read_failed",
            Self::ReadTimeout => "request_timeout",
            Self::InFlight => "delivery_in_flight",
            Self::StoreUnavailable => "dedup_store_unavailable",
            Self::HandlerFailed => "handler_failed",
            Self::NotVerified => "webhook_not_verified",
            Self::NotConfigured => "webhook_not_configured",
        }
    }

    /// The `Retry-After` seconds to send with the answer, if any.
    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, Self::StoreUnavailable).then_some(RETRY_AFTER_SECS)
    }

    /// The message sent to the caller. For time-window failures it says which check failed but
    /// not the receiver's clock or tolerance (those go to the log).
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid(WebhookError::Timestamp(TimestampError::TooOld { .. })) => {
                "`x-timestamp` rejected: too old".to_owned()
            }
            Self::Invalid(WebhookError::Timestamp(TimestampError::InFuture { .. })) => {
                "`x-timestamp` rejected: in the future".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The JSON body: `{"error": code, "message": public message}`.
    pub fn body(&self) -> Vec<u8> {
        let body = serde_json::json!({ "error": self.code(), "message": self.public_message() });
        // A `Value` of two strings always serializes.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// A span per delivery; fields are filled in as they become known. Never holds a secret.
pub fn delivery_span() -> Span {
    tracing::info_span!(
        "humanos_webhook",
        event_type = tracing::field::Empty,
        request_id = tracing::field::Empty,
        outcome = tracing::field::Empty,
    )
}

/// Records a refusal on the span and logs it: 5xx at `error` (the receiver must act: a wrong
/// encryption key, a store down, a failing handler), the rest at `info`.
pub fn log_refusal(span: &Span, refusal: &Refusal) {
    span.record("outcome", refusal.code());
    let status = refusal.status();
    if status >= 500 {
        tracing::error!(parent: span, status, code = refusal.code(), "webhook delivery not handled: {refusal}");
    } else {
        tracing::info!(parent: span, status, code = refusal.code(), "webhook delivery refused: {refusal}");
    }
}

/// Step 1: the signature headers are there once, and the declared length fits the limit.
pub fn precheck(
    state: &WebhookState,
    headers: &impl WebhookHeaders,
    content_length: Option<u64>,
) -> Result<(), Refusal> {
    check_signature_headers(headers)?;
    let limit = state.body_limit();
    if content_length.is_some_and(|len| len > limit as u64) {
        return Err(Refusal::PayloadTooLarge { limit });
    }
    Ok(())
}

/// A verified, decrypted and decoded delivery, with its idempotency key when dedup is on.
#[derive(Debug)]
#[non_exhaustive]
pub struct Verified<E> {
    /// The event.
    pub event: E,
    /// The event's key (computed only when the state has a dedup store).
    pub key: Option<IdempotencyKey>,
}

/// Step 3: verifies, decrypts and decodes `body`, and records the event on `span`.
pub fn verify<E: WebhookPayload>(
    state: &WebhookState,
    headers: &impl WebhookHeaders,
    body: &[u8],
    span: &Span,
) -> Result<Verified<E>, Refusal> {
    let plaintext = state.config().open(headers, body)?;
    // One pass serves the key and the decoding.
    let (event, key) = E::from_plaintext_with_key(&plaintext, state.dedup().is_some())?;
    if let Some(event_type) = event.event_type() {
        span.record("event_type", event_type);
    }
    if let Some(request_id) = event.request_id() {
        span.record("request_id", request_id);
    }
    Ok(Verified { event, key })
}

/// The end of an extractor's work (verify only, no handler to run): records `verified` on the
/// span, or logs the refusal.
pub fn extracted<E>(span: &Span, result: Result<Verified<E>, Refusal>) -> Result<E, Refusal> {
    match result {
        Ok(verified) => {
            span.record("outcome", "verified");
            tracing::debug!(parent: span, "webhook delivery verified");
            Ok(verified.event)
        }
        Err(refusal) => {
            log_refusal(span, &refusal);
            Err(refusal)
        }
    }
}

/// What [`admit`] decided.
#[derive(Debug)]
#[non_exhaustive]
pub enum Admission {
    /// Run the handler (holding this reservation when dedup is on), then [`finish`].
    Run(Option<Reservation>),
    /// Already handled: answer 200 with [`DUPLICATE_BODY`] without running the handler.
    Duplicate,
}

/// Step 4: reserves the event's key (no-op without dedup or key).
pub async fn admit(
    state: &WebhookState,
    key: Option<&IdempotencyKey>,
    span: &Span,
) -> Result<Admission, Refusal> {
    let (Some(dedup), Some(key)) = (state.dedup(), key) else {
        return Ok(Admission::Run(None));
    };
    match dedup.begin(key).await {
        Ok(DedupOutcome::Process(reservation)) => Ok(Admission::Run(Some(reservation))),
        Ok(DedupOutcome::Duplicate) => {
            span.record("outcome", "duplicate");
            tracing::debug!(parent: span, "redelivery acknowledged without running the handler");
            Ok(Admission::Duplicate)
        }
        Ok(_) => Err(Refusal::InFlight),
        Err(err) => {
            tracing::error!(parent: span, error = %err, "dedup store unavailable; answering 503");
            Err(Refusal::StoreUnavailable)
        }
    }
}

/// Step 5: runs `handler`, renewing the reservation's lease every third of its duration with
/// `sleep` (the adapter's runtime timer) until the handler finishes.
pub async fn run<F, S, SF>(reservation: Option<&Reservation>, sleep: S, handler: F) -> F::Output
where
    F: Future,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let Some(reservation) = reservation else {
        return handler.await;
    };
    let period = reservation.lease() / 3;
    let renewals = async {
        loop {
            sleep(period).await;
            match reservation.renew().await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(key = %reservation.key(), "webhook lease lost while the handler ran (it outlived the lease)");
                    return;
                }
                Err(err) => tracing::warn!(error = %err, "could not renew the webhook lease"),
            }
        }
    };
    let mut handler = pin!(handler);
    let mut renewals = pin!(renewals);
    let mut renewing = true;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = handler.as_mut().poll(cx) {
            return Poll::Ready(output);
        }
        if renewing && renewals.as_mut().poll(cx).is_ready() {
            renewing = false;
        }
        Poll::Pending
    })
    .await
}

/// Step 6: completes the reservation when the handler succeeded, releases it otherwise, and
/// records the outcome. A store failure here is logged: after a success the delivery is still
/// acknowledged (answering 5xx would make Humanos run the handler again).
pub async fn finish(reservation: Option<Reservation>, succeeded: bool, span: &Span) {
    span.record("outcome", if succeeded { "ok" } else { "handler_failed" });
    let Some(reservation) = reservation else {
        return;
    };
    if succeeded {
        match reservation.complete().await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(parent: span, "the event's lease had been taken by another delivery before completion")
            }
            Err(err) => {
                tracing::error!(parent: span, error = %err, "could not mark the event handled; a redelivery within the lease may run the handler again")
            }
        }
    } else if let Err(err) = reservation.release().await {
        tracing::warn!(parent: span, error = %err, "could not release the event's lease; it expires on its own");
    }
}

/// What [`handle`] did with a verified event.
#[derive(Debug)]
#[non_exhaustive]
pub enum Handled<T> {
    /// The handler ran and returned this.
    Ran(T),
    /// A redelivery of an event already handled: answer 200 with [`DUPLICATE_BODY`].
    Duplicate,
}

/// Steps 4 to 6: admits the event (dedup), runs `handler` with its lease renewed, and completes
/// or releases the reservation as `succeeded` judges the handler's output.
pub async fn handle<T, F, S, SF>(
    state: &WebhookState,
    key: Option<&IdempotencyKey>,
    span: &Span,
    sleep: S,
    handler: F,
    succeeded: impl FnOnce(&T) -> bool,
) -> Result<Handled<T>, Refusal>
where
    F: Future<Output = T>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let reservation = match admit(state, key, span).await? {
        Admission::Run(reservation) => reservation,
        Admission::Duplicate => return Ok(Handled::Duplicate),
    };
    let output = run(reservation.as_ref(), sleep, handler).await;
    finish(reservation, succeeded(&output), span).await;
    Ok(Handled::Ran(output))
}

/// [`handle`] for a callback returning `Result<(), Err>` (the handler factories): the 200 body to
/// answer ([`OK_BODY`] or [`DUPLICATE_BODY`]), or the refusal (a callback error is logged at
/// `error` level and answered [`Refusal::HandlerFailed`], so Humanos retries).
pub async fn handle_callback<Err, F, S, SF>(
    state: &WebhookState,
    key: Option<&IdempotencyKey>,
    span: &Span,
    sleep: S,
    callback: F,
) -> Result<&'static str, Refusal>
where
    Err: std::fmt::Display,
    F: Future<Output = Result<(), Err>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    match handle(state, key, span, sleep, callback, Result::is_ok).await? {
        Handled::Ran(Ok(())) => Ok(OK_BODY),
        Handled::Ran(Err(err)) => {
            tracing::error!(parent: span, error = %err, "webhook handler failed; answering 500 so Humanos retries");
            Err(Refusal::HandlerFailed)
        }
        Handled::Duplicate => Ok(DUPLICATE_BODY),
    }
}
