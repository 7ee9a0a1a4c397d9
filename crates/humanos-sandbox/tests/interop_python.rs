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
