//! The middleware: verify before the handler, read the event from the request extensions.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{WebhookEvent, WebhookPayload, WebhookState};

use crate::body::{answered, put_back, split};
use crate::extract::VerifiedWebhook;

/// Middleware ([`Transform`]) that verifies, decrypts and decodes each delivery before the
/// handler runs, inserts the event as a [`VerifiedWebhook<E>`] request extension and puts the
/// raw body back (`set_payload`) for the handler.
///
/// Refusals are answered by the middleware (see
/// [the status table](humanos_webhooks::lifecycle#status-codes)) and never reach the handler. With dedup
/// configured, a delivery already processed is answered 200 without calling the handler, one
/// in flight 409; the key is completed when the handler answers 2xx and released otherwise.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use humanos_actix::{HumanosWebhookMiddleware, VerifiedWebhook, WebhookState};
/// use humanos_webhooks::{WebhookConfig, WebhookEvent};
///
/// async fn receive(VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>) -> &'static str {
///     println!("{}", event.event_type());
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
/// HttpServer::new(move || {
///     App::new().service(
///         web::resource("/webhooks/humanos")
///             .wrap(HumanosWebhookMiddleware::new(state.clone()))
///             .route(web::post().to(receive)),
///     )
/// })
/// .bind(("127.0.0.1", 8001))?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
pub struct HumanosWebhookMiddleware<E = WebhookEvent> {
    state: WebhookState,
    payload: PhantomData<fn() -> E>,
}

impl HumanosWebhookMiddleware<WebhookEvent> {
    /// Middleware decoding deliveries into [`WebhookEvent`].
    pub fn new(state: impl Into<WebhookState>) -> Self {
        Self {
            state: state.into(),
            payload: PhantomData,
        }
    }
}

impl<E> HumanosWebhookMiddleware<E> {
    /// The same middleware, decoding into another [`WebhookPayload`] type (the extension is then
    /// `VerifiedWebhook<E2>`).
    pub fn with_payload<E2>(self) -> HumanosWebhookMiddleware<E2> {
        HumanosWebhookMiddleware {
            state: self.state,
            payload: PhantomData,
        }
    }
}

impl<E> Clone for HumanosWebhookMiddleware<E> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            payload: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for HumanosWebhookMiddleware<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HumanosWebhookMiddleware")
            .field("state", &self.state)
            .finish()
    }
}

impl<S, B, E> Transform<S, ServiceRequest> for HumanosWebhookMiddleware<E>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
    E: WebhookPayload + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = HumanosWebhookService<S, E>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(HumanosWebhookService {
            service: Rc::new(service),
            state: self.state.clone(),
            payload: PhantomData,
        }))
    }
}

/// The service [`HumanosWebhookMiddleware`] wraps around a route or scope.
pub struct HumanosWebhookService<S, E = WebhookEvent> {
    service: Rc<S>,
    state: WebhookState,
    payload: PhantomData<fn() -> E>,
}

impl<S, E> std::fmt::Debug for HumanosWebhookService<S, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HumanosWebhookService")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<S, B, E> Service<ServiceRequest> for HumanosWebhookService<S, E>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
    E: WebhookPayload + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let state = self.state.clone();
        Box::pin(async move {
            let (head, body, http_req) = split(req);
            // Called only once admitted: a duplicate never reaches the service.
            let next =
                |head, event: E, bytes| service.call(put_back(head, bytes, VerifiedWebhook(event)));
            let succeeded = |r: &Result<ServiceResponse<B>, Error>| {
                r.as_ref().is_ok_and(|r| r.status().is_success())
            };
            let sleep = actix_web::rt::time::sleep;
            let outcome = lifecycle::guard(&state, head, body, sleep, next, succeeded).await;
            answered(outcome, http_req)
        })
    }
}
