//! Async client for the [Humanos](https://humanos.id) API (version
//! [`API_VERSION`], `2026-09-01`).
//!
//! One dependency for most apps: the client, the typed [`models`], [`webhooks`] verification
//! and decryption, and request [`signing`].
//!
//! - **Every request is signed over the exact bytes sent** (`X-Signature` =
//!   HMAC-SHA256 of `"<timestamp>.<body>"`, the body written once as wire JSON that survives
//!   the server's `JSON.parse`/`JSON.stringify`), with a fresh timestamp on every attempt.
//! - **One `api-version` header**, the client's default or the call's override, never both.
//! - **Retries** with jittered exponential backoff for `GET`s (and calls with an idempotency
//!   key) on transport errors, timeouts, `408`, `429` and `5xx`, honouring `Retry-After`;
//!   any call on connection errors that happened before the request was sent. Bounded in
//!   attempts and time. See [`RetryConfig`].
//! - **Timeouts** by default (30 s per attempt, 10 s to connect). See [`TimeoutConfig`].
//! - **Errors** keep the status and raw body, with the documented error JSON parsed beside
//!   them, and the JSON path of any decode failure. See [`Error`].
//! - **`verify` answers a [`Verdict`]**: a denial (`403`) is an answer, not an error.
//! - **Pagination**: list endpoints return a [`Page`]; `.stream()` walks every page lazily.
//! - **Tracing**: one `humanos` span per call (endpoint, method, path, API version, status,
//!   attempts, latency) and a `humanos.attempt` span per attempt; headers, keys and bodies are
//!   never recorded.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), humanos::Error> {
//! use humanos::HumanosClient;
//! use humanos::models::RequestQuery;
//!
//! // HUMANOS_API_KEY, HUMANOS_SIGNATURE_SECRET (and optionally HUMANOS_BASE_URL).
//! let client = HumanosClient::from_env()?;
//!
//! // Sanity check: confirms the API key, the signature secret and the signing handshake.
//! let requests = client.requests().list(RequestQuery::new()).await?;
//! println!("{} requests", requests.items.len());
//! # Ok(()) }
//! ```
//!
//! Or configure it explicitly:
//!
//! ```no_run
//! # fn run() -> Result<(), humanos::Error> {
//! use std::time::Duration;
//! use humanos::{HumanosClient, RetryConfig};
//!
//! let client = HumanosClient::builder()
//!     .api_key("<your-api-key>")
//!     .signature_secret("<your-signature-secret>")
//!     .timeout(Duration::from_secs(10))
//!     .retry(RetryConfig::default().with_max_attempts(5))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # The integration walkthrough
//!
//! The six steps of the official SDK's walkthrough. Steps 1 (define and publish an action) and
//! 3 (the user approves; the mandate id arrives in a `credential` webhook, see [`webhooks`])
//! happen outside the client.
//!
//! **Step 2: issue a mandate request.**
//!
//! ```no_run
//! # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::Error> {
//! use humanos::models::{ActionDto, CredentialDto, CredentialType, GenerateRequestDto, SecurityLevel};
//! use serde_json::json;
//!
//! let action_id = "urn:via:action:<uuid>"; // from step 1
//!
//! let request = client
//!     .requests()
//!     .create(
//!         GenerateRequestDto::new(vec!["user@example.com".into()])
//!             .security_level(SecurityLevel::Contact)
//!             .credentials(vec![
//!                 CredentialDto::new(CredentialType::Policy, "Action mandate") // name: shown to the user
//!                     .scope("agent.execute")
//!                     .action(
//!                         ActionDto::new(action_id)
//!                             .user_param("maxAmount", 10000)
//!                             .user_param("allowedCategories", json!(["BOOKS", "OFFICE"])),
//!                     ),
//!             ]),
//!     )
//!     .await?;
//! println!("Request ID: {}", request.id);
//! # Ok(()) }
//! ```
//!
//! **Step 4: the agent issues a VP** from the mandate captured in step 3.
//!
//! ```no_run
//! # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::Error> {
//! use humanos::models::CreatePresentationDto;
//!
//! let mandate_id = "urn:via:credential:<id>"; // captured in step 3
//!
//! let vp = client
//!     .credentials()
//!     .issue_vp(
//!         mandate_id,
//!         CreatePresentationDto::new()
//!             // .target_verifier("did:web:your-verifier.example") // optional audience binding
//!     )
//!     .await?;
//! # let _ = vp; Ok(()) }
//! ```
//!
//! **Step 5: Humanos verifies the VP** against the agent's `executionParams`. The
//! presentation travels as `presentationEncoded`, the form the API recommends.
//!
//! ```no_run
//! # async fn run(client: humanos::HumanosClient, vp: humanos::models::PresentationEntity) -> Result<(), humanos::Error> {
//! use humanos::Verdict;
//! use humanos::models::VerifyPresentationDto;
//!
//! let verdict = client
//!     .credentials()
//!     .verify(
//!         VerifyPresentationDto::from_presentation(&vp)
//!             .execution_param("amount", 5000)
//!             .execution_param("category", "BOOKS"),
//!     )
//!     .await?;
//! match verdict {
//!     Verdict::Allow(allow) => println!("allow: {:?}", allow.evaluations),
//!     Verdict::Deny(deny) => println!("deny ({}): {:?}", deny.reason, deny.evaluations),
//! }
//! # Ok(()) }
//! ```
//!
//! **Step 6: revoke the mandate.**
//!
//! ```no_run
//! # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::Error> {
//! use humanos::models::RevokeCredentialDto;
//!
//! let mandate_id = "urn:via:credential:<id>";
//! let revoked = client
//!     .credentials()
//!     .revoke(mandate_id, RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED))
//!     .await?;
//! println!("{} is {} since {}", revoked.credential_id, revoked.status, revoked.revoked_at);
//! # Ok(()) }
//! ```
//!
//! # Calls
//!
//! Endpoint methods take their required inputs as arguments, with the [`models`] types
//! (`*Dto` bodies, `*Query` filters: `*Query::new()` for none), and return a [`Call`]. Await
//! it directly, or first override settings for this call only:
//!
//! ```no_run
//! # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::Error> {
//! use std::time::Duration;
//! use humanos::models::ActionQuery;
//!
//! let actions = client
//!     .actions()
//!     .list(ActionQuery::new().page_size(20).active(true))
//!     .api_version("2025-12-01") // replaces the client's api-version header
//!     .timeout(Duration::from_secs(5))
//!     .await?;
//! # let _ = actions; Ok(()) }
//! ```
//!
//! # Features
//!
//! - `rustls` (default): TLS through rustls with the *ring* crypto provider (see "TLS" below).
//! - `rustls-aws-lc`: TLS through rustls with the *aws-lc-rs* provider, as reqwest's own
//!   `rustls` feature has it; takes precedence over `rustls` (use `default-features = false`).
//! - `native-tls`: TLS through the platform library; takes precedence over both.
//! - `http2`: HTTP/2 in the built-in `reqwest` client (offered by ALPN beside HTTP/1.1).
//! - `vc`: implements `humanos_vc::did::DidResolver` for [`HumanosClient`] and adds
//!   `HumanosClient::verifier`, a local verifier of mandates and presentations that trusts
//!   Humanos' issuer (`HUMANOS_ISSUER_DID`).
//! - `precheck` (implies `vc`): `LocalCheck`, the local pre-check of
//!   [`authorize`](HumanosClient::authorize) (proofs, validity, status, CEL rules).
//!
//! # TLS
//!
//! The default stack (`rustls`) is rustls with ring: it builds in about 33 s of CPU where
//! aws-lc-rs, the provider reqwest 0.13's `rustls` feature brings, takes about 78 s, which keeps
//! a fresh build of a project on this crate under 90 s on two cores (`docs/PERFORMANCE.md` in
//! the repository). reqwest is then built without a provider (`rustls-no-provider`), and the
//! builder hands the client it makes a finished rustls configuration, as reqwest would have
//! built it: the platform's verification (rustls-platform-verifier: the system's roots, or the
//! operating system's verifier on macOS, Windows and Android) with the builder's extra roots,
//! TLS 1.2 and 1.3, ALPN `h2` (with `http2`) and `http/1.1`.
//! Its provider is the one your application installed for the process
//! (`rustls::crypto::CryptoProvider::install_default`) if there is one, else ring's, passed to
//! this client only: **this crate never installs a process-wide provider**, so other rustls
//! users of your process are left as they were.
//!
//! What ring does not have: post-quantum key exchange (aws-lc-rs offers X25519MLKEM768 by
//! default) and a FIPS mode (aws-lc-rs' `fips`). Select `rustls-aws-lc` (with
//! `default-features = false`) for those, or install an aws-lc-rs provider for the process
//! yourself. If your application also depends on rustls with its default features (aws-lc-rs),
//! rustls is compiled with both providers and can no longer pick a process default from its
//! features alone: code that calls `rustls::ClientConfig::builder()` without a provider then
//! panics until one is installed; install one at the start of `main`, or select
//! `rustls-aws-lc` here.
//!
//! Extra roots are given as bytes, [`add_root_certificate_pem`] or
//! [`add_root_certificate_der`], which every TLS feature accepts. A `reqwest::Certificate`
//! cannot be read back, so the deprecated `add_root_certificate(reqwest::Certificate)` works
//! only where reqwest configures TLS itself (`rustls-aws-lc`, `native-tls`); with `rustls`,
//! `build` refuses it with [`ClientConfigError::OpaqueRootCertificate`]. A client of your own
//! ([`http_client`]) is used as it is, whatever the features.
//!
//! [`add_root_certificate_pem`]: HumanosClientBuilder::add_root_certificate_pem
//! [`add_root_certificate_der`]: HumanosClientBuilder::add_root_certificate_der
//! [`http_client`]: HumanosClientBuilder::http_client
//!
//! # Agents act only within their mandate
//!
//! [`HumanosClient::authorize`] turns a mandate id and the [`Action`] an agent is about to
//! take into a decision in one call; [`enforce`] is the framework-free enforcement point that
//! the `humanos-axum` and `humanos-actix` adapters (feature `enforce`) put in front of the
//! routes agents call. See `docs/enforcement.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod action;
mod api;
mod authorize;
mod call;
mod client;
mod config;
pub mod enforce;
mod error;
mod page;
#[cfg(feature = "precheck")]
mod precheck;
mod query;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
mod tls;
#[cfg(feature = "vc")]
mod vc;
#[cfg(feature = "vc")]
pub use vc::HUMANOS_ISSUER_DID;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use action::Action;
pub use api::{
    ActionsHandler, ApprovalHandler, CredentialsHandler, DidHandler, EvidenceFile,
    IntelligenceHandler, RequestsHandler, UsersHandler, Verdict,
};
pub use authorize::{Authorization, Authorize, AuthorizeError, DecidedBy};
pub use call::Call;
pub use client::{
    DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, ENV_API_KEY, ENV_BASE_URL, ENV_SIGNATURE_SECRET,
    HumanosClient, HumanosClientBuilder, USER_AGENT,
};
pub use config::{RequestOptions, RetryConfig, TimeoutConfig};
pub use error::{BaseUrlProblem, ClientConfigError, Error, Result};
pub use page::Page;
#[cfg(feature = "precheck")]
pub use precheck::LocalCheck;

/// The typed models of every API schema (`humanos-models`).
pub use humanos_models as models;
/// Request and webhook signing, wire JSON (`humanos-signing`).
pub use humanos_signing as signing;
/// Webhook verification and decryption, typed events (`humanos-webhooks`).
pub use humanos_webhooks as webhooks;
/// The HTTP client this crate is built on (for [`HumanosClientBuilder::http_client`],
/// [`HumanosClientBuilder::proxy`] and root certificates).
pub use reqwest;

pub use humanos_models::{API_VERSION, ApiErrorBody, PresentationEntity};
pub use humanos_webhooks::{WebhookConfig, WebhookError, WebhookEvent};
