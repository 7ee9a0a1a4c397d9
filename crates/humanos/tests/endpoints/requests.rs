//! `client.requests()`: list, create, detail, cancel, resend_otp.

use http::Method;
use humanos::models::{
    ActionDto, CredentialDto, CredentialType, GenerateRequestDto, RequestQuery, SecurityLevel,
    SubjectQuery,
};
use humanos_signing::wire_json;
use serde_json::json;

use super::support::Reply;
use super::support::samples::instance;
use super::{query, same, server};

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
