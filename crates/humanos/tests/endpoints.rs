//! Every callable endpoint of the API description, once, through the signature-checking
//! server: method, path, query (wire names), body bytes, headers, and the documented answer
//! decoded whole.

mod support;

use http::Method;
use humanos::models::{
    ActionDto, ActionQuery, CreatePresentationDto, CreateSubjectDto, CredentialDto, CredentialType,
    GenerateRequestDto, IntelligenceActionQuery, IntelligenceSnapshotQuery,
    IntelligenceWindowQuery, PresentationEntity, RequestQuery, ResourceQuery, ResourceType,
    RevokeCredentialDto, SecurityLevel, SubjectQuery, VerifyPresentationDto,
};
use humanos::{HumanosClient, Verdict};
use humanos_signing::wire_json;
use serde::Serialize;
use serde_json::{Value, json};
use support::samples::instance;
use support::{Reply, TestServer};

fn same<T: Serialize>(decoded: &T, expected: &Value) {
    assert_eq!(&serde_json::to_value(decoded).unwrap(), expected);
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn server() -> (TestServer, HumanosClient) {
    let server = TestServer::start().await;
    let client = server.client();
    (server, client)
}

/// Method and path of every call, without sending anything, against the description.
#[tokio::test]
async fn every_callable_endpoint_has_a_method_with_the_documented_method_and_path() {
    let (_server, c) = server().await;
    let calls: Vec<(&str, Method, String)> = {
        let mut v = Vec::new();
        macro_rules! add {
            ($call:expr) => {{
                let call = $call;
                v.push((
                    call.endpoint(),
                    call.method().clone(),
                    call.path().to_owned(),
                ));
            }};
        }
        add!(c.actions().list(ActionQuery::new()));
        add!(c.actions().versions("ID", ActionQuery::new()));
        add!(c.approval().list(ResourceQuery::new()));
        add!(c.approval().workflows(ResourceQuery::new()));
        add!(c.credentials().audit_events("ID"));
        add!(c.credentials().detail("ID"));
        add!(c.credentials().evidence("ID"));
        add!(c.credentials().issue_vp("ID", CreatePresentationDto::new()));
        add!(c.credentials().revoke("ID", RevokeCredentialDto::new()));
        add!(c.credentials().verify(VerifyPresentationDto::new()));
        add!(c.did().resolve("ID"));
        add!(
            c.intelligence()
                .action(IntelligenceActionQuery::new("o", "u"))
        );
        add!(
            c.intelligence()
                .snapshot(IntelligenceSnapshotQuery::new("o", "d"))
        );
        add!(
            c.intelligence()
                .window(IntelligenceWindowQuery::new("o", "d", "f", "t"))
        );
        add!(c.requests().cancel("ID"));
        add!(c.requests().create(GenerateRequestDto::new(vec![])));
        add!(c.requests().detail("ID"));
        add!(c.requests().list(RequestQuery::new()));
        add!(c.requests().resend_otp("ID", SubjectQuery::new()));
        add!(c.users().create(vec![]));
        add!(c.users().detail(SubjectQuery::new()));
        v
    };
    let group = |api: &str| match api {
        "ActionsApi" => "actions",
        "ApprovalApi" => "approval",
        "CredentialsApi" => "credentials",
        "DIDApi" => "did",
        "IntelligenceApi" => "intelligence",
        "RequestsApi" => "requests",
        "UserApi" => "users",
        other => panic!("unexpected API group {other}"),
    };
    let documented: Vec<_> = support::samples::endpoints()
        .into_iter()
        .filter(|(_, _, _, path)| !path.starts_with("/_webhooks/"))
        .collect();
    assert_eq!(documented.len(), 21);
    assert_eq!(calls.len(), 21);
    for (api, name, method, path) in documented {
        let endpoint = format!("{}.{}", group(&api), name);
        let (_, m, p) = calls
            .iter()
            .find(|(e, _, _)| *e == endpoint)
            .unwrap_or_else(|| panic!("no client method for {endpoint}"));
        assert_eq!(m.as_str(), method, "{endpoint}");
        let mut expected = String::new();
        for (i, part) in path.split('{').enumerate() {
            if i == 0 {
                expected.push_str(part);
            } else {
                let (_, rest) = part.split_once('}').unwrap();
                expected.push_str("ID");
                expected.push_str(rest);
            }
        }
        assert_eq!(p, &expected, "{endpoint}");
    }
}

// ---------------------------------------------------------------------------------- requests

#[tokio::test]
async fn requests_list_sends_every_filter_by_wire_name() {
    let (server, client) = server().await;
    let body = instance("RequestsEntity");
    server.push(Reply::json(200, &body));
    let page = client
        .requests()
        .list(
            RequestQuery::new()
                .page_index(1)
                .page_size(20)
                .search("mandate")
                .date_from("2026-01-01")
                .date_to("2026-02-01")
                .subject("user@example.com")
                .internal_id("crm-42")
                .security_level(vec![SecurityLevel::Contact, SecurityLevel::HumanosKyc]),
        )
        .await
        .unwrap();
    same(&page.items, &body["data"]);
    assert_eq!((page.page_index, page.total_pages), (1, 12));
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::GET, "/request"));
    assert_eq!(
        got.query,
        query(&[
            ("pageIndex", "1"),
            ("pageSize", "20"),
            ("search", "mandate"),
            ("dateFrom", "2026-01-01"),
            ("dateTo", "2026-02-01"),
            ("subject", "user@example.com"),
            ("internalId", "crm-42"),
            ("securityLevel", "CONTACT"),
            ("securityLevel", "HUMANOS_KYC"),
        ])
    );
    assert!(got.body.is_empty());
    server.assert_clean();
}

