//! HumanCode proof-of-humanity (palm scan) for Rust servers.
//!
//! HumanCode proves that a real, unique human is behind a browser, in three steps:
//!
//! 1. **Session** — your server calls the SESSION_ID API:
//!    [`HumanCodeClient::create_session`]. A session lives [`SESSION_LIFETIME`] (10 minutes).
//! 2. **Palm page** — the browser is sent to the HumanCode REGISTRATION page (first time,
//!    [`HumanCodeClient::registration_url`]) or VERIFICATION page (known `human_id`,
//!    [`HumanCodeClient::verification_url`]). After the scan HumanCode redirects it to your
//!    [`CallbackUrl`] with `session_id`, `vcode` and `error_code`: [`Callback::from_query`].
//! 3. **vcode** — your server exchanges the vcode for the person's `human_id` with the VCODE
//!    API: [`HumanCodeClient::verify_vcode`]. A vcode lives [`VCODE_LIFETIME`] (30 seconds).
//!
//! Every API call is signed over the exact bytes sent: compact JSON with `timestamp` (Unix ms,
//! as a string) and a 16-character `nonce_str`, `sign = hex(HMAC-SHA256(APP_KEY, body))` in the
//! query string beside `app_id`. The APP_KEY never appears in `Debug`, errors or traces.
//!
//! # Example
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! use humancode::{Callback, CallbackOutcome, CallbackUrl, HumanCodeClient};
//!
//! # #[cfg(feature = "client")]
//! # async fn run() -> Result<(), humancode::Error> {
//! let client = HumanCodeClient::builder()
//!     .app_id("a_8dcee8bb7963e46c")
//!     .app_key(std::env::var("HUMANCODE_APP_KEY").unwrap_or_default())
//!     .build()?;
//!
//! // 1. Server: create a session, remember its id for this browser (HttpOnly cookie).
//! let session = client.create_session().await?;
//!
//! // 2. Browser: redirect to the palm page.
//! let callback = CallbackUrl::parse("https://app.example.com/humancode/callback")?;
//! let page = client.registration_url(&session.session_id, &callback)?;
//!
//! // 3. Server, in the callback handler: parse, match the session, verify the vcode.
//! let query = "session_id=df20ea9666d3401780332e4aa26a460e&vcode=413675&error_code=12";
//! let callback = Callback::from_query(query)?;
//! if callback.session_id != session.session_id {
//!     // Not the session this browser started: refuse.
//! }
//! match callback.outcome {
//!     CallbackOutcome::Registered { vcode, .. } | CallbackOutcome::Verified { vcode } => {
//!         let human_id = client.verify_vcode(&callback.session_id, &vcode).await?;
//!         println!("a human: {human_id}");
//!     }
//!     CallbackOutcome::Failed(code) => println!("not proven: {}", code.message()),
//!     _ => {}
//! }
//! # let _ = page; Ok(()) }
//! ```
//!
//! # Layers and features
//!
//! Everything but [`HumanCodeClient`] is pure (no HTTP client, no runtime): [`AppSigner`]
//! and [`SignedRequest`] build, sign and decode the API calls for any HTTP client; the page URL
//! builders, [`Callback`] and [`ErrorCode`] need nothing else.
//!
//! | feature | default | what |
//! | --- | --- | --- |
//! | `client` | yes | [`HumanCodeClient`] over `reqwest` |
//! | `rustls` | yes | TLS through rustls with the *ring* provider and the platform's roots |
//! | `rustls-aws-lc` | no | TLS through rustls with *aws-lc-rs* (reqwest's own `rustls`); takes precedence over `rustls` |
//! | `native-tls` | no | TLS through the platform library; takes precedence over both |
//!
//! With `rustls` the client hands reqwest (built with `rustls-no-provider`) a finished rustls
//! configuration, as reqwest's own `rustls` feature would build it: the platform's roots
//! (rustls-platform-verifier), TLS 1.2 and 1.3, ALPN `http/1.1`, and the provider your
//! application installed for the process if any, else ring's, passed to this client only: the
//! crate never installs a process-wide provider. ring builds in about 33 s of CPU against 78 s
//! for aws-lc-rs; it has no post-quantum key exchange (aws-lc-rs offers X25519MLKEM768) and no
//! FIPS mode: select `rustls-aws-lc` (with `default-features = false`) for those. The
//! `humanos` crate's docs, "TLS", say more.
//!
//! See `docs/humancode.md` in the repository for the full guide and security notes.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callback;
#[cfg(feature = "client")]
mod client;
mod error;
mod error_code;
mod pages;
mod request;
mod validate;

pub use callback::{Callback, CallbackError, CallbackOutcome, MAX_CALLBACK_QUERY_LEN};
#[cfg(feature = "client")]
pub use client::{
    DEFAULT_TIMEOUT, ENV_APP_ID, ENV_APP_KEY, ENV_BASE_URL, HumanCodeClient, HumanCodeClientBuilder,
};
pub use error::{Error, HumanCodeBaseUrlProblem, HumanCodeConfigError, Result};
pub use error_code::ErrorCode;
pub use pages::{
    BaseUrl, CallbackUrl, DEFAULT_BASE_URL, REGISTRATION_PATH, VERIFICATION_PATH,
    encode_uri_component, registration_url, verification_url,
};
pub use request::{
    Api, ApiResult, AppSigner, Credentials, HumanId, MAX_RESPONSE_BYTES, NONCE_LEN, NonceSource,
    RandomNonce, SESSION_LIFETIME, SNIPPET_MAX_CHARS, Session, ShowId, SignedRequest,
    VCODE_LIFETIME,
};

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
