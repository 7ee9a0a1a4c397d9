//! The client and its builder.

use std::fmt;
use std::sync::Arc;

use humanos_signing::{Clock, RequestSigner, SystemClock};
use reqwest::header::HeaderValue;
use url::Url;

use crate::api::{
    ActionsHandler, ApprovalHandler, CredentialsHandler, DidHandler, IntelligenceHandler,
    RequestsHandler, UsersHandler,
};
use crate::config::{RetryConfig, TimeoutConfig};
use crate::error::{BaseUrlProblem, ClientConfigError, Redacted};
use crate::{Error, Result};

/// Environment variable holding the API key, read by [`HumanosClient::from_env`].
pub const ENV_API_KEY: &str = "HUMANOS_API_KEY";
/// Environment variable holding the signature secret, read by [`HumanosClient::from_env`].
pub const ENV_SIGNATURE_SECRET: &str = "HUMANOS_SIGNATURE_SECRET";
/// Optional environment variable overriding the base URL, read by [`HumanosClient::from_env`].
pub const ENV_BASE_URL: &str = "HUMANOS_BASE_URL";
/// The production API: `https://api.humanos.id`.
pub const DEFAULT_BASE_URL: &str = "https://api.humanos.id";
/// Default limit of an answer's size: 32 MiB (evidence files included).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// The `User-Agent` product token of this crate: `humanos-rust/<version>`.
pub const USER_AGENT: &str = concat!("humanos-rust/", env!("CARGO_PKG_VERSION"));

/// The Humanos API client.
///
/// Cheap to clone (one `Arc`): build it once and share it. The endpoints are grouped as in the
/// official SDK: [`requests`](Self::requests), [`credentials`](Self::credentials),
/// [`actions`](Self::actions), [`approval`](Self::approval),
/// [`intelligence`](Self::intelligence), [`did`](Self::did) and [`users`](Self::users).
///
/// Every request carries `Authorization: Bearer <api key>`, a fresh `X-Timestamp`, an
/// `X-Signature` over the exact body bytes sent, one `api-version` header,
/// `X-SDK-Language: rust`, `Content-Type: application/json` and a `User-Agent`.
/// `Debug` never shows the API key or the signature secret.
///
/// ```no_run
/// # async fn run() -> Result<(), humanos::Error> {
/// use humanos::HumanosClient;
/// use humanos::models::RequestQuery;
///
/// let client = HumanosClient::from_env()?;
/// let page = client.requests().list(RequestQuery::new()).await?;
/// println!("{} requests on the first of {} pages", page.items.len(), page.total_pages);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HumanosClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) signer: RequestSigner,
    pub(crate) authorization: HeaderValue,
    /// Base URL without a trailing slash.
    pub(crate) base: String,
    pub(crate) api_version: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retry: RetryConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_response_bytes: usize,
}

impl fmt::Debug for HumanosClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("HumanosClient")
            .field("base_url", &inner.base)
            .field("api_key", &Redacted)
            .field("signature_secret", &Redacted)
            .field("api_version", &inner.api_version)
            .field("timeouts", &inner.timeouts)
            .field("retry", &inner.retry)
            .finish_non_exhaustive()
    }
}

impl HumanosClient {
    /// A client for the production API with the default settings.
    pub fn new(api_key: impl Into<String>, signature_secret: impl Into<String>) -> Result<Self> {
        Self::builder()
            .api_key(api_key)
            .signature_secret(signature_secret)
            .build()
    }

    /// A builder, for the base URL, API version, timeouts, retries, proxy, TLS roots, user
    /// agent or your own `reqwest::Client`.
    pub fn builder() -> HumanosClientBuilder {
        HumanosClientBuilder::default()
    }

    /// A client from [`HUMANOS_API_KEY`](ENV_API_KEY) and
    /// [`HUMANOS_SIGNATURE_SECRET`](ENV_SIGNATURE_SECRET), and
    /// [`HUMANOS_BASE_URL`](ENV_BASE_URL) when it is set and not empty. Leading and trailing
    /// whitespace (a stray newline from copy and paste) is removed from each value.
    ///
    /// A missing variable is an [`Error::Config`] naming it.
    pub fn from_env() -> Result<Self> {
        HumanosClientBuilder::default().env()?.build()
    }

