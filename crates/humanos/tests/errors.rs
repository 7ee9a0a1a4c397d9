//! Error answers, decode failures, configuration errors and secret hygiene.

mod support;

use humanos::models::{
    CreatePresentationDto, GenerateRequestDto, RequestQuery, RevokeCredentialDto,
    VerifyPresentationDto,
};
use humanos::{Error, HumanosClient, RetryConfig};
use humanos_signing::FixedClock;
use serde_json::json;
use support::samples::instance;
use support::{API_KEY, Reply, SECRET, TestServer, closed_port};

fn assert_api(error: &Error, status: u16, code: &str, message: &str) {
    match error {
        Error::Api {
            status: s,
            code: c,
            message: m,
            body,
            parsed,
            ..
        } => {
            assert_eq!(*s, status);
            assert_eq!(c.as_deref(), Some(code));
            assert_eq!(m.as_deref(), Some(message));
            assert!(!body.is_empty());
            assert_eq!(parsed.as_ref().and_then(|p| p.status()), Some(status));
        }
        other => panic!("expected Api {status}, got {other:?}"),
    }
    assert_eq!(error.status(), Some(status));
    assert!(error.to_string().contains(message), "{error}");
}

#[tokio::test]
async fn documented_error_bodies_of_requests_create_are_parsed() {
    let server = TestServer::start().await;
    let client = server.client();
    let create = || {
        client
            .requests()
            .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
    };

    server.push(Reply::json(
        400,
        &json!({"statusCode": 400, "message": ["credentials.0.name is required", "contacts must be an array"], "error": "Bad Request"}),
    ));
    let e = create().await.unwrap_err();
    assert_api(
        &e,
        400,
        "Bad Request",
        "credentials.0.name is required; contacts must be an array",
    );
    assert!(!e.is_retryable());

    server.push(Reply::error(
        402,
        "Insufficient credits",
        "Payment Required",
    ));
    assert_api(
        &create().await.unwrap_err(),
        402,
        "Payment Required",
        "Insufficient credits",
    );

    server.push(Reply::error(
        409,
        "A request with this internalId already exists",
        "Conflict",
    ));
    assert_api(
        &create().await.unwrap_err(),
        409,
        "Conflict",
        "A request with this internalId already exists",
    );
    server.assert_clean();
}

#[tokio::test]
async fn documented_error_bodies_of_credentials_are_parsed() {
    let server = TestServer::start().await;
    let client = server.client();
    server.push(Reply::json(
        403,
        &json!({"statusCode": 403, "message": "Credential is revoked", "error": "Forbidden", "reason": "credential_revoked"}),
    ));
    let e = client
        .credentials()
        .issue_vp("urn:via:credential:1", CreatePresentationDto::new())
        .await
        .unwrap_err();
    assert_api(&e, 403, "credential_revoked", "Credential is revoked");

    server.push(Reply::error(404, "Credential not found", "Not Found"));
    assert_api(
        &client
            .credentials()
            .detail("urn:via:credential:2")
            .await
            .unwrap_err(),
        404,
        "Not Found",
        "Credential not found",
    );

    server.push(Reply::error(409, "Credential already revoked", "Conflict"));
    assert_api(
        &client
            .credentials()
            .revoke("urn:via:credential:1", RevokeCredentialDto::new())
            .await
            .unwrap_err(),
        409,
        "Conflict",
        "Credential already revoked",
    );
    server.assert_clean();
}

#[tokio::test]
async fn an_undocumented_error_body_keeps_status_and_raw_body() {
    let server = TestServer::start().await;
    server.push(Reply::raw(502, "text/html", "<html>upstream down</html>"));
    let e = server
        .client()
        .requests()
        .detail("r")
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    match &e {
        Error::Api {
            status: 502,
            parsed: None,
            code: None,
            body,
            ..
        } => assert_eq!(body.as_ref(), b"<html>upstream down</html>"),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.to_string(), "Humanos API error 502");
}

#[tokio::test]
async fn a_403_that_is_not_a_denial_is_an_error_from_verify() {
    let server = TestServer::start().await;
    server.push(Reply::error(403, "Verifier not authorized", "Forbidden"));
    let e = server
        .client()
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
        .await
        .unwrap_err();
    assert_api(&e, 403, "Forbidden", "Verifier not authorized");
}

