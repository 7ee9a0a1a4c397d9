//! The `HumanosWebhook` and `VerifiedWebhook` extractors.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{Refusal, WebhookEvent, WebhookPayload, WebhookState};

use crate::body::ActixPayload;
use crate::headers::ActixHeaders;
use crate::rejection::WebhookRejection;

/// Extracts a verified, decrypted and decoded delivery from the request.
///
/// The [`WebhookState`] comes from `app_data` (`web::Data<WebhookState>`, or a bare
/// `WebhookState`). Reads the headers first, then the body up to
/// [`WebhookState::body_limit`] (413 beyond it, without buffering the rest), then runs
/// [`WebhookConfig::process_as`](humanos_webhooks::WebhookConfig::process_as). Refusals are
/// [`WebhookRejection`]s, answered with their own status.
///
/// The extractor does **not** deduplicate (it cannot know whether your handler succeeded): use
/// [`webhook_handler`](crate::webhook_handler) or
/// [`HumanosWebhookMiddleware`](crate::HumanosWebhookMiddleware) for that.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use humanos_actix::{HumanosWebhook, WebhookState};
/// use humanos_webhooks::{WebhookConfig, WebhookEvent};
///
/// async fn receive(HumanosWebhook(event): HumanosWebhook) -> &'static str {
///     match event {
///         WebhookEvent::Credential(c) => println!("credential for {}", c.request_id),
///         other => println!("{} event", other.event_type()),
///     }
///     "ok"
/// }
///
/// #[actix_web::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let state = web::Data::new(WebhookState::new(WebhookConfig::from_env()?));
///     HttpServer::new(move || {
///         App::new()
///             .app_data(state.clone())
///             .route("/webhooks/humanos", web::post().to(receive))
///     })
///     .bind(("127.0.0.1", 8001))?
///     .run()
///     .await?;
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HumanosWebhook<E = WebhookEvent>(pub E);

impl<E: WebhookPayload + 'static> FromRequest for HumanosWebhook<E> {
    type Error = WebhookRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req
            .app_data::<web::Data<WebhookState>>()
            .map(|data| data.get_ref().clone())
            .or_else(|| req.app_data::<WebhookState>().cloned());
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let Some(state) = state else {
                let refusal = Refusal::NotConfigured;
                lifecycle::log_refusal(&lifecycle::delivery_span(), &refusal);
                return Err(WebhookRejection(refusal));
            };
            let (headers, body) = (ActixHeaders(req.headers()), ActixPayload(payload));
            lifecycle::extract(&state, &headers, body, actix_web::rt::time::sleep)
                .await
                .map(Self)
                .map_err(WebhookRejection)
        })
    }
}

/// The event [`HumanosWebhookMiddleware`](crate::HumanosWebhookMiddleware) verified, as a
/// request extension; also an extractor that takes it out of the extensions (500
/// `webhook_not_verified` when the middleware is missing).
///
/// The raw body is put back into the request, so a handler can still read `web::Bytes`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedWebhook<E = WebhookEvent>(pub E);

impl<E: 'static> FromRequest for VerifiedWebhook<E> {
    type Error = WebhookRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            req.extensions_mut()
                .remove::<VerifiedWebhook<E>>()
                .ok_or(WebhookRejection(Refusal::NotVerified)),
        )
    }
}
