//! A backlog of queued deliveries drains without pausing between them.
//!
//! Regression: the worker delivered one delivery per endpoint per pass and then slept up to a
//! second unless woken, so 10,000 queued events took close to three hours (found by
//! `crates/humanos-sandbox/examples/webhook_soak.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use humanos_axum::{WebhookState, webhook_handler};
use humanos_sandbox::Sandbox;
use humanos_webhooks::WebhookEvent;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_queued_deliveries_all_arrive_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sandbox = Sandbox::builder()
        .webhook_endpoint(format!("http://127.0.0.1:{port}/webhook"))
        .webhook_retry_base(Duration::from_millis(50))
        .build()
        .await
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, o) = (calls.clone(), order.clone());
    let state =
        WebhookState::new(sandbox.webhook_secrets().config().unwrap()).with_in_memory_dedup(10_000);
    let handler = webhook_handler(state, move |event: WebhookEvent| {
        let (c, o) = (c.clone(), o.clone());
        async move {
            c.fetch_add(1, Ordering::SeqCst);
            o.lock()
                .unwrap()
                .push(event.request_id().unwrap_or_default().to_owned());
            Ok::<(), std::convert::Infallible>(())
        }
    });
    let app = axum::Router::new().route("/webhook", axum::routing::post(handler));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let events = 500;
    for _ in 0..events {
        assert_eq!(sandbox.send_test_event().unwrap(), 1);
    }
    // With the old one-per-second pace this would need more than 8 minutes; the bound is only a
    // guard against that stall, far above the time a drain takes on any machine.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while sandbox.pending_deliveries().unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the backlog stalls: {} of {events} still pending",
            sandbox.pending_deliveries().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), events);
    let order = order.lock().unwrap().clone();
    let mut distinct = order.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), events, "each event once");
    sandbox.shutdown().await;
}
