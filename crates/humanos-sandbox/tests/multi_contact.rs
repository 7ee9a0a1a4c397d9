//! One request to three contacts: each contact's decision is its own `credential` event with the
//! same `requestId`, and each must reach the handler exactly once, even when the sandbox
//! redelivers it because the acknowledgement was lost.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use humanos_axum::{WebhookState, webhook_handler};
use humanos_sandbox::Sandbox;
use humanos_webhooks::WebhookEvent;
use humanos_webhooks::humanos_models::DeliveryActionType;
use serde_json::json;
use support::{Client, purchase_action};

type Runs = Arc<Mutex<HashMap<(String, String), u32>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_contacts_three_events_each_handled_once_despite_redeliveries() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sb = Sandbox::builder()
        .webhook_endpoint(format!("http://127.0.0.1:{port}/webhook"))
        .webhook_retry_base(Duration::from_millis(100))
        .build()
        .await
        .unwrap();

    // The receiver: the handler factory with dedup (the documented setup). The first answer to
    // each event is lost on the way back (503 after the handler ran), so the sandbox redelivers
    // every event at least once.
    let runs: Runs = Arc::default();
    let state = WebhookState::new(sb.webhook_secrets().config().unwrap()).with_in_memory_dedup(100);
    let handler = {
        let runs = runs.clone();
        webhook_handler(state, move |event: WebhookEvent| {
            let runs = runs.clone();
            async move {
                let WebhookEvent::Credential(event) = event else {
                    return Err("not a credential event");
                };
                assert_eq!(event.decision.action, DeliveryActionType::Accept);
                let key = (event.user.contact.clone(), event.credential.id.clone());
                *runs.lock().unwrap().entry(key).or_default() += 1;
                Ok(())
            }
        })
    };
    let duplicates = Arc::new(AtomicUsize::new(0));
    let lost = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/webhook", post(handler))
        .layer(axum::middleware::map_response({
            let (duplicates, lost) = (duplicates.clone(), lost.clone());
            move |response: Response| {
                let (duplicates, lost) = (duplicates.clone(), lost.clone());
                async move {
                    let body = axum::body::to_bytes(response.into_body(), 1024)
                        .await
                        .unwrap();
                    if body.as_ref() == br#"{"status":"duplicate"}"# {
                        duplicates.fetch_add(1, Ordering::SeqCst);
                    }
                    // The handler ran: lose the acknowledgement of the first three.
                    if body.as_ref() == br#"{"status":"ok"}"#
                        && lost.fetch_add(1, Ordering::SeqCst) < 3
                    {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    ([("content-type", "application/json")], body).into_response()
                }
            }
        }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let c = Client::new(&sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
    let contacts = ["ana@example.com", "ben@example.com", "eva@example.com"];
    let users: Vec<_> = contacts.iter().map(|c| json!({"contact": c})).collect();
    let (status, req) = c
        .call("POST", "/request", Some(&json!({"users": users, "credentials": [{"type": "POLICY", "name": "Mandate", "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": ["BOOKS"]}}}]})))
        .await;
    assert_eq!(status, 201, "{req}");
    let request_id = req["id"].as_str().unwrap();
    let mut credentials = Vec::new();
    for _ in contacts {
        credentials.extend(sb.approve(request_id).await.unwrap());
    }
    credentials.sort();
    credentials.dedup();
    assert_eq!(
        credentials.len(),
        3,
        "one mandate per contact: {credentials:?}"
    );

    for _ in 0..300 {
        if sb.pending_deliveries().unwrap() == 0 && duplicates.load(Ordering::SeqCst) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sb.pending_deliveries().unwrap(), 0);
    let runs = runs.lock().unwrap().clone();
    // Three events of one request, each handled exactly once...
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    let mut contacts_seen: Vec<_> = runs.keys().map(|(contact, _)| contact.as_str()).collect();
    contacts_seen.sort_unstable();
    assert_eq!(contacts_seen, contacts);
    let mut handled: Vec<_> = runs
        .keys()
        .map(|(_, credential)| credential.clone())
        .collect();
    handled.sort();
    assert_eq!(handled, credentials);
    // ...although every acknowledgement was lost once, so the sandbox delivered each again and
    // the dedup store answered those redeliveries "duplicate" without running the handler.
    assert_eq!(lost.load(Ordering::SeqCst), 3);
    assert!(duplicates.load(Ordering::SeqCst) >= 3);
}
