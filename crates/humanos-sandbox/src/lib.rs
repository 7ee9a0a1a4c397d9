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
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine;
use humanos_signing::{BodyRule, Clock, SignatureVerifier, SystemClock};
use humanos_vc::{Ed25519SigningKey, Signer};
use humanos_webhooks::WebhookConfig;
use serde_json::Value;
use tokio::task::JoinHandle;

pub use admin::guard::ADMIN_TOKEN_HEADER;
#[cfg(feature = "cli")]
pub use args::SandboxArgs;
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

/// Configures and starts a sandbox.
#[derive(Default)]
pub struct SandboxBuilder {
    database: Option<PathBuf>,
    addr: Option<SocketAddr>,
    public_url: Option<String>,
    webhook_urls: Vec<String>,
    clock: Option<Arc<dyn Clock>>,
    api_key: Option<String>,
    signature_secret: Option<String>,
    webhook_secrets: Option<WebhookSecrets>,
    humancode: Option<(String, String)>,
    retry_base: Option<Duration>,
    max_attempts: Option<u32>,
    admin_token: Option<String>,
    allow_remote: bool,
    actions: Vec<Value>,
}

impl std::fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("database", &self.database)
            .field("addr", &self.addr)
            .field("webhook_urls", &self.webhook_urls)
            .finish_non_exhaustive()
    }
}

impl SandboxBuilder {
    /// Keeps state in the SQLite file at `path` (created if missing); state survives restarts.
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Keeps state in memory (the default).
    pub fn in_memory(mut self) -> Self {
        self.database = None;
        self
    }

    /// Listens on `addr` instead of 127.0.0.1:0.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The URL clients reach the sandbox at (defaults to `http://<bound address>`).
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Adds a webhook endpoint (repeatable).
    pub fn webhook_endpoint(mut self, url: impl Into<String>) -> Self {
        self.webhook_urls.push(url.into());
        self
    }

    /// Reads time from `clock` (timestamps, validity, the signature window).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Fixed API credentials instead of random (or previously stored) ones.
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        signature_secret: impl Into<String>,
    ) -> Self {
        self.api_key = Some(api_key.into());
        self.signature_secret = Some(signature_secret.into());
        self
    }

    /// Fixed webhook secrets.
    pub fn webhook_secrets(mut self, secrets: WebhookSecrets) -> Self {
        self.webhook_secrets = Some(secrets);
        self
    }

    /// The HumanCode APP_ID and APP_KEY the emulator accepts (default `a_sandbox` and a
    /// random key).
    pub fn humancode_app(mut self, app_id: impl Into<String>, app_key: impl Into<String>) -> Self {
        self.humancode = Some((app_id.into(), app_key.into()));
        self
    }

    /// First webhook retry delay (doubles per attempt, capped at 60 s; default 500 ms).
    pub fn webhook_retry_base(mut self, base: Duration) -> Self {
        self.retry_base = Some(base);
        self
    }

    /// Attempts before an undelivered webhook is dead-lettered (default 12, at least 1).
    pub fn webhook_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// A fixed admin token instead of a fresh random one per run.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Allows [`bind`](Self::bind) to a non-loopback address (refused otherwise). The admin
    /// routes stay behind the admin token, but the API pages and approval pages become
    /// reachable by anyone who can reach the address; a warning is logged.
    pub fn allow_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// Publishes an action on start (JSON: `name`, `userParams`, `executionParams`, `rules`).
    pub fn action(mut self, definition: Value) -> Self {
        self.actions.push(definition);
        self
    }

    /// Opens the database, binds and starts serving.
    pub async fn build(self) -> Result<SandboxHandle, SandboxError> {
        let store = store::Store::open(self.database.as_deref())?;
        let clock: Arc<dyn Clock> = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let remembered = Remembered(&store);
        let api_key = remembered.get("api_key", self.api_key, &|| {
            format!("sk_sandbox_{}", util::random_token(24))
        })?;
        let signature_secret =
            remembered.get("signature_secret", self.signature_secret, &|| {
                format!("ss_sandbox_{}", util::random_token(32))
            })?;
        let webhook_secrets = remembered.webhook_secrets(self.webhook_secrets)?;
        let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(
            &remembered.seed("issuer_seed")?,
        ));
        let agent = Signer::did_key(Ed25519SigningKey::from_bytes(
            &remembered.seed("agent_seed")?,
        ));
        let user_seed = remembered.seed("user_seed")?;
        // Given ones are remembered too: the env lines and the dashboard read the stored key.
        let (given_id, given_key) = self.humancode.unzip();
        let hc_id = remembered.get("humancode_app_id", given_id, &|| "a_sandbox".to_owned())?;
        let hc_key = remembered.get("humancode_app_key", given_key, &|| util::random_token(32))?;
        let clock_for_webhooks = clock.clone();
        let webhook_config = WebhookConfig::builder()
            .signature_secret(&webhook_secrets.signature_secret)
            .encryption_secret(&webhook_secrets.encryption_secret)
            .encryption_salt(&webhook_secrets.encryption_salt)
            .clock(move || clock_for_webhooks.now_unix_ms())
            .build()?;

        let listener = bind(self.addr, self.allow_remote).await?;
        let addr = listener.local_addr()?;
        let base_url = self.public_url.unwrap_or_else(|| format!("http://{addr}"));
        let admin = admin::guard::AdminGuard::new(
            self.admin_token.unwrap_or_else(admin::guard::new_token),
            admin::guard::allowed_hosts(addr, &base_url),
        );
        let started_at = util::iso(clock.now_unix_ms());
        let state = Arc::new(AppState {
            store,
            request_verifier: SignatureVerifier::new(&signature_secret, BodyRule::Request)
                .with_shared_clock(clock.clone()),
            clock,
            base_url,
            api_key,
            signature_secret,
            issuer,
            agent,
            user_seed,
            webhook_secrets,
            webhook_config,
            webhook_urls: RwLock::new(self.webhook_urls),
            write: tokio::sync::Mutex::new(()),
            wake_webhooks: tokio::sync::Notify::new(),
            humancode: humancode_emulator::Shared::new(
                &hc_id,
                &hc_key,
                humancode_emulator::PageMode::Interactive,
            ),
            retry_base_ms: self.retry_base.map_or(500, |d| d.as_millis() as u64).max(1),
            webhook_max_attempts: self.max_attempts.unwrap_or(webhooks::DEFAULT_MAX_ATTEMPTS),
            admin,
            started_at,
        });
        for def in self.actions {
            admin::define_action(&state, def)
                .map_err(|e| SandboxError::Action(format!("{:?}", e.message)))?;
        }
        let app = router::router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let worker = tokio::spawn(webhooks::worker(state.clone()));
        tracing::info!(base_url = %state.base_url, issuer = %state.issuer.did(), "humanos sandbox listening");
        Ok(SandboxHandle {
            state,
            addr,
            shutdown: Some(tx),
            server: Some(server),
            worker,
        })
    }
}