    /// Credentials requests: create, list, inspect, cancel, resend the OTP.
    pub fn requests(&self) -> RequestsHandler<'_> {
        RequestsHandler::new(self)
    }

    /// Credentials (mandates): detail, evidence, audit events, issue a VP, verify, revoke.
    pub fn credentials(&self) -> CredentialsHandler<'_> {
        CredentialsHandler::new(self)
    }

    /// Published actions (policy templates) and their versions.
    pub fn actions(&self) -> ActionsHandler<'_> {
        ActionsHandler::new(self)
    }

    /// Approvals (forms, consents, documents, policies) and workflows.
    pub fn approval(&self) -> ApprovalHandler<'_> {
        ApprovalHandler::new(self)
    }

    /// Agent intelligence: action definitions, trust snapshots and windows.
    pub fn intelligence(&self) -> IntelligenceHandler<'_> {
        IntelligenceHandler::new(self)
    }

    /// DID resolution.
    pub fn did(&self) -> DidHandler<'_> {
        DidHandler::new(self)
    }

    /// Users (subjects): import and look up.
    pub fn users(&self) -> UsersHandler<'_> {
        UsersHandler::new(self)
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The default API version sent as `api-version`.
    pub fn api_version(&self) -> &str {
        self.inner.api_version.to_str().unwrap_or_default()
    }

    /// The timeouts.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.inner.timeouts
    }

    /// The default retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// The request signer (to sign requests you send yourself).
    pub fn signer(&self) -> &RequestSigner {
        &self.inner.signer
    }
}

/// Builds a [`HumanosClient`]; see [`HumanosClient::builder`].
///
/// ```
/// use std::time::Duration;
/// use humanos::{HumanosClient, RetryConfig};
///
/// let client = HumanosClient::builder()
///     .api_key("key_123")
///     .signature_secret("shh")
///     .base_url("https://api.humanos.id")
///     .api_version("2026-09-01")
///     .timeout(Duration::from_secs(15))
///     .retry(RetryConfig::default().with_max_attempts(4))
///     .user_agent("my-agent/1.2")
///     .build()?;
/// assert!(!format!("{client:?}").contains("shh"));
/// # Ok::<(), humanos::Error>(())
/// ```
#[derive(Default)]
pub struct HumanosClientBuilder {
    api_key: Option<String>,
    signature_secret: Option<String>,
    base_url: Option<String>,
    api_version: Option<String>,
    timeouts: TimeoutConfig,
    connect_timeout_set: bool,
    retry: RetryConfig,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    proxies: Vec<reqwest::Proxy>,
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    root_certificates: Vec<crate::tls::ExtraRoot>,
    clock: Option<Arc<dyn Clock>>,
    max_response_bytes: Option<usize>,
    allow_insecure_http: bool,
}

