//! The scenarios both adapters run over real HTTP on 127.0.0.1 in their `tests/http.rs`: the
//! handler factory's, the extractor's ([`extractor_statuses`]) and the layer's or middleware's
//! ([`verified_route_statuses_and_dedup`]).
//!
//! For the handler factory's scenarios, each adapter starts a server with its `webhook_handler`
//! on [`WEBHOOK_ROUTE`], whose callback calls [`Probe::record`], and passes the server's address
//! and the probe to a scenario. Each scenario's documentation says which server it needs and
//! which [`WebhookState`] ([`state`] or [`dedup_state`]). The helpers ([`config`],
//! [`test_event`], [`seal`], [`post_delivery`], [`stream_huge_body`]) serve the adapters' own
//! tests too.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use humanos_webhooks::{SealedDelivery, WebhookConfig, WebhookEvent, WebhookState};
use serde_json::{Value, json};

use crate::{Answer, exchange, flood, head, post_raw, post_sealed};

/// The one route of the servers of these scenarios.
pub const WEBHOOK_ROUTE: &str = "/webhooks/humanos";

/// The signature secret of [`config`].
pub const SIGNATURE_SECRET: &str = "whsec_adapter_test";

/// The encryption secret of [`config`].
pub const ENCRYPTION_SECRET: &str = "dGVzdC1lbmNyeXB0aW9uLXNlY3JldA==";

/// The salt of [`config`].
pub const SALT: &str = "adapter-salt";

/// The default body limit of a [`WebhookState`]: 1 MiB.
pub const LIMIT: usize = 1024 * 1024;

/// The configuration of these tests' servers and deliveries.
pub fn config() -> WebhookConfig {
    WebhookConfig::new(SIGNATURE_SECRET, ENCRYPTION_SECRET, SALT).expect("config")
}

/// The state of most scenarios' servers: [`config`], no dedup, the default body limit.
pub fn state() -> WebhookState {
    WebhookState::new(config())
}

/// [`state`] with in-memory dedup of 100 keys.
pub fn dedup_state() -> WebhookState {
    state().with_in_memory_dedup(100)
}

/// A `test` event for `request_id`, with a user contact the answers must not leak.
pub fn test_event(request_id: &str) -> Value {
    json!({
        "eventType": "test", "requestId": request_id, "issuerDid": "did:web:humanos.id",
        "user": {"contact": "ana@example.com", "id": "usr_1"}, "api_version": "2026-09-01",
        "message": "hello from the dashboard",
    })
}

/// `event` sealed with `config`, now.
pub fn seal(config: &WebhookConfig, event: &Value) -> SealedDelivery {
    config.seal(event).expect("seal")
}

/// POSTs `delivery` to [`WEBHOOK_ROUTE`]; returns the status and the body as JSON (or as a JSON
/// string if it is not JSON).
pub async fn post_delivery(addr: SocketAddr, delivery: &SealedDelivery) -> (u16, Value) {
    post_sealed(addr, WEBHOOK_ROUTE, delivery).await
}

/// Streams a chunked body of `total` bytes (no `content-length`) with `delivery`'s headers to
/// [`WEBHOOK_ROUTE`]; returns the server's answer and how many body bytes were written before it.
pub async fn stream_huge_body(
    addr: SocketAddr,
    delivery: &SealedDelivery,
    total: u64,
) -> (Answer, u64) {
    let chunked = head(addr, WEBHOOK_ROUTE, delivery, "transfer-encoding: chunked");
    exchange(addr, chunked, move |w, c| flood(w, c, total, true)).await
}

/// What the handler-factory callback records: it counts calls and event types, sleeps 300 ms for
/// request ids starting with `slow`, and fails while failures are queued.
#[derive(Debug, Default)]
pub struct Probe {
    calls: AtomicUsize,
    failures: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

impl Probe {
    /// The callback's behaviour: records the call and `event`'s type, sleeps 300 ms if its
    /// request id starts with `slow`, then fails with `database unavailable` if a failure is
    /// queued (using it up) or succeeds.
    pub async fn record(&self, event: WebhookEvent) -> Result<(), &'static str> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen
            .lock()
            .expect("lock")
            .push(event.event_type().to_owned());
        if event.request_id().is_some_and(|id| id.starts_with("slow")) {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err("database unavailable");
        }
        Ok(())
    }

