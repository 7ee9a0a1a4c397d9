//! [`SandboxBuilder`]: the options, and starting a sandbox from them (keys remembered in the
//! database, the listener, the shared state, the server and the webhook worker).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine;
use humanos_signing::{BodyRule, Clock, SignatureVerifier, SystemClock};
use humanos_vc::{Ed25519SigningKey, Signer};
use humanos_webhooks::WebhookConfig;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::access::{AdminGuard, allowed_hosts, new_token};
use crate::context::{Context, WebhookSecrets};
use crate::domain::{actions, webhooks};
use crate::error::SandboxError;
use crate::handle::SandboxHandle;
use crate::http::auth::ApiAuth;
use crate::state::AppState;
use crate::store::{SandboxStoreError, Store};
use crate::{humancode_emulator, router, util};

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
    pub async fn build(mut self) -> Result<SandboxHandle, SandboxError> {
        let store = Store::open(self.database.as_deref())?;
        let clock: Arc<dyn Clock> = self.clock.take().unwrap_or_else(|| Arc::new(SystemClock));
        let keys = self.keys(&store)?;
        let webhook_config = webhook_config(&keys.webhook_secrets, clock.clone())?;
        let listener = bind(self.addr, self.allow_remote).await?;
        let addr = listener.local_addr()?;
        let definitions = std::mem::take(&mut self.actions);
        let state = self.app_state(store, clock, keys, webhook_config, addr);
        for def in definitions {
            actions::define_action(&state.ctx, def)
                .map_err(|e| SandboxError::Action(e.to_string()))?;
        }
        let (shutdown, server) = serve(listener, router::router(state.clone()));
        let worker = tokio::spawn(webhooks::worker(state.ctx.clone()));
        tracing::info!(base_url = %state.ctx.base_url, issuer = %state.ctx.issuer.did(), "humanos sandbox listening");
        Ok(SandboxHandle {
            state,
            addr,
            shutdown: Some(shutdown),
            server: Some(server),
            worker,
        })
    }

    /// The given credentials and keys, else the remembered ones, else new ones (all stored).
    fn keys(&mut self, store: &Store) -> Result<Keys, SandboxStoreError> {
        let remembered = Remembered(store);
        let api_key = remembered.get("api_key", self.api_key.take(), &|| {
            format!("sk_sandbox_{}", util::random_token(24))
        })?;
        let signature_secret =
            remembered.get("signature_secret", self.signature_secret.take(), &|| {
                format!("ss_sandbox_{}", util::random_token(32))
            })?;
        let webhook_secrets = remembered.webhook_secrets(self.webhook_secrets.take())?;
        let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(
            &remembered.seed("issuer_seed")?,
        ));
        let agent = Signer::did_key(Ed25519SigningKey::from_bytes(
            &remembered.seed("agent_seed")?,
        ));
        let user_seed = remembered.seed("user_seed")?;
        // Given ones are remembered too: the env lines and the dashboard read the stored key.
        let (given_id, given_key) = self.humancode.take().unzip();
        let humancode_app_id =
            remembered.get("humancode_app_id", given_id, &|| "a_sandbox".to_owned())?;
        let humancode_app_key =
            remembered.get("humancode_app_key", given_key, &|| util::random_token(32))?;
        Ok(Keys {
            api_key,
            signature_secret,
            webhook_secrets,
            issuer,
            agent,
            user_seed,
            humancode_app_id,
            humancode_app_key,
        })
    }

    /// The state every handler shares, for a server listening on `addr`.
    fn app_state(
        self,
        store: Store,
        clock: Arc<dyn Clock>,
        keys: Keys,
        webhook_config: WebhookConfig,
        addr: SocketAddr,
    ) -> AppState {
        let base_url = self.public_url.unwrap_or_else(|| format!("http://{addr}"));
        let admin = AdminGuard::new(
            self.admin_token.unwrap_or_else(new_token),
            allowed_hosts(addr, &base_url),
        );
        let started_at = util::iso(clock.now_unix_ms());
        let auth = ApiAuth {
            verifier: SignatureVerifier::new(&keys.signature_secret, BodyRule::Request)
                .with_shared_clock(clock.clone()),
            api_key: keys.api_key,
            signature_secret: keys.signature_secret,
        };
        let ctx = Context {
            store,
            clock,
            base_url,
            issuer: keys.issuer,
            agent: keys.agent,
            user_seed: keys.user_seed,
            webhook_secrets: keys.webhook_secrets,
            webhook_config,
            webhook_urls: RwLock::new(self.webhook_urls),
            write: tokio::sync::Mutex::new(()),
            wake_webhooks: tokio::sync::Notify::new(),
            humancode: humancode_emulator::Shared::new(
                &keys.humancode_app_id,
                &keys.humancode_app_key,
                humancode_emulator::PageMode::Interactive,
            ),
            retry_base_ms: self.retry_base.map_or(500, |d| d.as_millis() as u64).max(1),
            webhook_max_attempts: self.max_attempts.unwrap_or(webhooks::DEFAULT_MAX_ATTEMPTS),
            started_at,
        };
        AppState {
            ctx: Arc::new(ctx),
            auth: Arc::new(auth),
            admin: Arc::new(admin),
        }
    }
}

