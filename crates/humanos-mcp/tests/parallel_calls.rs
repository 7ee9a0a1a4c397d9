//! An agent's parallel calls of a protected tool, in one session and without a mandate, ask the
//! user once: one mandate request, shown to every call (rmcp's own client over Streamable HTTP
//! on 127.0.0.1, against the in-process sandbox).

mod support;

use humanos::Action;
use humanos_mcp::MandateGate;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use support::{bookshop, budget_request, serve};

#[tokio::test]
async fn parallel_calls_without_a_mandate_create_one_request() {
    let (_sandbox, client, action_id) = bookshop().await;
    let id = action_id.clone();
    let gate = MandateGate::new(client.clone())
        .protect("buy_book", move |_| {
            Ok(Action::new(id.clone()).param("amount", 5))
        })
        .request_mandates(|action| budget_request(&action.id));

    let url = serve(gate).await;
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