    /// How many times the callback ran.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Makes the next `n` calls fail.
    pub fn fail_next(&self, n: usize) {
        self.failures.store(n, Ordering::SeqCst);
    }

    /// The event types the callback saw, in order.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

// ---- the scenarios ----

/// A valid delivery is answered 200 `{"status": "ok"}` and the callback runs once.
///
/// The server: [`state`].
pub async fn valid_delivery_is_200_and_runs_once(addr: SocketAddr, probe: &Probe) {
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_ok"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"status": "ok"}));
    assert_eq!(probe.calls(), 1);
}

/// A tampered body is answered 401 `signature_mismatch` and the callback does not run.
///
/// The server: [`state`].
pub async fn tampered_body_is_401_and_handler_not_called(addr: SocketAddr, probe: &Probe) {
    let mut delivery = seal(&config(), &test_event("req_tampered"));
    let at = delivery.body.len() / 2;
    delivery.body[at] = if delivery.body[at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let (status, body) = post_delivery(addr, &delivery).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "signature_mismatch");
    assert_eq!(probe.calls(), 0);
}

/// A delivery signed with another secret is answered 401 with no secret or user data in the
/// answer, and the callback does not run.
///
/// The server: [`state`].
pub async fn wrong_signature_secret_is_401_and_leaks_nothing(addr: SocketAddr, probe: &Probe) {
    let other = WebhookConfig::new("whsec_other", ENCRYPTION_SECRET, SALT).expect("config");
    let (status, body) = post_delivery(addr, &seal(&other, &test_event("req_x"))).await;
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
    assert_eq!(probe.calls(), 0);
}

/// A delivery sealed ten minutes ago is answered 401 `timestamp_too_old` and the callback does
/// not run.
///
/// The server: [`state`].
pub async fn stale_timestamp_is_401(addr: SocketAddr, probe: &Probe) {
    let plaintext = serde_json::to_vec(&test_event("req_stale")).expect("json");
    let now = humanos_webhooks::Clock::now_unix_ms(&humanos_webhooks::SystemClock);
    let stale = config()
        .seal_plaintext(&plaintext, now - 10 * 60 * 1000)
        .expect("seal");
    let (status, body) = post_delivery(addr, &stale).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "timestamp_too_old");
    assert_eq!(probe.calls(), 0);
}

/// A delivery without `x-signature` is answered 400 `missing_header` and the callback does not
/// run.
///
/// The server: [`state`].
pub async fn missing_header_is_400(addr: SocketAddr, probe: &Probe) {
    let delivery = seal(&config(), &test_event("req_nohdr"));
    let headers: Vec<_> = delivery
        .headers()
        .into_iter()
        .filter(|(name, _)| *name != "x-signature")
        .collect();
    let (status, body) = post_raw(addr, WEBHOOK_ROUTE, &headers, delivery.body.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "missing_header");
    assert_eq!(probe.calls(), 0);
}

/// A body over the default limit is answered 413 `payload_too_large`, a real delivery over a
/// smaller configured limit is answered 413 too, and no callback runs.
///
/// The servers: [`state`] at `addr`, [`state`] with a 64-byte body limit at `small_addr`.
pub async fn body_over_limit_is_413(
    addr: SocketAddr,
    probe: &Probe,
    small_addr: SocketAddr,
    small_probe: &Probe,
) {
    let delivery = seal(&config(), &test_event("req_big"));
    let (status, body) = post_raw(
        addr,
        WEBHOOK_ROUTE,
        &delivery.headers(),
        vec![b' '; LIMIT + 1],
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "payload_too_large");
    // A smaller configured limit applies to real deliveries too.
    let (status, _) = post_delivery(small_addr, &delivery).await;
    assert_eq!(status, 413);
    assert_eq!(probe.calls() + small_probe.calls(), 0);
}

