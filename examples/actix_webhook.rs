//! A complete actix-web server receiving Humanos webhooks with `humanos-actix`.
//!
//! Run: `cargo run --example actix_webhook` (or `cargo run --example actix_webhook -- --demo` to
//! try it with demo secrets), then send it a delivery (for instance the body and
//! headers printed by `cargo run --example webhook_roundtrip`) or point the dashboard's
//! "Send test event" at it through a tunnel.
//!
//! Environment:
//! - `HUMANOS_WEBHOOK_SIGNATURE_SECRET`, `HUMANOS_WEBHOOK_ENCRYPTION_SECRET`,
//!   `HUMANOS_WEBHOOK_ENCRYPTION_SALT`: the three values of Settings → Webhooks. When they are
//!   unset or invalid the example refuses to start, unless `--demo` is given: then it warns and
//!   uses the demo secrets `whsec_demo` / `ZGVtby1lbmNyeXB0aW9uLXNlY3JldA==` / `demo-salt`
//!   (never use them in production).
//! - `PORT`: listen on `127.0.0.1:$PORT` (default 8001).
//! - `HUMANOS_WEBHOOK_DEDUP=off`: process every delivery, even a retry of one already handled
//!   (the default deduplicates by `requestId` + `eventType` in memory).
//! - `RUST_LOG`: log filter (default `info`).
//!
//! Routes: `POST /webhooks/humanos` (the webhook) and `GET|POST /healthz` (a plain 200, for load
//! balancers and for `bench/webhook_load.sh`'s framework floor; `POST` reads the body).

use std::error::Error;

use actix_web::{App, HttpServer, web};
use humanos_actix::{WebhookState, webhook_handler};
use humanos_webhooks::humanos_models::DeliveryActionType;
use humanos_webhooks::{WebhookConfig, WebhookEvent};
use tracing_subscriber::EnvFilter;

#[path = "support/demo.rs"]
mod demo;

/// What to do with each event: the seed's FastAPI `on_event`, typed.
async fn on_event(event: WebhookEvent) -> Result<(), Box<dyn Error + Send + Sync>> {
    match event {
        WebhookEvent::Credential(event) => {
            if event.decision.action != DeliveryActionType::Accept {
                // User rejected: mark the rule unenforceable, notify the operator.
                tracing::info!(request_id = %event.request_id, "mandate request rejected");
                return Ok(());
            }
            let mandate_id = &event.credential.id;
            // Persist rule_id -> mandate_id here (an error makes Humanos retry).
            tracing::info!(request_id = %event.request_id, %mandate_id, "mandate issued");
        }
        WebhookEvent::Identity(event) => {
            // KYC / identity verification completed.
            tracing::info!(request_id = %event.request_id, "identity check completed");
        }
        WebhookEvent::OtpFailed(event) => {
            // User failed OTP: possible fraud signal.
            tracing::warn!(request_id = %event.request_id, "OTP failed");
        }
        WebhookEvent::Test(event) => {
            // "Send test event" from the dashboard.
            tracing::debug!(request_id = %event.request_id, "test event received");
        }
        other => {
            // A newer event type: acknowledge it so Humanos does not retry forever.
            tracing::info!(
                event_type = other.event_type(),
                "ignoring unknown event type"
            );
        }
    }
    Ok(())
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let demo = demo::demo_flag(std::env::args().skip(1))?;
    let mut state = WebhookState::new(demo::webhook_config(WebhookConfig::from_env(), demo)?);
    if std::env::var("HUMANOS_WEBHOOK_DEDUP").as_deref() != Ok("off") {
        // One store shared by every worker thread.
        state = state.with_in_memory_dedup(100_000);
    }
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8001);
    tracing::info!("listening on http://127.0.0.1:{port}/webhooks/humanos");
    HttpServer::new(move || {
        App::new()
            .route(
                "/webhooks/humanos",
                web::post().to(webhook_handler(state.clone(), on_event)),
            )
            .route("/healthz", web::get().to(|| async { "ok" }))
            // POST reads (and drops) the body, so the benchmark floor does the same I/O.
            .route(
                "/healthz",
                web::post().to(|_body: web::Bytes| async { "ok" }),
            )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    Ok(())
}
