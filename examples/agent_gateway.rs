//! An agent-facing service that acts only within the agent's mandate: an axum route "buy a
//! book for N euros" behind `humanos_axum::MandateLayer`, and an agent that calls it with its
//! mandate, all against a local sandbox started in this process on 127.0.0.1.
//!
//! ```sh
//! cargo run --example agent_gateway
//! ```
//!
//! What happens:
//!
//! 1. The sandbox publishes the action "Buy a book" (rule `amount_within_limit`:
//!    `executionParams.amount <= userParams.maxAmount`) and the user approves a mandate with a
//!    20 EUR limit.
//! 2. The bookshop serves `POST /books/buy?price_eur=N` behind the layer. Its action function
//!    reads `price_eur` as the action's `amount`; the layer issues a presentation of the
//!    mandate the agent names in `Humanos-Mandate`, pre-checks it locally and verifies it.
//! 3. The agent buys a 12 EUR book (200), tries a 35 EUR one (403, `rule_failed`, naming
//!    `amount_within_limit`; denied by the local pre-check, so no verification is spent), the
//!    user revokes the mandate and the agent tries again (403, `credential_revoked`), then the
//!    API goes away (503: the bookshop fails closed).
//!
//! `examples/tests/agent_gateway.rs` runs this very code and checks each answer.

use axum::routing::post;
use axum::{Json, Router};
use humanos::enforce::{Enforcer, Grant, Unmapped};
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, RevokeCredentialDto,
    SecurityLevel,
};
use humanos::{Action, HumanosClient, LocalCheck};
use humanos_axum::{Mandate, MandateLayer};
use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The mandate's limit, in euros.
pub(crate) const LIMIT_EUR: u64 = 20;

/// One call of the agent, as it saw it.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// What the agent tried.
    pub(crate) label: &'static str,
    /// The bookshop's status.
    pub(crate) status: u16,
    /// The bookshop's JSON answer.
    pub(crate) body: Value,
}

/// The action of step 1, as the sandbox's admin API takes it.
pub(crate) fn buy_book_action() -> Value {
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

/// The bookshop: one protected route. The handler runs only when the mandate allows the
/// purchase, and acts on the authorized amount.
pub(crate) fn bookshop(client: &HumanosClient, action_id: &str, issuer_did: &str) -> Router {
    let action_id = action_id.to_owned();
    let enforcer = Enforcer::new(client.clone(), move |request| {
        let price = request
            .query_param("price_eur")
            .and_then(|p| p.parse::<u64>().ok())
            .ok_or_else(|| Unmapped::new("price_eur (whole euros) is required"))?;
        Ok(Action::new(action_id.clone()).param("amount", price))
    })
    // Out-of-bounds purchases are denied here, without spending a verification. The local
    // verifier trusts Humanos' issuer; against the sandbox, the sandbox's too.
    .precheck(LocalCheck::new(client).verifier(client.verifier().trust_issuer(issuer_did)));
    Router::new()
        .route("/books/buy", post(buy))
        .layer(MandateLayer::new(enforcer))
}

async fn buy(Mandate(authorized): Mandate) -> Json<Value> {
    let verified = matches!(authorized.grant, Grant::Allowed(_));
    Json(json!({
        "bought": true,
        "price_eur": authorized.action.execution_params["amount"],
        "verified": verified,
    }))
}

/// The agent: one purchase through the bookshop, naming its mandate.
async fn agent_buys(shop: &str, mandate_id: &str, price_eur: u64) -> Result<(u16, Value)> {
    let response = reqwest::Client::new()
        .post(format!("{shop}/books/buy?price_eur={price_eur}"))
        .header("Humanos-Mandate", mandate_id)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Runs the whole story and returns what the agent saw, in order.
pub(crate) async fn run() -> Result<Vec<Attempt>> {
    let sandbox = Sandbox::start_ephemeral().await?;
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()?;
    println!("Sandbox at {}", sandbox.base_url());

    // 1. The action, and a mandate the user approves.
    let action_id = sandbox.define_action(buy_book_action()).await?.id;
    let mandate_id = approved_mandate(&sandbox, &client, &action_id).await?;
    println!("Mandate {mandate_id}: books up to {LIMIT_EUR} EUR");

    // 2. The bookshop.
    let shop = open_bookshop(&client, &action_id, sandbox.issuer_did()).await?;
    println!("Bookshop at {shop}\n");

    // 3. The agent.
    let mut seen = Vec::new();
    let mut attempt = async |label: &'static str, price: u64| -> Result<()> {
        let (status, body) = agent_buys(&shop, &mandate_id, price).await?;
        println!("  {label:<34} -> {status} {}", describe(status, &body));
        seen.push(Attempt {
            label,
            status,
            body,
        });
        Ok(())
    };
    attempt("a 12 EUR book", 12).await?;
    attempt("a 35 EUR book", 35).await?;
    client
        .credentials()
        .revoke(
            &mandate_id,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await?;
    println!("  (the user revokes the mandate)");
    attempt("a 12 EUR book after the revoke", 12).await?;
    sandbox.shutdown().await;
    println!("  (the Humanos API goes away)");
    attempt("a 12 EUR book during an outage", 12).await?;
    Ok(seen)
}

/// A request for a mandate of `action_id` with the limit, approved by the user: its id.
async fn approved_mandate(
    sandbox: &SandboxHandle,
    client: &HumanosClient,
    action_id: &str,
) -> Result<String> {
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec!["ana@example.com".into()])
                .security_level(SecurityLevel::Contact)
                .credentials(vec![
                    CredentialDto::new(CredentialType::Policy, "Book budget")
                        .scope("agent.execute")
                        .action(ActionDto::new(action_id).user_param("maxAmount", LIMIT_EUR)),
                ]),
        )
        .await?;
    Ok(sandbox
        .approve(&request.id)
        .await?
        .into_iter()
        .next()
        .ok_or("the approval issued no mandate")?)
}

/// Serves the [`bookshop`] on 127.0.0.1: its URL.
async fn open_bookshop(
    client: &HumanosClient,
    action_id: &str,
    issuer_did: &str,
) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let shop = format!("http://{}", listener.local_addr()?);
    let app = bookshop(client, action_id, issuer_did);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(shop)
}

/// The bookshop's answer in a few words: the price paid, the denial with each rule's result,
/// or the error message.
fn describe(status: u16, body: &Value) -> String {
    match status {
        200 => format!("bought for {} EUR", body["price_eur"]),
        403 => {
            let rules: String = body["evaluations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let field = |name: &str| e[name].as_str().unwrap_or_default().to_owned();
                    format!(" [{}: {}]", field("rule"), field("result"))
                })
                .collect();
            format!(
                "denied: {}{rules}",
                body["reason"].as_str().unwrap_or_default()
            )
        }
        _ => body["message"].as_str().unwrap_or_default().to_owned(),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    match run().await {
        Ok(seen) => {
            let expected = [200, 403, 403, 503];
            if seen.iter().map(|a| a.status).eq(expected) {
                println!("\nDone.");
                std::process::ExitCode::SUCCESS
            } else {
                eprintln!("unexpected answers (expected {expected:?}):");
                for attempt in &seen {
                    eprintln!("  {}: {} {}", attempt.label, attempt.status, attempt.body);
                }
                std::process::ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("agent_gateway failed: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