impl fmt::Debug for HumanosClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HumanosClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| Redacted))
            .field(
                "signature_secret",
                &self.signature_secret.as_ref().map(|_| Redacted),
            )
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl HumanosClientBuilder {
    /// The API key (required). Never logged or shown.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The signature secret of the API key (required). Never logged or shown.
    pub fn signature_secret(mut self, secret: impl Into<String>) -> Self {
        self.signature_secret = Some(secret.into());
        self
    }

    /// Reads [`HUMANOS_API_KEY`](ENV_API_KEY), [`HUMANOS_SIGNATURE_SECRET`](ENV_SIGNATURE_SECRET)
    /// and the optional [`HUMANOS_BASE_URL`](ENV_BASE_URL), trimmed, into this builder.
    pub fn env(mut self) -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let missing = |name: &'static str| Error::from(ClientConfigError::MissingEnv(name));
        self.api_key = Some(var(ENV_API_KEY).ok_or_else(|| missing(ENV_API_KEY))?);
        self.signature_secret =
            Some(var(ENV_SIGNATURE_SECRET).ok_or_else(|| missing(ENV_SIGNATURE_SECRET))?);
        if let Some(base) = var(ENV_BASE_URL) {
            self.base_url = Some(base);
        }
        Ok(self)
    }

    /// The API root; default [`DEFAULT_BASE_URL`]. `https`, optionally with a path prefix
    /// (`https://gateway.example.com/humanos`), no query or fragment. Plain `http` is accepted
    /// only for a loopback host (`127.0.0.0/8`, `[::1]`, `localhost`: the local sandbox)
    /// unless [`danger_allow_insecure_http`](Self::danger_allow_insecure_http) is set.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// **Insecure opt-out**: accepts a plain `http` base URL on any host. The request
    /// signature covers only the timestamp and the body, so anyone who sees one body-less
    /// request (a `GET`, a `DELETE`) can replay its headers against any other body-less
    /// endpoint for the five minutes the API accepts the timestamp. Meant for a TLS-terminating
    /// proxy on a trusted network.
    pub fn danger_allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// The dated API version sent as `api-version`; default
    /// [`API_VERSION`](humanos_models::API_VERSION) (`2026-09-01`), the version the models
    /// describe. A call's own [`api_version`](crate::Call::api_version) replaces it.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The timeout of each attempt (default 30 s).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeouts = self.timeouts.with_attempt(timeout);
        self
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeouts = self.timeouts.with_connect(timeout);
        self.connect_timeout_set = true;
        self
    }

    /// Both timeouts at once.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.connect_timeout_set |= timeouts.connect() != TimeoutConfig::DEFAULT_CONNECT;
        self.timeouts = timeouts;
        self
    }

    /// The retry policy (default: 3 attempts, see [`RetryConfig`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Your application's product token, sent before this crate's:
    /// `User-Agent: <yours> humanos-rust/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sends through this proxy (may be called several times; see `reqwest::Proxy`).
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Trusts the certificates of this PEM text (one or more `CERTIFICATE` blocks, as in a
    /// `.pem` or `.crt` file) as roots in addition to the platform's (a TLS-inspecting proxy,
    /// a private gateway). May be called several times. Read when the client is built: a PEM
    /// text without a certificate, or one that does not parse, is then an
    /// [`Error::Config`] ([`ClientConfigError::RootCertificate`]).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = humanos::HumanosClient::builder()
    ///     .api_key("key_123")
    ///     .signature_secret("shh")
    ///     .add_root_certificate_pem(std::fs::read("/etc/gateway/ca.pem")?)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates
            .push(crate::tls::ExtraRoot::Pem(pem.as_ref().to_vec()));
        self
    }

    /// Trusts this certificate (DER) as a root in addition to the platform's; see
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem).
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate_der(mut self, der: impl AsRef<[u8]>) -> Self {
        self.root_certificates
            .push(crate::tls::ExtraRoot::Der(der.as_ref().to_vec()));
        self
    }

    /// Trusts this root certificate in addition to the platform's.
    ///
    /// Deprecated: a `reqwest::Certificate` cannot be read back, and with the default TLS
    /// stack (feature `rustls`, rustls with ring) this crate configures rustls itself, so
    /// [`build`](Self::build) refuses it there with [`ClientConfigError::OpaqueRootCertificate`].
    /// It still works with `rustls-aws-lc` and `native-tls`, where reqwest configures TLS.
    /// Pass the certificate's bytes to [`add_root_certificate_pem`](Self::add_root_certificate_pem)
    /// or [`add_root_certificate_der`](Self::add_root_certificate_der), which work with every
    /// TLS feature.
    #[deprecated(
        note = "refused by the default `rustls` (ring) TLS stack: pass the certificate's bytes to `add_root_certificate_pem` or `add_root_certificate_der`"
    )]
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.root_certificates
            .push(crate::tls::ExtraRoot::Reqwest(certificate));
        self
    }

    /// Uses your own `reqwest::Client` (connection pool shared with the rest of your app,
    /// custom TLS, middleware-free). The per-attempt timeout, retries and signing still apply;
    /// proxies, root certificates and the connect timeout must then be set on your client, and
    /// setting them here is a configuration error. Configure it not to follow redirects to
    /// other hosts if you want credentials to reach the configured host only (this crate's
    /// own client follows no redirects).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The clock for `X-Timestamp` (tests, or a corrected clock on a machine that drifts).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Largest answer accepted, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(mut self) -> Result<HumanosClient> {
        let (authorization, signer) = self.credentials()?;
        let base = parse_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let api_version = header_value(
            "API version",
            self.api_version
                .as_deref()
                .unwrap_or(humanos_models::API_VERSION),
        )?;
        let user_agent = header_value(
            "user agent",
            &match &self.user_agent {
                Some(ua) => format!("{ua} {USER_AGENT}"),
                None => USER_AGENT.to_owned(),
            },
        )?;
        if self.timeouts.attempt().is_zero() || self.timeouts.connect().is_zero() {
            return Err(ClientConfigError::ZeroTimeout.into());
        }

        let http = self.build_http_client()?;

        Ok(HumanosClient {
            inner: Arc::new(Inner {
                http,
                signer,
                authorization,
                base,
                api_version,
                user_agent,
                timeouts: self.timeouts,
                retry: self.retry,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            }),
        })
    }

    /// The `Authorization` header (marked sensitive) and the request signer, from the API key
    /// and signature secret, which are required.
    fn credentials(&mut self) -> Result<(HeaderValue, RequestSigner)> {
        let api_key = self
            .api_key
            .take()
            .filter(|k| !k.is_empty())
            .ok_or(ClientConfigError::Missing("API key"))?;
        let secret = self
            .signature_secret
            .take()
            .filter(|s| !s.is_empty())
            .ok_or(ClientConfigError::Missing("signature secret"))?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {api_key}"))
            .map_err(|_| ClientConfigError::InvalidHeaderValue("API key"))?;
        authorization.set_sensitive(true);
        Ok((authorization, RequestSigner::new(api_key, secret)))
    }

    /// The supplied `reqwest::Client` (with none of the settings only a client built here can
    /// take), or one built here: no redirects, the connect timeout, proxies, extra roots, and
    /// the TLS stack of the crate's features (see `tls.rs`).
    fn build_http_client(&mut self) -> Result<reqwest::Client> {
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        let has_roots = !self.root_certificates.is_empty();
        #[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls")))]
        let has_roots = false;

        Ok(match self.http.take() {
            Some(http) => {
                if !self.proxies.is_empty() || has_roots || self.connect_timeout_set {
                    return Err(Error::Config(ClientConfigError::SettingsOnSuppliedClient));
                }
                http
            }
            None => {
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.timeouts.connect());
                for proxy in std::mem::take(&mut self.proxies) {
                    builder = builder.proxy(proxy);
                }
                #[cfg(all(
                    feature = "rustls",
                    not(feature = "rustls-aws-lc"),
                    not(feature = "native-tls")
                ))]
                {
                    let roots = std::mem::take(&mut self.root_certificates);
                    builder = builder.tls_backend_preconfigured(crate::tls::ring_config(
                        roots,
                        cfg!(feature = "http2"),
                    )?);
                }
                #[cfg(any(feature = "rustls-aws-lc", feature = "native-tls"))]
                {
                    let roots = std::mem::take(&mut self.root_certificates);
                    builder = builder.tls_certs_merge(crate::tls::reqwest_roots(roots)?);
                }
                builder
                    .build()
                    .map_err(|e| ClientConfigError::HttpClient(e.to_string()))?
            }
        })
    }
}