#[tokio::test]
async fn requests_create_sends_and_signs_the_wire_json_of_step_2() {
    let (server, client) = server().await;
    let body = instance("GenerateRequestEntity");
    server.push(Reply::json(201, &body));
    let dto = GenerateRequestDto::new(vec!["user@example.com".into()])
        .security_level(SecurityLevel::Contact)
        .credentials(vec![
            CredentialDto::new(CredentialType::Policy, "Action mandate — café")
                .scope("agent.execute")
                .action(
                    ActionDto::new("urn:via:action:1")
                        .user_param("maxAmount", 10000)
                        .user_param("ratio", 5000.0)
                        .user_param("allowedCategories", json!(["BOOKS", "OFFICE"])),
                ),
        ]);
    let created = client.requests().create(dto.clone()).await.unwrap();
    same(&created, &body);
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::POST, "/request"));
    assert_eq!(
        got.body.as_ref(),
        wire_json::to_vec(&dto).unwrap().as_slice()
    );
    let text = std::str::from_utf8(&got.body).unwrap();
    assert!(text.contains(r#""ratio":5000,"#), "{text}");
    assert!(text.contains("café"), "raw UTF-8, not \\u escapes: {text}");
    server.assert_clean();
}

#[tokio::test]
async fn requests_detail() {
    let (server, client) = server().await;
    let body = instance("RequestDetailEntity");
    server.push(Reply::json(200, &body));
    let detail = client
        .requests()
        .detail("66f0c0ffee0000000000abcd")
        .await
        .unwrap();
    same(&detail, &body);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::GET, "/request/66f0c0ffee0000000000abcd")
    );
    server.assert_clean();
}

#[tokio::test]
async fn requests_cancel_is_a_bodiless_delete() {
    let (server, client) = server().await;
    server.push(Reply::json(201, &json!({"success": true})));
    let done = client.requests().cancel("66f0c0ffee").await.unwrap();
    assert!(done.success);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::DELETE, "/request/66f0c0ffee")
    );
    assert!(got.body.is_empty());
    server.assert_clean();
}

#[tokio::test]
async fn requests_resend_otp_identifies_the_subject_in_the_query() {
    let (server, client) = server().await;
    server.push(Reply::json(201, &json!({"success": true})));
    let done = client
        .requests()
        .resend_otp("66f0c0ffee", SubjectQuery::new().contact("+351912345678"))
        .await
        .unwrap();
    assert!(done.success);
    let got = server.only();
    assert_eq!(
        (got.method, got.path.as_str()),
        (Method::PATCH, "/request/resend/66f0c0ffee")
    );
    assert_eq!(got.query, query(&[("contact", "+351912345678")]));
    server.assert_clean();
}

// ------------------------------------------------------------------------------- credentials

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

// ----------------------------------------------------------------------------------- actions

