//! The tower layer: verify in middleware, read the event from the request extensions.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::BoxError;
use axum::body::{Body, HttpBody};
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{WebhookEvent, WebhookPayload, WebhookState};
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{answered, axum_body, put_back, succeeded};
use crate::extract::VerifiedWebhook;

/// A tower [`Layer`] that verifies, decrypts and decodes each delivery before the inner service
/// runs, and inserts the event as a [`VerifiedWebhook<E>`] request extension (the raw body is put
/// back for the inner service).
///
/// Refusals are answered by the layer (see
/// [the status table](humanos_webhooks::lifecycle#status-codes)) and never reach the inner
/// service. With dedup
/// configured, a delivery already processed is answered 200 without calling the inner service,
/// one in flight 409; the key is completed when the inner service answers 2xx and released
/// otherwise.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use humanos_axum::{HumanosWebhookLayer, VerifiedWebhook, WebhookState};
/// use humanos_webhooks::{WebhookConfig, WebhookEvent};
///
/// async fn receive(VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>) -> &'static str {
///     println!("{}", event.event_type());
///     "ok"
/// }
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
/// let app: Router = Router::new()
///     .route("/webhooks/humanos", post(receive))
///     .layer(HumanosWebhookLayer::new(state));
/// # Ok(()) }
/// ```
pub struct HumanosWebhookLayer<E = WebhookEvent> {
    state: WebhookState,
    payload: PhantomData<fn() -> E>,
}

impl HumanosWebhookLayer<WebhookEvent> {
    /// A layer decoding deliveries into [`WebhookEvent`].
    pub fn new(state: impl Into<WebhookState>) -> Self {
        Self {
            state: state.into(),
            payload: PhantomData,
        }
    }
}

impl<E> HumanosWebhookLayer<E> {
    /// The same layer, decoding into another [`WebhookPayload`] type (the extension is then
    /// `VerifiedWebhook<E2>`).
    pub fn with_payload<E2>(self) -> HumanosWebhookLayer<E2> {
        HumanosWebhookLayer {
            state: self.state,
            payload: PhantomData,
        }
    }
}

impl<E> Clone for HumanosWebhookLayer<E> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            payload: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for HumanosWebhookLayer<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HumanosWebhookLayer")
            .field("state", &self.state)
            .finish()
    }
}

impl<S, E> Layer<S> for HumanosWebhookLayer<E> {
    type Service = HumanosWebhookService<S, E>;

    fn layer(&self, inner: S) -> Self::Service {
        HumanosWebhookService {
            inner,
            state: self.state.clone(),
            payload: PhantomData,
        }
    }
}

/// The service [`HumanosWebhookLayer`] wraps around an inner service.
pub struct HumanosWebhookService<S, E = WebhookEvent> {
    inner: S,
    state: WebhookState,
    payload: PhantomData<fn() -> E>,
}

impl<S: Clone, E> Clone for HumanosWebhookService<S, E> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            state: self.state.clone(),
            payload: PhantomData,
        }
    }
}

impl<S, E> std::fmt::Debug for HumanosWebhookService<S, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HumanosWebhookService")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<S, E, B> Service<Request<B>> for HumanosWebhookService<S, E>
where
    S: Service<Request<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    E: WebhookPayload + Clone + Send + Sync + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The clone that was not driven to readiness stays here; the ready one does the call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let next = |parts, event: E, bytes| {
                let req = put_back(parts, bytes, VerifiedWebhook(event));
                async move { inner.call(req).await.map(IntoResponse::into_response) }
            };
            let body = axum_body(body);
            let sleep = tokio::time::sleep;
            answered(lifecycle::guard(&state, parts, body, sleep, next, succeeded).await)
        })
    }
}
