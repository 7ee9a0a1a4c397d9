//! The handler factory: the Python SDK's `create_fastapi_webhook_handler`.

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use axum::extract::Request;
use axum::handler::Handler;
use axum::response::Response;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{WebhookEvent, WebhookPayload, WebhookState};

use crate::body::AxumBody;
use crate::rejection::respond;

/// A handler that verifies each delivery and runs `callback` on its event, answering
/// 200 when the callback returns `Ok` and 500 when it returns `Err`
/// (so Humanos retries).
///
/// Refusals are answered as [`WebhookRejection`](crate::WebhookRejection)s (401/400/413). With
/// dedup configured ([`WebhookState::with_dedup`]) a delivery already processed is answered
/// 200 without calling `callback`, one in flight 409, and a failed one is released so its retry
/// runs `callback` again.
///
/// The callback's error is logged (at `error` level) and never sent in the response.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use humanos_axum::{WebhookState, webhook_handler};
/// use humanos_webhooks::{WebhookConfig, WebhookEvent};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
/// let handler = webhook_handler(state, |event: WebhookEvent| async move {
///     println!("{} for {:?}", event.event_type(), event.request_id());
///     Ok::<(), std::io::Error>(())
/// });
/// let app: Router = Router::new().route("/webhooks/humanos", post(handler));
/// # Ok(()) }
/// ```
pub fn webhook_handler<E, F, Fut, Err>(
    state: impl Into<WebhookState>,
    callback: F,
) -> WebhookHandler<E, F>
where
    E: WebhookPayload + Send + 'static,
    F: Fn(E) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Err>> + Send + 'static,
    Err: Display + Send + 'static,
{
    WebhookHandler {
        state: state.into(),
        callback,
        payload: PhantomData,
    }
}

/// The handler [`webhook_handler`] returns; use it with `axum::routing::post`.
pub struct WebhookHandler<E = WebhookEvent, F = ()> {
    state: WebhookState,
    callback: F,
    payload: PhantomData<fn() -> E>,
}

impl<E, F: Clone> Clone for WebhookHandler<E, F> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            callback: self.callback.clone(),
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

/// The marker type under which [`WebhookHandler`] implements axum's [`Handler`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WebhookHandlerMarker;

impl<E, F, Fut, Err, S> Handler<WebhookHandlerMarker, S> for WebhookHandler<E, F>
where
    E: WebhookPayload + Send + 'static,
    F: Fn(E) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Err>> + Send + 'static,
    Err: Display + Send + 'static,
    S: Send + Sync + 'static,
{
    type Future = Pin<Box<dyn Future<Output = Response> + Send>>;

    fn call(self, req: Request, _state: S) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let (state, sleep) = (&self.state, tokio::time::sleep);
            let body = AxumBody(body);
            respond(lifecycle::respond(state, &parts.headers, body, sleep, &self.callback).await)
        })
    }
}
