//! Webhook deliveries to a real receiver on 127.0.0.1 that is down for the first seconds, and
//! the hosted approval page driven over HTTP.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use humanos_sandbox::{Sandbox, SandboxHandle};
use humanos_webhooks::{Dedup, DedupOutcome, IdempotencyKey, WebhookConfig};
use serde_json::{Value, json};
use support::{Client, purchase_action};

type Seen = Arc<Mutex<HashMap<String, u32>>>;

async fn receiver(port: u16, config: WebhookConfig, seen: Seen) {
    let dedup = Dedup::in_memory(1024);
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (config, seen, dedup) = (config.clone(), seen.clone(), dedup.clone());
            async move {
                let Ok(plaintext) = config.open(&headers, &body) else {
                    return StatusCode::UNAUTHORIZED;
                };
                let event: Value = serde_json::from_slice(&plaintext).unwrap();
                let key = IdempotencyKey::from_plaintext(&plaintext).unwrap();
                match dedup.begin(&key).await.unwrap() {
                    DedupOutcome::Process(reservation) => {
                        let k = format!(
                            "{}/{}",
                            event["eventType"].as_str().unwrap(),
                            event["requestId"].as_str().unwrap()
                        );
                        *seen.lock().unwrap().entry(k).or_default() += 1;
                        reservation.complete().await.unwrap();
                        StatusCode::OK
                    }
                    _ => StatusCode::OK,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_a_receiver_that_is_down_and_arrive_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::builder()
        .webhook_endpoint(format!("http://127.0.0.1:{port}/webhook"))
        .webhook_retry_base(Duration::from_millis(200))
        .build()
        .await
        .unwrap();
    let c = Client::new(&sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
    let (st, req) = c
        .call("POST", "/request", Some(&json!({"users": [{"contact": "ana@example.com"}], "credentials": [{"type": "POLICY", "name": "Action mandate", "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": ["BOOKS"]}}}]})))
        .await;
    assert_eq!(st, 201);
    let request_id = req["id"].as_str().unwrap().to_owned();

    three_wrong_codes_on_the_hosted_page(&sb, &request_id).await;
    // Then a fresh code through the resend endpoint is not yet allowed (30 s); the admin
    // helper stands in for the user.
    sb.approve(&request_id).await.unwrap();
    let (st, _) = c.call("POST", "/request", None).await;
    assert_eq!(st, 400);
    sb.send_test_event().unwrap();
    assert_eq!(sb.pending_deliveries().unwrap(), 3);

    // The receiver comes up after a while: everything is delivered, once each.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen: Seen = Arc::default();
    tokio::spawn(receiver(
        port,
        sb.webhook_secrets().config().unwrap(),
        seen.clone(),
    ));
    for _ in 0..200 {
        if sb.pending_deliveries().unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sb.pending_deliveries().unwrap(), 0);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert!(seen.contains_key(&format!("credential/{request_id}")));
    assert!(seen.contains_key(&format!("otp.failed/{request_id}")));
}

/// Three wrong codes on the hosted page: otp.failed.
async fn three_wrong_codes_on_the_hosted_page(sb: &SandboxHandle, request_id: &str) {
    let http = reqwest::Client::new();
    let page = http
        .get(format!(
            "{}/approve/{request_id}?contact=ana%40example.com",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("maxAmount") && page.contains("id=\"accept\""),
        "{page}"
    );
    for _ in 0..3 {
        let r = http
            .post(format!("{}/approve/{request_id}", sb.base_url()))
            .form(&[
                ("contact", "ana@example.com"),
                ("otp", "000000x"),
                ("decision", "accept"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn approval_page_accepts_with_the_logged_code() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
    let (_, req) = c
        .call("POST", "/request", Some(&json!({"users": [{"contact": "bo@example.com"}], "credentials": [{"type": "POLICY", "name": "Mandate", "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": ["BOOKS"]}}}]})))
        .await;
    let request_id = req["id"].as_str().unwrap();
    let link = req["subjects"][0]["link"].as_str().unwrap();
    assert!(link.starts_with(sb.base_url()));
    let otp = sb.otp(request_id, "bo@example.com").unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/approve/{request_id}", sb.base_url()))
        .form(&[
            ("contact", "bo@example.com"),
            ("otp", otp.as_str()),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Mandate issued"));
    let (_, detail) = c.call("GET", &format!("/request/{request_id}"), None).await;
    assert_eq!(detail["credentials"][0]["status"], "ACTIVE");
    let (_, list) = c
        .call("GET", "/request?pageSize=5&subject=bo%40example.com", None)
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (st, _) = c.call("GET", "/request?pageSize=500", None).await;
    assert_eq!(st, 400);
}