/// A chunked 100 MiB body is answered 413 before it has all been sent and the callback does not
/// run.
///
/// The server: [`state`].
pub async fn streamed_100_mib_body_is_413_without_buffering_it(addr: SocketAddr, probe: &Probe) {
    let delivery = seal(&config(), &test_event("req_stream"));
    let total = 100 * 1024 * 1024;
    let (answer, sent) = stream_huge_body(addr, &delivery, total).await;
    assert_eq!(answer, Answer::Status(413));
    assert!(
        sent < total,
        "the whole body was accepted before the answer"
    );
    assert_eq!(probe.calls(), 0);
}

/// An event type the crate does not know is answered 200 and handed to the callback as such.
///
/// The server: [`state`].
pub async fn unknown_event_type_is_200_as_unknown(addr: SocketAddr, probe: &Probe) {
    let event = json!({"eventType": "mandate.expired", "requestId": "req_new", "extra": {"a": 1}});
    let (status, body) = post_delivery(addr, &seal(&config(), &event)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(probe.calls(), 1);
    assert_eq!(probe.seen(), ["mandate.expired"]);
}

/// A re-sealed retry (and the same delivery again) is answered 200 `duplicate` and the callback
/// runs once; another event type of the same request runs it again.
///
/// The server: [`dedup_state`].
pub async fn duplicate_is_200_and_runs_once(addr: SocketAddr, probe: &Probe) {
    let first = seal(&config(), &test_event("req_dup"));
    // Humanos re-seals a retry: new IV, new timestamp, same requestId + eventType.
    let retry = seal(&config(), &test_event("req_dup"));
    assert_eq!(post_delivery(addr, &first).await.0, 200);
    let (status, body) = post_delivery(addr, &retry).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "duplicate"}));
    assert_eq!(post_delivery(addr, &first).await.0, 200);
    assert_eq!(probe.calls(), 1);
    // Another event type of the same request is another delivery.
    let other = json!({"eventType": "mandate.expired", "requestId": "req_dup"});
    assert_eq!(post_delivery(addr, &seal(&config(), &other)).await.0, 200);
    assert_eq!(probe.calls(), 2);
}

/// Without dedup the same delivery twice runs the callback twice.
///
/// The server: [`state`].
pub async fn without_dedup_runs_every_delivery(addr: SocketAddr, probe: &Probe) {
    let delivery = seal(&config(), &test_event("req_nodedup"));
    assert_eq!(post_delivery(addr, &delivery).await.0, 200);
    assert_eq!(post_delivery(addr, &delivery).await.0, 200);
    assert_eq!(probe.calls(), 2);
}

/// Two deliveries of one slow event at once: one runs, the other is answered 409 (in progress)
/// or 200; the callback runs once, and the retry afterwards is a duplicate.
///
/// The server: [`dedup_state`].
pub async fn concurrent_duplicate_runs_once(addr: SocketAddr, probe: &Probe) {
    let a = seal(&config(), &test_event("slow_1"));
    let b = seal(&config(), &test_event("slow_1"));
    let ((sa, _), (sb, _)) = tokio::join!(post_delivery(addr, &a), post_delivery(addr, &b));
    let mut statuses = [sa, sb];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 200],
        "{statuses:?}"
    );
    assert_eq!(probe.calls(), 1);
    // Once done, the retry of the refused one is a duplicate.
    assert_eq!(post_delivery(addr, &b).await.0, 200);
    assert_eq!(probe.calls(), 1);
}

