//! The client's secure defaults (issue 15): no plain `http` base URL off loopback, and an
//! idempotency key only on the calls the API deduplicates.

mod support;

use humanos::models::{
    CreateSubjectDto, GenerateRequestDto, RevokeCredentialDto, SubjectQuery, VerifyPresentationDto,
};
use humanos::{ClientConfigError, Error, HumanosClient, RequestOptions};
use serde_json::json;
use support::{Reply, TestServer};

fn builder(base: &str) -> humanos::HumanosClientBuilder {
    HumanosClient::builder()
        .api_key("k")
        .signature_secret("s")
        .base_url(base)
}

#[test]
fn plain_http_is_refused_off_loopback() {
    for base in [
        "http://api.humanos.id",
        "http://10.0.0.7:8080",
        "http://[2001:db8::1]",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.com",
    ] {
        let e = builder(base).build().unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{base}: {e:?}");
        assert!(e.to_string().contains("https"), "{base}: {e}");
        // The loudly named opt-out accepts it.
        builder(base).danger_allow_insecure_http().build().unwrap();
    }
    // Loopback (the local sandbox) and https need nothing.
    for base in [
        "http://127.0.0.1:4010",
        "http://127.8.9.10",
        "http://[::1]:4010",
        "http://localhost:4010",
        "http://LOCALHOST",
        "https://api.humanos.id",
        "https://10.0.0.7",
    ] {
        builder(base)
            .build()
            .unwrap_or_else(|e| panic!("{base}: {e}"));
    }
}

#[tokio::test]
async fn an_idempotency_key_is_refused_where_the_api_ignores_it() {
    let server = TestServer::start().await;
    let client = server.client();
    let refused = [
        client
            .credentials()
            .verify(VerifyPresentationDto::new().presentation_encoded("e30="))
            .idempotency_key("k-1")
            .await
            .map(drop),
        client
            .credentials()
            .revoke("urn:via:credential:1", RevokeCredentialDto::new())
            .idempotency_key("k-2")
            .await
            .map(drop),
        client
            .requests()
            .cancel("r1")
            .idempotency_key("k-3")
            .await
            .map(drop),
        client
            .requests()
            .detail("r1")
            .options(RequestOptions::new().with_idempotency_key("k-4"))
            .await
            .map(drop),
    ];
    for (i, result) in refused.into_iter().enumerate() {
        match result {
            Err(Error::Config(ClientConfigError::IdempotencyKeyNotHonoured {
                honoured, ..
            })) => {
                assert!(honoured.contains("requests.create"), "{i}: {honoured}")
            }
            other => panic!("call {i} was not refused: {other:?}"),
        }
    }
    assert!(server.received().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_idempotency_key_is_sent_where_the_api_honours_it() {
    let server = TestServer::start().await;
    server
        .push(Reply::json(
            201,
            &json!({"id": "r", "credentials": [], "subjects": []}),
        ))
        .push(Reply::json(200, &json!({"success": true})))
        .push(Reply::json(201, &json!([])));
    let client = server.client();
    client
        .requests()
        .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
        .idempotency_key("k-create")
        .await
        .unwrap();
    client
        .requests()
        .resend_otp("r", SubjectQuery::new().contact("user@example.com"))
        .idempotency_key("k-resend")
        .await
        .unwrap();
    client
        .users()
        .create(vec![CreateSubjectDto::new("user@example.com")])
        .idempotency_key("k-user")
        .await
        .unwrap();
    let keys: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(
        keys,
        [Some("k-create"), Some("k-resend"), Some("k-user")].map(|k| k.map(str::to_owned))
    );
    server.assert_clean();
}
