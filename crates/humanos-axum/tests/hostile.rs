//! Hostile deliveries over real HTTP on 127.0.0.1, against the handler factory, the extractor
//! and the layer: the core crate's malformed catalogue, slow bodies, huge bodies, header floods,
//! replays and the edges of the timestamp window. The scenarios live in humanos-test-support and
//! run against humanos-actix too (crates/humanos-actix/tests/hostile.rs); this file starts the
//! axum servers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use humanos_axum::{
    HumanosWebhook, HumanosWebhookLayer, VerifiedWebhook, WebhookState, webhook_handler,
};
use humanos_test_support::{self as hostile, Calls};
use humanos_webhooks::WebhookEvent;
use humanos_webhooks::sample;

/// One server with the three shapes on [`hostile::ROUTES`], all with `state` (the catalogue's
/// configuration, clock fixed at [`hostile::CATALOGUE_NOW_MS`]).
async fn serve(state: WebhookState) -> (SocketAddr, Calls) {
    let calls: Calls = Arc::new(Default::default());
    let c = calls.clone();
    let handler = webhook_handler(state.clone(), move |_event: WebhookEvent| {
        let c = c.clone();
        async move {
            c[0].fetch_add(1, Ordering::SeqCst);
            Ok::<(), std::convert::Infallible>(())
        }
    });
    let c = calls.clone();
    let extractor = move |HumanosWebhook(event): HumanosWebhook| async move {
        c[1].fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    };
    let c = calls.clone();
    let inner = move |VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>| async move {
        c[2].fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    };
    let layered = Router::new()
        .route("/layer", post(inner))
        .layer(HumanosWebhookLayer::new(state.clone()));
    let app = Router::new()
        .route("/handler", post(handler))
        .route("/extractor", post(extractor))
        .with_state(state)
        .merge(layered);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (addr, calls)
}

fn state() -> WebhookState {
    WebhookState::new(sample::catalogue_config())
}

// ---- the catalogue ----

#[tokio::test]
async fn every_malformed_delivery_of_the_catalogue_gets_its_status_over_http() {
    let (addr, calls) = serve(state().with_in_memory_dedup(100)).await;
    hostile::catalogue(addr, &calls).await;
}

// ---- the timestamp window ----

#[tokio::test]
async fn timestamps_at_the_tolerance_are_accepted_and_one_second_beyond_refused() {
    let (addr, calls) = serve(state()).await;
    hostile::timestamp_window(addr, &calls).await;
}

// ---- replay ----

#[tokio::test]
async fn a_replayed_delivery_runs_the_handler_once() {
    let (addr, calls) = serve(state().with_in_memory_dedup(100)).await;
    hostile::replay(addr, &calls).await;
}

// ---- huge bodies ----

#[tokio::test]
async fn a_100_mib_body_is_413_before_it_is_sent_announced_or_chunked() {
    let (addr, calls) = serve(state()).await;
    hostile::huge_body(addr, &calls).await;
}

// ---- slow bodies ----

#[tokio::test]
async fn a_slow_body_is_408_at_the_read_timeout() {
    let (addr, calls) = serve(state().with_read_timeout(Duration::from_millis(300))).await;
    hostile::slow_body(addr, &calls).await;
}

#[tokio::test]
async fn a_slow_body_over_the_limit_is_413_when_it_crosses_the_limit() {
    // The default read timeout (30 s) does not fire first: the limit does, after two pieces.
    let (addr, calls) = serve(state().with_body_limit(64)).await;
    hostile::slow_body_over_the_limit(addr, &calls).await;
}

#[tokio::test]
async fn a_read_timeout_does_not_cut_a_normal_delivery() {
    let (addr, calls) = serve(state().with_read_timeout(Duration::from_secs(10))).await;
    hostile::normal_delivery_within_the_read_timeout(addr, &calls).await;
}

// ---- slow request heads: the server's job, configured as docs/webhooks-axum-actix.md says ----

#[tokio::test]
async fn a_slow_request_head_is_cut_by_hypers_header_read_timeout() {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    // axum::serve has no header timeout; serving with hyper-util's builder and a timer does.
    let app = Router::new().route(
        "/handler",
        post(webhook_handler(state(), |_e: WebhookEvent| async {
            Ok::<(), std::convert::Infallible>(())
        })),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let mut builder = Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(1));
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    hostile::slow_request_head(addr).await;
}

// ---- header floods ----

#[tokio::test]
async fn header_floods_are_refused_and_the_server_stays_up() {
    let (addr, calls) = serve(state()).await;
    hostile::header_floods(addr, &calls).await;
}
