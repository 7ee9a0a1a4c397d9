//! The middleware: verify before the handler, read the event from the request extensions.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::{WebhookEvent, WebhookPayload};
use tracing::Instrument;

use crate::extract::VerifiedWebhook;
use crate::verify::{Gate, delivery_span, gate, log_refusal, read_and_verify, record_event};
use humanos_webhooks::WebhookState;

/// Middleware ([`Transform`]) that verifies, decrypts and decodes each delivery before the
/// handler runs, inserts the event as a [`VerifiedWebhook<E>`] request extension and puts the
/// raw body back (`set_payload`) for the handler.
///
/// Refusals are answered by the middleware (401/400/413, see
/// [`WebhookRejection`](crate::WebhookRejection)) and never reach the handler. With dedup
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

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let state = self.state.clone();
        let span = delivery_span();
        let fut_span = span.clone();
        Box::pin(
            async move {
                let payload = req.take_payload();
                let (event, bytes) =
                    match read_and_verify::<E, _>(&state, req.headers(), payload).await {
                        Ok(verified) => verified,
                        Err(rejection) => {
                            log_refusal(&span, &rejection);
                            let response = rejection.error_response();
                            return Ok(req.into_response(response).map_into_right_body());
                        }
                    };
                record_event(&span, &event);
                let guard = match gate(&state, &span, &event) {
                    Gate::Run(guard) => guard,
                    Gate::Respond(response) => {
                        return Ok(req.into_response(response).map_into_right_body());
                    }
                };
                req.extensions_mut().insert(VerifiedWebhook(event));
                req.set_payload(Payload::from(bytes));
                let response = service.call(req).await;
                let status = response.as_ref().map(ServiceResponse::status).ok();
                if status.is_some_and(|s| s.is_success()) {
                    if let Some(guard) = guard {
                        guard.complete();
                    }
                    span.record("outcome", "ok");
                } else {
                    drop(guard);
                    span.record("outcome", "handler_failed");
                }
                tracing::debug!(
                    status = status.map(|s| s.as_u16()),
                    "webhook delivery handled"
                );
                response.map(ServiceResponse::map_into_left_body)
            }
            .instrument(fut_span),
        )
    }
}
