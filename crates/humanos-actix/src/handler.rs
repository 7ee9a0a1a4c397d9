//! The handler factory: the Python SDK's `create_flask_webhook_handler`.

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::{Handler, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::{WebhookEvent, WebhookPayload};
use tracing::Instrument;

use crate::rejection::{OK_BODY, error_response, status_response};
use crate::verify::{Gate, delivery_span, gate, log_refusal, read_and_verify, record_event};
use humanos_webhooks::WebhookState;

/// A handler that verifies each delivery and runs `callback` on its event, answering 200 when
/// the callback returns `Ok` and 500 when it returns `Err` (so Humanos retries).
///
/// Refusals are answered as [`WebhookRejection`](crate::WebhookRejection)s (401/400/413). With
/// dedup configured ([`WebhookState::with_dedup`]) a delivery already processed is answered
/// 200 without calling `callback`, one in flight 409, and a failed one is released so its retry
/// runs `callback` again. The callback's error is logged (at `error` level), never sent.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use humanos_actix::{WebhookState, webhook_handler};
/// use humanos_webhooks::{WebhookConfig, WebhookEvent};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
/// HttpServer::new(move || {
///     let handler = webhook_handler(state.clone(), |event: WebhookEvent| async move {
///         println!("{} for {:?}", event.event_type(), event.request_id());
///         Ok::<(), std::io::Error>(())
///     });
///     App::new().route("/webhooks/humanos", web::post().to(handler))
/// })
/// .bind(("127.0.0.1", 8001))?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
pub fn webhook_handler<E, F, Fut, Err>(
    state: impl Into<WebhookState>,
    callback: F,
) -> WebhookHandler<E, F>
where
    E: WebhookPayload + 'static,
    F: Fn(E) -> Fut + 'static,
    Fut: Future<Output = Result<(), Err>> + 'static,
    Err: Display + 'static,
{
    WebhookHandler {
        state: state.into(),
        callback: Rc::new(callback),
        payload: PhantomData,
    }
}

/// The handler [`webhook_handler`] returns; use it with `web::post().to(..)`.
pub struct WebhookHandler<E = WebhookEvent, F = ()> {
    state: WebhookState,
    callback: Rc<F>,
    payload: PhantomData<fn() -> E>,
}

impl<E, F> Clone for WebhookHandler<E, F> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            callback: Rc::clone(&self.callback),
            payload: PhantomData,
        }
    }
}

impl<E, F> std::fmt::Debug for WebhookHandler<E, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookHandler")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<E, F, Fut, Err> Handler<(HttpRequest, web::Payload)> for WebhookHandler<E, F>
where
    E: WebhookPayload + 'static,
    F: Fn(E) -> Fut + 'static,
    Fut: Future<Output = Result<(), Err>> + 'static,
    Err: Display + 'static,
{
    type Output = HttpResponse;
    type Future = LocalBoxFuture<'static, HttpResponse>;

    fn call(&self, (req, payload): (HttpRequest, web::Payload)) -> Self::Future {
        let this = self.clone();
        let span = delivery_span();
        let fut_span = span.clone();
        Box::pin(
            async move {
                let event = match read_and_verify::<E, _>(&this.state, req.headers(), payload).await
                {
                    Ok((event, _)) => event,
                    Err(rejection) => {
                        log_refusal(&span, &rejection);
                        return rejection.error_response();
                    }
                };
                record_event(&span, &event);
                let guard = match gate(&this.state, &span, &event) {
                    Gate::Run(guard) => guard,
                    Gate::Respond(response) => return response,
                };
                match (this.callback)(event).await {
                    Ok(()) => {
                        if let Some(guard) = guard {
                            guard.complete();
                        }
                        span.record("outcome", "ok");
                        tracing::debug!("webhook delivery handled");
                        status_response(OK_BODY)
                    }
                    Err(err) => {
                        // Dropping the guard releases the key: the retry runs the callback.
                        drop(guard);
                        span.record("outcome", "handler_failed");
                        tracing::error!(
                            error = %err,
                            "webhook handler failed; answering 500 so Humanos retries"
                        );
                        error_response(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "handler_failed",
                            "the webhook handler failed; the delivery will be retried",
                        )
                    }
                }
            }
            .instrument(fut_span),
        )
    }
}
