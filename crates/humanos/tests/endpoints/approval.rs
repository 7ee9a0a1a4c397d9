//! `client.approval()`: list, workflows.

use http::Method;
use humanos::models::{ResourceQuery, ResourceType};

use super::support::Reply;
use super::support::samples::instance;
use super::{query, same, server};

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
