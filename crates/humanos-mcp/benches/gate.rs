//! What the gate costs a tool call, side by side in one run, over Streamable HTTP on 127.0.0.1
//! against the in-process sandbox, with rmcp's own client:
//!
//! - `unprotected`: a tool the gate does not protect (the MCP round trip alone);
//! - `allowed`: a protected tool within the mandate (`/vp` + `/verify`, then the tool);
//! - `denied_online`: above the limit, decided by the API (`/vp` + `/verify`);
//! - `denied_precheck`: above the limit, denied by the local pre-check (`/vp` only).
//!
//! It also counts the verifications the pre-check saves: the mandate's `VERIFICATION_DENIED`
//! audit events after the same number of denied calls with and without it.
//!
//! ```sh
//! cargo bench -p humanos-mcp --bench gate
//! ```

use std::collections::HashMap;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use humanos::enforce::Unmapped;
use humanos::{Action, HumanosClient, LocalCheck};
use humanos_mcp::MandateGate;
use humanos_sandbox::SandboxHandle;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

#[path = "../tests/support/mod.rs"]
mod support;
use support::{bookshop, budget_request, serve};

type Client = RunningService<RoleClient, ()>;

/// One mandate per configuration: each call appends to its mandate's audit chain, so sharing
/// one would make the later configurations pay for the earlier ones' events.
struct Setup {
    sandbox: SandboxHandle,
    client: HumanosClient,
    /// The mandates of `denied` and `prechecked`, whose denials are counted.
    counted: [String; 2],
    allowed: Client,
    denied: Client,
    prechecked: Client,
}

fn gate(client: &HumanosClient, action_id: &str, precheck: Option<&str>) -> MandateGate {
    let id = action_id.to_owned();
    let gate = MandateGate::new(client.clone()).protect("buy_book", move |args| {
        let price = args
            .get("price_eur")
            .and_then(Value::as_u64)
            .ok_or_else(|| Unmapped::new("price_eur"))?;
        Ok(Action::new(id.clone()).param("amount", price))
    });
    match precheck {
        Some(issuer) => {
            gate.precheck(LocalCheck::new(client).verifier(client.verifier().trust_issuer(issuer)))
        }
        None => gate,
    }
}

async fn connect(gate: MandateGate, mandate: &str) -> Client {
    let url = serve(gate).await;
    let headers = HashMap::from([(
        http::HeaderName::from_static("humanos-mandate"),
        http::HeaderValue::from_str(mandate).unwrap(),
    )]);
    let config = StreamableHttpClientTransportConfig::with_uri(url).custom_headers(headers);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .unwrap()
}

async fn setup() -> Setup {
    let (sandbox, client, action_id) = bookshop().await;
    let request = budget_request(&action_id);
    let mut mandates = Vec::new();
    for _ in 0..3 {
        let created = client.requests().create(request.clone()).await.unwrap();
        mandates.push(sandbox.approve(&created.id).await.unwrap().remove(0));
    }
    let allowed = connect(gate(&client, &action_id, None), &mandates[0]).await;
    let denied = connect(gate(&client, &action_id, None), &mandates[1]).await;
    let issuer = sandbox.issuer_did().to_owned();
    let prechecked = connect(gate(&client, &action_id, Some(&issuer)), &mandates[2]).await;
    Setup {
        sandbox,
        client,
        counted: [mandates[1].clone(), mandates[2].clone()],
        allowed,
        denied,
        prechecked,
    }
}

async fn call(client: &Client, tool: &'static str, price: u64) -> CallToolResult {
    let args = json!({"title": "Dune", "price_eur": price});
    let params = CallToolRequestParams::new(tool).with_arguments(args.as_object().unwrap().clone());
    client.call_tool(params).await.unwrap()
}

async fn denied_events(s: &Setup, mandate: &str) -> usize {
    let chain = s.client.credentials().audit_events(mandate).await.unwrap();
    serde_json::to_value(&chain)
        .unwrap()
        .to_string()
        .matches("VERIFICATION_DENIED")
        .count()
}

/// The verifications the pre-check saves: the same 20 denied calls with and without it, each
/// configuration on its own mandate.
fn count_saved(rt: &Runtime, s: &Setup) {
    rt.block_on(async {
        for _ in 0..20 {
            assert_eq!(call(&s.denied, "buy_book", 35).await.is_error, Some(true));
            let local = call(&s.prechecked, "buy_book", 35).await;
            assert_eq!(local.is_error, Some(true));
        }
        let online = denied_events(s, &s.counted[0]).await;
        let prechecked = denied_events(s, &s.counted[1]).await;
        println!(
            "20 denied calls: {online} verifications without the pre-check, {prechecked} with it"
        );
    });
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let s = rt.block_on(setup());
    count_saved(&rt, &s);
    let mut group = c.benchmark_group("mcp_tool_call");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("unprotected", |b| {
        b.iter(|| rt.block_on(call(&s.allowed, "echo", 0)))
    });
    group.bench_function("allowed", |b| {
        b.iter(|| rt.block_on(call(&s.allowed, "buy_book", 12)))
    });
    group.bench_function("denied_online", |b| {
        b.iter(|| rt.block_on(call(&s.denied, "buy_book", 35)))
    });
    group.bench_function("denied_precheck", |b| {
        b.iter(|| rt.block_on(call(&s.prechecked, "buy_book", 35)))
    });
    group.finish();
    drop(s.sandbox);
}

criterion_group!(benches, bench);
criterion_main!(benches);
