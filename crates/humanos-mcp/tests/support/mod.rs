//! What the gate's tests and `benches/gate.rs` share (`#[path]`-included by the bench): a
//! bookshop handler, the sandbox with the "Buy a book" action, and the client for it.
#![allow(dead_code)] // each includer uses its part

use humanos::HumanosClient;
use humanos::models::{ActionDto, CredentialDto, CredentialType, GenerateRequestDto};
use humanos_mcp::MandateGate;
use humanos_sandbox::{Sandbox, SandboxHandle};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde_json::json;

/// An MCP server with an unprotected tool and one the gate protects.
#[derive(Debug, Clone)]
pub(crate) struct Shop {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Shop {
    pub(crate) fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Unprotected")]
    async fn echo(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text("ok")])
    }

    #[tool(description = "Protected")]
    async fn buy_book(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text("bought")])
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Shop {}

/// An in-process sandbox, a client for it, and the id of its "Buy a book" action (rule
/// `amount_within_limit`: `executionParams.amount <= userParams.maxAmount`).
pub(crate) async fn bookshop() -> (SandboxHandle, HumanosClient, String) {
    let sandbox = Sandbox::start_ephemeral().await.unwrap();
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .unwrap();
    let action = json!({
        "name": "Buy a book", "description": "Buy one book",
        "userParams": {"maxAmount": {"type": "number", "description": "EUR"}},
        "executionParams": {"amount": {"type": "number"}},
        "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
    });
    let action_id = sandbox.define_action(action).await.unwrap().id;
    (sandbox, client, action_id)
}

/// The mandate request for the bookshop's action: a 20 EUR budget, approved by ana@example.com.
pub(crate) fn budget_request(action_id: &str) -> GenerateRequestDto {
    GenerateRequestDto::new(vec!["ana@example.com".into()]).credentials(vec![
        CredentialDto::new(CredentialType::Policy, "Book budget")
            .scope("agent.execute")
            .action(ActionDto::new(action_id).user_param("maxAmount", 20)),
    ])
}

/// Serves `gate` in front of a [`Shop`] over Streamable HTTP on a free port of 127.0.0.1, one
/// session per connection; answers the endpoint's URL.
pub(crate) async fn serve(gate: MandateGate) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        humanos_mcp::HTTP_PATH
    );
    tokio::spawn(humanos_mcp::serve_http(listener, move || {
        gate.serve(Shop::new())
    }));
    url
}
