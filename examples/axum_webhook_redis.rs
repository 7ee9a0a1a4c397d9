//! The `axum_webhook` example for several replicas: the same server, with its dedup store on
//! Redis (`humanos-webhooks-redis`), so however many copies run behind a load balancer each
//! event's handler runs once.
//!
//! Run (with Debian's `redis-server` running, or any Redis 6.2+):
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/0 cargo run --example axum_webhook_redis -- --demo
//! REDIS_URL=redis://127.0.0.1:6379/0 PORT=8001 cargo run --example axum_webhook_redis -- --demo
//! ```
//!
//! Environment: as `axum_webhook` (the three `HUMANOS_WEBHOOK_*` secrets or `--demo`, `PORT`,
//! `RUST_LOG`), plus:
//! - `REDIS_URL` (required): `redis://[:password@]host[:port][/db]`; the password is never
//!   logged.
//! - `HUMANOS_WEBHOOK_LEASE_SECS` (60): how long a replica that dies mid-handler holds an event
//!   (see "Running several replicas" in `docs/webhooks.md`).
//! - `HUMANOS_WEBHOOK_REDIS_PREFIX` (`humanos:webhook:dedup:`): the key prefix.
//!
//! While Redis is unreachable every delivery is answered 503 with `Retry-After` and no handler
//! runs; the store reconnects by itself.

use std::error::Error;
use std::time::Duration;

use humanos_axum::WebhookState;
use humanos_webhooks::{Dedup, WebhookConfig};
use humanos_webhooks_redis::{DEFAULT_KEY_PREFIX, RedisDedup};
use tracing_subscriber::EnvFilter;

#[allow(dead_code)] // its `main` and dedup switch are not used here
#[path = "axum_webhook.rs"]
mod axum_webhook;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let demo = axum_webhook::demo_flag(std::env::args().skip(1))?;
    let config = axum_webhook::webhook_config(WebhookConfig::from_env(), demo)?;
    let url = std::env::var("REDIS_URL").map_err(|_| "set REDIS_URL (redis://host:port/db)")?;
    let lease: u64 = std::env::var("HUMANOS_WEBHOOK_LEASE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let prefix = std::env::var("HUMANOS_WEBHOOK_REDIS_PREFIX")
        .unwrap_or_else(|_| DEFAULT_KEY_PREFIX.to_owned());

    let store = RedisDedup::builder(&url)?
        .key_prefix(prefix)
        .connect()
        .await?;
    tracing::info!(?store, "dedup store connected");
    let dedup = Dedup::new(store).with_lease(Duration::from_secs(lease));
    let state = WebhookState::new(config).with_shared_dedup(dedup);
    let app = axum_webhook::app(state, axum_webhook::on_event);

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(
        "listening on http://{}/webhooks/humanos",
        listener.local_addr()?
    );
    axum_webhook::serve(listener, app, axum_webhook::HEADER_READ_TIMEOUT, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
