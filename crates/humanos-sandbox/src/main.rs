//! `humanos-sandbox`: a local Humanos + HumanCode server. Prints the credentials a client
//! needs on start.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use humanos_sandbox::{Sandbox, WebhookSecrets};
use tracing_subscriber::EnvFilter;

/// A faithful local Humanos + HumanCode emulator.
#[derive(Debug, Parser)]
#[command(name = "humanos-sandbox", version, about)]
struct Args {
    /// Port to listen on (0 = any free port).
    #[arg(long, env = "SANDBOX_PORT", default_value_t = 8787)]
    port: u16,
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// SQLite file to keep state in (state survives restarts); in memory when absent.
    #[arg(long, env = "SANDBOX_DB")]
    db: Option<PathBuf>,
    /// JSON file with one action definition or an array of them, published on start.
    #[arg(long, env = "SANDBOX_ACTIONS")]
    actions: Option<PathBuf>,
    /// Webhook endpoint (repeatable; comma-separated in the environment variable).
    #[arg(
        long = "webhook-url",
        env = "SANDBOX_WEBHOOK_URLS",
        value_delimiter = ','
    )]
    webhook_urls: Vec<String>,
    /// Fixed API key (random, or the stored one, when absent).
    #[arg(long, env = "SANDBOX_API_KEY")]
    api_key: Option<String>,
    /// Fixed signature secret.
    #[arg(long, env = "SANDBOX_SIGNATURE_SECRET")]
    signature_secret: Option<String>,
    /// Fixed webhook signature secret (with --webhook-encryption-secret and --webhook-encryption-salt).
    #[arg(long, env = "SANDBOX_WEBHOOK_SIGNATURE_SECRET", requires_all = ["webhook_encryption_secret", "webhook_encryption_salt"])]
    webhook_signature_secret: Option<String>,
    /// Fixed webhook encryption secret (base64).
    #[arg(long, env = "SANDBOX_WEBHOOK_ENCRYPTION_SECRET")]
    webhook_encryption_secret: Option<String>,
    /// Fixed webhook encryption salt.
    #[arg(long, env = "SANDBOX_WEBHOOK_ENCRYPTION_SALT")]
    webhook_encryption_salt: Option<String>,
    /// HumanCode APP_ID the emulator accepts.
    #[arg(long, env = "SANDBOX_HUMANCODE_APP_ID", requires = "humancode_app_key")]
    humancode_app_id: Option<String>,
    /// HumanCode APP_KEY the emulator accepts.
    #[arg(long, env = "SANDBOX_HUMANCODE_APP_KEY")]
    humancode_app_key: Option<String>,
    /// Public URL clients use (defaults to http://<host>:<port>).
    #[arg(long, env = "SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut b = Sandbox::builder().bind(SocketAddr::new(args.host, args.port));
    if let Some(db) = &args.db {
        b = b.database(db);
    }
    for url in args.webhook_urls.iter().filter(|u| !u.is_empty()) {
        b = b.webhook_endpoint(url);
    }
    if let (Some(k), Some(s)) = (args.api_key, args.signature_secret) {
        b = b.credentials(k, s);
    }
    if let (Some(s), Some(e), Some(salt)) = (
        args.webhook_signature_secret,
        args.webhook_encryption_secret,
        args.webhook_encryption_salt,
    ) {
        b = b.webhook_secrets(WebhookSecrets {
            signature_secret: s,
            encryption_secret: e,
            encryption_salt: salt,
        });
    }
    if let (Some(id), Some(key)) = (args.humancode_app_id, args.humancode_app_key) {
        b = b.humancode_app(id, key);
    }
    if let Some(url) = args.public_url {
        b = b.public_url(url);
    }
    if let Some(path) = &args.actions {
        let text = std::fs::read_to_string(path)?;
        match serde_json::from_str::<serde_json::Value>(&text)? {
            serde_json::Value::Array(items) => {
                for d in items {
                    b = b.action(d);
                }
            }
            d => b = b.action(d),
        }
    }
    let sandbox = b.build().await?;
    println!(
        "Humanos sandbox on {} (API {})",
        sandbox.base_url(),
        humanos_sandbox::API_VERSION
    );
    println!(
        "Issuer DID {}\nAgent DID  {}\n",
        sandbox.issuer_did(),
        sandbox.agent_did()
    );
    println!("{}", sandbox.env_lines());
    println!(
        "Admin: {0}/admin  Approval pages: {0}/approve/<requestId>  Ctrl-C to stop.",
        sandbox.base_url()
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
