//! Real axum servers on 127.0.0.1, real sealed deliveries posted over HTTP. The handler-factory
//! scenarios live in humanos-test-support and run against humanos-actix too
//! (crates/humanos-actix/tests/http.rs); this file starts the axum servers and keeps the
//! extractor and layer tests.

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
    self as scenario, LIMIT, Probe, WEBHOOK_ROUTE, config, dedup_state, post_delivery, seal, state,
    stream_huge_body, test_event,
};
use humanos_test_support::{Answer, post_raw};
use humanos_webhooks::WebhookEvent;
use serde_json::{Value, json};

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
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_e"))).await;
    assert_eq!((status, body), (200, Value::String("test".into())));
    let unknown = json!({"eventType": "mandate.expired", "requestId": "req_e2"});
    let (status, body) = post_delivery(addr, &seal(&config(), &unknown)).await;
    assert_eq!(
        (status, body),
        (200, Value::String("mandate.expired".into()))
    );

    let mut tampered = seal(&config(), &test_event("req_e3"));
    tampered.signature = "0".repeat(64);
    assert_eq!(post_delivery(addr, &tampered).await.0, 401);
    let (status, body) = post_raw(addr, WEBHOOK_ROUTE, &[], b"{}".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "missing_header");
    let delivery = seal(&config(), &test_event("req_e4"));
    assert_eq!(
        post_raw(
            addr,
            WEBHOOK_ROUTE,
            &delivery.headers(),
            vec![b' '; LIMIT + 1]
        )
        .await
        .0,
        413
    );
    let (answer, _) = stream_huge_body(addr, &delivery, 100 * 1024 * 1024).await;
    assert_eq!(answer, Answer::Status(413));
    // A body the signature does not cover.
    assert_eq!(
        post_raw(
            addr,
            WEBHOOK_ROUTE,
            &delivery.headers(),
            b"not json".to_vec()
        )
        .await
        .0,
        401
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
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
    let delivery = seal(&config(), &test_event("req_l"));
    assert_eq!(
        post_delivery(addr, &delivery).await,
        (200, Value::String("test".into()))
    );
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_l"))).await;
    assert_eq!((status, body), (200, json!({"status": "duplicate"})));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let mut tampered = seal(&config(), &test_event("req_l2"));
    tampered.timestamp += 1;
    assert_eq!(post_delivery(addr, &tampered).await.0, 401);
    assert_eq!(
        post_raw(
            addr,
            WEBHOOK_ROUTE,
            &delivery.headers(),
            vec![b' '; LIMIT + 1]
        )
        .await
        .0,
        413
    );
    let unknown = json!({"eventType": "mandate.expired", "requestId": "req_l3"});
    assert_eq!(post_delivery(addr, &seal(&config(), &unknown)).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The inner service answering 500 releases the key; the retry runs again.
    failures.store(1, Ordering::SeqCst);
    let failing = seal(&config(), &test_event("req_l4"));
    assert_eq!(post_delivery(addr, &failing).await.0, 500);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
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
