//! One `humanos` span per call with endpoint, method, path, API version, status, attempts and
//! latency, one `humanos.attempt` span per attempt, and never a secret.

mod support;

use humanos::models::SubjectQuery;
use serde_json::json;
use support::capture::Capture;
use support::samples::instance;
use support::{API_KEY, Reply, SECRET, TestServer};

#[tokio::test]
async fn spans_describe_each_call_and_never_hold_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::start().await;
    server
        .push(Reply::error(503, "busy", "Service Unavailable"))
        .push(Reply::json(200, &instance("SubjectIssuerEntity")))
        .push(Reply::error(404, "User not found", "Not Found"));
    let client = server.client();
    client
        .users()
        .detail(SubjectQuery::new().contact("user@example.com"))
        .await
        .unwrap();
    client
        .users()
        .detail(SubjectQuery::new().contact("user@example.com"))
        .api_version("2025-12-01")
        .await
        .unwrap_err();
    let wrong = server.builder().signature_secret("wrong").build().unwrap();
    let _ = wrong.requests().cancel("r").await.unwrap_err();

    let text = capture.text();
    for expected in [
        "humanos.endpoint=\"users.detail\"",
        "humanos.method=GET",
        "humanos.path=/user",
        "humanos.api_version=\"2026-09-01\"",
        "humanos.api_version=\"2025-12-01\"",
        "humanos.status=200",
        "humanos.status=404",
        "humanos.status=401",
        "humanos.attempts=2",
        "humanos.attempt.attempt=1",
        "humanos.attempt.attempt=2",
        "humanos.attempt.status=503",
        "humanos.endpoint=\"requests.cancel\"",
        "humanos.method=DELETE",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    assert!(
        text.lines().any(|l| l.starts_with("humanos.latency_ms=")),
        "{text}"
    );
    for secret in [API_KEY, SECRET, "Bearer", "user@example.com"] {
        assert!(!text.contains(secret), "{secret} leaked into\n{text}");
    }
    let _ = json!(null);
}

#[tokio::test]
async fn refused_connections_record_the_attempts_of_a_get_and_of_a_post() {
    use humanos::models::{CreatePresentationDto, RequestQuery};
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let addr = support::closed_port().await;
    let client = humanos::HumanosClient::builder()
        .api_key(API_KEY)
        .signature_secret(SECRET)
        .base_url(format!("http://{addr}"))
        .retry(support::fast_retry())
        .build()
        .unwrap();

    client
        .requests()
        .list(RequestQuery::new())
        .await
        .unwrap_err();
    // Nothing was sent, so even a POST is tried again.
    client
        .credentials()
        .issue_vp("urn:via:credential:1", CreatePresentationDto::new())
        .await
        .unwrap_err();

    let text = capture.text();
    let attempts: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("humanos.attempts="))
        .collect();
    assert_eq!(
        attempts,
        ["humanos.attempts=3", "humanos.attempts=3"],
        "{text}"
    );
}
