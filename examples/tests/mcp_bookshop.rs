//! The `mcp_bookshop` example driven by the official Python MCP SDK (PyPI `mcp`, pinned in
//! interop/requirements.txt), over stdio (the SDK spawns the example) and Streamable HTTP (on
//! 127.0.0.1), against an in-process sandbox: allowed within the limit, denied above it naming
//! the rule, asked again after the revoke, the approval then the retry, URL elicitation answered
//! by the SDK's elicitation callback, fail-closed with the sandbox stopped.
//!
//! Needs `HUMANOS_INTEROP_PYTHON` (set by `scripts/test`) and the example built (`cargo test`
//! builds it). Without the interpreter the tests fail, unless `HUMANOS_SKIP_PYTHON_INTEROP=1`.

#[path = "../../interop/tool.rs"]
mod tool;

#[path = "../../interop/mcp_driver.rs"]
mod mcp_driver;

use std::path::{Path, PathBuf};

use humanos::HumanosClient;
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, RevokeCredentialDto,
    SecurityLevel,
};
use humanos_sandbox::{Sandbox, SandboxHandle};
use mcp_driver::{McpClient, mandate_meta};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How the client reaches the example.
#[derive(Clone, Copy, Debug)]
enum Transport {
    Stdio,
    Http,
}

