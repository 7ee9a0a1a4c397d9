//! `client.actions()`: list, versions.

use http::Method;
use humanos::models::ActionQuery;

use super::support::Reply;
use super::support::samples::instance;
use super::{query, same, server};

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
