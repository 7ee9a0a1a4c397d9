//! Real actix-web servers on 127.0.0.1, real sealed deliveries posted over HTTP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use humanos_actix::{
    HumanosWebhook, HumanosWebhookMiddleware, VerifiedWebhook, WebhookState, webhook_handler,
};
use humanos_webhooks::{SealedDelivery, WebhookConfig, WebhookEvent};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SIGNATURE_SECRET: &str = "whsec_actix_test";
const ENCRYPTION_SECRET: &str = "dGVzdC1lbmNyeXB0aW9uLXNlY3JldA==";
const SALT: &str = "actix-salt";
const LIMIT: usize = 1024 * 1024;

fn config() -> WebhookConfig {
    WebhookConfig::new(SIGNATURE_SECRET, ENCRYPTION_SECRET, SALT).expect("config")
}

fn test_event(request_id: &str) -> Value {
    json!({
        "eventType": "test", "requestId": request_id, "issuerDid": "did:web:humanos.id",
        "user": {"contact": "ana@example.com", "id": "usr_1"}, "api_version": "2026-09-01",
        "message": "hello from the dashboard",
    })
}

fn seal(config: &WebhookConfig, event: &Value) -> SealedDelivery {
    config.seal(event).expect("seal")
}

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

async fn post_delivery(addr: SocketAddr, delivery: &SealedDelivery) -> (u16, Value) {
    post_raw(addr, &delivery.headers(), delivery.body.clone()).await
}

async fn post_raw(addr: SocketAddr, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("http://{addr}/webhooks/humanos"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.body(body).send().await.expect("send");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

/// The handler-factory app: counts calls, fails while `failures` > 0, sleeps for `slow` ids.
struct TestApp {
    addr: SocketAddr,
    calls: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

async fn handler_app(state: WebhookState) -> TestApp {
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, f, s) = (calls.clone(), failures.clone(), seen.clone());
    let addr = serve!(move || {
        let (c, f, s) = (c.clone(), f.clone(), s.clone());
        let handler = webhook_handler(state.clone(), move |event: WebhookEvent| {
            let (calls, failures, seen) = (c.clone(), f.clone(), s.clone());
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                seen.lock()
                    .expect("lock")
                    .push(event.event_type().to_owned());
                if event.request_id().is_some_and(|id| id.starts_with("slow")) {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                if failures
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    return Err("database unavailable");
                }
                Ok(())
            }
        });
        App::new().route("/webhooks/humanos", web::post().to(handler))
    });
    TestApp {
        addr,
        calls,
        failures,
        seen,
    }
}

/// Streams a chunked body of `total` bytes without a content-length and returns the status line
/// the server answered and how many bytes were written before it did.
async fn stream_huge_body(
    addr: SocketAddr,
    delivery: &SealedDelivery,
    total: u64,
) -> (String, u64) {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let written = Arc::new(AtomicU64::new(0));
    let head = format!(
        "POST /webhooks/humanos HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-signature: {}\r\nx-timestamp: {}\r\ntransfer-encoding: chunked\r\n\r\n",
        delivery.signature, delivery.timestamp
    );
    let counter = written.clone();
    let writer_task = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 64 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        let mut sent = 0u64;
        while sent < total {
            writer.write_all(&framed).await?;
            sent += 64 * 1024;
            counter.store(sent, Ordering::SeqCst);
        }
        writer.write_all(b"0\r\n\r\n").await?;
        Ok::<_, std::io::Error>(())
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    let status_line = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let n = reader.read(&mut buf).await.expect("read");
            assert!(n > 0, "connection closed without a response");
            response.extend_from_slice(&buf[..n]);
            if let Some(end) = response.windows(2).position(|w| w == b"\r\n") {
                return String::from_utf8_lossy(&response[..end]).into_owned();
            }
        }
    })
    .await
    .expect("the server answered before the whole body was sent");
    let sent = written.load(Ordering::SeqCst);
    writer_task.abort();
    (status_line, sent)
}

