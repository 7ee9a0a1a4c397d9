//! The command-line configuration of a sandbox: flags and `SANDBOX_*` environment variables.
//!
//! Shared by the `humanos-sandbox` binary and `humanos sandbox` (the `humanos-cli` crate), so
//! both accept the same flags with the same defaults. Flatten [`SandboxArgs`] into a clap
//! command and call [`SandboxArgs::builder`]. Behind the `cli` feature: clap is not part of the
//! library's default API (a test embedding the sandbox uses [`crate::SandboxBuilder`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use serde_json::Value;

use crate::builder::{Sandbox, SandboxBuilder};
use crate::context::WebhookSecrets;
use crate::error::SandboxError;

/// The flags of a sandbox (each also read from a `SANDBOX_*` environment variable).
#[derive(Clone, clap::Args)]
#[non_exhaustive]
pub struct SandboxArgs {
    /// Port to listen on (0 = any free port).
    #[arg(long, env = "SANDBOX_PORT", default_value_t = 8787)]
    pub port: u16,
    /// Address to listen on (a non-loopback address needs --allow-remote).
    #[arg(long, env = "SANDBOX_HOST", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Allow --host to be a non-loopback address (the API and approval pages become reachable
    /// from the network; admin routes still need the admin token).
    #[arg(long, env = "SANDBOX_ALLOW_REMOTE")]
    pub allow_remote: bool,
    /// Fixed admin token (a fresh random one per run when absent).
    #[arg(
        long,
        env = "SANDBOX_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub admin_token: Option<String>,
    /// Attempts before an undelivered webhook is dead-lettered.
    #[arg(long, env = "SANDBOX_WEBHOOK_MAX_ATTEMPTS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..))]
    pub webhook_max_attempts: u32,
    /// SQLite file to keep state in (state survives restarts); in memory when absent.
    #[arg(long, env = "SANDBOX_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// JSON file with one action definition or an array of them, published on start.
    #[arg(long, env = "SANDBOX_ACTIONS", value_name = "FILE")]
    pub actions: Option<PathBuf>,
    /// Webhook endpoint (repeatable; comma-separated in the environment variable).
    #[arg(
        long = "webhook-url",
        env = "SANDBOX_WEBHOOK_URLS",
        value_delimiter = ',',
        value_name = "URL"
    )]
    pub webhook_urls: Vec<String>,
    /// Fixed API key (random, or the stored one, when absent).
    #[arg(
        long,
        env = "SANDBOX_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Fixed signature secret.
    #[arg(
        long,
        env = "SANDBOX_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub signature_secret: Option<String>,
    /// Fixed webhook signature secret (with --webhook-encryption-secret and --webhook-encryption-salt).
    #[arg(
        long,
        env = "SANDBOX_WEBHOOK_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        requires_all = ["webhook_encryption_secret", "webhook_encryption_salt"]
    )]
    pub webhook_signature_secret: Option<String>,
    /// Fixed webhook encryption secret (base64).
    #[arg(
        long,
        env = "SANDBOX_WEBHOOK_ENCRYPTION_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub webhook_encryption_secret: Option<String>,
    /// Fixed webhook encryption salt.
    #[arg(
        long,
        env = "SANDBOX_WEBHOOK_ENCRYPTION_SALT",
        hide_env_values = true,
        value_name = "SALT"
    )]
    pub webhook_encryption_salt: Option<String>,
    /// HumanCode APP_ID the emulator accepts.
    #[arg(
        long,
        env = "SANDBOX_HUMANCODE_APP_ID",
        requires = "humancode_app_key",
        value_name = "ID"
    )]
    pub humancode_app_id: Option<String>,
    /// HumanCode APP_KEY the emulator accepts.
    #[arg(
        long,
        env = "SANDBOX_HUMANCODE_APP_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub humancode_app_key: Option<String>,
    /// Public URL clients use (defaults to http://HOST:PORT).
    #[arg(long, env = "SANDBOX_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

impl std::fmt::Debug for SandboxArgs {
    /// The non-secret flags only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxArgs")
            .field("port", &self.port)
            .field("host", &self.host)
            .field("allow_remote", &self.allow_remote)
            .field("webhook_max_attempts", &self.webhook_max_attempts)
            .field("db", &self.db)
            .field("actions", &self.actions)
            .field("webhook_urls", &self.webhook_urls)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl SandboxArgs {
    /// The address to bind: `--host` and `--port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// A [`SandboxBuilder`] configured from these flags; the actions file is read and parsed
    /// here ([`SandboxError::Action`] names the file when it cannot be).
    pub fn builder(&self) -> Result<SandboxBuilder, SandboxError> {
        let mut b = Sandbox::builder()
            .bind(self.addr())
            .allow_remote(self.allow_remote)
            .webhook_max_attempts(self.webhook_max_attempts);
        if let Some(token) = &self.admin_token {
            b = b.admin_token(token);
        }
        if let Some(db) = &self.db {
            b = b.database(db);
        }
        for url in self.webhook_urls.iter().filter(|u| !u.is_empty()) {
            b = b.webhook_endpoint(url);
        }
        if let (Some(k), Some(s)) = (&self.api_key, &self.signature_secret) {
            b = b.credentials(k, s);
        }
        if let (Some(s), Some(e), Some(salt)) = (
            &self.webhook_signature_secret,
            &self.webhook_encryption_secret,
            &self.webhook_encryption_salt,
        ) {
            b = b.webhook_secrets(WebhookSecrets {
                signature_secret: s.clone(),
                encryption_secret: e.clone(),
                encryption_salt: salt.clone(),
            });
        }
        if let (Some(id), Some(key)) = (&self.humancode_app_id, &self.humancode_app_key) {
            b = b.humancode_app(id, key);
        }
        if let Some(url) = &self.public_url {
            b = b.public_url(url);
        }
        if let Some(path) = &self.actions {
            let text = std::fs::read_to_string(path).map_err(|e| {
                SandboxError::Action(format!("cannot read {}: {e}", path.display()))
            })?;
            let parsed = serde_json::from_str::<Value>(&text).map_err(|e| {
                SandboxError::Action(format!("{} is not valid JSON: {e}", path.display()))
            })?;
            match parsed {
                Value::Array(items) => {
                    for d in items {
                        b = b.action(d);
                    }
                }
                d => b = b.action(d),
            }
        }
        Ok(b)
    }
}
