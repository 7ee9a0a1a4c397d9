//! [actix-web](actix_web) 4 adapter for Humanos webhooks: an extractor, a middleware and a
//! handler factory over [`humanos_webhooks`]. All verification, decryption, dedup and
//! body-reading logic lives in that crate ([`humanos_webhooks::lifecycle`]); this one hands it
//! the request the actix-web way (one body source, one response conversion) and implements
//! actix-web's traits.
//!
//! | shape | use it when |
//! | --- | --- |
//! | [`HumanosWebhook<E>`] extractor (`FromRequest`) | you write the handler; config from `app_data` |
//! | [`webhook_handler`] factory | like the Python SDK's `create_flask_webhook_handler` |
//! | [`HumanosWebhookMiddleware`] + [`VerifiedWebhook<E>`] | verification as middleware, event in the request extensions |
//!
//! [`ActixHeaders`] lets the core crate read actix-web's own header map.
//!
//! # Status codes
//!
//! The statuses, codes and bodies are the core's, whatever the shape: see
//! [the status table of `humanos_webhooks::lifecycle`](humanos_webhooks::lifecycle#status-codes)
//! (checked row by row against the code) and, for `MandateMiddleware`, the table of
//! [`humanos::enforce`](https://docs.rs/humanos/latest/humanos/enforce/index.html#the-protocol).
//! This crate adds no status of its own: it converts the core's
//! [`Answer`](humanos_webhooks::answer::Answer) into an actix-web response, in one place.
//!
//! # Idempotency
//!
//! Humanos retries deliveries, so one event can arrive several times. With
//! [`WebhookState::with_dedup`] (or [`with_in_memory_dedup`](WebhookState::with_in_memory_dedup))
//! the handler factory and the middleware run the handler once per event
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
//! use actix_web::{App, HttpServer, web};
//! use humanos_actix::{WebhookState, webhook_handler};
//! use humanos_webhooks::{WebhookConfig, WebhookEvent};
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let state = WebhookState::new(WebhookConfig::from_env()?).with_in_memory_dedup(10_000);
//!     HttpServer::new(move || {
//!         let handler = webhook_handler(state.clone(), |event: WebhookEvent| async move {
//!             match event {
//!                 WebhookEvent::Credential(c) => println!("credential {}", c.request_id),
//!                 WebhookEvent::Test(t) => println!("test: {}", t.message),
//!                 other => println!("ignoring {}", other.event_type()),
//!             }
//!             Ok::<(), std::convert::Infallible>(())
//!         });
//!         App::new().route("/webhooks/humanos", web::post().to(handler))
//!     })
//!     .bind(("127.0.0.1", 8001))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Mandate enforcement (feature `enforce`)
//!
//! `MandateMiddleware` puts a `humanos::enforce::Enforcer` in front of the routes agents
//! call: the agent names its mandate in the `Humanos-Mandate` header, the request is
//! authorized against the action it describes, and the handler reads the decision with the
//! `Mandate` extractor; denials are answered `403` with the API's deny body, outages `503`.
//! See `docs/enforcement.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
#[cfg(feature = "enforce")]
mod enforce;
mod extract;
mod handler;
mod headers;
mod middleware;
mod rejection;

#[cfg(feature = "enforce")]
pub use enforce::{Mandate, MandateMiddleware, MandateService};
pub use extract::{HumanosWebhook, VerifiedWebhook};
pub use handler::{WebhookHandler, webhook_handler};
pub use headers::ActixHeaders;
/// The endpoint settings (body limit, read timeout, dedup), shared with every adapter.
pub use humanos_webhooks::WebhookState;
pub use middleware::{HumanosWebhookMiddleware, HumanosWebhookService};
pub use rejection::WebhookRejection;

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