/// Binds the sandbox's address (an ephemeral loopback port by default); a non-loopback
/// address only with `allow_remote`.
async fn bind(
    addr: Option<SocketAddr>,
    allow_remote: bool,
) -> Result<tokio::net::TcpListener, SandboxError> {
    let wanted = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !wanted.ip().is_loopback() {
        if !allow_remote {
            return Err(SandboxError::NotLoopback(wanted));
        }
        tracing::warn!(addr = %wanted, "listening on a non-loopback address: the API and approval pages are reachable from the network (admin routes still need the admin token)");
    }
    Ok(tokio::net::TcpListener::bind(wanted).await?)
}

/// Secrets and keys kept in the database across restarts: a given value replaces (and is
/// stored), a stored one is reused, otherwise one is made.
struct Remembered<'a>(&'a store::Store);

impl Remembered<'_> {
    fn get(
        &self,
        key: &str,
        given: Option<String>,
        make: &dyn Fn() -> String,
    ) -> Result<String, StoreError> {
        let value = match (given, self.0.meta(key)?) {
            (Some(v), _) => v,
            (None, Some(v)) => v,
            (None, None) => make(),
        };
        self.0.set_meta(key, &value)?;
        Ok(value)
    }

    /// A 32-byte key seed, stored as hex.
    fn seed(&self, key: &str) -> Result<[u8; 32], StoreError> {
        let hex_seed = self.get(key, None, &|| hex::encode(rand::random::<[u8; 32]>()))?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&hex_seed, &mut out).unwrap_or(());
        Ok(out)
    }

    fn webhook_secrets(&self, given: Option<WebhookSecrets>) -> Result<WebhookSecrets, StoreError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let ws = given.as_ref();
        Ok(WebhookSecrets {
            signature_secret: self.get(
                "webhook_signature_secret",
                ws.map(|w| w.signature_secret.clone()),
                &|| format!("whsec_{}", util::random_token(32)),
            )?,
            encryption_secret: self.get(
                "webhook_encryption_secret",
                ws.map(|w| w.encryption_secret.clone()),
                &|| b64.encode(rand::random::<[u8; 32]>()),
            )?,
            encryption_salt: self.get(
                "webhook_encryption_salt",
                ws.map(|w| w.encryption_salt.clone()),
                &|| util::random_token(16),
            )?,
        })
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
