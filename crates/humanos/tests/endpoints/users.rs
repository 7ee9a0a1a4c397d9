//! `client.users()`: create, detail.

use http::Method;
use humanos::models::{CreateSubjectDto, SubjectQuery};
use serde_json::json;

use super::support::Reply;
use super::support::samples::instance;
use super::{query, same, server};

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