/// A failing callback is answered 500 `handler_failed` (without its error text), its retry runs
/// the callback again, and after that success the delivery is a duplicate.
///
/// The server: [`dedup_state`].
pub async fn failure_is_500_and_the_retry_runs_again(addr: SocketAddr, probe: &Probe) {
    probe.fail_next(1);
    let delivery = seal(&config(), &test_event("req_fail"));
    let (status, body) = post_delivery(addr, &delivery).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"], "handler_failed");
    assert!(!body.to_string().contains("database"), "{body}");
    let (status, body) = post_delivery(addr, &seal(&config(), &test_event("req_fail"))).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok"}));
    assert_eq!(probe.calls(), 2);
    // And now it is done.
    assert_eq!(
        post_delivery(addr, &delivery).await.1,
        json!({"status": "duplicate"})
    );
    assert_eq!(probe.calls(), 2);
}

/// The core crate's typed samples (credential, identity, otp.failed) are answered 200 and reach
/// the callback with their types.
///
/// The server: [`state`].
pub async fn typed_sample_events(addr: SocketAddr, probe: &Probe) {
    for (kind, event) in [
        ("credential", humanos_webhooks::sample::credential("req_c")),
        ("identity", humanos_webhooks::sample::identity("req_i")),
        ("otp.failed", humanos_webhooks::sample::otp_failed("req_o")),
    ] {
        let (status, body) = post_delivery(addr, &seal(&config(), &event)).await;
        assert_eq!(status, 200, "{kind}: {body}");
    }
    assert_eq!(probe.seen(), ["credential", "identity", "otp.failed"]);
}

/// The extractor shape: a valid delivery and an unknown event type reach the handler; a wrong
/// signature or a body the signature does not cover (401 `signature_mismatch`), a missing header
/// (400 `missing_header`) and a body over the limit, announced or streamed (413), do not.
///
/// The server: a handler on [`WEBHOOK_ROUTE`] taking the adapter's extractor with [`state`],
/// answering the event type as a JSON string and counting its calls in `calls`.
pub async fn extractor_statuses(addr: SocketAddr, calls: &AtomicUsize) {
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
    let (status, body) = post_raw(addr, WEBHOOK_ROUTE, &[], b"{}".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "missing_header");
    let delivery = seal(&config(), &test_event("req_e4"));
    oversized_bodies_are_413(addr, &delivery).await;
    // A body the signature does not cover.
    let (status, body) = post_raw(
        addr,
        WEBHOOK_ROUTE,
        &delivery.headers(),
        b"not json".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "signature_mismatch");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

/// The layer (axum) or middleware (actix) shape in front of a handler that reads the verified
/// event: a valid delivery reaches it once and its duplicate is answered `duplicate`; a
/// timestamp the signature does not cover (401) and a body over the limit, announced or
/// streamed (413), do not; an unknown event type does; a handler answering 500 releases the
/// delivery, so its retry runs again.
///
/// The server: the shape on [`WEBHOOK_ROUTE`] with [`dedup_state`], in front of a handler that
/// answers the event type as a JSON string, counts its calls in `calls` and answers 500 while
/// `failures` is above zero (taking one off each time).
pub async fn verified_route_statuses_and_dedup(
    addr: SocketAddr,
    calls: &AtomicUsize,
    failures: &AtomicUsize,
) {
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
    oversized_bodies_are_413(addr, &delivery).await;
    let unknown = json!({"eventType": "mandate.expired", "requestId": "req_l3"});
    assert_eq!(post_delivery(addr, &seal(&config(), &unknown)).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The handler answering 500 releases the key; the retry runs again.
    failures.store(1, Ordering::SeqCst);
    let failing = seal(&config(), &test_event("req_l4"));
    assert_eq!(post_delivery(addr, &failing).await.0, 500);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(post_delivery(addr, &failing).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

/// `delivery`'s headers with a body one byte over [`LIMIT`] (announced), then with a chunked
/// 100 MiB body: both 413.
async fn oversized_bodies_are_413(addr: SocketAddr, delivery: &SealedDelivery) {
    let (status, _) = post_raw(
        addr,
        WEBHOOK_ROUTE,
        &delivery.headers(),
        vec![b' '; LIMIT + 1],
    )
    .await;
    assert_eq!(status, 413);
    let (answer, _) = stream_huge_body(addr, delivery, 100 * 1024 * 1024).await;
    assert_eq!(answer, Answer::Status(413));
}