/// The example's binary, built by `cargo test` beside this test's.
fn example_binary() -> PathBuf {
    let deps = std::env::current_exe().expect("test binary path");
    let path = deps
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .join("examples/mcp_bookshop");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p humanos-examples --example mcp_bookshop` (cargo test builds it)",
        path.display()
    );
    path
}

/// The example's configuration: the sandbox's API and action.
fn example_env(sandbox: &SandboxHandle, action_id: &str) -> Value {
    json!({
        "HUMANOS_BASE_URL": sandbox.base_url(),
        "HUMANOS_API_KEY": sandbox.api_key(),
        "HUMANOS_SIGNATURE_SECRET": sandbox.signature_secret(),
        "BOOKSHOP_ACTION_ID": action_id,
        "BOOKSHOP_TRUST_ISSUER": sandbox.issuer_did(),
        "PATH": std::env::var("PATH").unwrap_or_default(),
    })
}

/// The example serving Streamable HTTP on 127.0.0.1, and its URL.
async fn start_http(env: &Value) -> (Child, String) {
    let mut command = Command::new(example_binary());
    command.args(["--http", "127.0.0.1:0"]).kill_on_drop(true);
    for (k, v) in env.as_object().unwrap() {
        command.env(k, v.as_str().unwrap());
    }
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the example");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next_line()
        .await
        .unwrap()
        .expect("the example's URL line");
    let url = first
        .strip_prefix("MCP_URL=")
        .expect("MCP_URL=...")
        .to_owned();
    (child, url)
}

/// A client connection: over stdio the SDK starts the example itself.
async fn connect(
    python: &Path,
    transport: Transport,
    env: &Value,
    url: Option<&str>,
    elicit: Value,
    sandbox: &SandboxHandle,
) -> McpClient {
    let server = match transport {
        Transport::Stdio => json!({"stdio": {
            "command": example_binary().display().to_string(), "args": [], "env": env,
        }}),
        Transport::Http => json!({"url": url.expect("the HTTP server's URL")}),
    };
    let mut config = server;
    config["elicit"] = elicit;
    config["admin"] = json!({"base_url": sandbox.base_url(), "token": sandbox.admin_token()});
    McpClient::connect(python, config).await
}

/// The action of the example, published in the sandbox, and a 20 EUR mandate the user approved.
async fn setup(sandbox: &SandboxHandle, client: &HumanosClient) -> (String, String) {
    let definition = json!({
        "name": "Buy a book",
        "description": "Buy one book on the user's behalf",
        "userParams": {"maxAmount": {"type": "number", "description": "Largest purchase, EUR"}},
        "executionParams": {"amount": {"type": "number"}},
        "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
    });
    let action_id = sandbox.define_action(definition).await.unwrap().id;
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec!["ana@example.com".into()])
                .security_level(SecurityLevel::Contact)
                .credentials(vec![
                    CredentialDto::new(CredentialType::Policy, "Book budget")
                        .scope("agent.execute")
                        .action(ActionDto::new(&action_id).user_param("maxAmount", 20)),
                ]),
        )
        .await
        .unwrap();
    let mandate = sandbox.approve(&request.id).await.unwrap().remove(0);
    (action_id, mandate)
}

fn buy(price: u64) -> Value {
    json!({"title": "Dune", "price_eur": price})
}

/// Without a mandate (a request and its link), within the limit, above it, after the revoke
/// (the same request's link again), approved, retried.
async fn mandate_story(
    mcp: &mut McpClient,
    sandbox: &SandboxHandle,
    client: &HumanosClient,
    mandate: &str,
) -> String {
    let asked = mcp.call("buy_book", buy(12), Value::Null).await;
    assert_eq!(asked["isError"], true, "{asked}");
    assert_eq!(asked["structured"]["error"], "Mandate Required", "{asked}");
    assert!(
        asked["elicited"].as_array().unwrap().is_empty(),
        "no elicitation declared: {asked}"
    );
    let first_request = asked["structured"]["requestId"]
        .as_str()
        .expect("a request")
        .to_owned();

    let allowed = mcp.call("buy_book", buy(12), mandate_meta(mandate)).await;
    assert_eq!(allowed["isError"], false, "{allowed}");
    assert_eq!(allowed["structured"]["price_eur"], 12, "{allowed}");
    assert_eq!(allowed["structured"]["verified"], true, "{allowed}");

    let denied = mcp.call("buy_book", buy(35), mandate_meta(mandate)).await;
    assert_eq!(denied["isError"], true, "{denied}");
    assert_eq!(denied["structured"]["reason"], "rule_failed", "{denied}");
    let rules = denied["structured"]["evaluations"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|e| e["rule"] == "amount_within_limit" && e["result"] == "fail"),
        "{denied}"
    );
    assert!(
        denied["text"][0]
            .as_str()
            .unwrap()
            .contains("amount_within_limit"),
        "{denied}"
    );

    client
        .credentials()
        .revoke(
            mandate,
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await
        .unwrap();
    let revoked = mcp.call("buy_book", buy(12), mandate_meta(mandate)).await;
    assert_eq!(revoked["isError"], true, "{revoked}");
    assert_eq!(
        revoked["structured"]["reason"], "credential_revoked",
        "{revoked}"
    );
    let request_id = revoked["structured"]["requestId"]
        .as_str()
        .expect("a request")
        .to_owned();
    assert_eq!(
        request_id, first_request,
        "the waiting request is shown again, not a second one"
    );
    let link = revoked["structured"]["approvalUrl"]
        .as_str()
        .expect("the approval link");
    assert!(link.contains(&request_id), "{revoked}");
    assert!(
        revoked["text"][0].as_str().unwrap().contains(link),
        "the model reads the link: {revoked}"
    );

    let renewed = sandbox.approve(&request_id).await.unwrap().remove(0);
    let retried = mcp.call("buy_book", buy(12), mandate_meta(mandate)).await;
    assert_eq!(retried["isError"], false, "{retried}");
    assert_eq!(
        retried["structured"]["mandate"],
        renewed.as_str(),
        "{retried}"
    );
    assert_eq!(
        retried["meta"]["humanos/mandate"],
        renewed.as_str(),
        "{retried}"
    );
    renewed
}

/// Streamable HTTP only: the mandate in the `Humanos-Mandate` header of every request, and a
/// `_meta` that names another one refused.
async fn header_story(python: &Path, url: &str, sandbox: &SandboxHandle, mandate: &str) {
    let config = json!({"url": url, "headers": {"Humanos-Mandate": mandate}, "elicit": null,
        "admin": {"base_url": sandbox.base_url(), "token": sandbox.admin_token()}});
    let mut mcp = McpClient::connect(python, config).await;
    let bought = mcp.call("buy_book", buy(12), Value::Null).await;
    assert_eq!(bought["isError"], false, "{bought}");
    assert_eq!(bought["structured"]["mandate"], mandate, "{bought}");
    let conflict = mcp
        .call(
            "buy_book",
            buy(12),
            mandate_meta("urn:via:credential:other"),
        )
        .await;
    assert_eq!(conflict["isError"], true, "{conflict}");
    assert_eq!(conflict["structured"]["statusCode"], 400, "{conflict}");
    mcp.close().await;
}

/// No mandate: URL elicitation, approved by the SDK's callback; the same call then buys.
async fn elicitation_story(mcp: &mut McpClient) -> String {
    let bought = mcp.call("buy_book", buy(15), Value::Null).await;
    assert_eq!(bought["isError"], false, "{bought}");
    let elicited = bought["elicited"].as_array().unwrap();
    assert_eq!(elicited.len(), 1, "{bought}");
    assert_eq!(elicited[0]["mode"], "url", "{bought}");
    assert!(
        elicited[0]["url"].as_str().unwrap().contains("/approve/"),
        "{bought}"
    );
    let mandate = bought["meta"]["humanos/mandate"]
        .as_str()
        .expect("the new mandate")
        .to_owned();
    assert_eq!(bought["structured"]["mandate"], mandate.as_str());
    // The session remembers it: the next call needs no `_meta`.
    let again = mcp.call("buy_book", buy(5), Value::Null).await;
    assert_eq!(again["isError"], false, "{again}");
    assert!(again["elicited"].as_array().unwrap().is_empty(), "{again}");
    mandate
}

async fn the_bookshop_over(transport: Transport) {
    let Some(python) = tool::python() else { return };
    let sandbox = Sandbox::start_ephemeral().await.unwrap();
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .unwrap();
    let (action_id, mandate) = setup(&sandbox, &client).await;
    let env = example_env(&sandbox, &action_id);
    let http = match transport {
        Transport::Http => Some(start_http(&env).await),
        Transport::Stdio => None,
    };
    let url = http.as_ref().map(|(_, url)| url.as_str());

    let mut plain = connect(&python, transport, &env, url, Value::Null, &sandbox).await;
    assert_eq!(plain.hello["protocol"], "2025-11-25", "{}", plain.hello);
    assert_eq!(plain.hello["tools"], json!(["buy_book"]));
    let renewed = mandate_story(&mut plain, &sandbox, &client, &mandate).await;
    if let Some(url) = url {
        header_story(&python, url, &sandbox, &renewed).await;
    }

    let mut eliciting = connect(&python, transport, &env, url, json!("approve"), &sandbox).await;
    let approved = elicitation_story(&mut eliciting).await;

    let secrets = [
        sandbox.api_key().to_owned(),
        sandbox.signature_secret().to_owned(),
    ];
    sandbox.shutdown().await;
    let closed = eliciting
        .call("buy_book", buy(5), mandate_meta(&approved))
        .await;
    assert_eq!(closed["isError"], true, "{closed}");
    assert_eq!(closed["structured"]["statusCode"], 503, "{closed}");
    let secrets = secrets.each_ref().map(String::as_str);
    plain.assert_no_secret(&secrets);
    eliciting.assert_no_secret(&secrets);
    plain.close().await;
    eliciting.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_client_over_stdio() {
    the_bookshop_over(Transport::Stdio).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_client_over_streamable_http() {
    the_bookshop_over(Transport::Http).await;
}
