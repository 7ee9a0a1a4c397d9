//! Mandate enforcement for the routes agents call (feature `enforce`): a middleware that asks a
//! [`humanos::enforce::Enforcer`] before the handler runs, and the [`Mandate`] extractor. The
//! decision logic lives in `humanos::enforce`; this reads the request the actix-web way and
//! writes the answer.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use humanos::enforce::{Authorized, Enforcer};

use crate::body::{answered, put_back, split};

/// Middleware ([`Transform`]) that lets a request through only when the agent's mandate
/// allows the action it describes (see `humanos::enforce` for the header, the statuses and
/// the bodies).
///
/// The body is read (up to [`Enforcer::body_limit`], within [`Enforcer::read_timeout`]) for
/// the action function and put back
/// (`set_payload`) for the handler, which receives the decision with the [`Mandate`]
/// extractor.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use humanos::{Action, HumanosClient};
/// use humanos::enforce::{Enforcer, Unmapped};
/// use humanos_actix::{Mandate, MandateMiddleware};
///
/// async fn buy(Mandate(authorized): Mandate) -> String {
///     format!("bought for {}", authorized.action.execution_params["amount"])
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let enforcer = Enforcer::new(HumanosClient::from_env()?, |request| {
///     let price = request
///         .query_param("price_eur")
///         .and_then(|p| p.parse::<u64>().ok())
///         .ok_or_else(|| Unmapped::new("price_eur is required"))?;
///     Ok(Action::new("urn:via:action:7d0c6f1e").param("amount", price))
/// });
/// HttpServer::new(move || {
///     App::new().service(
///         web::resource("/books/buy")
///             .wrap(MandateMiddleware::new(enforcer.clone()))
///             .route(web::post().to(buy)),
///     )
/// })
/// .bind(("127.0.0.1", 8002))?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MandateMiddleware {
    enforcer: Enforcer,
}

impl MandateMiddleware {
    /// Middleware deciding with `enforcer`.
    pub fn new(enforcer: Enforcer) -> Self {
        Self { enforcer }
    }
}

impl<S, B> Transform<S, ServiceRequest> for MandateMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = MandateService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(MandateService {
            service: Rc::new(service),
            enforcer: self.enforcer.clone(),
        }))
    }
}

/// The service [`MandateMiddleware`] wraps around a route or scope.
#[derive(Debug)]
pub struct MandateService<S> {
    service: Rc<S>,
    enforcer: Enforcer,
}

impl<S, B> Service<ServiceRequest> for MandateService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let enforcer = self.enforcer.clone();
        Box::pin(async move {
            let (head, body, http_req) = split(req);
            let next = |head, authorized: Authorized, bytes| {
                service.call(put_back(head, bytes, authorized))
            };
            let sleep = actix_web::rt::time::sleep;
            answered(enforcer.guard(head, body, sleep, next).await, http_req)
        })
    }
}

/// Extracts what [`MandateMiddleware`] authorized: the mandate, the action and its execution
/// parameters, and the API's allow (or the fail-open grant). A route reached without the
/// middleware answers `500`: a missing middleware must not look like a permission.
#[derive(Debug, Clone, PartialEq)]
pub struct Mandate(pub Authorized);

impl FromRequest for Mandate {
    type Error = actix_web::error::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Authorized>()
                .cloned()
                .map(Mandate)
                .ok_or_else(|| {
                    actix_web::error::ErrorInternalServerError(
                        "this route is not behind a MandateMiddleware",
                    )
                }),
        )
    }
}
