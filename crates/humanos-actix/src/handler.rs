//! The handler factory: the Python SDK's `create_flask_webhook_handler`.

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::{Handler, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{WebhookEvent, WebhookPayload, WebhookState};

use crate::body::ActixPayload;
use crate::headers::ActixHeaders;
use crate::rejection::respond;

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
        inner: Rc::new((state.into(), callback)),
        payload: PhantomData,
    }
}

/// The handler [`webhook_handler`] returns; use it with `web::post().to(..)`.
pub struct WebhookHandler<E = WebhookEvent, F = ()> {
    // One reference count per request (a worker's handler is cloned into each request's future),
    // instead of the state's shared counts and the callback's.
    inner: Rc<(WebhookState, F)>,
    payload: PhantomData<fn() -> E>,
}

impl<E, F> Clone for WebhookHandler<E, F> {
    fn clone(&self) -> Self {
        Self {
            inner: Rc::clone(&self.inner),
            payload: PhantomData,
        }
    }
}

impl<E, F> std::fmt::Debug for WebhookHandler<E, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookHandler")
            .field("state", &self.inner.0)
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
        let inner = Rc::clone(&self.inner);
        Box::pin(async move {
            let (headers, body) = (ActixHeaders(req.headers()), ActixPayload(payload));
            let ((state, callback), sleep) = (&*inner, actix_web::rt::time::sleep);
            respond(lifecycle::respond(state, &headers, body, sleep, callback).await)
        })
    }
}
