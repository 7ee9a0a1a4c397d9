//! Mandate enforcement for the routes agents call (feature `enforce`): a middleware that asks a
//! [`humanos::enforce::Enforcer`] before the handler runs, and the [`Mandate`] extractor. The
//! decision logic lives in `humanos::enforce`; this reads the request the actix-web way and
//! writes the answer.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use humanos::enforce::{AgentRequest, Authorized, Enforcement, Enforcer, Refusal};
use humanos_webhooks::body::{BodyCollector, declared_length};

use crate::headers::ActixHeaders;

/// Middleware ([`Transform`]) that lets a request through only when the agent's mandate
/// allows the action it describes (see `humanos::enforce` for the header, the statuses and
/// the bodies).
///
/// The body is read (up to [`Enforcer::body_limit`]) for the action function and put back
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

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let enforcer = self.enforcer.clone();
        Box::pin(async move {
            let refuse = |req: ServiceRequest, refusal: Refusal| {
                Ok(req
                    .into_response(refusal_response(refusal))
                    .map_into_right_body())
            };
            let limit = enforcer.body_limit();
            let declared = declared_length(&ActixHeaders(req.headers()));
            let bytes = match read_body(req.take_payload(), limit, declared).await {
                Ok(bytes) => bytes,
                Err(refusal) => return refuse(req, refusal),
            };
            let decision = {
                let headers = ActixHeaders(req.headers());
                let request = AgentRequest::new(
                    req.method().as_str(),
                    req.path(),
                    Some(req.query_string()).filter(|q| !q.is_empty()),
                    &headers,
                    &bytes,
                );
                enforcer.enforce(&request).await
            };
            let authorized = match decision {
                Enforcement::Proceed(authorized) => authorized,
                Enforcement::Refuse(refusal) => return refuse(req, refusal),
                _ => {
                    return Ok(req
                        .into_response(HttpResponse::InternalServerError().finish())
                        .map_into_right_body());
                }
            };
            req.extensions_mut().insert(authorized);
            req.set_payload(Payload::from(bytes));
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

/// Reads the body into a [`BodyCollector`], refusing it as soon as it grows past `limit`.
async fn read_body(
    mut payload: Payload,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, Refusal> {
    let mut body = BodyCollector::new(limit, declared);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| Refusal::unreadable_body())?;
        body.push(chunk)
            .map_err(|too_large| Refusal::payload_too_large(too_large.limit))?;
    }
    Ok(body.finish())
}

/// The enforcer's own answer as an actix-web response.
fn refusal_response(refusal: Refusal) -> HttpResponse {
    let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::FORBIDDEN);
    let mut response = HttpResponse::build(status);
    response.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static(Refusal::CONTENT_TYPE),
    ));
    if let Some(challenge) = refusal.challenge {
        response.insert_header((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        ));
    }
    response.body(refusal.body)
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
