//! Quick start: the official SDK's sanity check, in Rust. Lists your credential requests, which
//! confirms the API key, the signature secret and the signing handshake.
//!
//! ```sh
//! export HUMANOS_API_KEY=<your-api-key>
//! export HUMANOS_SIGNATURE_SECRET=<your-signature-secret>
//! # export HUMANOS_BASE_URL=https://api.humanos.id   # optional
//! cargo run -p humanos-examples --example quickstart
//! ```
//!
//! Set `RUST_LOG=humanos=debug` to see the client's spans (secrets are never recorded).

use std::process::ExitCode;

use humanos::models::RequestQuery;
use humanos::{ENV_API_KEY, ENV_SIGNATURE_SECRET, HumanosClient};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    let client = match HumanosClient::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}\n");
            eprintln!("The quick start talks to the Humanos API with your credentials. Set:");
            eprintln!("  {ENV_API_KEY}=<API Key from Settings -> API Keys>");
            eprintln!("  {ENV_SIGNATURE_SECRET}=<Signature Secret from the same page>");
            eprintln!("  HUMANOS_BASE_URL=<optional, default https://api.humanos.id>");
            return ExitCode::from(2);
        }
    };

    // Sanity check: a `200 OK` with a (possibly empty) list means you're wired up.
    match client.requests().list(RequestQuery::new()).await {
        Ok(page) => {
            println!(
                "Connected to {}: {} request(s) on page 1 of {}",
                client.base_url(),
                page.items.len(),
                page.total_pages.max(1)
            );
            for request in &page.items {
                println!(
                    "  {}  {}  created {}",
                    request.id,
                    request.name.as_deref().unwrap_or("(unnamed)"),
                    request.created_at
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("The sanity check failed: {error}");
            if error.status() == Some(401) {
                eprintln!(
                    "401 means the signature did not match: check that the signature secret \
                     matches the dashboard exactly."
                );
            }
            ExitCode::FAILURE
        }
    }
}
