//! [`SandboxError`]: a failure to start the sandbox or to use its handle.

use std::net::SocketAddr;

use crate::store::SandboxStoreError;

/// A failure to start the sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The database could not be opened or read.
    #[error("database: {0}")]
    Store(#[from] SandboxStoreError),
    /// The listening socket could not be bound.
    #[error("bind: {0}")]
    Io(#[from] std::io::Error),
    /// A webhook secret is unusable.
    #[error("webhook configuration: {0}")]
    Webhook(#[from] humanos_webhooks::WebhookConfigError),
    /// An action definition was refused.
    #[error("action definition: {0}")]
    Action(String),
    /// A decision standing in for a user was refused (unknown or canceled request, no
    /// undecided user).
    #[error("decision: {0}")]
    Decision(String),
    /// The address is not a loopback address and remote access was not allowed.
    #[error(
        "refusing to listen on {0}, which is not a loopback address: anyone who can reach it could \
         use the sandbox's pages; pass --allow-remote (SandboxBuilder::allow_remote) to do it anyway"
    )]
    NotLoopback(SocketAddr),
}
