//! `humanos-sandbox`: a local Humanos + HumanCode server. Prints the credentials a client
//! needs on start.

use clap::Parser;
use humanos_sandbox::SandboxArgs;
use tracing_subscriber::EnvFilter;

/// A faithful local Humanos + HumanCode emulator.
#[derive(Debug, Parser)]
#[command(name = "humanos-sandbox", version, about)]
struct Args {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let sandbox = args.sandbox.builder()?.build().await?;
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
        "Dashboard: {}  Approval pages: {}/approve/<requestId>  Ctrl-C to stop.",
        sandbox.admin_url(),
        sandbox.base_url()
    );
    if !sandbox.addr().ip().is_loopback() {
        eprintln!(
            "WARNING: listening on {}, reachable from the network (--allow-remote)",
            sandbox.addr()
        );
    }
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
