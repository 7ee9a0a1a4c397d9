//! The headers of every request: API version (default, client-wide, per call), SDK language,
//! user agent, idempotency key, and configuration from the environment.

mod support;

use std::time::Duration;

use humanos::models::{ActionQuery, VerifyPresentationDto};
use humanos::{API_VERSION, RequestOptions, USER_AGENT};
use serde_json::json;
use support::{Reply, TestServer};

fn allow() -> Reply {
    Reply::json(
        201,
        &json!({"decision": "allow", "credentialId": "urn:via:credential:1", "evaluations": []}),
    )
}

#[tokio::test]
async fn every_request_carries_the_signed_headers_once() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, &json!({"data": [], "totalPages": 0})));
    server
        .client()
        .actions()
        .list(ActionQuery::new())
        .await
        .unwrap();
    let got = server.only();
    for (name, value) in [
        ("api-version", API_VERSION),
        ("x-sdk-language", "rust"),
        ("content-type", "application/json"),
        ("user-agent", USER_AGENT),
    ] {
        assert_eq!(got.header_count(name), 1, "{name}");
        assert_eq!(got.header(name), Some(value), "{name}");
    }
    assert_eq!(API_VERSION, "2026-09-01");
    assert!(USER_AGENT.starts_with("humanos-rust/"));
    assert_eq!(got.header_count("authorization"), 1);
    assert_eq!(got.header("x-signature").map(str::len), Some(64));
    assert_eq!(got.header_count("idempotency-key"), 0);
    server.assert_clean();
}

#[tokio::test]
async fn a_per_call_api_version_replaces_the_default_header() {
    let server = TestServer::start().await;
    server.push(allow()).push(allow());
    let client = server.client();
    client
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
        .api_version("2025-12-01")
        .await
        .unwrap();
    // The override does not stick to the client.
    client
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got[0].header_count("api-version"), 1);
    assert_eq!(got[0].header("api-version"), Some("2025-12-01"));
    assert_eq!(got[1].header_count("api-version"), 1);
    assert_eq!(got[1].header("api-version"), Some(API_VERSION));
    server.assert_clean();
}

#[tokio::test]
async fn client_wide_version_user_agent_and_options() {
    let server = TestServer::start().await;
    server.push(allow()).push(allow());
    let client = server
        .builder()
        .api_version("2026-03-24")
        .user_agent("acme-agent/2.1")
        .build()
        .unwrap();
    assert_eq!(client.api_version(), "2026-03-24");
    client
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
        .await
        .unwrap();
    let options = RequestOptions::new()
        .with_api_version("2025-12-01")
        .with_timeout(Duration::from_secs(5));
    client
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
        .options(options)
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got[0].header("api-version"), Some("2026-03-24"));
    assert_eq!(
        got[0].header("user-agent"),
        Some(format!("acme-agent/2.1 {USER_AGENT}").as_str())
    );
    assert_eq!(got[1].header_count("api-version"), 1);
    assert_eq!(got[1].header("api-version"), Some("2025-12-01"));
    assert_eq!(got[1].header_count("idempotency-key"), 0);
    server.assert_clean();
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, &json!({"data": [], "totalPages": 0})));
    let client = server
        .builder()
        .base_url(format!("{}/gateway/humanos/", server.base_url()))
        .build()
        .unwrap();
    client.actions().list(ActionQuery::new()).await.unwrap();
    assert_eq!(server.only().path, "/gateway/humanos/actions");
    server.assert_clean();
}

/// Run in a child process (the test harness cannot change its own environment safely): the
/// client built by `from_env` reaches the parent's server with valid signatures.
#[tokio::test]
async fn from_env_reads_key_secret_and_base_url() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, &json!({"data": [], "totalPages": 0})));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "from_env_child", "--ignored", "--nocapture"])
        .env("HUMANOS_API_KEY", format!("  {}\n", support::API_KEY))
        .env("HUMANOS_SIGNATURE_SECRET", format!("{}\n", support::SECRET))
        .env("HUMANOS_BASE_URL", server.base_url());
    // The server runs on this runtime: wait for the child off it.
    let output = tokio::task::spawn_blocking(move || child.output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.only().path, "/actions");
    server.assert_clean();

    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "from_env_missing_child",
            "--ignored",
            "--nocapture",
        ])
        .env_remove("HUMANOS_API_KEY")
        .env_remove("HUMANOS_SIGNATURE_SECRET")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[tokio::test]
#[ignore = "run by from_env_reads_key_secret_and_base_url in a child process"]
async fn from_env_child() {
    let client = humanos::HumanosClient::from_env().unwrap();
    client.actions().list(ActionQuery::new()).await.unwrap();
}

#[test]
#[ignore = "run by from_env_reads_key_secret_and_base_url in a child process"]
fn from_env_missing_child() {
    let e = humanos::HumanosClient::from_env().unwrap_err();
    assert!(e.to_string().contains("HUMANOS_API_KEY"), "{e}");
}
