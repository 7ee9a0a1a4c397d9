//! Hostile deliveries over real HTTP on 127.0.0.1, against the handler factory, the extractor
//! and the middleware: the core crate's malformed catalogue, slow bodies, huge bodies, header
//! floods, replays and the edges of the timestamp window. The scenarios live in
//! humanos-test-support and run against humanos-axum too (crates/humanos-axum/tests/hostile.rs);
//! this file starts the actix-web servers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use humanos_actix::{
    HumanosWebhook, HumanosWebhookMiddleware, VerifiedWebhook, WebhookState, webhook_handler,
};
use humanos_test_support::{self as hostile, Calls};
use humanos_webhooks::WebhookEvent;
use humanos_webhooks::sample;

/// One server (one worker) with the three shapes on [`hostile::ROUTES`], all with `state` (the
/// catalogue's configuration, clock fixed at [`hostile::CATALOGUE_NOW_MS`]), and `client_request_timeout`
/// for the request head (actix-web's default is 5 s).
fn serve_with(state: WebhookState, head_timeout: Duration) -> (SocketAddr, Calls) {
    async fn extractor(calls: web::Data<Calls>, HumanosWebhook(event): HumanosWebhook) -> String {
        calls[1].fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    }
    async fn inner(
        calls: web::Data<Calls>,
        VerifiedWebhook(event): VerifiedWebhook<WebhookEvent>,
    ) -> String {
        calls[2].fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    }
    let calls: Calls = Arc::new(Default::default());
    let data = web::Data::new(calls.clone());
    let counted = calls.clone();
    let server = HttpServer::new(move || {
        let c = calls.clone();
        let handler = webhook_handler(state.clone(), move |_event: WebhookEvent| {
            let c = c.clone();
            async move {
                c[0].fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::convert::Infallible>(())
            }
        });
        App::new()
            .app_data(data.clone())
            .app_data(web::Data::new(state.clone()))
            .route("/handler", web::post().to(handler))
            .route("/extractor", web::post().to(extractor))
            .service(
                web::resource("/layer")
                    .wrap(HumanosWebhookMiddleware::new(state.clone()))
                    .route(web::post().to(inner)),
            )
    })
    .workers(1)
    .disable_signals()
    .client_request_timeout(head_timeout)
    .bind(("127.0.0.1", 0))
    .expect("bind");
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    (addr, counted)
}

fn serve(state: WebhookState) -> (SocketAddr, Calls) {
    serve_with(state, Duration::from_secs(5))
}

fn state() -> WebhookState {
    WebhookState::new(sample::catalogue_config())
}

// ---- the catalogue ----

#[actix_web::test]
async fn every_malformed_delivery_of_the_catalogue_gets_its_status_over_http() {
    let (addr, calls) = serve(state().with_in_memory_dedup(100));
    hostile::catalogue(addr, &calls).await;
}

// ---- the timestamp window ----

#[actix_web::test]
async fn timestamps_at_the_tolerance_are_accepted_and_one_second_beyond_refused() {
    let (addr, calls) = serve(state());
    hostile::timestamp_window(addr, &calls).await;
}

// ---- replay ----

#[actix_web::test]
async fn a_replayed_delivery_runs_the_handler_once() {
    let (addr, calls) = serve(state().with_in_memory_dedup(100));
    hostile::replay(addr, &calls).await;
}

// ---- huge bodies ----

#[actix_web::test]
async fn a_100_mib_body_is_413_before_it_is_sent_announced_or_chunked() {
    let (addr, calls) = serve(state());
    hostile::huge_body(addr, &calls).await;
}

// ---- slow bodies ----

#[actix_web::test]
async fn a_slow_body_is_408_at_the_read_timeout() {
    let (addr, calls) = serve(state().with_read_timeout(Duration::from_millis(300)));
    hostile::slow_body(addr, &calls).await;
}

#[actix_web::test]
async fn a_slow_body_over_the_limit_is_413_when_it_crosses_the_limit() {
    // The default read timeout (30 s) does not fire first: the limit does, after two pieces.
    let (addr, calls) = serve(state().with_body_limit(64));
    hostile::slow_body_over_the_limit(addr, &calls).await;
}

#[actix_web::test]
async fn a_read_timeout_does_not_cut_a_normal_delivery() {
    let (addr, calls) = serve(state().with_read_timeout(Duration::from_secs(10)));
    hostile::normal_delivery_within_the_read_timeout(addr, &calls).await;
}

// ---- slow request heads: the server's job, configured as docs/webhooks-axum-actix.md says ----

#[actix_web::test]
async fn a_slow_request_head_is_cut_by_client_request_timeout() {
    // actix-web computes the deadline from a clock it refreshes every 500 ms, so a timeout under
    // a second can expire before a prompt client's head arrives: 2 s.
    let (addr, calls) = serve_with(state(), Duration::from_secs(2));
    hostile::slow_request_head(addr).await;
    assert_eq!(calls[0].load(Ordering::SeqCst), 1);
}

// ---- header floods ----

#[actix_web::test]
async fn header_floods_are_refused_and_the_server_stays_up() {
    let (addr, calls) = serve(state());
    hostile::header_floods(addr, &calls).await;
}
