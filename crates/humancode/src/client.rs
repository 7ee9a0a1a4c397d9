//! The async HTTP client (feature `client`).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use humanos_signing::Clock;
use tracing::Instrument;

use crate::pages::{self, BaseUrl, CallbackUrl};
use crate::request::{
    ApiResult, AppSigner, Credentials, HumanId, MAX_RESPONSE_BYTES, NonceSource, Session, ShowId,
    SignedRequest,
};
use crate::{Error, HumanCodeConfigError};

/// Environment variable holding the APP_ID, read by [`HumanCodeClient::from_env`].
pub const ENV_APP_ID: &str = "HUMANCODE_APP_ID";
/// Environment variable holding the APP_KEY, read by [`HumanCodeClient::from_env`].
pub const ENV_APP_KEY: &str = "HUMANCODE_APP_KEY";
/// Optional environment variable overriding the base URL, read by [`HumanCodeClient::from_env`].
pub const ENV_BASE_URL: &str = "HUMANCODE_BASE_URL";
/// The default timeout of one API call: 10 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HumanCode client: signs and sends the API calls, builds the page URLs.
///
/// Cheap to clone (one `Arc`); build it once and share it. `Debug` never shows the APP_KEY.
///
/// ```no_run
/// # async fn run() -> Result<(), humancode::Error> {
/// use humancode::{CallbackUrl, HumanCodeClient};
///
/// let client = HumanCodeClient::from_env()?;
/// let session = client.create_session().await?;
/// let callback = CallbackUrl::parse("https://app.example.com/humancode/callback")?;
/// let page = client.registration_url(&session.session_id, &callback)?;
/// // Redirect the browser to `page`; later, in the callback handler:
/// let human_id = client.verify_vcode(&session.session_id, "413675").await?;
/// # let _ = (page, human_id); Ok(()) }
/// ```
#[derive(Clone)]
pub struct HumanCodeClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    signer: AppSigner,
    base: BaseUrl,
    timeout: Duration,
}

