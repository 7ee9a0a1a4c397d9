//! The delivery lifecycle every framework adapter runs, written once.
//!
//! An adapter (`humanos-axum`, `humanos-actix`, or yours for another framework) does only what
//! its framework requires: hand over its body as a [`ChunkSource`], its runtime's `sleep`,
//! implement the framework's traits, and turn an [`Answer`] into its response type. Each shape
//! is one call:
//!
//! | shape | call | ends in |
//! | --- | --- | --- |
//! | extractor (verify only, no dedup) | [`extract`] | the event, or the [`Refusal`] |
//! | handler factory | [`respond`] | the [`Answer`] |
//! | layer / middleware | [`guard`] | the inner service's response, or our [`Answer`] |
//!
//! They run these steps, in this order (each public, for an adapter that needs them apart):
//!
//! 1. [`precheck`]: the signature headers are present once and the declared `Content-Length`
//!    fits the body limit, before any byte of the body is read.
//! 2. [`body::read`]: the body within [`WebhookState::body_limit`] and
//!    [`WebhookState::read_timeout`] ([`Refusal::PayloadTooLarge`], [`Refusal::ReadTimeout`],
//!    [`Refusal::BodyRead`]); steps 1 to 3 are [`receive`].
//! 3. [`verify`]: signature, time window, decryption, decoding, and the event's
//!    [`IdempotencyKey`] when dedup is configured.
//! 4. [`admit`]: the dedup protocol's reservation (200 duplicate, 409 in flight, 503 store
//!    unavailable).
//! 5. [`run`]: the handler, with the lease renewed while it runs.
//! 6. [`finish`]: complete the reservation on success, release it on failure.
//!
//! Each step records on the span from [`delivery_span`] and logs its refusals; no secret and no
//! payload value is ever logged or sent.
//!
#![doc = include_str!("statuses.md")]

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use tracing::{Instrument, Span};

use crate::answer::{Answer, Outcome};
use crate::body::{self, BodyLimits, ChunkSource, declared_length};
use crate::dedup::{DedupOutcome, Reservation};
use crate::headers::RequestHead;
use crate::key::IdempotencyKey;
pub use crate::refusal::{DUPLICATE_BODY, OK_BODY, RETRY_AFTER_SECS, Refusal};
use crate::{WebhookHeaders, WebhookPayload, WebhookState, check_signature_headers};

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
    if state.dedup().is_none() || key.is_none() {
        // Nothing to reserve: what `admit`, `run` and `finish` do without a reservation, with the
        // handler awaited here instead of moved into `run`'s future (it holds the event).
        let output = handler.await;
        finish(None, succeeded(&output), span).await;
        return Ok(Handled::Ran(output));
    }
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

/// Steps 1 to 3: prechecks the headers, reads the body from `source` within the state's limit
/// and read timeout (`sleep` is the adapter's runtime timer), then verifies, decrypts and
/// decodes it. Returns the verified event and the raw body.
pub async fn receive<E, S, T, TF>(
    state: &WebhookState,
    headers: &impl WebhookHeaders,
    source: S,
    sleep: T,
    span: &Span,
) -> Result<(Verified<E>, Bytes), Refusal>
where
    E: WebhookPayload,
    S: ChunkSource,
    T: FnOnce(Duration) -> TF,
    TF: Future<Output = ()>,
{
    let declared = declared_length(headers);
    // Headers first: a request without them is refused before its body is read.
    precheck(state, headers, declared)?;
    let limits = BodyLimits::new(state.body_limit(), state.read_timeout());
    let bytes = body::read(source, limits, declared, sleep).await?;
    let verified = verify::<E>(state, headers, &bytes, span)?;
    Ok((verified, bytes))
}

/// Logs `refusal` on `span` and turns it into its answer.
pub fn refuse(span: &Span, refusal: Refusal) -> Answer {
    log_refusal(span, &refusal);
    Answer::from(refusal)
}

/// The extractor: [`receive`] in its own span, without dedup (an extractor cannot know whether
/// the handler succeeded). The event, or the refusal (logged) to answer.
pub async fn extract<E, S, T, TF>(
    state: &WebhookState,
    headers: &impl WebhookHeaders,
    source: S,
    sleep: T,
) -> Result<E, Refusal>
where
    E: WebhookPayload,
    S: ChunkSource,
    T: FnOnce(Duration) -> TF,
    TF: Future<Output = ()>,
{
    let span = delivery_span();
    let result = receive::<E, _, _, _>(state, headers, source, sleep, &span)
        .instrument(span.clone())
        .await;
    extracted(&span, result.map(|(verified, _)| verified))
}

/// The handler factory: every step, with `callback` as the handler, ending in the answer
/// (200 [`OK_BODY`] or [`DUPLICATE_BODY`], or the refusal; a callback error is logged and
/// answered 500 `handler_failed`, so Humanos retries).
pub async fn respond<E, S, T, TF, F, Fut, Err>(
    state: &WebhookState,
    headers: &impl WebhookHeaders,
    source: S,
    sleep: T,
    callback: F,
) -> Answer
where
    E: WebhookPayload,
    S: ChunkSource,
    T: Fn(Duration) -> TF,
    TF: Future<Output = ()>,
    F: FnOnce(E) -> Fut,
    Fut: Future<Output = Result<(), Err>>,
    Err: std::fmt::Display,
{
    let span = delivery_span();
    async {
        let verified = match receive::<E, _, _, _>(state, headers, source, &sleep, &span).await {
            Ok((verified, _)) => verified,
            Err(refusal) => return refuse(&span, refusal),
        };
        let Verified { event, key } = verified;
        match handle_callback(state, key.as_ref(), &span, &sleep, callback(event)).await {
            Ok(body) => crate::refusal::ok(body),
            Err(refusal) => refuse(&span, refusal),
        }
    }
    .instrument(span.clone())
    .await
}

/// The layer or middleware: every step, with the inner service as the handler. `next` gets the
/// request head back with the event and the raw body (to put back into the request), and is
/// called only once the event is admitted: a duplicate or a refusal never reaches it. Its
/// output is the inner service's response, which completes the reservation when `succeeded`
/// judges it so and releases it otherwise.
pub async fn guard<E, H, S, T, TF, N, NF>(
    state: &WebhookState,
    head: H,
    source: S,
    sleep: T,
    next: N,
    succeeded: impl FnOnce(&NF::Output) -> bool,
) -> Outcome<NF::Output>
where
    E: WebhookPayload,
    H: RequestHead,
    S: ChunkSource,
    T: Fn(Duration) -> TF,
    TF: Future<Output = ()>,
    N: FnOnce(H, E, Bytes) -> NF,
    NF: Future,
{
    let span = delivery_span();
    async {
        let received = receive::<E, _, _, _>(state, &head.headers(), source, &sleep, &span).await;
        let (Verified { event, key }, bytes) = match received {
            Ok(received) => received,
            Err(refusal) => return Outcome::Answer(refuse(&span, refusal)),
        };
        // Lazy: `next` runs only when `handle` polls it, after the admission.
        let inner = async move { next(head, event, bytes).await };
        match handle(state, key.as_ref(), &span, &sleep, inner, succeeded).await {
            Ok(Handled::Ran(output)) => Outcome::Proceed(output),
            Ok(Handled::Duplicate) => Outcome::Answer(crate::refusal::ok(DUPLICATE_BODY)),
            Err(refusal) => Outcome::Answer(refuse(&span, refusal)),
        }
    }
    .instrument(span.clone())
    .await
}
