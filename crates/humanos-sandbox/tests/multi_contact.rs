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
    let receiver = Receiver::default();
    receiver.serve(listener, &sb);

    let contacts = ["ana@example.com", "ben@example.com", "eva@example.com"];
    let credentials = every_contact_accepts(&sb, &contacts).await;
    assert_eq!(
        credentials.len(),
        3,
        "one mandate per contact: {credentials:?}"
    );

    let Receiver {
        runs,
        duplicates,
        lost,
    } = receiver;
    wait_for_deliveries_and_duplicates(&sb, &duplicates).await;
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

/// The receiver: the handler factory with dedup (the documented setup). The first answer to
/// each event is lost on the way back (503 after the handler ran), so the sandbox redelivers
/// every event at least once.
#[derive(Default)]
struct Receiver {
    /// Handler runs per (contact, credential id).
    runs: Runs,
    /// Deliveries the dedup store answered "duplicate".
    duplicates: Arc<AtomicUsize>,
    /// Handled deliveries whose acknowledgement was (or would have been) lost.
    lost: Arc<AtomicUsize>,
}

impl Receiver {
    fn serve(&self, listener: tokio::net::TcpListener, sb: &humanos_sandbox::SandboxHandle) {
        let state =
            WebhookState::new(sb.webhook_secrets().config().unwrap()).with_in_memory_dedup(100);
        let app = counting_route(state, self.runs.clone()).layer(axum::middleware::map_response({
            let (duplicates, lost) = (self.duplicates.clone(), self.lost.clone());
            move |response: Response| {
                lose_the_first_three_acks(response, duplicates.clone(), lost.clone())
            }
        }));
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
}

/// `POST /webhook`: counts each accepted credential event per (contact, credential id).
fn counting_route(state: WebhookState, runs: Runs) -> Router {
    let handler = webhook_handler(state, move |event: WebhookEvent| {
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
    });
    Router::new().route("/webhook", post(handler))
}

/// Counts "duplicate" answers; replaces the first three "ok" answers with a 503.
async fn lose_the_first_three_acks(
    response: Response,
    duplicates: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
) -> Response {
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    if body.as_ref() == br#"{"status":"duplicate"}"# {
        duplicates.fetch_add(1, Ordering::SeqCst);
    }
    // The handler ran: lose the acknowledgement of the first three.
    if body.as_ref() == br#"{"status":"ok"}"# && lost.fetch_add(1, Ordering::SeqCst) < 3 {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    ([("content-type", "application/json")], body).into_response()
}

/// One request to every contact, each accepting: the distinct credential ids, sorted.
async fn every_contact_accepts(
    sb: &humanos_sandbox::SandboxHandle,
    contacts: &[&str],
) -> Vec<String> {
    let c = Client::new(sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
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
    credentials
}

/// Polls (up to 15 s) until nothing is pending and every event came back as a duplicate.
async fn wait_for_deliveries_and_duplicates(
    sb: &humanos_sandbox::SandboxHandle,
    duplicates: &AtomicUsize,
) {
    for _ in 0..300 {
        if sb.pending_deliveries().unwrap() == 0 && duplicates.load(Ordering::SeqCst) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
