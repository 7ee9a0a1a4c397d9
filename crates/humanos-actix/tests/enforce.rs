//! `MandateMiddleware` and the `Mandate` extractor over real HTTP on 127.0.0.1, against an
//! in-process sandbox. The scenarios live in humanos-test-support and run against
//! humanos-axum too (crates/humanos-axum/tests/enforce.rs).

use actix_web::dev::{Payload, Service};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{App, HttpResponse, HttpServer, web};
use humanos::enforce::Enforcer;
use humanos_actix::{Mandate, MandateMiddleware};
use humanos_test_support::enforce::{self as scenario, ROUTE, handler_body};

async fn buy(Mandate(authorized): Mandate) -> HttpResponse {
    HttpResponse::Ok().json(handler_body(&authorized))
}

/// Serves the protected route behind `enforcer` (one worker, 127.0.0.1:0); returns its base URL.
async fn serve(enforcer: Enforcer) -> String {
    let server = HttpServer::new(move || {
        App::new().service(
            web::resource(ROUTE)
                .wrap(MandateMiddleware::new(enforcer.clone()))
                .route(web::post().to(buy)),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .expect("bind");
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}")
}

humanos_test_support::enforce_scenarios!(actix_web::test, serve);

#[actix_web::test]
async fn a_route_without_the_middleware_refuses() {
    let server = HttpServer::new(|| App::new().route(ROUTE, web::post().to(buy)))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind");
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    scenario::unguarded_route_is_500(&format!("http://{addr}")).await;
}

/// A length limit in front of the middleware: the payload stream ends in
/// `PayloadError::Overflow`, as actix-web's own limits end it.
#[actix_web::test]
async fn a_length_limit_in_front_is_413() {
    scenario::body_cut_in_front_is_413(|enforcer| async move {
        let server = HttpServer::new(move || {
            App::new().service(
                web::resource(ROUTE)
                    .wrap(MandateMiddleware::new(enforcer.clone()))
                    .wrap_fn(|mut req, service| {
                        let overflow = futures_util::stream::once(async {
                            Err::<Bytes, _>(PayloadError::Overflow)
                        });
                        req.set_payload(Payload::Stream {
                            payload: Box::pin(overflow),
                        });
                        service.call(req)
                    })
                    .route(web::post().to(buy)),
            )
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let addr = server.addrs()[0];
        actix_web::rt::spawn(server.run());
        format!("http://{addr}")
    })
    .await;
}
