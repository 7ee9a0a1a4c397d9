//! The `HumanosWebhook` and `VerifiedWebhook` extractors.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use humanos_webhooks::lifecycle;
use humanos_webhooks::{Refusal, WebhookEvent, WebhookPayload, WebhookState};

use crate::body::AxumBody;
use crate::rejection::WebhookRejection;

/// Extracts a verified, decrypted and decoded delivery from the request.
///
/// Reads the headers first, then the body up to [`WebhookState::body_limit`] (413 beyond it,
/// without buffering the rest), then runs [`WebhookConfig::process_as`]. The [`WebhookState`]
/// comes from the router state through [`FromRef`]. Must be the last extractor of the handler
/// (it consumes the body). Refusals are [`WebhookRejection`]s.
///
/// The extractor does **not** deduplicate (it cannot know whether your handler succeeded): use
/// [`webhook_handler`](crate::webhook_handler) or
/// [`HumanosWebhookLayer`](crate::HumanosWebhookLayer) for that.
///
/// `E` is [`WebhookEvent`] by default; any [`WebhookPayload`] works (one event struct, a
/// `serde_json::Value`, or your own type).
///
/// [`WebhookConfig::process_as`]: humanos_webhooks::WebhookConfig::process_as
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use humanos_axum::{HumanosWebhook, WebhookState};
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
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let state = WebhookState::new(WebhookConfig::from_env()?);
/// let app = Router::new().route("/webhooks/humanos", post(receive)).with_state(state);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HumanosWebhook<E = WebhookEvent>(pub E);

impl<S, E> FromRequest<S> for HumanosWebhook<E>
where
    WebhookState: FromRef<S>,
    S: Send + Sync,
    E: WebhookPayload + Send + 'static,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let state = WebhookState::from_ref(state);
        let (parts, body) = req.into_parts();
        let body = AxumBody(body);
        lifecycle::extract(&state, &parts.headers, body, tokio::time::sleep)
            .await
            .map(Self)
            .map_err(WebhookRejection)
    }
}

/// The event [`HumanosWebhookLayer`](crate::HumanosWebhookLayer) verified, as a request
/// extension; also an extractor that takes it out of the extensions (500 `webhook_not_verified`
/// when the layer is missing).
///
/// The raw body is left in the request too, so a handler can still read `Bytes`.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedWebhook<E = WebhookEvent>(pub E);

impl<S, E> FromRequestParts<S> for VerifiedWebhook<E>
where
    S: Send + Sync,
    E: Clone + Send + Sync + 'static,
{
    type Rejection = WebhookRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .remove::<VerifiedWebhook<E>>()
            .ok_or(WebhookRejection(Refusal::NotVerified))
    }
}
