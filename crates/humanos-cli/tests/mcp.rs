//! `humanos mcp` driven by the official Python MCP SDK (PyPI `mcp`, pinned in
//! interop/requirements.txt), over stdio (the SDK spawns the binary) and Streamable HTTP (on
//! 127.0.0.1), against an in-process sandbox: request a mandate, follow it, list it, authorize
//! within and above its limit; the API's failures as tool errors; and neither the API key nor
//! the signature secret in any answer.
//!
//! Needs `HUMANOS_INTEROP_PYTHON` (set by `scripts/test`). Without it the tests fail, unless
//! `HUMANOS_SKIP_PYTHON_INTEROP=1`.

#[path = "../../../interop/tool.rs"]
mod tool;

#[path = "../../../interop/mcp_driver.rs"]
mod mcp_driver;

use humanos_sandbox::{Sandbox, SandboxHandle};
use mcp_driver::McpClient;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[derive(Clone, Copy, Debug)]
enum Transport {
    Stdio,
    Http,
}

/// The CLI's configuration: the sandbox's API, nothing from this machine's profile.
fn cli_env(sandbox: &SandboxHandle) -> Value {
    json!({
        "HUMANOS_BASE_URL": sandbox.base_url(),
        "HUMANOS_API_KEY": sandbox.api_key(),
        "HUMANOS_SIGNATURE_SECRET": sandbox.signature_secret(),
        "HUMANOS_CONFIG": "/nonexistent/humanos-cli-test.toml",
        "PATH": std::env::var("PATH").unwrap_or_default(),
    })
}

/// `humanos mcp --http 127.0.0.1:0` and the URL it printed.
async fn start_http(env: &Value) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_humanos"));
    command
        .args(["mcp", "--http", "127.0.0.1:0"])
        .env_clear()
        .kill_on_drop(true);
    for (k, v) in env.as_object().unwrap() {
        command.env(k, v.as_str().unwrap());
    }
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start humanos mcp");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().expect("the URL line");
    let url = first
        .strip_prefix("MCP_URL=")
        .expect("MCP_URL=...")
        .to_owned();
    (child, url)
}

/// Every answer must be free of the API credentials.
struct Checked<'a> {
    mcp: McpClient,
    secrets: [&'a str; 2],
    answers: usize,
}

impl Checked<'_> {
    async fn call(&mut self, tool: &str, args: Value) -> Value {
        let answer = self.mcp.call(tool, args, Value::Null).await;
        let text = answer.to_string();
        for secret in self.secrets {
            assert!(
                !text.contains(secret),
                "{tool} answered with a secret: {text}"
            );
        }
        self.answers += 1;
        answer
    }
}

async fn published_action(sandbox: &SandboxHandle) -> String {
    let definition = json!({
        "name": "Buy a book",
        "description": "Buy one book on the user's behalf",
        "userParams": {"maxAmount": {"type": "number", "description": "Largest purchase, EUR"}},
        "executionParams": {"amount": {"type": "number"}},
        "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
    });
    sandbox.define_action(definition).await.unwrap().id
}

/// Request, status, approval, list, authorize within and above the limit.
async fn mandate_tools(mcp: &mut Checked<'_>, sandbox: &SandboxHandle, action_id: &str) -> String {
    let created = mcp
        .call(
            "request_mandate",
            json!({"action_id": action_id, "contact": "ana@example.com", "user_params": {"maxAmount": 20}}),
        )
        .await;
    assert_eq!(created["isError"], false, "{created}");
    let request_id = created["structured"]["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mandate = created["structured"]["mandateIds"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        created["structured"]["approvalUrl"]
            .as_str()
            .unwrap()
            .contains(&request_id)
    );

    let waiting = mcp
        .call("request_status", json!({"request_id": request_id}))
        .await;
    assert_eq!(
        waiting["structured"]["mandates"][0]["status"], "DRAFT",
        "{waiting}"
    );
    sandbox.approve(&request_id).await.unwrap();
    let approved = mcp
        .call("request_status", json!({"request_id": request_id}))
        .await;
    assert_eq!(
        approved["structured"]["mandates"][0]["status"], "ACTIVE",
        "{approved}"
    );

    let listed = mcp.call("list_mandates", json!({})).await;
    let ids: Vec<&Value> = listed["structured"]["mandates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert!(ids.contains(&&json!(mandate)), "{listed}");

    let authorize = |amount: u64| json!({"mandate_id": mandate, "action_id": action_id, "execution_params": {"amount": amount}});
    let allowed = mcp.call("authorize", authorize(12)).await;
    assert_eq!(allowed["structured"]["decision"], "allow", "{allowed}");
    let denied = mcp.call("authorize", authorize(35)).await;
    assert_eq!(denied["structured"]["decision"], "deny", "{denied}");
    assert_eq!(denied["structured"]["reason"], "rule_failed", "{denied}");
    let rules = denied["structured"]["evaluations"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|e| e["rule"] == "amount_within_limit" && e["result"] == "fail"),
        "{denied}"
    );
    mandate
}

async fn humanos_mcp_over(transport: Transport) {
    let Some(python) = tool::python() else { return };
    let sandbox = Sandbox::start_ephemeral().await.unwrap();
    let action_id = published_action(&sandbox).await;
    let env = cli_env(&sandbox);
    let http = match transport {
        Transport::Http => Some(start_http(&env).await),
        Transport::Stdio => None,
    };
    let config = match &http {
        Some((_, url)) => json!({"url": url}),
        None => {
            json!({"stdio": {"command": env!("CARGO_BIN_EXE_humanos"), "args": ["mcp"], "env": env}})
        }
    };
    let mcp = McpClient::connect(&python, config).await;
    let mut tools: Vec<String> = serde_json::from_value(mcp.hello["tools"].clone()).unwrap();
    tools.sort();
    assert_eq!(
        tools,
        [
            "authorize",
            "list_mandates",
            "request_mandate",
            "request_status"
        ]
    );
    let (api_key, secret) = (
        sandbox.api_key().to_owned(),
        sandbox.signature_secret().to_owned(),
    );
    let mut mcp = Checked {
        mcp,
        secrets: [&api_key, &secret],
        answers: 0,
    };

    let mandate = mandate_tools(&mut mcp, &sandbox, &action_id).await;
    let unknown = mcp
        .call("request_status", json!({"request_id": "req_unknown"}))
        .await;
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert_eq!(unknown["structured"]["statusCode"], 404, "{unknown}");

    sandbox.shutdown().await;
    let down = mcp
        .call("authorize", json!({"mandate_id": mandate, "action_id": action_id, "execution_params": {"amount": 1}}))
        .await;
    assert_eq!(down["isError"], true, "{down}");
    assert_eq!(down["structured"]["statusCode"], 503, "{down}");
    let down = mcp.call("list_mandates", json!({})).await;
    assert_eq!(down["isError"], true, "{down}");
    assert_eq!(mcp.answers, 9, "every answer was checked for secrets");
    mcp.mcp.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn humanos_mcp_over_stdio_with_the_official_python_client() {
    humanos_mcp_over(Transport::Stdio).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn humanos_mcp_over_streamable_http_with_the_official_python_client() {
    humanos_mcp_over(Transport::Http).await;
}
