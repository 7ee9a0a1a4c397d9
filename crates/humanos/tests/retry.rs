//! Retries, backoff, Retry-After and timeouts, through the signature-checking server.

mod support;

use std::time::Duration;

use humanos::models::{CreatePresentationDto, GenerateRequestDto, RequestQuery, SubjectQuery};
use humanos::{Error, HumanosClient, RetryConfig};
use serde_json::json;
use support::{Reply, TestServer, closed_port, fast_retry};

fn success() -> Reply {
    Reply::json(200, &support::samples::instance("RequestDetailEntity"))
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_and_signed_again_with_a_fresh_timestamp() {
    let server = TestServer::start().await;
    server
        .push(
            Reply::error(429, "Too Many Requests", "Too Many Requests").header("retry-after", "1"),
        )
        .push(success());
    let client = server.client();
    client.requests().detail("r1").await.unwrap();

    let got = server.received();
    assert_eq!(got.len(), 2);
    // The server slept for nothing: the client waited the second Retry-After asked for, then
    // signed the same bytes again with a new timestamp (both signatures passed the checks).
    assert!(
        got[1].timestamp() >= got[0].timestamp() + 1000,
        "{} then {}",
        got[0].timestamp(),
        got[1].timestamp()
    );
    assert_ne!(got[0].header("x-signature"), got[1].header("x-signature"));
    server.assert_clean();
}

#[tokio::test]
async fn a_get_answered_500_is_retried_then_succeeds() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(
            500,
            "Internal server error",
            "Internal Server Error",
        ))
        .push(Reply::raw(502, "text/html", "<html>bad gateway</html>"))
        .push(success());
    server.client().requests().detail("r1").await.unwrap();
    assert_eq!(server.received().len(), 3);
    server.assert_clean();
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_returned() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::error(
            503,
            "Service Unavailable",
            "Service Unavailable",
        ));
    }
    server.push(success());
    let error = server.client().requests().detail("r1").await.unwrap_err();
    assert!(matches!(error, Error::Api { status: 503, .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(server.received().len(), 3, "default: 3 attempts");
    assert!(server.rejections().is_empty());
}

#[tokio::test]
async fn a_post_answered_500_is_not_retried() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(
            500,
            "Internal server error",
            "Internal Server Error",
        ))
        .push(Reply::json(
            201,
            &json!({"id": "r", "credentials": [], "subjects": []}),
        ));
    let error = server
        .client()
        .requests()
        .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { status: 500, .. }), "{error:?}");
    assert_eq!(
        server.received().len(),
        1,
        "a POST that reached the server is final"
    );
    assert!(server.rejections().is_empty());
}

#[tokio::test]
async fn patch_and_delete_answered_5xx_are_not_retried() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(502, "Bad Gateway", "Bad Gateway"))
        .push(Reply::error(
            503,
            "Service Unavailable",
            "Service Unavailable",
        ));
    let client = server.client();
    let e = client
        .requests()
        .resend_otp("r1", SubjectQuery::new().id("u1"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(502));
    let e = client.requests().cancel("r1").await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(server.received().len(), 2);
    server.assert_clean();
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_retried_with_the_same_key_and_bytes() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(
            503,
            "Service Unavailable",
            "Service Unavailable",
        ))
        .push(Reply::json(
            201,
            &json!({"id": "r", "credentials": [], "subjects": []}),
        ));
    let created = server
        .client()
        .requests()
        .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
        .idempotency_key("create-7f1c")
        .await
        .unwrap();
    assert_eq!(created.id, "r");
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("idempotency-key"), Some("create-7f1c"));
    assert_eq!(got[1].header("idempotency-key"), Some("create-7f1c"));
    assert_eq!(got[0].body, got[1].body);
    server.assert_clean();
}

#[tokio::test]
async fn client_errors_are_final() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(400, "Invalid request id", "Bad Request"))
        .push(success());
    let e = server.client().requests().detail("nope").await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(!e.is_retryable());
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn retry_after_beyond_the_time_budget_is_not_waited_for() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(429, "slow down", "Too Many Requests").header("retry-after", "3600"))
        .push(success());
    let client = server
        .builder()
        .retry(fast_retry().with_max_elapsed(Duration::from_secs(5)))
        .build()
        .unwrap();
    let e = client.requests().detail("r1").await.unwrap_err();
    match e {
        Error::Api {
            status: 429,
            retry_after,
            ..
        } => assert_eq!(retry_after, Some(Duration::from_secs(3600))),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received().len(), 1);
}

/// A server may send any digits: one beyond u64 (or u64::MAX itself) is a delay the budget cannot
/// hold, so the client gives up at once. The answer comes after a second, so `elapsed + delay`
/// would overflow a `Duration` (it panicked).
#[tokio::test]
async fn retry_after_beyond_any_duration_is_not_waited_for_and_does_not_panic() {
    for value in ["18446744073709551615", "99999999999999999999999999"] {
        let server = TestServer::start().await;
        server
            .push(
                Reply::error(503, "busy", "Service Unavailable")
                    .header("retry-after", value)
                    .after(Duration::from_millis(1100)),
            )
            .push(success());
        let client = server.builder().retry(fast_retry()).build().unwrap();
        let e = client.requests().detail("r1").await.unwrap_err();
        match e {
            Error::Api {
                status: 503,
                retry_after,
                ..
            } => assert_eq!(retry_after, Some(Duration::from_secs(u64::MAX)), "{value}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(server.received().len(), 1, "{value}");
    }
}

#[tokio::test]
async fn retries_can_be_disabled_per_call() {
    let server = TestServer::start().await;
    server
        .push(Reply::error(500, "boom", "Internal Server Error"))
        .push(success());
    let e = server
        .client()
        .requests()
        .detail("r1")
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post_then_reported_as_transport() {
    let addr = closed_port().await;
    let client = HumanosClient::builder()
        .api_key(support::API_KEY)
        .signature_secret(support::SECRET)
        .base_url(format!("http://{addr}"))
        .retry(fast_retry())
        .build()
        .unwrap();

    let e = client
        .requests()
        .list(RequestQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { connect: true, .. }), "{e:?}");
    assert!(e.is_retryable());
    // Nothing was sent, so even a POST is safe to try again.
    let e = client
        .credentials()
        .issue_vp("urn:via:credential:1", CreatePresentationDto::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { connect: true, .. }), "{e:?}");

    // The attempt count (3 each) is asserted in tests/tracing.rs, whose tests all capture
    // spans: mixing capturing and non-capturing tests in one binary races on tracing's
    // callsite interest cache.
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = TestServer::start().await;
    server.push(success().after(Duration::from_secs(3)));
    let e = server
        .client()
        .requests()
        .detail("r1")
        .timeout(Duration::from_millis(200))
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Timeout { after } if after == Duration::from_millis(200)),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn a_get_that_timed_out_is_retried() {
    let server = TestServer::start().await;
    server
        .push(success().after(Duration::from_secs(3)))
        .push(success());
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    client.requests().detail("r1").await.unwrap();
    assert_eq!(server.received().len(), 2);
    server.assert_clean();
}

#[tokio::test]
async fn a_post_that_timed_out_is_not_retried() {
    let server = TestServer::start().await;
    server
        .push(
            Reply::json(201, &json!({"id": "r", "credentials": [], "subjects": []}))
                .after(Duration::from_secs(3)),
        )
        .push(Reply::json(
            201,
            &json!({"id": "r", "credentials": [], "subjects": []}),
        ));
    let e = server
        .client()
        .requests()
        .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert_eq!(
        server.received().len(),
        1,
        "the request may have been processed: not replayed"
    );
}
