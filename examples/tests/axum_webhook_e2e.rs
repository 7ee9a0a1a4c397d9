//! End to end: the `axum_webhook` example, wired exactly as its `main` wires it (its
//! [`webhook_state`](axum_webhook::webhook_state) with dedup on, its [`app`](axum_webhook::app)
//! and its `on_event`), receives an in-process sandbox's sealed deliveries over HTTP on
//! 127.0.0.1, across a lost answer and an outage of the receiver.
//!
//! The sandbox's own `tests/webhooks_and_pages.rs` covers a hand-written receiver that is down
//! from the start; this test covers the example's handler wiring: a 2xx lost on the way back
//! (the sandbox retries, the example's dedup keeps the handler from running twice), and a
//! receiver that goes down mid-stream for a few seconds and comes back (the sandbox retries
//! with backoff until it does; every event reaches the handler once, in order).

// The example is compiled into this test as a module so that the test runs its very code;
// its `main` and the environment handling are not used here.
#[allow(dead_code)]
#[path = "../axum_webhook.rs"]
mod axum_webhook;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use humanos::HumanosClient;
use humanos::models::{ActionDto, CredentialDto, CredentialType, GenerateRequestDto};
use humanos_sandbox::{Sandbox, SandboxHandle};
use humanos_webhooks::WebhookEvent;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// `(eventType, requestId)` of every event the example's handler ran for, in order.
type Handled = Arc<Mutex<Vec<(String, String)>>>;

/// A proxy in front of the receiver that loses the first answer: the handler has run, but the
/// sandbox sees a 502 and delivers the same event again.
async fn lose_first_answer(
    State(lost): State<Arc<AtomicBool>>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    if response.status().is_success() && !lost.swap(true, Ordering::SeqCst) {
        return StatusCode::BAD_GATEWAY.into_response();
    }
    response
}

/// Serves `router` on `listener` until the returned sender fires (graceful: open connections
/// are closed, so the receiver is really down afterwards).
fn serve(listener: TcpListener, router: axum::Router) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    (tx, task)
}

async fn wait_until_delivered(sandbox: &SandboxHandle, within: Duration) {
    let deadline = Instant::now() + within;
    while sandbox.pending_deliveries().unwrap() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} deliveries still pending after {within:?}",
            sandbox.pending_deliveries().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates a request for `contact` on `action_id` through the API; returns its id.
async fn create_request(client: &HumanosClient, action_id: &str, contact: &str) -> String {
    client
        .requests()
        .create(
            GenerateRequestDto::new(vec![contact.into()]).credentials(vec![
                CredentialDto::new(CredentialType::Policy, "Action mandate").action(
                    ActionDto::new(action_id)
                        .user_param("maxAmount", 100)
                        .user_param("allowedCategories", json!(["BOOKS"])),
                ),
            ]),
        )
        .await
        .unwrap()
        .id
}

/// Attempts per delivery, as the sandbox's admin endpoint lists them.
async fn attempts(sandbox: &SandboxHandle) -> Vec<u64> {
    let list: serde_json::Value = sandbox
        .admin_client()
        .get(format!("{}/admin/webhooks", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempts"].as_u64().unwrap())
        .collect()
}

/// A sandbox delivering its webhooks to `addr` (retrying after 100 ms), a client of it, and the
/// id of a purchase action.
async fn sandbox_delivering_to(
    addr: std::net::SocketAddr,
) -> (SandboxHandle, HumanosClient, String) {
    let sandbox = Sandbox::builder()
        .webhook_endpoint(format!("http://{addr}/webhooks/humanos"))
        .webhook_retry_base(Duration::from_millis(100))
        .build()
        .await
        .unwrap();
    let client = HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .unwrap();
    let action = sandbox
        .define_action(json!({
            "name": "Purchase",
            "userParams": {"maxAmount": {"type": "number"}, "allowedCategories": {"type": "array<string>"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": ["executionParams.amount <= userParams.maxAmount"]
        }))
        .await
        .unwrap();
    (sandbox, client, action.id)
}

/// The example's receiver, as its `main` builds it, with the example's `on_event` behind a
/// recorder of what reached the handler, and the first answer lost.
fn example_receiver(sandbox: &SandboxHandle, handled: Handled) -> axum::Router {
    let handler = move |event: WebhookEvent| {
        let recorder = handled.clone();
        async move {
            recorder.lock().unwrap().push((
                event.event_type().to_owned(),
                event.request_id().unwrap_or_default().to_owned(),
            ));
            axum_webhook::on_event(event).await
        }
    };
    let state = axum_webhook::webhook_state(sandbox.webhook_secrets().config().unwrap(), true);
    axum_webhook::app(state, handler).layer(middleware::from_fn_with_state(
        Arc::new(AtomicBool::new(false)),
        lose_first_answer,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_webhook_example_gets_every_sandbox_event_once_across_a_lost_answer_and_an_outage() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sandbox, client, action_id) = sandbox_delivering_to(addr).await;
    let handled: Handled = Arc::default();
    let router = example_receiver(&sandbox, handled.clone());

    // 1. Receiver up: a test event (its first answer is lost, so it is delivered twice) and an
    //    accepted request.
    let (stop, server) = serve(listener, router.clone());
    sandbox.send_test_event().unwrap();
    let accepted = create_request(&client, &action_id, "ana@example.com").await;
    sandbox.approve(&accepted).await.unwrap();
    wait_until_delivered(&sandbox, Duration::from_secs(20)).await;
    let first = handled.lock().unwrap().clone();
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(first[0].0, "test");
    assert_eq!(first[1], ("credential".to_owned(), accepted.clone()));
    let tries = attempts(&sandbox).await;
    assert_eq!(
        tries[0], 2,
        "the lost answer made the sandbox retry: {tries:?}"
    );

    // 2. Receiver down for a few seconds while events happen: the sandbox keeps retrying.
    stop.send(()).unwrap();
    server.await.unwrap();
    let rejected = create_request(&client, &action_id, "bo@example.com").await;
    sandbox.reject(&rejected).await.unwrap();
    sandbox.send_test_event().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sandbox.pending_deliveries().unwrap(), 2);
    assert_eq!(
        handled.lock().unwrap().len(),
        2,
        "nothing reached a receiver that is down"
    );
    let tries = attempts(&sandbox).await;
    assert!(tries[2] >= 3, "retried while down: {tries:?}");

    // 3. The receiver comes back on the same address: everything arrives, once, in order.
    let listener = TcpListener::bind(addr).await.unwrap();
    let (stop, server) = serve(listener, router);
    wait_until_delivered(&sandbox, Duration::from_secs(20)).await;
    let all = handled.lock().unwrap().clone();
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(all[2], ("credential".to_owned(), rejected));
    assert_eq!(all[3].0, "test");
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        all.len(),
        "an event reached the handler twice: {all:?}"
    );

    stop.send(()).unwrap();
    server.await.unwrap();
    sandbox.shutdown().await;
}
