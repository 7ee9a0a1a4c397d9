//! A bookshop as an MCP server whose `buy_book(title, price_eur)` tool runs only within the
//! user's mandate: `humanos_mcp::MandateGate` authorizes each call before the tool sees it.
//!
//! ```sh
//! cargo run --example mcp_bookshop                       # stdio, against its own sandbox
//! cargo run --example mcp_bookshop -- --http 127.0.0.1:8931   # Streamable HTTP at /mcp
//! ```
//!
//! Without `HUMANOS_BASE_URL` it starts a sandbox in this process, publishes the action
//! "Buy a book" (rule `amount_within_limit`) and prints the sandbox's dashboard link to stderr.
//! With `HUMANOS_BASE_URL`, `HUMANOS_API_KEY`, `HUMANOS_SIGNATURE_SECRET` and
//! `BOOKSHOP_ACTION_ID` it uses that API (`BOOKSHOP_TRUST_ISSUER`: a further issuer DID the
//! local pre-check trusts, e.g. a sandbox's; `BOOKSHOP_CONTACT`: who approves, default
//! `ana@example.com`).
//!
//! What a client sees:
//!
//! - a call naming its mandate in `_meta` (`{"humanos/mandate": "urn:via:credential:..."}`)
//!   buys within the limit, and is a tool error naming `amount_within_limit` above it;
//! - a call without a mandate creates the mandate request (a 20 EUR limit) and asks the user:
//!   URL elicitation when the client declared it, otherwise a tool error with the approval
//!   link; once the user approved, the call (or its retry) buys, and the result's `_meta`
//!   carries the new mandate;
//! - a revoked mandate asks again; an unreachable API fails closed.
//!
//! `examples/tests/mcp_bookshop.rs` drives this binary with the official Python MCP SDK over
//! both transports.

use humanos::enforce::{Grant, Unmapped};
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, SecurityLevel,
};
use humanos::{Action, HumanosClient, LocalCheck};
use humanos_mcp::{Authorized, MandateGate};
use humanos_sandbox::Sandbox;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::schemars::JsonSchema;
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

type AnyResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The limit of the mandates the bookshop asks for, in euros.
const LIMIT_EUR: u64 = 20;

/// The arguments of `buy_book`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct BuyBook {
    /// The book's title.
    title: String,
    /// Its price, in whole euros. Read by the gate's function (as the action's `amount`); the
    /// tool acts on the authorized amount, not on this field.
    #[allow(dead_code)]
    price_eur: u64,
}

/// What `buy_book` answers.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Receipt {
    bought: String,
    price_eur: Value,
    mandate: String,
    verified: bool,
}

/// The bookshop's MCP server: one tool, protected by the gate around it.
#[derive(Debug, Clone)]
struct Bookshop {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Bookshop {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Runs only when the gate authorized the purchase; acts on the authorized amount.
    #[tool(description = "Buy a book for the user, within the budget the user approved.")]
    async fn buy_book(
        &self,
        Parameters(buy): Parameters<BuyBook>,
        Extension(authorized): Extension<Authorized>,
    ) -> Json<Receipt> {
        Json(Receipt {
            bought: buy.title,
            price_eur: authorized.action.execution_params["amount"].clone(),
            mandate: authorized.mandate_id,
            verified: matches!(authorized.grant, Grant::Allowed(_)),
        })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Bookshop {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build()).with_server_info(
            Implementation::new("mcp-bookshop", env!("CARGO_PKG_VERSION")),
        )
    }
}

/// The action "Buy a book", as the sandbox's admin API takes it.
fn buy_book_action() -> Value {
    json!({
        "name": "Buy a book",
        "description": "Buy one book on the user's behalf",
        "userParams": {"maxAmount": {"type": "number", "description": "Largest purchase, EUR"}},
        "executionParams": {"amount": {"type": "number"}},
        "rules": [
            {"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}
        ]
    })
}

/// The gate: `buy_book`'s `price_eur` is the action's `amount`; out-of-bounds purchases are
/// denied by the local pre-check; a call without a mandate asks `contact` for one.
fn gate(
    client: &HumanosClient,
    action_id: &str,
    trust: Option<&str>,
    contact: &str,
) -> MandateGate {
    let mut verifier = client.verifier();
    if let Some(did) = trust {
        verifier = verifier.trust_issuer(did);
    }
    let (id, contact) = (action_id.to_owned(), contact.to_owned());
    MandateGate::new(client.clone())
        .protect("buy_book", move |args| {
            let price = args
                .get("price_eur")
                .and_then(Value::as_u64)
                .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
            Ok(Action::new(id.clone()).param("amount", price))
        })
        .precheck(LocalCheck::new(client).verifier(verifier))
        .request_mandates(move |action| {
            GenerateRequestDto::new(vec![contact.clone().into()])
                .security_level(SecurityLevel::Contact)
                .credentials(vec![
                    CredentialDto::new(CredentialType::Policy, "Book budget")
                        .scope("agent.execute")
                        .action(ActionDto::new(&action.id).user_param("maxAmount", LIMIT_EUR)),
                ])
        })
}

/// The API to use: from the environment, or a sandbox started here (kept alive by the
/// returned handle).
async fn configure() -> AnyResult<(MandateGate, Option<humanos_sandbox::SandboxHandle>)> {
    let contact = std::env::var("BOOKSHOP_CONTACT").unwrap_or_else(|_| "ana@example.com".into());
    if let Ok(base_url) = std::env::var("HUMANOS_BASE_URL") {
        let client = HumanosClient::builder()
            .base_url(base_url)
            .api_key(std::env::var("HUMANOS_API_KEY")?)
            .signature_secret(std::env::var("HUMANOS_SIGNATURE_SECRET")?)
            .build()?;
        let action_id = std::env::var("BOOKSHOP_ACTION_ID")?;
        let trust = std::env::var("BOOKSHOP_TRUST_ISSUER").ok();
        return Ok((gate(&client, &action_id, trust.as_deref(), &contact), None));
    }
    let sandbox = Sandbox::start_ephemeral().await?;
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()?;
    let action_id = sandbox.define_action(buy_book_action()).await?.id;
    eprintln!("Sandbox dashboard: {}", sandbox.admin_url());
    let gate = gate(&client, &action_id, Some(sandbox.issuer_did()), &contact);
    Ok((gate, Some(sandbox)))
}

async fn run() -> AnyResult<()> {
    let (gate, _sandbox) = configure().await?;
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => humanos_mcp::serve_stdio(gate.serve(Bookshop::new())).await?,
        (Some("--http"), Some(addr)) => {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            // One line on stdout: where to connect (the tests read it).
            println!(
                "MCP_URL=http://{}{}",
                listener.local_addr()?,
                humanos_mcp::HTTP_PATH
            );
            humanos_mcp::serve_http(listener, move || gate.serve(Bookshop::new())).await?;
        }
        _ => return Err("usage: mcp_bookshop [--http 127.0.0.1:PORT]".into()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to stderr: on stdio, stdout is the MCP channel.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mcp_bookshop failed: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
