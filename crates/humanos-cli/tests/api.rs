//! `humanos api METHOD PATH` against a server on 127.0.0.1 that checks the signature over the
//! raw bytes received, as Humanos does.

mod common;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use common::*;
use humanos_signing::{BodyRule, SignatureVerifier};
use predicates::prelude::*;
use serde_json::{Value, json};

async fn check(
    State(verifier): State<std::sync::Arc<SignatureVerifier>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let get = |n: &str| {
        headers
            .get(n)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default()
    };
    if get("authorization") != format!("Bearer {API_KEY}").into_bytes() {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"statusCode": 401, "message": "bad key"})),
        )
            .into_response();
    }
    if let Err(e) = verifier.verify(&get("x-timestamp"), &get("x-signature"), &body) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"statusCode": 401, "message": e.to_string()})),
        )
            .into_response();
    }
    if uri.path() == "/boom" {
        return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
    }
    axum::Json(json!({
        "method": method.as_str(),
        "uri": uri.to_string(),
        "api_version": String::from_utf8_lossy(&get("api-version")),
        "body": String::from_utf8_lossy(&body),
    }))
    .into_response()
}

struct Server {
    _runtime: tokio::runtime::Runtime,
    url: String,
}

fn server() -> Server {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let verifier = std::sync::Arc::new(SignatureVerifier::new(API_SECRET, BodyRule::Request));
    let app = axum::Router::new().fallback(check).with_state(verifier);
    let addr = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    Server {
        _runtime: runtime,
        url: format!("http://{addr}"),
    }
}

fn api(server: &Server) -> assert_cmd::Command {
    let mut cmd = humanos_api();
    cmd.env("HUMANOS_BASE_URL", &server.url).arg("api");
    cmd
}

fn answer(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.assert().success().stderr("HTTP 200\n");
    serde_json::from_slice(&out.get_output().stdout).expect("JSON")
}

#[test]
fn get_with_query() {
    let s = server();
    let v = answer(api(&s).args([
        "get",
        "/request",
        "--query",
        "pageIndex=0",
        "--query",
        "contact=a b@x.io",
    ]));
    assert_eq!(v["method"], "GET");
    assert_eq!(v["uri"], "/request?pageIndex=0&contact=a+b%40x.io");
    assert_eq!(v["api_version"], "2026-09-01");
    assert_eq!(v["body"], "");
}

#[test]
fn post_sends_the_signed_wire_bytes() {
    let s = server();
    let v = answer(api(&s).args([
        "POST",
        "request",
        "--data",
        "{ \"amount\": 5000.0, \"name\": \"Caf\\u00e9\" }",
    ]));
    assert_eq!(v["body"], r#"{"amount":5000,"name":"Café"}"#);
    let v = answer(api(&s).args(["DELETE", "/request/req_1", "--api-version", "2026-03-24"]));
    assert_eq!(
        (v["method"].as_str(), v["api_version"].as_str()),
        (Some("DELETE"), Some("2026-03-24"))
    );
}

#[test]
fn refusals_and_failures() {
    let s = server();
    api(&s)
        .env("HUMANOS_SIGNATURE_SECRET", "wrong")
        .args(["GET", "/request"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "HTTP 401\nerror: the API refused the request with HTTP 401",
        ))
        .stdout(predicate::str::contains("signature does not match"));
    api(&s)
        .args(["GET", "/boom"])
        .assert()
        .code(3)
        .stdout("down\n");
    api(&s)
        .args(["GET", "/x", "--query", "novalue"])
        .assert()
        .code(2);
    api(&s).args(["G ET", "/x"]).assert().code(2);
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    humanos_api()
        .args([
            "api",
            "GET",
            "/request",
            "--base-url",
            &format!("http://{dead}"),
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with("error: cannot reach the API"));
}
