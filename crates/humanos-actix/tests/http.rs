//! Real actix-web servers on 127.0.0.1, real sealed deliveries posted over HTTP. The scenarios
//! (handler factory, extractor, middleware) live in humanos-test-support and run against
//! humanos-axum too (crates/humanos-axum/tests/http.rs); this file starts the actix-web servers
//! they need and keeps the actix-only tests of an extractor or a `VerifiedWebhook` without their
//! state or middleware.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpResponse, HttpServer, web};
use humanos_actix::{
    HumanosWebhook, HumanosWebhookMiddleware, VerifiedWebhook, WebhookState, webhook_handler,
};
use humanos_test_support::handler::{
    self as scenario, Probe, WEBHOOK_ROUTE, config, dedup_state, post_delivery, seal, state,
    test_event,
};
use humanos_webhooks::WebhookEvent;

/// Starts an actix-web server with one worker on 127.0.0.1:0 and returns its address.
macro_rules! serve {
    ($factory:expr) => {{
        let server = HttpServer::new($factory)
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .expect("bind");
        let addr: SocketAddr = server.addrs()[0];
        actix_web::rt::spawn(server.run());
        addr
    }};
}

/// The handler-factory app: its callback records into the returned probe.
async fn handler_app(state: WebhookState) -> (SocketAddr, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    let p = probe.clone();
    let addr = serve!(move || {
        let p = p.clone();
        let handler = webhook_handler(state.clone(), move |event: WebhookEvent| {
            let probe = p.clone();
            async move { probe.record(event).await }
        });
        App::new().route(WEBHOOK_ROUTE, web::post().to(handler))
    });
    (addr, probe)
}

#[actix_web::test]
async fn handler_valid_delivery_is_200_and_runs_once() {
    let (addr, probe) = handler_app(state()).await;
    scenario::valid_delivery_is_200_and_runs_once(addr, &probe).await;
}

#[actix_web::test]
async fn handler_tampered_body_is_401_and_handler_not_called() {
    let (addr, probe) = handler_app(state()).await;
    scenario::tampered_body_is_401_and_handler_not_called(addr, &probe).await;
}

#[actix_web::test]
async fn handler_wrong_signature_secret_is_401_and_leaks_nothing() {
    let (addr, probe) = handler_app(state()).await;
    scenario::wrong_signature_secret_is_401_and_leaks_nothing(addr, &probe).await;
}

#[actix_web::test]
async fn handler_stale_timestamp_is_401() {
    let (addr, probe) = handler_app(state()).await;
    scenario::stale_timestamp_is_401(addr, &probe).await;
}

#[actix_web::test]
async fn handler_missing_header_is_400() {
    let (addr, probe) = handler_app(state()).await;
    scenario::missing_header_is_400(addr, &probe).await;
}

#[actix_web::test]
async fn handler_body_over_limit_is_413() {
    let (addr, probe) = handler_app(state()).await;
    let (small_addr, small_probe) = handler_app(state().with_body_limit(64)).await;
    scenario::body_over_limit_is_413(addr, &probe, small_addr, &small_probe).await;
}

#[actix_web::test]
async fn handler_streamed_100_mib_body_is_413_without_buffering_it() {
    let (addr, probe) = handler_app(state()).await;
    scenario::streamed_100_mib_body_is_413_without_buffering_it(addr, &probe).await;
}

#[actix_web::test]
async fn handler_unknown_event_type_is_200_as_unknown() {
    let (addr, probe) = handler_app(state()).await;
    scenario::unknown_event_type_is_200_as_unknown(addr, &probe).await;
}

#[actix_web::test]
async fn handler_duplicate_is_200_and_runs_once() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::duplicate_is_200_and_runs_once(addr, &probe).await;
}

#[actix_web::test]
async fn handler_without_dedup_runs_every_delivery() {
    let (addr, probe) = handler_app(state()).await;
    scenario::without_dedup_runs_every_delivery(addr, &probe).await;
}

#[actix_web::test]
async fn handler_concurrent_duplicate_runs_once() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::concurrent_duplicate_runs_once(addr, &probe).await;
}

#[actix_web::test]
async fn handler_failure_is_500_and_the_retry_runs_again() {
    let (addr, probe) = handler_app(dedup_state()).await;
    scenario::failure_is_500_and_the_retry_runs_again(addr, &probe).await;
}

#[actix_web::test]
async fn handler_typed_sample_events() {
    let (addr, probe) = handler_app(state()).await;
    scenario::typed_sample_events(addr, &probe).await;
}

// ---- extractor ----

async fn extractor_app() -> (SocketAddr, Arc<AtomicUsize>) {
    async fn receive(
        calls: web::Data<Arc<AtomicUsize>>,
        HumanosWebhook(event): HumanosWebhook,
    ) -> String {
        calls.fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let data = web::Data::new(calls.clone());
    let state = web::Data::new(state());
    let addr = serve!(move || {
        App::new()
            .app_data(state.clone())
            .app_data(data.clone())
            .route(WEBHOOK_ROUTE, web::post().to(receive))
    });
    (addr, calls)
}

#[actix_web::test]
async fn extractor_statuses() {
    let (addr, calls) = extractor_app().await;
    scenario::extractor_statuses(addr, &calls).await;
}

#[actix_web::test]
async fn extractor_without_state_is_500() {
    async fn receive(HumanosWebhook(_event): HumanosWebhook) -> &'static str {
        "unreachable"
    }
    let addr = serve!(|| App::new().route(WEBHOOK_ROUTE, web::post().to(receive)));
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_ns"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "webhook_not_configured");
}

// ---- middleware ----

async fn middleware_app(state: WebhookState) -> (SocketAddr, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    async fn receive(
        VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>,
        raw: web::Bytes,
        counters: web::Data<(Arc<AtomicUsize>, Arc<AtomicUsize>)>,
    ) -> HttpResponse {
        let (calls, failures) = counters.get_ref();
        calls.fetch_add(1, Ordering::SeqCst);
        // The raw body was put back for the handler.
        assert!(raw.starts_with(b"{"));
        if failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return HttpResponse::InternalServerError().finish();
        }
        HttpResponse::Ok().body(event.event_type().to_owned())
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let counters = web::Data::new((calls.clone(), failures.clone()));
    let addr = serve!(move || {
        App::new().app_data(counters.clone()).service(
            web::resource(WEBHOOK_ROUTE)
                .wrap(HumanosWebhookMiddleware::new(state.clone()))
                .route(web::post().to(receive)),
        )
    });
    (addr, calls, failures)
}

#[actix_web::test]
async fn middleware_statuses_and_dedup() {
    let (addr, calls, failures) = middleware_app(dedup_state()).await;
    scenario::verified_route_statuses_and_dedup(addr, &calls, &failures).await;
}

#[actix_web::test]
async fn verified_webhook_without_middleware_is_500() {
    async fn receive(VerifiedWebhook(_event): VerifiedWebhook) -> &'static str {
        "unreachable"
    }
    let addr = serve!(|| App::new().route(WEBHOOK_ROUTE, web::post().to(receive)));
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_v"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "webhook_not_verified");
}
