//! An agent's parallel calls of a protected tool, in one session and without a mandate, ask the
//! user once: one mandate request, shown to every call (rmcp's own client over Streamable HTTP
//! on 127.0.0.1, against the in-process sandbox).

use humanos::models::{ActionDto, CredentialDto, CredentialType, GenerateRequestDto};
use humanos::{Action, HumanosClient};
use humanos_mcp::MandateGate;
use humanos_sandbox::Sandbox;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde_json::json;

#[derive(Debug, Clone)]
struct Shop {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Shop {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Protected")]
    async fn buy_book(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text("bought")])
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Shop {}

#[tokio::test]
async fn parallel_calls_without_a_mandate_create_one_request() {
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
    let id = action_id.clone();
    let gate = MandateGate::new(client.clone())
        .protect("buy_book", move |_| {
            Ok(Action::new(id.clone()).param("amount", 5))
        })
        .request_mandates(|action| {
            GenerateRequestDto::new(vec!["ana@example.com".into()]).credentials(vec![
                CredentialDto::new(CredentialType::Policy, "Book budget")
                    .scope("agent.execute")
                    .action(ActionDto::new(&action.id).user_param("maxAmount", 20)),
            ])
        });

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}{}",
        listener.local_addr().unwrap(),
        humanos_mcp::HTTP_PATH
    );
    tokio::spawn(humanos_mcp::serve_http(listener, move || {
        gate.serve(Shop::new())
    }));
    // One client, one session: no elicitation capability, so each call answers with the link.
    let mcp = ().serve(StreamableHttpClientTransport::from_uri(url)).await.unwrap();
    let call = || mcp.call_tool(CallToolRequestParams::new("buy_book"));
    let (a, b, c) = tokio::join!(call(), call(), call());

    let mut request_ids = Vec::new();
    for answer in [a, b, c] {
        let answer = answer.unwrap();
        assert_eq!(answer.is_error, Some(true), "{answer:?}");
        let structured = answer.structured_content.expect("the structured error");
        assert_eq!(structured["error"], "Mandate Required", "{structured}");
        request_ids.push(structured["requestId"].as_str().unwrap().to_owned());
    }
    assert!(
        request_ids.iter().all(|id| *id == request_ids[0]),
        "parallel calls asked the user more than once: {request_ids:?}"
    );
    mcp.cancel().await.unwrap();
}