pub(crate) fn header_value(what: &'static str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|_| ClientConfigError::InvalidHeaderValue(what).into())
}

fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<String> {
    let refuse = |problem| ClientConfigError::BaseUrl {
        url: raw.to_owned(),
        problem,
    };
    let url = Url::parse(raw).map_err(|e| refuse(BaseUrlProblem::Invalid(e.to_string())))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ClientConfigError::BaseUrlWithCredentials.into());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(BaseUrlProblem::Scheme).into());
    }
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(refuse(BaseUrlProblem::InsecureHttp).into());
    }
    if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
        return Err(refuse(BaseUrlProblem::QueryOrFragment).into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether `url` names this machine: a loopback IP address or `localhost`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url("https://api.humanos.id", false).unwrap(),
            "https://api.humanos.id"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/prefix/", false).unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for bad in [
            "ftp://x",
            "https://x/?a=1",
            "not a url",
            "https://u:p@x",
            "mailto:a@b",
        ] {
            assert!(
                matches!(parse_base_url(bad, true), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn build_requires_credentials() {
        let e = HumanosClient::builder().api_key("k").build().unwrap_err();
        assert!(e.to_string().contains("signature secret"), "{e}");
        let e = HumanosClient::builder()
            .signature_secret("s")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("API key"), "{e}");
        let e = HumanosClient::builder()
            .api_key("k\n")
            .signature_secret("s")
            .build()
            .unwrap_err();
        assert!(matches!(e, Error::Config(_)));
    }
}
