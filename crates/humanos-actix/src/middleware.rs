//! The middleware: verify before the handler, read the event from the request extensions.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::lifecycle::{self, DUPLICATE_BODY, Handled, delivery_span};
use humanos_webhooks::{WebhookEvent, WebhookPayload};
use tracing::Instrument;

use crate::extract::VerifiedWebhook;
use crate::rejection::ok_response;
use crate::verify::{read_and_verify, refuse};
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
                let (verified, bytes) =
                    match read_and_verify::<E, _>(&state, req.headers(), payload, &span).await {
                        Ok(verified) => verified,
                        Err(refusal) => {
                            let response = refuse(&span, refusal);
                            return Ok(req.into_response(response).map_into_right_body());
                        }
                    };
                let key = verified.key;
                // Kept to answer a duplicate or a refusal after the request went to the service.
                let http_req = req.request().clone();
                req.extensions_mut().insert(VerifiedWebhook(verified.event));
                req.set_payload(Payload::from(bytes));
                // Called only once admitted: a duplicate never reaches the service.
                let inner = async move { service.call(req).await };
                let sleep = actix_web::rt::time::sleep;
                let succeeded = |r: &Result<ServiceResponse<B>, Error>| {
                    r.as_ref().is_ok_and(|r| r.status().is_success())
                };
                let answer = |response| ServiceResponse::new(http_req.clone(), response);
                match lifecycle::handle(&state, key.as_ref(), &span, sleep, inner, succeeded).await
                {
                    Ok(Handled::Ran(response)) => response.map(ServiceResponse::map_into_left_body),
                    Ok(_) => Ok(answer(ok_response(DUPLICATE_BODY)).map_into_right_body()),
                    Err(refusal) => Ok(answer(refuse(&span, refusal)).map_into_right_body()),
                }
            }
            .instrument(fut_span),
        )
    }
}
