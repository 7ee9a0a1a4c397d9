//! The dashboard over HTTP (the Chromium walk is `examples/tests/dashboard.rs`): content
//! negotiation, HTML escaping of user data, and the admin API calls behind its buttons.

mod support;

use axum::http::{StatusCode, header};
use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};
use support::{Client, admin_get, purchase_action};

const HOSTILE: &str = "<img src=x onerror=alert(1)>\"'&";

async fn page(sb: &SandboxHandle, path: &str) -> (StatusCode, String) {
    let r = sb
        .admin_client()
        .get(format!("{}{path}", sb.base_url()))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn admin_post(sb: &SandboxHandle, path: &str, body: Value) -> (StatusCode, Value) {
    let r = sb
        .admin_client()
        .post(format!("{}{path}", sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// A request (of an action) whose names are markup, approved: the request, mandate and action
/// ids.
async fn hostile_mandate(sb: &SandboxHandle) -> (String, String, String) {
    let mut definition = purchase_action();
    definition["name"] = HOSTILE.into();
    definition["description"] = HOSTILE.into();
    let action = sb.define_action(definition).await.unwrap();
    let (st, req) = Client::new(sb)
        .call("POST", "/request", Some(&json!({"name": HOSTILE, "internalId": HOSTILE, "users": [{"contact": "ana@example.com"}], "credentials": [{"type": "POLICY", "name": HOSTILE, "description": HOSTILE, "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": [HOSTILE]}}}]})))
        .await;
    assert_eq!(st, 201, "{req}");
    let request_id = req["id"].as_str().unwrap().to_owned();
    let ids = sb.approve(&request_id).await.unwrap();
    (request_id, ids[0].clone(), action.id)
}

#[tokio::test]
async fn every_page_escapes_user_data() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let (request_id, mandate, action) = hostile_mandate(&sb).await;
    let hostile_url = format!("http://127.0.0.1:9/{HOSTILE}");
    let (st, _) = admin_post(
        &sb,
        "/admin/webhooks/endpoints",
        json!({"url": hostile_url}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    sb.send_test_event().unwrap();
    for path in [
        "/admin".to_owned(),
        "/".to_owned(),
        format!("/admin/requests/{request_id}"),
        format!("/admin/credentials/{mandate}"),
        format!("/admin/actions/{action}"),
        "/admin/webhooks".to_owned(),
    ] {
        let (st, html) = page(&sb, &path).await;
        assert_eq!(st, 200, "{path}");
        assert!(html.starts_with("<!doctype html>"), "{path}");
        assert!(!html.contains("<img"), "{path}: unescaped markup");
        assert!(!html.contains("alert(1)>\"'"), "{path}: unescaped quotes");
    }
    let (_, home) = page(&sb, "/admin").await;
    assert!(home.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
    let (_, hooks) = page(&sb, "/admin/webhooks").await;
    assert!(hooks.contains("&lt;img"), "the endpoint is listed, escaped");
}

#[tokio::test]
async fn admin_answers_a_page_to_browsers_and_json_to_tools() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let (st, html) = page(&sb, "/admin").await;
    assert_eq!(st, 200);
    assert!(html.contains(sb.issuer_did()) && html.contains("id=\"requests\""));
    let info = admin_get(&sb, "/admin").await;
    assert_eq!(info["issuerDid"], sb.issuer_did());
    let hooks = admin_get(&sb, "/admin/webhooks").await;
    assert_eq!(hooks["maxAttempts"], 12);
    // Without the token a browser gets a page that says how to get in.
    let r = reqwest::Client::new()
        .get(format!("{}/admin", sb.base_url()))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("printed admin link"));
    let (st, _) = page(&sb, "/admin/credentials/urn:via:credential:nope").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_buttons_are_admin_api_calls() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let (_, mandate, _) = hostile_mandate(&sb).await;
    let live = |sb: &SandboxHandle| {
        let (client, url) = (sb.admin_client(), format!("{}/admin/live", sb.base_url()));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let before = live(&sb).await;

    // Revoke.
    let (st, body) = admin_post(
        &sb,
        &format!("/admin/credentials/{mandate}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["status"], "INACTIVE");
    let (st, _) = admin_post(
        &sb,
        &format!("/admin/credentials/{mandate}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, detail) = Client::new(&sb)
        .call("GET", &format!("/credential/{mandate}"), None)
        .await;
    assert_eq!(detail["status"], "INACTIVE");
    assert_ne!(live(&sb).await, before, "the live fingerprint moves");

    // Add an endpoint nothing listens on, send a test event, remove it: dead-lettered.
    let url = "http://127.0.0.1:9/hook";
    admin_post(&sb, "/admin/webhooks/endpoints", json!({"url": url})).await;
    let (st, _) = admin_post(&sb, "/admin/webhooks/test", json!({})).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let r = sb
        .admin_client()
        .delete(format!("{}/admin/webhooks/endpoints", sb.base_url()))
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let hooks = admin_get(&sb, "/admin/webhooks").await;
    assert_eq!(hooks["endpoints"], json!([]));
    let last = hooks["deliveries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["state"], "dead", "{last}");
    assert_eq!(last["lastError"], "endpoint removed");
    assert_eq!(sb.pending_deliveries().unwrap(), 0);
}
