//! Walking every page of a list endpoint.

mod support;

use futures_util::{StreamExt, TryStreamExt};
use humanos::Error;
use humanos::models::{RequestEntity, RequestQuery, ResourceQuery};
use serde_json::{Value, json};
use support::samples::instance;
use support::{Reply, TestServer};

fn request(id: &str) -> Value {
    let mut r = instance("RequestEntity");
    r["id"] = json!(id);
    r
}

fn page(ids: &[&str], total: u64) -> Reply {
    Reply::json(
        200,
        &json!({"data": ids.iter().map(|id| request(id)).collect::<Vec<_>>(), "totalPages": total}),
    )
}

#[tokio::test]
async fn stream_walks_three_pages_lazily_and_keeps_the_filters() {
    let server = TestServer::start().await;
    server
        .push(page(&["a", "b"], 3))
        .push(page(&["c", "d"], 3))
        .push(page(&["e"], 3));
    let client = server.client();
    let mut stream = client
        .requests()
        .list(RequestQuery::new().page_size(2).search("mandate"))
        .stream();

    // Lazy: nothing is fetched before the first item is asked for.
    assert!(server.received().is_empty());
    let first: RequestEntity = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id, "a");
    assert_eq!(server.received().len(), 1);

    let rest: Vec<String> = stream.map_ok(|r| r.id).try_collect().await.unwrap();
    assert_eq!(rest, ["b", "c", "d", "e"]);

    let got = server.received();
    assert_eq!(got.len(), 3);
    for (i, request) in got.iter().enumerate() {
        // The first page is asked for as the caller wrote the query (no pageIndex = page 0).
        let index = request.query_value("pageIndex").unwrap_or("0");
        assert_eq!(index, i.to_string());
        assert!(
            request
                .query
                .iter()
                .filter(|(k, _)| k == "pageIndex")
                .count()
                <= 1
        );
        assert_eq!(request.query_value("pageSize"), Some("2"));
        assert_eq!(request.query_value("search"), Some("mandate"));
    }
    server.assert_clean();
}

#[tokio::test]
async fn pages_start_at_the_requested_index() {
    let server = TestServer::start().await;
    server
        .push(Reply::json(
            200,
            &json!({"data": [instance("ResourceEntity")], "totalPages": 3}),
        ))
        .push(Reply::json(
            200,
            &json!({"data": [instance("ResourceEntity")], "totalPages": 3}),
        ));
    let pages: Vec<_> = server
        .client()
        .approval()
        .list(ResourceQuery::new().page_index(1))
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!((pages[0].page_index, pages[1].page_index), (1, 2));
    assert!(pages[0].has_next());
    assert!(!pages[1].has_next());
    server.assert_clean();
}

#[tokio::test]
async fn an_empty_page_ends_the_walk() {
    let server = TestServer::start().await;
    server.push(page(&["a"], 9)).push(page(&[], 9));
    let all = server
        .client()
        .requests()
        .list(RequestQuery::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(server.received().len(), 2);
    server.assert_clean();
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_items_already_read() {
    let server = TestServer::start().await;
    server.push(page(&["a", "b"], 3)).push(Reply::error(
        400,
        "pageSize must not be greater than 100",
        "Bad Request",
    ));
    let items: Vec<Result<RequestEntity, Error>> = server
        .client()
        .requests()
        .list(RequestQuery::new())
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(items[2].as_ref().unwrap_err().status(), Some(400));
    server.assert_clean();
}
