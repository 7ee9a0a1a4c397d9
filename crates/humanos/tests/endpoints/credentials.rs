//! `client.credentials()`: detail, evidence, audit_events, issue_vp, verify, revoke.

use http::Method;
use humanos::Verdict;
use humanos::models::{
    CreatePresentationDto, PresentationEntity, RevokeCredentialDto, VerifyPresentationDto,
};
use serde_json::json;

use super::support::Reply;
use super::support::samples::instance;
use super::{same, server};

#[tokio::test]
async fn credentials_detail_escapes_the_urn_in_the_path() {
    let (server, client) = server().await;
    let body = instance("CredentialEntity");
    server.push(Reply::json(200, &body));
    let credential = client
        .credentials()
        .detail("urn:via:credential:0b7e")
        .await
        .unwrap();
    same(&credential, &body);
    let got = server.only();
    assert_eq!(got.raw_path, "/credential/urn%3Avia%3Acredential%3A0b7e");
    assert_eq!(got.path, "/credential/urn:via:credential:0b7e");
    server.assert_clean();
}

#[tokio::test]
async fn credentials_evidence_returns_bytes_and_content_type() {
    let (server, client) = server().await;
    let bytes: Vec<u8> = vec![0x25, 0x50, 0x44, 0x46, 0xff, 0x00, 0xfe];
    server.push(Reply::raw(200, "application/pdf", bytes.clone()));
    let evidence = client
        .credentials()
        .evidence("urn:via:evidence:9")
        .await
        .unwrap();
    assert_eq!(evidence.bytes.as_ref(), bytes.as_slice());
    assert_eq!(evidence.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(evidence.text(), None);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::GET, "/credential/evidence/urn:via:evidence:9")
    );
    server.assert_clean();
}

#[tokio::test]
async fn credentials_audit_events() {
    let (server, client) = server().await;
    let body = instance("ChainAuditEntity");
    server.push(Reply::json(200, &body));
    let audit = client
        .credentials()
        .audit_events("urn:via:credential:1")
        .await
        .unwrap();
    same(&audit, &body);
    assert_eq!(
        server.only().path,
        "/credential/urn:via:credential:1/events"
    );
    server.assert_clean();
}

#[tokio::test]
async fn credentials_issue_vp_sends_the_optional_target_verifier() {
    let (server, client) = server().await;
    let body = instance("PresentationEntity");
    server.push(Reply::json(201, &body));
    server.push(Reply::json(201, &body));
    let vp = client
        .credentials()
        .issue_vp("urn:via:credential:1", CreatePresentationDto::new())
        .await
        .unwrap();
    same(&vp, &body);
    client
        .credentials()
        .issue_vp(
            "urn:via:credential:1",
            CreatePresentationDto::new().target_verifier("did:web:verifier.example"),
        )
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got[0].method, Method::POST);
    assert_eq!(got[0].path, "/credential/vp/urn:via:credential:1");
    // `{}` is sent as the official SDK sends it, and signed as the timestamp alone.
    assert_eq!(got[0].body.as_ref(), b"{}");
    assert_eq!(
        got[1].body.as_ref(),
        br#"{"targetVerifier":"did:web:verifier.example"}"#
    );
    server.assert_clean();
}

fn issued_vp() -> PresentationEntity {
    serde_json::from_value(json!({
        "presentation": {"type": ["VerifiablePresentation"], "holder": "did:web:humanos.tech:org:1",
                         "proof": {"created": "2026-09-01T12:00:00.000Z"}},
        "presentationEncoded": "eyJ0eXBlIjpbIlZlcmlmaWFibGVQcmVzZW50YXRpb24iXX0="
    }))
    .unwrap()
}

#[tokio::test]
async fn credentials_verify_allow_sends_presentation_encoded() {
    let (server, client) = server().await;
    let body = json!({"decision": "allow", "credentialId": "urn:via:credential:1",
                      "evaluations": [{"rule": "amount", "result": "pass"}]});
    server.push(Reply::json(201, &body));
    let vp = issued_vp();
    let verdict = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&vp)
                .execution_param("amount", 5000)
                .execution_param("category", "BOOKS"),
        )
        .await
        .unwrap();
    assert!(verdict.is_allowed());
    assert_eq!(verdict.credential_id(), "urn:via:credential:1");
    let Verdict::Allow(allow) = verdict else {
        panic!("not allowed")
    };
    same(&allow, &body);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::POST, "/credential/verify")
    );
    assert_eq!(
        std::str::from_utf8(&got.body).unwrap(),
        r#"{"presentationEncoded":"eyJ0eXBlIjpbIlZlcmlmaWFibGVQcmVzZW50YXRpb24iXX0=","executionParams":{"amount":5000,"category":"BOOKS"}}"#
    );
    server.assert_clean();
}

#[tokio::test]
async fn credentials_verify_deny_is_a_verdict_not_an_error() {
    let (server, client) = server().await;
    let body = json!({"statusCode": 403, "message": "Forbidden", "decision": "deny",
                      "reason": "rule_failed", "credentialId": "urn:via:credential:1",
                      "evaluations": [{"rule": "amount <= maxAmount", "result": "fail",
                                       "reason": "50000 > 10000"}]});
    server.push(Reply::json(403, &body));
    let verdict = client
        .credentials()
        .verify(
            VerifyPresentationDto::from_presentation(&issued_vp())
                .execution_param("amount", 50000)
                .execution_param("category", "FLIGHTS"),
        )
        .await
        .unwrap();
    assert!(!verdict.is_allowed());
    assert_eq!(verdict.deny_reason(), Some("rule_failed"));
    assert_eq!(verdict.evaluations().len(), 1);
    let Verdict::Deny(deny) = verdict else {
        panic!("not denied")
    };
    same(&deny, &body);
    server.assert_clean();
}

#[tokio::test]
async fn credentials_revoke_sends_the_reason_in_a_delete_body() {
    let (server, client) = server().await;
    let body = instance("RevokeCredentialEntity");
    server.push(Reply::json(200, &body));
    let revoked = client
        .credentials()
        .revoke(
            "urn:via:credential:1",
            RevokeCredentialDto::new().reason(RevokeCredentialDto::USER_INITIATED),
        )
        .await
        .unwrap();
    same(&revoked, &body);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::DELETE, "/credential/revoke/urn:via:credential:1")
    );
    assert_eq!(got.body.as_ref(), br#"{"reason":"user_initiated"}"#);
    server.assert_clean();
}
