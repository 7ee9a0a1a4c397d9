//! Mandate enforcement for the routes agents call (feature `enforce`): a tower layer that asks
//! a [`humanos::enforce::Enforcer`] before the inner service runs, and the [`Mandate`]
//! extractor. The decision logic lives in `humanos::enforce`; this reads the request the axum
//! way and writes the answer.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::BoxError;
use axum::body::{Body, HttpBody};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use humanos::enforce::{Authorized, Enforcer};
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{answered, axum_body, put_back};

/// A tower [`Layer`] that lets a request through only when the agent's mandate allows the
/// action it describes (see `humanos::enforce` for the header, the statuses and the bodies).
///
/// The body is read (up to [`Enforcer::body_limit`], within [`Enforcer::read_timeout`]) for
/// the action function and put back for the inner service, which receives the decision as a [`Mandate`] extension. The inner
/// service takes `Request<axum::body::Body>` and the layer answers
/// `Response<axum::body::Body>`, so it wraps an axum `Router` or route as well as any tower
/// service with those types.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use humanos::{Action, HumanosClient};
/// use humanos::enforce::{Enforcer, Grant, Unmapped};
/// use humanos_axum::{Mandate, MandateLayer};
///
/// async fn buy(Mandate(authorized): Mandate) -> String {
///     format!("bought for {}", authorized.action.execution_params["amount"])
/// }
///
/// # fn run() -> Result<(), humanos::Error> {
/// let enforcer = Enforcer::new(HumanosClient::from_env()?, |request| {
///     let price = request
///         .query_param("price_eur")
///         .and_then(|p| p.parse::<u64>().ok())
///         .ok_or_else(|| Unmapped::new("price_eur is required"))?;
///     Ok(Action::new("urn:via:action:7d0c6f1e").param("amount", price))
/// });
/// let app: Router = Router::new()
///     .route("/books/buy", post(buy))
///     .layer(MandateLayer::new(enforcer));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MandateLayer {
    enforcer: Enforcer,
}

impl MandateLayer {
    /// A layer deciding with `enforcer`.
    pub fn new(enforcer: Enforcer) -> Self {
        Self { enforcer }
    }
}

impl<S> Layer<S> for MandateLayer {
    type Service = MandateService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MandateService {
            inner,
            enforcer: self.enforcer.clone(),
        }
    }
}

/// The service [`MandateLayer`] wraps around an inner service.
#[derive(Debug, Clone)]
pub struct MandateService<S> {
    inner: S,
    enforcer: Enforcer,
}

impl<S, B> Service<Request<B>> for MandateService<S>
where
    S: Service<Request<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
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
        let enforcer = self.enforcer.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let next = |parts, authorized: Authorized, bytes| {
                let req = put_back(parts, bytes, authorized);
                async move { inner.call(req).await.map(IntoResponse::into_response) }
            };
            let body = axum_body(body);
            answered(enforcer.guard(parts, body, tokio::time::sleep, next).await)
        })
    }
}

/// Extracts what [`MandateLayer`] authorized: the mandate, the action and its execution
/// parameters, and the API's allow (or the fail-open grant). A route reached without the
/// layer answers `500`: a missing layer must not look like a permission.
#[derive(Debug, Clone, PartialEq)]
pub struct Mandate(pub Authorized);

impl<S: Send + Sync> FromRequestParts<S> for Mandate {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Authorized>()
            .cloned()
            .map(Mandate)
            .ok_or((
                StatusCode::INTERNAL_SERVER_ERROR,
                "this route is not behind a MandateLayer",
            ))
    }
}
