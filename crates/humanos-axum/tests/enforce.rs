//! `MandateLayer` and the `Mandate` extractor over real HTTP on 127.0.0.1, against an
//! in-process sandbox. The scenarios live in humanos-test-support and run against
//! humanos-actix too (crates/humanos-actix/tests/enforce.rs).

use axum::body::Body;
use axum::http::Request;
use axum::routing::post;
use axum::{Json, Router};
use humanos::enforce::Enforcer;
use humanos_axum::{Mandate, MandateLayer};
use humanos_test_support::enforce::{self as scenario, ROUTE, handler_body};
use serde_json::Value;

async fn buy(Mandate(authorized): Mandate) -> Json<Value> {
    Json(handler_body(&authorized))
}

/// Serves the protected route behind `enforcer` on 127.0.0.1:0; returns its base URL.
async fn serve(enforcer: Enforcer) -> String {
    let app = Router::new()
        .route(ROUTE, post(buy))
        .layer(MandateLayer::new(enforcer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

humanos_test_support::enforce_scenarios!(tokio::test, serve);

#[tokio::test]
async fn a_route_without_the_layer_refuses() {
    let app = Router::new().route(ROUTE, post(buy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    scenario::unguarded_route_is_500(&format!("http://{addr}")).await;
}

/// tower-http's `RequestBodyLimitLayer` in front: the body stream ends in `LengthLimitError`.
#[tokio::test]
async fn a_length_limit_in_front_is_413() {
    scenario::body_cut_in_front_is_413(|enforcer| async move {
        let app = Router::new()
            .route(ROUTE, post(buy))
            .layer(MandateLayer::new(enforcer))
            .layer(tower::util::MapRequestLayer::new(|req: Request<Body>| {
                req.map(|body| Body::new(http_body_util::Limited::new(body, 512)))
            }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    })
    .await;
}
