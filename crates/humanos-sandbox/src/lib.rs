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

#![cfg_attr(docsrs, feature(doc_cfg))]

// Layers, bottom up (CONTRIBUTING.md, "The sandbox's layers"): util, records, store, access,
// context; domain; http (error, auth, guard); the surfaces api, admin, pages, dashboard and
// humancode_emulator; state and router; builder and handle. A module imports only from its
// own layer or below, and no file imports one that (transitively) imports it
// (xtask/tests/module_cycles.rs).
mod access;
mod admin;
mod api;
#[cfg(feature = "cli")]
pub mod args;
mod builder;
mod context;
mod dashboard;
mod domain;
mod error;
mod handle;
mod http;
pub mod humancode_emulator;
mod pages;
mod records;
mod router;
mod state;
mod store;
mod util;

pub use access::ADMIN_TOKEN_HEADER;
#[cfg(feature = "cli")]
pub use args::SandboxArgs;
pub use builder::{Sandbox, SandboxBuilder};
pub use context::{API_VERSION, KNOWN_API_VERSIONS, WebhookSecrets};
pub use error::SandboxError;
pub use handle::{DefinedAction, SandboxHandle};
pub use store::SandboxStoreError;

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
