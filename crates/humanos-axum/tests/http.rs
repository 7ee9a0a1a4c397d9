//! Real axum servers on 127.0.0.1, real sealed deliveries posted over HTTP. The scenarios (handler
//! factory, extractor, layer) live in humanos-test-support and run against humanos-actix too
//! (crates/humanos-actix/tests/http.rs); this file starts the axum servers they need and keeps
//! the axum-only test of a `VerifiedWebhook` without the layer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use humanos_axum::{
    HumanosWebhook, HumanosWebhookLayer, VerifiedWebhook, WebhookState, webhook_handler,
};
use humanos_test_support::handler::{
    self as scenario, Probe, WEBHOOK_ROUTE, config, dedup_state, post_delivery, seal, state,
    test_event,
};
use humanos_webhooks::WebhookEvent;

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

/// The handler-factory app: its callback records into the returned probe.
async fn handler_app(state: WebhookState) -> (SocketAddr, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    let p = probe.clone();
    let handler = webhook_handler(state, move |event: WebhookEvent| {
        let probe = p.clone();
        async move { probe.record(event).await }
    });
    let addr = serve(Router::new().route(WEBHOOK_ROUTE, post(handler))).await;
    (addr, probe)
}

#[tokio::test]
async fn handler_valid_delivery_is_200_and_runs_once() {
    let (addr, probe) = handler_app(state()).await;
    scenario::valid_delivery_is_200_and_runs_once(addr, &probe).await;
}

#[tokio::test]
async fn handler_tampered_body_is_401_and_handler_not_called() {
    let (addr, probe) = handler_app(state()).await;
    scenario::tampered_body_is_401_and_handler_not_called(addr, &probe).await;
}

#[tokio::test]
async fn handler_wrong_signature_secret_is_401_and_leaks_nothing() {
    let (addr, probe) = handler_app(state()).await;
    scenario::wrong_signature_secret_is_401_and_leaks_nothing(addr, &probe).await;
}

#[tokio::test]
async fn handler_stale_timestamp_is_401() {
    let (addr, probe) = handler_app(state()).await;
    scenario::stale_timestamp_is_401(addr, &probe).await;
}

#[tokio::test]
async fn handler_missing_header_is_400() {
    let (addr, probe) = handler_app(state()).await;
    scenario::missing_header_is_400(addr, &probe).await;
}

#[tokio::test]
async fn handler_body_over_limit_is_413() {
    let (addr, probe) = handler_app(state()).await;
    let (small_addr, small_probe) = handler_app(state().with_body_limit(64)).await;
    scenario::body_over_limit_is_413(addr, &probe, small_addr, &small_probe).await;
}

#[tokio::test]
async fn handler_streamed_100_mib_body_is_413_without_buffering_it() {
    let (addr, probe) = handler_app(state()).await;
    scenario::streamed_100_mib_body_is_413_without_buffering_it(addr, &probe).await;
}

#[tokio::test]
async fn handler_unknown_event_type_is_200_as_unknown() {
    let (addr, probe) = handler_app(state()).await;
    scenario::unknown_event_type_is_200_as_unknown(addr, &probe).await;
}

#[tokio::test]
async fn handler_duplicate_is_200_and_runs_once() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::duplicate_is_200_and_runs_once(addr, &probe).await;
}

#[tokio::test]
async fn handler_without_dedup_runs_every_delivery() {
    let (addr, probe) = handler_app(state()).await;
    scenario::without_dedup_runs_every_delivery(addr, &probe).await;
}

#[tokio::test]
async fn handler_concurrent_duplicate_runs_once() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::concurrent_duplicate_runs_once(addr, &probe).await;
}

#[tokio::test]
async fn handler_failure_is_500_and_the_retry_runs_again() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::failure_is_500_and_the_retry_runs_again(addr, &probe).await;
}

#[tokio::test]
async fn handler_typed_sample_events() {
    let (addr, probe) = handler_app(state()).await;
    scenario::typed_sample_events(addr, &probe).await;
}

// ---- extractor ----

#[derive(Clone)]
struct AppState {
    webhooks: WebhookState,
    calls: Arc<AtomicUsize>,
}

impl axum::extract::FromRef<AppState> for WebhookState {
    fn from_ref(state: &AppState) -> Self {
        state.webhooks.clone()
    }
}

async fn extractor_app() -> (SocketAddr, Arc<AtomicUsize>) {
    async fn receive(
        axum::extract::State(state): axum::extract::State<AppState>,
        HumanosWebhook(event): HumanosWebhook,
    ) -> String {
        state.calls.fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        webhooks: state(),
        calls: calls.clone(),
    };
    let app = Router::new()
        .route(WEBHOOK_ROUTE, post(receive))
        .with_state(state);
    (serve(app).await, calls)
}

#[tokio::test]
async fn extractor_statuses() {
    let (addr, calls) = extractor_app().await;
    scenario::extractor_statuses(addr, &calls).await;
}

// ---- layer ----

async fn layer_app(state: WebhookState) -> (SocketAddr, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let (c, f) = (calls.clone(), failures.clone());
    let handler = move |VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>, raw: Bytes| {
        let (calls, failures) = (c.clone(), f.clone());
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            // The raw body is still there for the inner handler.
            assert!(raw.starts_with(b"{"));
            if failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, String::new());
            }
            (axum::http::StatusCode::OK, event.event_type().to_owned())
        }
    };
    let app = Router::new()
        .route(WEBHOOK_ROUTE, post(handler))
        .layer(HumanosWebhookLayer::new(state));
    (serve(app).await, calls, failures)
}

#[tokio::test]
async fn layer_statuses_and_dedup() {
    let (addr, calls, failures) = layer_app(dedup_state()).await;
    scenario::verified_route_statuses_and_dedup(addr, &calls, &failures).await;
}

#[tokio::test]
async fn verified_webhook_without_layer_is_500() {
    async fn receive(VerifiedWebhook(_event): VerifiedWebhook) -> &'static str {
        "unreachable"
    }
    let addr = serve(Router::new().route(WEBHOOK_ROUTE, post(receive))).await;
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_v"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "webhook_not_verified");
}
