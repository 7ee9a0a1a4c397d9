//! A faithful local Humanos + HumanCode emulator, in the spirit of stripe-mock and LocalStack.
//!
//! It serves every callable endpoint of the Humanos API `2026-09-01` with the same paths,
//! bodies and status codes, checks each request's API key, timestamp window and HMAC
//! signature (401 saying which check failed), issues real `eddsa-jcs-2022` mandates and
//! presentations, verifies them (signatures, validity, status list revocation,
//! `maxExecutions`, the action's CEL rules), delivers sealed webhooks with retries, serves a
//! hosted approval page and emulates HumanCode (sessions, vcodes, palm-scan pages). State
//! lives in SQLite: in memory by default, in a file when one is given.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use humanos_sandbox::Sandbox;
//! use serde_json::json;
//!
//! let sandbox = Sandbox::start_ephemeral().await?;
//! println!("export HUMANOS_BASE_URL={}", sandbox.base_url());
//! let action = sandbox.define_action(json!({
//!     "name": "Purchase",
//!     "userParams": {"maxAmount": {"type": "number"}},
//!     "executionParams": {"amount": {"type": "number"}},
//!     "rules": ["executionParams.amount <= userParams.maxAmount"]
//! })).await?;
//! // ... POST /request with the humanos client, then stand in for the user:
//! // sandbox.approve(&request_id).await?;
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The admin API and a server-rendered dashboard (requests, mandates, the event chain,
//! presentations, webhook deliveries with every attempt) sit behind a per-run admin token
//! ([`SandboxHandle::admin_url`], [`SandboxHandle::admin_client`]); every route checks `Host`
//! and the server binds loopback only unless [`SandboxBuilder::allow_remote`].
//!
//! See `docs/sandbox.md` for the endpoint table, the admin endpoints, the dashboard and where
//! the sandbox differs from the real service.

#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod admin;
mod api;
#[cfg(feature = "cli")]
pub mod args;
mod auth;
mod builder;
mod dashboard;
pub mod humancode_emulator;
mod mandate;
mod pages;
mod router;
mod state;
mod store;
mod util;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

pub use admin::guard::ADMIN_TOKEN_HEADER;
#[cfg(feature = "cli")]
pub use args::SandboxArgs;
pub use builder::SandboxBuilder;
pub use state::{API_VERSION, KNOWN_API_VERSIONS, WebhookSecrets};
pub use store::StoreError;

use crate::state::AppState;

/// A failure to start the sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The database could not be opened or read.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The listening socket could not be bound.
    #[error("bind: {0}")]
    Io(#[from] std::io::Error),
    /// A webhook secret is unusable.
    #[error("webhook configuration: {0}")]
    Webhook(#[from] humanos_webhooks::ConfigError),
    /// An action definition was refused.
    #[error("action definition: {0}")]
    Action(String),
    /// The address is not a loopback address and remote access was not allowed.
    #[error(
        "refusing to listen on {0}, which is not a loopback address: anyone who can reach it could \
         use the sandbox's pages; pass --allow-remote (SandboxBuilder::allow_remote) to do it anyway"
    )]
    NotLoopback(SocketAddr),
}

/// Entry point: [`Sandbox::builder`] or [`Sandbox::start_ephemeral`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: in-memory database, 127.0.0.1 on an ephemeral port,
    /// random credentials, no webhook endpoint.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with the defaults.
    pub async fn start_ephemeral() -> Result<SandboxHandle, SandboxError> {
        Self::builder().build().await
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    state: Arc<AppState>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    worker: JoinHandle<()>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.state.base_url)
            .finish_non_exhaustive()
    }
}

