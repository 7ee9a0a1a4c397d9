//! [axum] adapter for Humanos webhooks: an extractor, a tower layer and a handler factory over
//! [`humanos_webhooks`]. All verification, decryption and dedup logic lives in that crate; this
//! one reads the request the axum way and answers with the right status.
//!
//! | shape | use it when |
//! | --- | --- |
//! | [`HumanosWebhook<E>`] extractor | you write the handler; config from state via `FromRef` |
//! | [`webhook_handler`] factory | like the Python SDK's `create_fastapi_webhook_handler` |
//! | [`HumanosWebhookLayer`] + [`VerifiedWebhook<E>`] | verification as middleware, event in the request extensions |
//!
//! # Status codes
//!
//! | situation | status | body |
//! | --- | --- | --- |
//! | delivery handled | 200 | `{"status":"ok"}` |
//! | duplicate already processed (dedup on; handler not called) | 200 | `{"status":"duplicate"}` |
//! | signature or timestamp rejected ([`WebhookError::status`] 401) | 401 | `{"error","message"}` |
//! | malformed delivery: missing header, bad envelope, wrong key, bad JSON ([`WebhookError::status`] 400) | 400 | `{"error","message"}` |
//! | body over the limit (default 1 MiB) | 413 | `{"error":"payload_too_large",..}` |
//! | same delivery in flight (dedup on) | 409 | `{"error":"delivery_in_flight",..}` |
//! | handler / callback failed | 500 | `{"error":"handler_failed",..}` |
//!
//! Error bodies carry a stable `error` code ([`Refusal::code`](humanos_webhooks::Refusal::code)) and a short message;
//! neither ever contains a secret or a value of the payload.
//!
//! # Idempotency
//!
//! Humanos retries deliveries, so one event can arrive several times. With
//! [`WebhookState::with_dedup`] (or [`with_in_memory_dedup`](WebhookState::with_in_memory_dedup))
//! the handler factory and the layer run the handler once per event
//! ([`humanos_webhooks::IdempotencyKey`]: per user and credential, not per request), following
//! the lease protocol of [`humanos_webhooks::dedup`], written once in
//! [`humanos_webhooks::lifecycle`]. The bare extractor does not deduplicate.
//!
//! # Tracing
//!
//! Each delivery runs in an `info` span `humanos_webhook` with `event_type`, `request_id` and
//! `outcome` fields (never a secret). Refusals are logged at `info`, 5xx (a wrong encryption key, a store
//! down, a handler failure) at `error`, successes at `debug`.
//!
//! # Example
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use humanos_axum::{WebhookState, webhook_handler};
//! use humanos_webhooks::{WebhookConfig, WebhookEvent};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
//!     let app = Router::new().route(
//!         "/webhooks/humanos",
//!         post(webhook_handler(state, |event: WebhookEvent| async move {
//!             match event {
//!                 WebhookEvent::Credential(c) => println!("credential {}", c.request_id),
//!                 WebhookEvent::Test(t) => println!("test: {}", t.message),
//!                 other => println!("ignoring {}", other.event_type()),
//!             }
//!             Ok::<(), std::convert::Infallible>(())
//!         })),
//!     );
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Mandate enforcement (feature `enforce`)
//!
//! `MandateLayer` puts a `humanos::enforce::Enforcer` in front of the routes agents call:
//! the agent names its mandate in the `Humanos-Mandate` header, the request is authorized
//! against the action it describes, and the handler reads the decision with the `Mandate`
//! extractor; denials are answered `403` with the API's deny body, outages `503`. See
//! `docs/enforcement.md`.
//!
//! [`WebhookError::status`]: humanos_webhooks::WebhookError::status

mod body;
#[cfg(feature = "enforce")]
mod enforce;
mod extract;
mod handler;
mod layer;
mod rejection;
mod verify;

#[cfg(feature = "enforce")]
pub use enforce::{Mandate, MandateLayer, MandateService};
pub use extract::{HumanosWebhook, VerifiedWebhook};
pub use handler::{WebhookHandler, WebhookHandlerMarker, webhook_handler};
/// The endpoint settings (body limit, read timeout, dedup), shared with every adapter.
pub use humanos_webhooks::WebhookState;
pub use layer::{HumanosWebhookLayer, HumanosWebhookService};
pub use rejection::WebhookRejection;