/// What the sandbox authenticates and signs with.
struct Keys {
    api_key: String,
    signature_secret: String,
    webhook_secrets: WebhookSecrets,
    issuer: Signer,
    agent: Signer,
    user_seed: [u8; 32],
    humancode_app_id: String,
    humancode_app_key: String,
}

/// Seals webhooks with `secrets`, timestamped by the sandbox's clock.
fn webhook_config(
    secrets: &WebhookSecrets,
    clock: Arc<dyn Clock>,
) -> Result<WebhookConfig, humanos_webhooks::WebhookConfigError> {
    WebhookConfig::builder()
        .signature_secret(&secrets.signature_secret)
        .encryption_secret(&secrets.encryption_secret)
        .encryption_salt(&secrets.encryption_salt)
        .clock(move || clock.now_unix_ms())
        .build()
}

/// Serves `app` on `listener` until the returned sender fires (or is dropped); in-flight
/// requests finish.
fn serve(
    listener: TcpListener,
    app: axum::Router,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (tx, server)
}

/// Binds the sandbox's address (an ephemeral loopback port by default); a non-loopback
/// address only with `allow_remote`.
async fn bind(addr: Option<SocketAddr>, allow_remote: bool) -> Result<TcpListener, SandboxError> {
    let wanted = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !wanted.ip().is_loopback() {
        if !allow_remote {
            return Err(SandboxError::NotLoopback(wanted));
        }
        tracing::warn!(addr = %wanted, "listening on a non-loopback address: the API and approval pages are reachable from the network (admin routes still need the admin token)");
    }
    Ok(TcpListener::bind(wanted).await?)
}

/// Secrets and keys kept in the database across restarts: a given value replaces (and is
/// stored), a stored one is reused, otherwise one is made.
struct Remembered<'a>(&'a Store);

impl Remembered<'_> {
    fn get(
        &self,
        key: &str,
        given: Option<String>,
        make: &dyn Fn() -> String,
    ) -> Result<String, SandboxStoreError> {
        let value = match (given, self.0.meta(key)?) {
            (Some(v), _) => v,
            (None, Some(v)) => v,
            (None, None) => make(),
        };
        self.0.set_meta(key, &value)?;
        Ok(value)
    }

    /// A 32-byte key seed, stored as hex.
    fn seed(&self, key: &str) -> Result<[u8; 32], SandboxStoreError> {
        let hex_seed = self.get(key, None, &|| hex::encode(rand::random::<[u8; 32]>()))?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&hex_seed, &mut out).unwrap_or(());
        Ok(out)
    }

    fn webhook_secrets(
        &self,
        given: Option<WebhookSecrets>,
    ) -> Result<WebhookSecrets, SandboxStoreError> {
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
