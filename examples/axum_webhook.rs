//! A complete axum server receiving Humanos webhooks with `humanos-axum`.
//!
//! Run: `cargo run --example axum_webhook` with the three secrets set (or
//! `cargo run --example axum_webhook -- --demo` to try it with demo secrets), then send it a
//! delivery (for instance the body and headers printed by `cargo run --example
//! webhook_roundtrip`) or point the dashboard's "Send test event" at it through a tunnel.
//!
//! Environment:
//! - `HUMANOS_WEBHOOK_SIGNATURE_SECRET`, `HUMANOS_WEBHOOK_ENCRYPTION_SECRET`,
//!   `HUMANOS_WEBHOOK_ENCRYPTION_SALT`: the three values of Settings → Webhooks. When they are
//!   unset or invalid the example refuses to start, unless `--demo` is given: then it warns and
//!   uses the demo secrets `whsec_demo` / `ZGVtby1lbmNyeXB0aW9uLXNlY3JldA==` / `demo-salt`
//!   (anyone can seal a delivery with those: never in production).
//! - `PORT`: listen on `127.0.0.1:$PORT` (default 8000).
//! - `HUMANOS_WEBHOOK_DEDUP=off`: process every delivery, even a retry of one already handled
//!   (the default deduplicates by `requestId` + `eventType` in memory).
//! - `RUST_LOG`: log filter (default `info`).
//!
//! Routes: `POST /webhooks/humanos` (the webhook) and `GET|POST /healthz` (a plain 200, for load
//! balancers and for `bench/webhook_load.sh`'s framework floor; `POST` reads the body).
//!
//! Slow clients: the body read timeout is the adapter's (30 s); the request head's is the
//! server's, and `axum::serve` has none, so [`serve`] uses hyper-util's builder with a
//! 10 s `header_read_timeout` (see `docs/webhooks-axum-actix.md`).
//!
//! To try it against the local sandbox, start `cargo run -p humanos-sandbox --features cli -- --webhook-url
//! http://127.0.0.1:8000/webhooks/humanos`, export the `HUMANOS_WEBHOOK_*` lines it prints here
//! and `curl -X POST -H "X-Sandbox-Admin-Token: $HUMANOS_SANDBOX_ADMIN_TOKEN"
//! http://127.0.0.1:8787/admin/webhooks/test` (or "Send test event" on its dashboard). This package's
//! `tests/axum_webhook_e2e.rs` includes this file as a module and runs [`app`] with
//! [`webhook_state`] against an in-process sandbox.

use std::error::Error;
use std::fmt::Display;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use humanos_axum::{WebhookState, webhook_handler};
use humanos_webhooks::humanos_models::DeliveryActionType;
use humanos_webhooks::{WebhookConfig, WebhookEvent};
use tracing_subscriber::EnvFilter;

#[path = "support/demo.rs"]
mod demo;
pub(crate) use demo::{demo_flag, webhook_config};

/// How long a client may take to send the request head before the connection is closed.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What to do with each event: the seed's FastAPI `on_event`, typed.
pub(crate) async fn on_event(event: WebhookEvent) -> Result<(), Box<dyn Error + Send + Sync>> {
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

/// The receiver's state: `config`, and in-memory dedup by `requestId` + `eventType` (at most
/// 100,000 remembered deliveries) when `dedup` is on.
pub(crate) fn webhook_state(config: WebhookConfig, dedup: bool) -> WebhookState {
    let state = WebhookState::new(config);
    if dedup {
        state.with_in_memory_dedup(100_000)
    } else {
        state
    }
}

/// The example's routes, with `handler` for the verified events (`main` passes [`on_event`]).
pub(crate) fn app<F, Fut, Err>(state: WebhookState, handler: F) -> Router
where
    F: Fn(WebhookEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Err>> + Send + 'static,
    Err: Display + Send + 'static,
{
    Router::new()
        .route("/webhooks/humanos", post(webhook_handler(state, handler)))
        .route(
            "/healthz",
            // POST reads (and drops) the body, so the benchmark floor does the same I/O.
            get(|| async { "ok" }).post(|_body: axum::body::Bytes| async { "ok" }),
        )
}

/// Serves `app` on `listener` until `shutdown` resolves, closing any connection whose request
/// head takes longer than `header_read_timeout` (`axum::serve` has no such timeout).
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!("accept failed: {err}");
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let demo = demo_flag(std::env::args().skip(1))?;
    let config = webhook_config(WebhookConfig::from_env(), demo)?;
    let dedup = std::env::var("HUMANOS_WEBHOOK_DEDUP").as_deref() != Ok("off");
    let app = app(webhook_state(config, dedup), on_event);

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(
        "listening on http://{}/webhooks/humanos",
        listener.local_addr()?
    );
    serve(listener, app, HEADER_READ_TIMEOUT, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