#[actix_web::test]
async fn handler_valid_delivery_is_200_and_runs_once() {
    let app = handler_app(WebhookState::new(config())).await;
    let (status, body) = post_delivery(app.addr, &seal(&config(), &test_event("req_ok"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"status": "ok"}));
    assert_eq!(app.calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn handler_tampered_body_is_401_and_handler_not_called() {
    let app = handler_app(WebhookState::new(config())).await;
    let mut delivery = seal(&config(), &test_event("req_tampered"));
    let at = delivery.body.len() / 2;
    delivery.body[at] = if delivery.body[at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let (status, body) = post_delivery(app.addr, &delivery).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "signature_mismatch");
    assert_eq!(app.calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn handler_wrong_signature_secret_is_401_and_leaks_nothing() {
    let app = handler_app(WebhookState::new(config())).await;
    let other = WebhookConfig::new("whsec_other", ENCRYPTION_SECRET, SALT).expect("config");
    let (status, body) = post_delivery(app.addr, &seal(&other, &test_event("req_x"))).await;
    assert_eq!(status, 401);
    let text = body.to_string();
    for secret in [
        SIGNATURE_SECRET,
        ENCRYPTION_SECRET,
        SALT,
        "whsec_other",
        "ana@example.com",
    ] {
        assert!(!text.contains(secret), "{text}");
    }
    assert_eq!(app.calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn handler_stale_timestamp_is_401() {
    let app = handler_app(WebhookState::new(config())).await;
    let plaintext = serde_json::to_vec(&test_event("req_stale")).expect("json");
    let now = humanos_webhooks::Clock::now_unix_ms(&humanos_webhooks::SystemClock);
    let stale = config()
        .seal_plaintext(&plaintext, now - 10 * 60 * 1000)
        .expect("seal");
    let (status, body) = post_delivery(app.addr, &stale).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "timestamp_too_old");
    assert_eq!(app.calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn handler_missing_header_is_400() {
    let app = handler_app(WebhookState::new(config())).await;
    let delivery = seal(&config(), &test_event("req_nohdr"));
    let headers: Vec<_> = delivery
        .headers()
        .into_iter()
        .filter(|(name, _)| *name != "x-signature")
        .collect();
    let (status, body) = post_raw(app.addr, &headers, delivery.body.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "missing_header");
    assert_eq!(app.calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn handler_body_over_limit_is_413() {
    let app = handler_app(WebhookState::new(config())).await;
    let delivery = seal(&config(), &test_event("req_big"));
    let (status, body) = post_raw(app.addr, &delivery.headers(), vec![b' '; LIMIT + 1]).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "payload_too_large");
    // A smaller configured limit applies to real deliveries too.
    let small = handler_app(WebhookState::new(config()).with_body_limit(64)).await;
    let (status, _) = post_delivery(small.addr, &delivery).await;
    assert_eq!(status, 413);
    assert_eq!(
        app.calls.load(Ordering::SeqCst) + small.calls.load(Ordering::SeqCst),
        0
    );
}

#[actix_web::test]
async fn handler_streamed_100_mib_body_is_413_without_buffering_it() {
    let app = handler_app(WebhookState::new(config())).await;
    let delivery = seal(&config(), &test_event("req_stream"));
    let total = 100 * 1024 * 1024;
    let (status_line, sent) = stream_huge_body(app.addr, &delivery, total).await;
    assert!(status_line.contains(" 413 "), "{status_line}");
    assert!(
        sent < total,
        "the whole body was accepted before the answer"
    );
    assert_eq!(app.calls.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn handler_unknown_event_type_is_200_as_unknown() {
    let app = handler_app(WebhookState::new(config())).await;
    let event = json!({"eventType": "mandate.expired", "requestId": "req_new", "extra": {"a": 1}});
    let (status, body) = post_delivery(app.addr, &seal(&config(), &event)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.calls.load(Ordering::SeqCst), 1);
    assert_eq!(*app.seen.lock().expect("lock"), ["mandate.expired"]);
}

#[actix_web::test]
async fn handler_duplicate_is_200_and_runs_once() {
    let app = handler_app(WebhookState::new(config()).with_in_memory_dedup(100)).await;
    let first = seal(&config(), &test_event("req_dup"));
    // Humanos re-seals a retry: new IV, new timestamp, same requestId + eventType.
    let retry = seal(&config(), &test_event("req_dup"));
    assert_eq!(post_delivery(app.addr, &first).await.0, 200);
    let (status, body) = post_delivery(app.addr, &retry).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "duplicate"}));
    assert_eq!(post_delivery(app.addr, &first).await.0, 200);
    assert_eq!(app.calls.load(Ordering::SeqCst), 1);
    // Another event type of the same request is another delivery.
    let other = json!({"eventType": "mandate.expired", "requestId": "req_dup"});
    assert_eq!(
        post_delivery(app.addr, &seal(&config(), &other)).await.0,
        200
    );
    assert_eq!(app.calls.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn handler_without_dedup_runs_every_delivery() {
    let app = handler_app(WebhookState::new(config())).await;
    let delivery = seal(&config(), &test_event("req_nodedup"));
    assert_eq!(post_delivery(app.addr, &delivery).await.0, 200);
    assert_eq!(post_delivery(app.addr, &delivery).await.0, 200);
    assert_eq!(app.calls.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn handler_concurrent_duplicate_runs_once() {
    let app = handler_app(WebhookState::new(config()).with_in_memory_dedup(100)).await;
    let a = seal(&config(), &test_event("slow_1"));
    let b = seal(&config(), &test_event("slow_1"));
    let ((sa, _), (sb, _)) = tokio::join!(post_delivery(app.addr, &a), post_delivery(app.addr, &b));
    let mut statuses = [sa, sb];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 200],
        "{statuses:?}"
    );
    assert_eq!(app.calls.load(Ordering::SeqCst), 1);
    // Once done, the retry of the refused one is a duplicate.
    assert_eq!(post_delivery(app.addr, &b).await.0, 200);
    assert_eq!(app.calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn handler_failure_is_500_and_the_retry_runs_again() {
    let app = handler_app(WebhookState::new(config()).with_in_memory_dedup(100)).await;
    app.failures.store(1, Ordering::SeqCst);
    let delivery = seal(&config(), &test_event("req_fail"));
    let (status, body) = post_delivery(app.addr, &delivery).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "handler_failed");
    assert!(!body.to_string().contains("database"), "{body}");
    let (status, body) = post_delivery(app.addr, &seal(&config(), &test_event("req_fail"))).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok"}));
    assert_eq!(app.calls.load(Ordering::SeqCst), 2);
    // And now it is done.
    assert_eq!(
        post_delivery(app.addr, &delivery).await.1,
        json!({"status": "duplicate"})
    );
    assert_eq!(app.calls.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn handler_typed_sample_events() {
    let app = handler_app(WebhookState::new(config())).await;
    for (kind, event) in [
        ("credential", humanos_webhooks::sample::credential("req_c")),
        ("identity", humanos_webhooks::sample::identity("req_i")),
        ("otp.failed", humanos_webhooks::sample::otp_failed("req_o")),
    ] {
        let (status, body) = post_delivery(app.addr, &seal(&config(), &event)).await;
        assert_eq!(status, 200, "{kind}: {body}");
    }
    assert_eq!(
        *app.seen.lock().expect("lock"),
        ["credential", "identity", "otp.failed"]
    );
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
    let state = web::Data::new(WebhookState::new(config()));
    let addr = serve!(move || {
        App::new()
            .app_data(state.clone())
            .app_data(data.clone())
            .route("/webhooks/humanos", web::post().to(receive))
    });
    (addr, calls)
}

#[actix_web::test]
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
    let (status, body) = post_delivery(addr, &tampered).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "signature_mismatch");
    let (status, body) = post_raw(addr, &[], b"{}".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "missing_header");
    let delivery = seal(&config(), &test_event("req_e4"));
    assert_eq!(
        post_raw(addr, &delivery.headers(), vec![b' '; LIMIT + 1])
            .await
            .0,
        413
    );
    let (status_line, _) = stream_huge_body(addr, &delivery, 100 * 1024 * 1024).await;
    assert!(status_line.contains(" 413 "), "{status_line}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn extractor_without_state_is_500() {
    async fn receive(HumanosWebhook(_event): HumanosWebhook) -> &'static str {
        "unreachable"
    }
    let addr = serve!(|| App::new().route("/webhooks/humanos", web::post().to(receive)));
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
            web::resource("/webhooks/humanos")
                .wrap(HumanosWebhookMiddleware::new(state.clone()))
                .route(web::post().to(receive)),
        )
    });
    (addr, calls, failures)
}

#[actix_web::test]
async fn middleware_statuses_and_dedup() {
    let (addr, calls, failures) =
        middleware_app(WebhookState::new(config()).with_in_memory_dedup(100)).await;
    let delivery = seal(&config(), &test_event("req_m"));
    assert_eq!(
        post_delivery(addr, &delivery).await,
        (200, Value::String("test".into()))
    );
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_m"))).await;
    assert_eq!((status, body), (200, json!({"status": "duplicate"})));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let mut tampered = seal(&config(), &test_event("req_m2"));
    tampered.timestamp += 1;
    assert_eq!(post_delivery(addr, &tampered).await.0, 401);
    assert_eq!(
        post_raw(addr, &delivery.headers(), vec![b' '; LIMIT + 1])
            .await
            .0,
        413
    );
    let (status_line, _) = stream_huge_body(addr, &delivery, 100 * 1024 * 1024).await;
    assert!(status_line.contains(" 413 "), "{status_line}");
    let unknown = json!({"eventType": "mandate.expired", "requestId": "req_m3"});
    assert_eq!(post_delivery(addr, &seal(&config(), &unknown)).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The handler answering 500 releases the key; the retry runs again.
    failures.store(1, Ordering::SeqCst);
    let failing = seal(&config(), &test_event("req_m4"));
    assert_eq!(post_delivery(addr, &failing).await.0, 500);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[actix_web::test]
async fn verified_webhook_without_middleware_is_500() {
    async fn receive(VerifiedWebhook(_event): VerifiedWebhook) -> &'static str {
        "unreachable"
    }
    let addr = serve!(|| App::new().route("/webhooks/humanos", web::post().to(receive)));
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_v"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "webhook_not_verified");
}
