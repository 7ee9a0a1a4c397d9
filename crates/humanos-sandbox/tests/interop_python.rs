//! The official Python SDK (PyPI `humanos==1.2.0`) against the sandbox: its requests pass the
//! sandbox's signature check exactly where they pass the service's.
//!
//! The SDK signs compact JSON and sends `json.dumps` with spaces; the service checks signatures
//! over `JSON.stringify(JSON.parse(body))`, so those requests succeed, except for bodies Python
//! writes differently from JavaScript (`5000.0`), which the service refuses with 401.
//!
//! Needs `HUMANOS_INTEROP_PYTHON` (set by `scripts/test`). Without it the test fails, unless
//! `HUMANOS_SKIP_PYTHON_INTEROP=1` (then it prints that it skipped).

#[path = "../../../interop/tool.rs"]
mod tool;

use humanos_sandbox::Sandbox;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn the_official_sdk_is_accepted_and_refused_as_the_service_would() {
    let Some(python) = tool::python() else { return };
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let args = json!({
        "base_url": sb.base_url(),
        "api_key": sb.api_key(),
        "signature_secret": sb.signature_secret(),
    });
    // The SDK's HTTP calls are blocking: keep them off the runtime that serves the sandbox.
    let answers =
        tokio::task::spawn_blocking(move || tool::run_python(&python, "py_client.py", &[args]))
            .await
            .unwrap();
    let statuses: Vec<(String, u64)> = answers
        .iter()
        .map(|a: &Value| {
            (
                a["call"].as_str().unwrap().to_owned(),
                a["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("users.create", 201),
        ("requests.list", 200),
        ("session.post", 201),
        ("session.post 5000.0", 401),
    ];
    assert_eq!(
        statuses,
        expected.map(|(c, s)| (c.to_owned(), s)).to_vec(),
        "(call, status) of interop/py_client.py"
    );
}

/// The official SDK through the six steps and every read endpoint (`interop/py_lifecycle.py`):
/// the SDK's own models decode every answer, the event chain after a presentation refused
/// after revoke and `intelligence.action` with the listing's version URN included. The only
/// failures allowed are the SDK refusing `null`s the description documents (the intelligence
/// blocks' "Null when ..." members, typed as required by this SDK): the sandbox keeps sending
/// them, as the description says.
#[tokio::test(flavor = "multi_thread")]
async fn the_official_sdk_decodes_the_whole_lifecycle() {
    let Some(python) = tool::python() else { return };
    let sb = Sandbox::start_ephemeral().await.unwrap();
    sb.define_action(json!({
        "name": "Purchase",
        "userParams": {"maxAmount": {"type": "number"}},
        "executionParams": {"amount": {"type": "number"}},
        "rules": ["executionParams.amount <= userParams.maxAmount"]
    }))
    .await
    .unwrap();
    let args = json!({
        "base_url": sb.base_url(),
        "api_key": sb.api_key(),
        "signature_secret": sb.signature_secret(),
        "admin_token": sb.admin_token(),
        "org_did": sb.issuer_did(),
        "agent_did": sb.agent_did(),
    });
    let answers =
        tokio::task::spawn_blocking(move || tool::run_python(&python, "py_lifecycle.py", &[args]))
            .await
            .unwrap();
    let calls: Vec<&str> = answers
        .iter()
        .map(|a| a["call"].as_str().unwrap())
        .collect();
    assert_eq!(
        calls,
        [
            "actions.list",
            "actions.versions",
            "approval.list",
            "approval.workflows",
            "intelligence.action",
            "requests.create",
            "requests.list",
            "requests.detail",
            "credentials.detail",
            "users.detail",
            "credentials.issue_vp",
            "credentials.verify allow",
            "credentials.verify deny",
            "credentials.revoke",
            "credentials.issue_vp after revoke",
            "credentials.detail revoked",
            "credentials.audit_events",
            "credentials.evidence",
            "did.resolve",
            "intelligence.snapshot",
            "intelligence.window",
            "requests.cancel",
        ],
        "calls of interop/py_lifecycle.py"
    );
    let documented_nulls = ["intelligence.snapshot", "intelligence.window"];
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|a| a["ok"] != true)
        .filter(|a| {
            !(a["null_only"] == true && documented_nulls.contains(&a["call"].as_str().unwrap()))
        })
        .collect();
    assert!(refused.is_empty(), "the official SDK refused: {refused:#?}");
}