/// What [`SandboxHandle::define_action`] published.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DefinedAction {
    /// The action id (`urn:via:action:<uuid>`).
    pub id: String,
    /// The published version number.
    pub version: u64,
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `HUMANOS_API_KEY`.
    pub fn api_key(&self) -> &str {
        &self.state.api_key
    }

    /// `HUMANOS_SIGNATURE_SECRET`.
    pub fn signature_secret(&self) -> &str {
        &self.state.signature_secret
    }

    /// The webhook secrets a receiver needs.
    pub fn webhook_secrets(&self) -> &WebhookSecrets {
        &self.state.webhook_secrets
    }

    /// The sandbox issuer's DID (it signs mandates and status lists).
    pub fn issuer_did(&self) -> &str {
        self.state.issuer.did()
    }

    /// The DID of the sandbox-managed agent key that signs presentations.
    pub fn agent_did(&self) -> &str {
        self.state.agent.did()
    }

    /// The HumanCode APP_ID the emulator accepts.
    pub fn humancode_app_id(&self) -> &str {
        self.state.humancode.app_id()
    }

    /// The HumanCode emulator's state (scripting, clock, forced outcomes).
    pub fn humancode(&self) -> &Arc<humancode_emulator::Shared> {
        &self.state.humancode
    }

    /// The HumanCode APP_KEY the emulator accepts.
    pub fn humancode_app_key(&self) -> String {
        self.state.humancode_app_key()
    }

    /// The per-run admin token (`HUMANOS_SANDBOX_ADMIN_TOKEN`): send it as the
    /// [`ADMIN_TOKEN_HEADER`] header to the `/admin` routes.
    pub fn admin_token(&self) -> &str {
        self.state.admin.token()
    }

    /// The link that opens the dashboard in a browser (it sets the admin cookie).
    pub fn admin_url(&self) -> String {
        format!("{}/admin?token={}", self.base_url(), self.admin_token())
    }

    /// An HTTP client that sends the admin token with every request, for the `/admin` routes.
    pub fn admin_client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Ok(mut v) = reqwest::header::HeaderValue::from_str(self.admin_token()) {
            v.set_sensitive(true);
            headers.insert(ADMIN_TOKEN_HEADER, v);
        }
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap_or_default()
    }

    /// The `export` lines a shell needs to point a client at this sandbox.
    pub fn env_lines(&self) -> String {
        self.state.env_lines()
    }

    /// Publishes an action (or a new version of the action with the same `id` / `name`).
    pub async fn define_action(&self, definition: Value) -> Result<DefinedAction, SandboxError> {
        let _w = self.state.write.lock().await;
        let out = admin::define_action(&self.state, definition)
            .map_err(|e| SandboxError::Action(format!("{:?}", e.message)))?;
        Ok(DefinedAction {
            id: out
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            version: out
                .get("version")
                .and_then(Value::as_u64)
                .unwrap_or_default(),
        })
    }

    /// Stands in for the (first undecided) user of `request_id` and accepts: the mandates are
    /// issued and the `credential` webhooks queued. Returns the issued credential ids.
    pub async fn approve(&self, request_id: &str) -> Result<Vec<String>, SandboxError> {
        self.decide(request_id, true).await
    }

    /// Stands in for the (first undecided) user of `request_id` and rejects.
    pub async fn reject(&self, request_id: &str) -> Result<Vec<String>, SandboxError> {
        self.decide(request_id, false).await
    }

    async fn decide(&self, request_id: &str, accept: bool) -> Result<Vec<String>, SandboxError> {
        let _w = self.state.write.lock().await;
        let before = api::decide(&self.state, request_id, None, accept, "admin")
            .map_err(|e| SandboxError::Action(format!("{:?}", e.message)))?;
        Ok(before
            .subjects
            .iter()
            .filter(|s| s.decision.is_some())
            .flat_map(|s| s.credential_ids.clone())
            .collect())
    }

    /// The current OTP of `contact` on `request_id` (what the log prints).
    pub fn otp(&self, request_id: &str, contact: &str) -> Option<String> {
        let r: state::RequestRec = self.state.store.get(state::REQUEST, request_id).ok()??;
        r.subjects
            .iter()
            .find(|s| s.contact.eq_ignore_ascii_case(contact))
            .map(|s| s.otp.clone())
    }

    /// Adds a webhook endpoint at runtime.
    pub fn add_webhook_endpoint(&self, url: impl Into<String>) {
        self.state
            .webhook_urls
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(url.into());
    }

    /// Queues a `test` event to every endpoint; returns how many deliveries were queued.
    pub fn send_test_event(&self) -> Result<usize, SandboxError> {
        let ev =
            humanos_webhooks::sample::test(&format!("req_test_{}", util::uuid().replace('-', "")));
        let mut ev = ev;
        if let Some(o) = ev.as_object_mut() {
            o.insert("issuerDid".into(), self.issuer_did().into());
        }
        Ok(webhooks::emit(&self.state, &ev)?)
    }

    /// Deliveries neither acknowledged with a 2xx nor dead-lettered.
    pub fn pending_deliveries(&self) -> Result<usize, SandboxError> {
        Ok(self.state.store.pending_count()?)
    }

    /// Stops the server (in-flight requests finish) and the webhook worker.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.worker.abort();
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