#[tokio::test]
async fn a_verify_400_is_an_error() {
    let server = TestServer::start().await;
    server.push(Reply::error(
        400,
        "presentationEncoded is not valid base64",
        "Bad Request",
    ));
    let e = server
        .client()
        .credentials()
        .verify(VerifyPresentationDto::new().presentation_encoded("%%%"))
        .await
        .unwrap_err();
    assert_api(
        &e,
        400,
        "Bad Request",
        "presentationEncoded is not valid base64",
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_path_and_snippet() {
    let server = TestServer::start().await;
    server.push(Reply::raw(
        200,
        "application/json",
        r#"{"data":[{"id":"66f0","name":"Mandate","securityLevel":"CONTACT","subjects":[],"credentials":[],"createdAt":"2026-09"#,
    ));
    let e = server
        .client()
        .requests()
        .list(RequestQuery::new())
        .await
        .unwrap_err();
    match &e {
        Error::Decode {
            endpoint,
            status,
            path,
            snippet,
            ..
        } => {
            assert_eq!((*endpoint, *status), ("requests.list", 200));
            assert!(path.starts_with("data[0]"), "{path}");
            assert!(snippet.ends_with(r#""createdAt":"2026-09"#), "{snippet}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("requests.list"), "{e}");
}

#[tokio::test]
async fn a_wrong_type_names_the_json_path() {
    let server = TestServer::start().await;
    let mut body = instance("RequestsEntity");
    body["data"][0]["createdAt"] = json!(1_756_000_000);
    server.push(Reply::json(200, &body));
    let e = server
        .client()
        .requests()
        .list(RequestQuery::new())
        .await
        .unwrap_err();
    match &e {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "data[0].createdAt");
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("data[0].createdAt"), "{e}");
}

#[tokio::test]
async fn trailing_garbage_is_a_decode_error() {
    let server = TestServer::start().await;
    server.push(Reply::raw(200, "application/json", r#"{"success":true} {"#));
    let e = server.client().requests().cancel("r").await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[tokio::test]
async fn the_server_rejects_a_wrong_secret_and_a_stale_timestamp() {
    let server = TestServer::start().await;
    let wrong = server
        .builder()
        .signature_secret("not-the-secret")
        .build()
        .unwrap();
    let e = wrong.requests().detail("r").await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(
        server.rejections()[0].contains("signature"),
        "{:?}",
        server.rejections()
    );

    let stale = server
        .builder()
        .clock(FixedClock(1_700_000_000_000))
        .build()
        .unwrap();
    let e = stale.requests().detail("r").await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(
        server.rejections()[1].contains("ms old, more than"),
        "{:?}",
        server.rejections()
    );
}

#[tokio::test]
async fn an_unsafe_integer_is_refused_before_sending() {
    let server = TestServer::start().await;
    let e = server
        .client()
        .credentials()
        .verify(VerifyPresentationDto::new().execution_param("amount", 9_007_199_254_740_993_u64))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Encode(_)), "{e:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, &instance("RequestDetailEntity")));
    let client = server.builder().max_response_bytes(64).build().unwrap();
    let e = client.requests().detail("r").await.unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { limit: 64 }), "{e:?}");
}

#[tokio::test]
async fn configuration_errors_are_reported_before_sending() {
    let server = TestServer::start().await;
    for builder in [
        server.builder().base_url("ftp://example.com"),
        server.builder().base_url("https://example.com/?x=1"),
        server.builder().api_key(""),
        server.builder().api_version("2026-09-01\n"),
        server
            .builder()
            .http_client(humanos::reqwest::Client::new())
            .proxy(humanos::reqwest::Proxy::all("http://127.0.0.1:9").unwrap()),
    ] {
        assert!(matches!(builder.build(), Err(Error::Config(_))));
    }
    let e = server
        .client()
        .requests()
        .detail("r")
        .api_version("bad\nversion")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = TestServer::start().await;
    let builder = server.builder();
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let call = client.requests().detail("r");
    let mut texts = vec![builder_debug, format!("{client:?}"), format!("{call:?}")];

    // An API error (the server rejects a wrong secret) ...
    let wrong = server.builder().signature_secret("wrong").build().unwrap();
    let e = wrong.requests().detail("r").await.unwrap_err();
    texts.push(format!("{e} {e:?}"));
    // ... a transport error ...
    let addr = closed_port().await;
    let offline = HumanosClient::builder()
        .api_key(API_KEY)
        .signature_secret(SECRET)
        .base_url(format!("http://{addr}"))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let e = offline.requests().detail("r").await.unwrap_err();
    texts.push(format!("{e} {e:?}"));
    // ... and a configuration error.
    let e = HumanosClient::builder()
        .api_key(format!("{API_KEY}\n"))
        .signature_secret(SECRET)
        .build()
        .unwrap_err();
    texts.push(format!("{e} {e:?}"));

    for text in texts {
        assert!(!text.contains(API_KEY), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("NEVER-PRINT"), "{text}");
    }
}