#[tokio::test]
async fn actions_list() {
    let (server, client) = server().await;
    let body = instance("ActionListEntity");
    server.push(Reply::json(200, &body));
    let page = client
        .actions()
        .list(
            ActionQuery::new()
                .page_index(0)
                .page_size(5)
                .search("pay")
                .active(true),
        )
        .await
        .unwrap();
    same(&page.items, &body["data"]);
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::GET, "/actions"));
    assert_eq!(
        got.query,
        query(&[
            ("pageIndex", "0"),
            ("pageSize", "5"),
            ("search", "pay"),
            ("active", "true")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn actions_versions() {
    let (server, client) = server().await;
    let body = instance("ActionVersionListEntity");
    server.push(Reply::json(200, &body));
    let page = client
        .actions()
        .versions("64c8e5f7d5a4f9123b7c9a1e", ActionQuery::new().active(false))
        .await
        .unwrap();
    same(&page.items, &body["data"]);
    let got = server.only();
    assert_eq!(got.path, "/actions/version/64c8e5f7d5a4f9123b7c9a1e");
    assert_eq!(got.query, query(&[("active", "false")]));
    server.assert_clean();
}

// ---------------------------------------------------------------------------------- approval

#[tokio::test]
async fn approval_list_repeats_array_filters() {
    let (server, client) = server().await;
    let body = instance("ResourcesEntity");
    server.push(Reply::json(200, &body));
    let page = client
        .approval()
        .list(
            ResourceQuery::new()
                .types([ResourceType::Form, ResourceType::Document])
                .internal_id("crm-7"),
        )
        .await
        .unwrap();
    same(&page.items, &body["data"]);
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::GET, "/approvals"));
    assert_eq!(
        got.query,
        query(&[
            ("types", "FORM"),
            ("types", "DOCUMENT"),
            ("internalId", "crm-7")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn approval_workflows() {
    let (server, client) = server().await;
    let body = instance("GroupsEntity");
    server.push(Reply::json(200, &body));
    let page = client
        .approval()
        .workflows(ResourceQuery::new().search("onboarding"))
        .await
        .unwrap();
    same(&page.items, &body["data"]);
    let got = server.only();
    assert_eq!(got.path, "/approvals/workflow");
    assert_eq!(got.query, query(&[("search", "onboarding")]));
    server.assert_clean();
}

// ------------------------------------------------------------------------------ intelligence

#[tokio::test]
async fn intelligence_action() {
    let (server, client) = server().await;
    let body = instance("IntelligenceActionEntity");
    server.push(Reply::json(200, &body));
    let action = client
        .intelligence()
        .action(IntelligenceActionQuery::new(
            "did:web:humanos.tech:org:1",
            "urn:via:action:1:v2",
        ))
        .await
        .unwrap();
    same(&action, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/action");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:humanos.tech:org:1"),
            ("urn", "urn:via:action:1:v2")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn intelligence_snapshot() {
    let (server, client) = server().await;
    let body = instance("IntelligenceSnapshotEntity");
    server.push(Reply::json(200, &body));
    let snapshot = client
        .intelligence()
        .snapshot(
            IntelligenceSnapshotQuery::new("did:web:o", "did:web:agent").at("2026-09-01T00:00:00Z"),
        )
        .await
        .unwrap();
    same(&snapshot, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/snapshot");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:o"),
            ("did", "did:web:agent"),
            ("at", "2026-09-01T00:00:00Z")
        ])
    );
    server.assert_clean();
}

#[tokio::test]
async fn intelligence_window() {
    let (server, client) = server().await;
    let body = instance("IntelligenceWindowEntity");
    server.push(Reply::json(200, &body));
    let window = client
        .intelligence()
        .window(IntelligenceWindowQuery::new(
            "did:web:o",
            "did:web:agent",
            "2026-08-01T00:00:00Z",
            "2026-09-01T00:00:00Z",
        ))
        .await
        .unwrap();
    same(&window, &body);
    let got = server.only();
    assert_eq!(got.path, "/intelligence/window");
    assert_eq!(
        got.query,
        query(&[
            ("orgDid", "did:web:o"),
            ("did", "did:web:agent"),
            ("from", "2026-08-01T00:00:00Z"),
            ("to", "2026-09-01T00:00:00Z")
        ])
    );
    server.assert_clean();
}

// --------------------------------------------------------------------------------------- did

#[tokio::test]
async fn did_resolve_sends_the_did_as_one_encoded_segment() {
    let (server, client) = server().await;
    let body = instance("DidDocumentEntity");
    server.push(Reply::json(200, &body));
    let document = client
        .did()
        .resolve("did:web:humanos.tech:org:7d0c")
        .await
        .unwrap();
    same(&document, &body);
    let got = server.only();
    assert_eq!(
        got.raw_path,
        "/did/resolve/did%3Aweb%3Ahumanos.tech%3Aorg%3A7d0c"
    );
    server.assert_clean();
}

// ------------------------------------------------------------------------------------- users

#[tokio::test]
async fn users_create_sends_an_array() {
    let (server, client) = server().await;
    let body = json!([instance("CreateSubjectEntity")]);
    server.push(Reply::json(201, &body));
    let created = client
        .users()
        .create([
            CreateSubjectDto::new("user@example.com").internal_id("crm-1"),
            CreateSubjectDto::new("+351912345678"),
        ])
        .await
        .unwrap();
    same(&created, &body);
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::POST, "/user"));
    assert_eq!(
        got.body.as_ref(),
        br#"[{"contact":"user@example.com","internalId":"crm-1"},{"contact":"+351912345678"}]"#
    );
    server.assert_clean();
}

#[tokio::test]
async fn users_detail() {
    let (server, client) = server().await;
    let body = instance("SubjectIssuerEntity");
    server.push(Reply::json(200, &body));
    let user = client
        .users()
        .detail(SubjectQuery::new().internal_id("crm-1"))
        .await
        .unwrap();
    same(&user, &body);
    let got = server.only();
    assert_eq!((got.method, got.path.as_str()), (Method::GET, "/user"));
    assert_eq!(got.query, query(&[("internalId", "crm-1")]));
    server.assert_clean();
}