impl fmt::Debug for HumanCodeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HumanCodeClient")
            .field("app_id", &self.inner.signer.credentials().app_id())
            .field("app_key", &"[REDACTED]")
            .field("base_url", &self.inner.base.as_str())
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl HumanCodeClient {
    /// A client for `https://humancodeai.com` with the default settings.
    pub fn new(app_id: impl Into<String>, app_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder().app_id(app_id).app_key(app_key).build()
    }

    /// A client from `HUMANCODE_APP_ID` and `HUMANCODE_APP_KEY`, and `HUMANCODE_BASE_URL` when
    /// it is set and not empty.
    pub fn from_env() -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let app_id = var(ENV_APP_ID).ok_or(HumanCodeConfigError::MissingEnv(ENV_APP_ID))?;
        let app_key = var(ENV_APP_KEY).ok_or(HumanCodeConfigError::MissingEnv(ENV_APP_KEY))?;
        let mut builder = Self::builder().app_id(app_id).app_key(app_key);
        if let Some(base) = var(ENV_BASE_URL) {
            builder = builder.base_url(base);
        }
        builder.build()
    }

    /// A builder, to set the base URL, timeout, HTTP client, clock or nonce source.
    pub fn builder() -> HumanCodeClientBuilder {
        HumanCodeClientBuilder::default()
    }

    /// The APP_ID.
    pub fn app_id(&self) -> &str {
        self.inner.signer.credentials().app_id()
    }

    /// The base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    /// The timeout of one API call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The request signer, to build requests without sending them.
    pub fn signer(&self) -> &AppSigner {
        &self.inner.signer
    }

    /// Step 1, SESSION_ID API: a new session, valid [`SESSION_LIFETIME`](crate::SESSION_LIFETIME).
    ///
    /// Create one per attempt, server-side, and bind it to the browser (for example in an
    /// `HttpOnly` cookie) so the callback can be matched to it.
    pub async fn create_session(&self) -> Result<Session, Error> {
        let request = self.inner.signer.session_request()?;
        self.send(request).await
    }

    /// Step 3, VCODE API: exchanges the vcode of a callback for the human_id.
    ///
    /// Call it from your server within [`VCODE_LIFETIME`](crate::VCODE_LIFETIME) of the
    /// callback, with the session_id your server created for this browser.
    pub async fn verify_vcode(&self, session_id: &str, vcode: &str) -> Result<HumanId, Error> {
        let request = self.inner.signer.vcode_request(session_id, vcode)?;
        self.send(request).await
    }

    /// get_show_id API: the short display id of a human_id.
    pub async fn show_id(&self, human_id: &str) -> Result<ShowId, Error> {
        let request = self.inner.signer.show_id_request(human_id)?;
        self.send(request).await
    }

    /// Step 2 for a new user: the REGISTRATION page URL for `session_id`, `ts` from the clock.
    pub fn registration_url(
        &self,
        session_id: &str,
        callback_url: &CallbackUrl,
    ) -> Result<String, Error> {
        pages::registration_url(
            &self.inner.base,
            session_id,
            callback_url,
            self.inner.signer.clock().now_unix_ms(),
        )
    }

    /// Step 2 for a known user: the VERIFICATION page URL for `session_id` and `human_id`.
    pub fn verification_url(
        &self,
        session_id: &str,
        callback_url: &CallbackUrl,
        human_id: &str,
    ) -> Result<String, Error> {
        pages::verification_url(
            &self.inner.base,
            session_id,
            callback_url,
            human_id,
            self.inner.signer.clock().now_unix_ms(),
        )
    }

    /// Sends a request built by [`signer`](Self::signer) and decodes its answer.
    pub async fn send<T: ApiResult>(&self, request: SignedRequest<T>) -> Result<T, Error> {
        let api = request.api();
        let span = tracing::info_span!(
            "humancode",
            api = api.name(),
            code = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let fields = span.clone();
        async move {
            let span = fields;
            let started = Instant::now();
            let result = self.exchange(&request).await;
            span.record(
                "latency_ms",
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            let result = result.and_then(|(status, body)| {
                span.record("status", status);
                request.decode(status, &body)
            });
            match &result {
                Ok(_) => {
                    span.record("code", 0);
                    tracing::debug!("HumanCode call succeeded");
                }
                Err(error) => {
                    if let Some(code) = error.code() {
                        span.record("code", code.code());
                    }
                    tracing::warn!(%error, "HumanCode call failed");
                }
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn exchange<T: ApiResult>(
        &self,
        request: &SignedRequest<T>,
    ) -> Result<(u16, Vec<u8>), Error> {
        let timeout = self.inner.timeout;
        let map = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout { after: timeout }
            } else {
                Error::Transport(e.without_url())
            }
        };
        let mut response = self
            .inner
            .http
            .post(request.url(&self.inner.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(request.body().to_vec())
            .timeout(timeout)
            .send()
            .await
            .map_err(map)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(map)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::ResponseTooLarge {
                    limit: MAX_RESPONSE_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

/// Builds a [`HumanCodeClient`]; see [`HumanCodeClient::builder`].
#[derive(Default)]
pub struct HumanCodeClientBuilder {
    app_id: Option<String>,
    app_key: Option<String>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
    nonce: Option<Arc<dyn NonceSource>>,
}

impl fmt::Debug for HumanCodeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HumanCodeClientBuilder")
            .field("app_id", &self.app_id)
            .field("app_key", &self.app_key.as_ref().map(|_| "[REDACTED]"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

struct SharedNonce(Arc<dyn NonceSource>);

impl NonceSource for SharedNonce {
    fn nonce_str(&self) -> String {
        self.0.nonce_str()
    }
}

impl HumanCodeClientBuilder {
    /// The APP_ID (required).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The APP_KEY (required). Never logged or shown.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The HumanCode root URL; default [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL). Point it at
    /// an emulator for local runs and tests.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The timeout of one API call, connection and body included; default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Uses this `reqwest` client (proxies, custom TLS roots). The per-call timeout still
    /// applies. The default client follows no redirects.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The clock for body timestamps and page `ts` (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The nonce source (tests); it must produce 16 ASCII letters or digits.
    pub fn nonce_source(mut self, nonce: impl NonceSource + 'static) -> Self {
        self.nonce = Some(Arc::new(nonce));
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<HumanCodeClient, Error> {
        let app_id = self.app_id.ok_or(HumanCodeConfigError::Missing("APP_ID"))?;
        let app_key = self
            .app_key
            .ok_or(HumanCodeConfigError::Missing("APP_KEY"))?;
        let mut signer = AppSigner::new(Credentials::new(app_id, app_key)?);
        if let Some(clock) = self.clock {
            signer = signer.with_shared_clock(clock);
        }
        if let Some(nonce) = self.nonce {
            signer = signer.with_nonce_source(SharedNonce(nonce));
        }
        let base = match self.base_url {
            Some(url) => BaseUrl::parse(&url)?,
            None => BaseUrl::default(),
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(HumanCodeConfigError::ZeroTimeout.into());
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("humancode-rust/", env!("CARGO_PKG_VERSION")));
                #[cfg(all(
                    feature = "rustls",
                    not(feature = "rustls-aws-lc"),
                    not(feature = "native-tls")
                ))]
                let builder = builder.tls_backend_preconfigured(ring_config()?);
                builder
                    .build()
                    .map_err(|e| HumanCodeConfigError::HttpClient(e.to_string()))?
            }
        };
        Ok(HumanCodeClient {
            inner: Arc::new(Inner {
                http,
                signer,
                base,
                timeout,
            }),
        })
    }
}

/// The rustls configuration of the built-in client with ring (feature `rustls` without
/// `rustls-aws-lc` or `native-tls`), as reqwest's own `rustls` feature builds it: the provider
/// the process installed if there is one, else ring's, passed to this configuration only (a
/// library must not install one for the whole process); TLS 1.2 and 1.3; the platform's roots
/// through rustls-platform-verifier; ALPN `http/1.1` (this crate enables no HTTP/2). reqwest is
/// built with `rustls-no-provider` and would otherwise panic at `Client::build`.
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
fn ring_config() -> Result<rustls::ClientConfig, HumanCodeConfigError> {
    let failed = |e: rustls::Error| HumanCodeConfigError::HttpClient(format!("TLS: {e}"));
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(failed)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(failed)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
