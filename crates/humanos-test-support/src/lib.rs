//! Test support for the humanos-rust web adapters; not published.
//!
//! A framework-agnostic hostile HTTP client (raw TCP writes for slow, huge and flooded requests,
//! reqwest for well-formed ones) and the hostile scenarios that `humanos-axum` and
//! `humanos-actix` both run over real HTTP on 127.0.0.1 in their `tests/hostile.rs`: the core
//! crate's malformed catalogue, slow bodies, huge bodies, header floods, replays and the edges of
//! the timestamp window. Each adapter starts its own server with the three shapes (handler
//! factory, extractor, layer or middleware) on [`ROUTES`], configured with the catalogue's
//! configuration (clock fixed at [`CATALOGUE_NOW_MS`]), and calls the scenario with its address
//! and handler call counters.
//!
//! The [`handler`] module holds the handler-factory scenarios both adapters run in their
//! `tests/http.rs` (one server per scenario, one route, a [`handler::Probe`] the callback records
//! into).
//!
//! The [`docs`] module checks that the adapters' crate docs link to the core's status tables.
//!
//! The `enforce` module (feature `enforce`) holds the mandate-enforcement scenarios both
//! adapters run in their `tests/enforce.rs` against an in-process sandbox.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use humanos_webhooks::SealedDelivery;
use humanos_webhooks::sample;
pub use humanos_webhooks::sample::CATALOGUE_NOW_MS;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;

pub mod docs;
#[cfg(feature = "enforce")]
pub mod enforce;
pub mod handler;

/// How long the server may take to answer or close before the test calls it a hang. Generous:
/// the tests never assert on timings, only that the server does not wait forever.
pub const HANG: Duration = Duration::from_secs(30);

/// The routes of the three shapes: the handler factory, the extractor and the layer (or
/// middleware).
pub const ROUTES: [&str; 3] = ["/handler", "/extractor", "/layer"];

/// Calls of each route's handler, in the order of [`ROUTES`].
pub type Calls = Arc<[AtomicUsize; 3]>;

/// The handler calls counted so far, in the order of [`ROUTES`].
pub fn counts(calls: &Calls) -> [usize; 3] {
    calls.each_ref().map(|c| c.load(Ordering::SeqCst))
}

/// A `test` event for `request_id`, sealed with the catalogue's configuration at `timestamp_ms`.
pub fn seal_at(request_id: &str, timestamp_ms: u64) -> SealedDelivery {
    let plaintext = serde_json::to_vec(&sample::test(request_id)).expect("json");
    sample::catalogue_config()
        .seal_plaintext(&plaintext, timestamp_ms)
        .expect("seal")
}

/// POSTs `body` with `headers` to `route`; returns the status and the body as JSON (or as a
/// JSON string if it is not JSON).
pub async fn send(
    addr: SocketAddr,
    route: &str,
    headers: &[(String, Vec<u8>)],
    body: Vec<u8>,
) -> (u16, Value) {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        map.append(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            reqwest::header::HeaderValue::from_bytes(value).expect("value"),
        );
    }
    let response = reqwest::Client::new()
        .post(format!("http://{addr}{route}"))
        .headers(map)
        .body(body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POSTs `body` with `headers` (as [`SealedDelivery::headers`] gives them) to `route`, as
/// [`send`] does.
pub async fn post_raw(
    addr: SocketAddr,
    route: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> (u16, Value) {
    let headers: Vec<_> = headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone().into_bytes()))
        .collect();
    send(addr, route, &headers, body).await
}

/// POSTs `delivery` (its headers and body) to `route`, as [`send`] does.
pub async fn post_sealed(addr: SocketAddr, route: &str, delivery: &SealedDelivery) -> (u16, Value) {
    post_raw(addr, route, &delivery.headers(), delivery.body.clone()).await
}

// ---- raw HTTP: what a hostile client does on the wire ----

/// What the server did with a hostile request.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// The server answered with this status.
    Status(u16),
    /// The connection was closed (or reset) without a response.
    Closed,
}

/// Opens a connection, writes `head`, then lets `body` write to it (recording in its counter
/// how many body bytes it wrote) while reading the answer. Returns the answer and the body bytes
/// written by the time it came. Fails if the server neither answers nor closes within [`HANG`].
///
/// `body` hands the write half back and it stays open until the answer: a client that
/// half-closes its side is one a server may hang up on.
pub async fn exchange<F, Fut>(addr: SocketAddr, head: String, body: F) -> (Answer, u64)
where
    F: FnOnce(OwnedWriteHalf, Arc<AtomicU64>) -> Fut + Send + 'static,
    Fut: Future<Output = std::io::Result<OwnedWriteHalf>> + Send + 'static,
{
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    let writer_task = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let _open = body(writer, counter).await?;
        std::future::pending::<std::io::Result<()>>().await
    });
    let answer = tokio::time::timeout(HANG, async {
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return Answer::Closed,
                Ok(n) => response.extend_from_slice(&buf[..n]),
            }
            if let Some(end) = response.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&response[..end]).into_owned();
                let code = line.split(' ').nth(1).and_then(|c| c.parse().ok());
                return Answer::Status(code.unwrap_or_else(|| panic!("status line {line:?}")));
            }
        }
    })
    .await
    .expect("the server neither answered nor closed the connection: it hangs");
    let sent = written.load(Ordering::SeqCst);
    writer_task.abort();
    (answer, sent)
}

/// The request head of a POST of `delivery` to `route`, with `framing` (a `content-length` or
/// `transfer-encoding` header line, without its CRLF).
pub fn head(addr: SocketAddr, route: &str, delivery: &SealedDelivery, framing: &str) -> String {
    format!(
        "POST {route} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-signature: {}\r\nx-timestamp: {}\r\n{framing}\r\n\r\n",
        delivery.signature, delivery.timestamp
    )
}

/// Writes `total` bytes of spaces in 64 KiB pieces, chunk-framed or not.
pub async fn flood(
    mut writer: OwnedWriteHalf,
    counter: Arc<AtomicU64>,
    total: u64,
    chunked: bool,
) -> std::io::Result<OwnedWriteHalf> {
    let piece = vec![b' '; 64 * 1024];
    let framed = if chunked {
        [
            format!("{:x}\r\n", piece.len()).into_bytes(),
            piece,
            b"\r\n".to_vec(),
        ]
        .concat()
    } else {
        piece
    };
    let mut sent = 0u64;
    while sent < total {
        writer.write_all(&framed).await?;
        sent += 64 * 1024;
        counter.store(sent, Ordering::SeqCst);
    }
    if chunked {
        writer.write_all(b"0\r\n\r\n").await?;
    }
    Ok(writer)
}

/// Writes `bytes` in pieces of `piece` bytes, one every `every`, chunk-framed or not.
pub async fn dribble(
    mut writer: OwnedWriteHalf,
    counter: Arc<AtomicU64>,
    bytes: Vec<u8>,
    piece: usize,
    every: Duration,
    chunked: bool,
) -> std::io::Result<OwnedWriteHalf> {
    for part in bytes.chunks(piece) {
        tokio::time::sleep(every).await;
        if chunked {
            writer
                .write_all(format!("{:x}\r\n", part.len()).as_bytes())
                .await?;
            writer.write_all(part).await?;
            writer.write_all(b"\r\n").await?;
        } else {
            writer.write_all(part).await?;
        }
        counter.fetch_add(part.len() as u64, Ordering::SeqCst);
    }
    if chunked {
        writer.write_all(b"0\r\n\r\n").await?;
    }
    Ok(writer)
}

// ---- the scenarios ----

/// Every malformed delivery of the core crate's catalogue gets its status and error code on
/// every route, no handler runs, and a valid delivery is served afterwards. Then every authentic
/// delivery our types do not fit reaches the handlers (200): the handler factory runs each once,
/// the extractor (no dedup) each once, and the layer sees them as duplicates of the factory's
/// (one shared store).
///
/// The server: the catalogue's configuration with in-memory dedup shared by the three routes.
pub async fn catalogue(addr: SocketAddr, calls: &Calls) {
    let cases = sample::malformed();
    assert_eq!(cases.len(), 47);
    let mut failures = Vec::new();
    for route in ROUTES {
        for case in &cases {
            let (status, body) = send(addr, route, &case.headers, case.body.clone()).await;
            if status != case.error.status() || body["error"] != case.error.code() {
                failures.push(format!(
                    "{route} {}: expected {} {}, got {status} {body}",
                    case.name,
                    case.error.status(),
                    case.error.code()
                ));
            }
            // A 401 names the check, never the receiver's clock or tolerance.
            let message = body["message"].as_str().unwrap_or_default();
            if status == 401
                && message.contains("x-timestamp")
                && message.contains(char::is_numeric)
            {
                failures.push(format!("{route} {}: clock detail in {message}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(counts(calls), [0; 3]);
    let undecodable = sample::undecodable();
    for route in ROUTES {
        for case in &undecodable {
            let (status, body) = send(addr, route, &case.headers, case.body.clone()).await;
            assert_eq!(status, 200, "{route} {}: {body}", case.name);
        }
    }
    assert_eq!(counts(calls), [undecodable.len(), undecodable.len(), 0]);
    // And the server is still there for a valid delivery.
    for route in ROUTES {
        let (status, body) =
            post_sealed(addr, route, &seal_at("req_after", CATALOGUE_NOW_MS)).await;
        assert_eq!(status, 200, "{route}: {body}");
    }
}

/// Timestamps at the tolerance (both sides) are accepted; one second beyond is refused with
/// 401 `timestamp_too_old` or `timestamp_in_future`.
///
/// The server: the catalogue's configuration.
pub async fn timestamp_window(addr: SocketAddr, calls: &Calls) {
    let tolerance = sample::catalogue_config().tolerance().as_millis() as u64;
    assert_eq!(tolerance, 300_000);
    for route in ROUTES {
        for (ts, expected, code) in [
            (CATALOGUE_NOW_MS - tolerance, 200, None),
            (CATALOGUE_NOW_MS + tolerance, 200, None),
            (
                CATALOGUE_NOW_MS - tolerance - 1000,
                401,
                Some("timestamp_too_old"),
            ),
            (
                CATALOGUE_NOW_MS + tolerance + 1000,
                401,
                Some("timestamp_in_future"),
            ),
        ] {
            let (status, body) = post_sealed(addr, route, &seal_at("req_ts", ts)).await;
            assert_eq!(status, expected, "{route} at {ts}: {body}");
            if let Some(code) = code {
                assert_eq!(body["error"], code, "{route} at {ts}");
            }
        }
    }
    assert_eq!(counts(calls), [2; 3]);
}

/// The very same delivery sent again (three times) is answered 200 `duplicate` and the handler
/// runs once, on the handler factory and the layer.
///
/// The server: the catalogue's configuration with in-memory dedup.
pub async fn replay(addr: SocketAddr, calls: &Calls) {
    for route in ["/handler", "/layer"] {
        let delivery = seal_at(&format!("req_replay{route}"), CATALOGUE_NOW_MS);
        let (status, body) = post_sealed(addr, route, &delivery).await;
        assert_eq!(status, 200, "{route}");
        assert_ne!(body, json!({"status": "duplicate"}), "{route}");
        for _ in 0..3 {
            // The very same bytes again, as an attacker who captured them would send them.
            assert_eq!(
                post_sealed(addr, route, &delivery).await,
                (200, json!({"status": "duplicate"})),
                "{route}"
            );
        }
    }
    assert_eq!(counts(calls), [1, 0, 1]);
}

/// A 100 MiB body, announced by `content-length` or chunked, is answered 413 before it has all
/// been sent.
///
/// The server: the catalogue's configuration (default body limit).
pub async fn huge_body(addr: SocketAddr, calls: &Calls) {
    let delivery = seal_at("req_big", CATALOGUE_NOW_MS);
    let total: u64 = 100 * 1024 * 1024;
    for route in ROUTES {
        let announced = head(addr, route, &delivery, &format!("content-length: {total}"));
        let (answer, sent) = exchange(addr, announced, move |w, c| flood(w, c, total, false)).await;
        assert_eq!(answer, Answer::Status(413), "{route}, content-length");
        assert!(
            sent < total,
            "{route}: the whole announced body was sent first"
        );

        let chunked = head(addr, route, &delivery, "transfer-encoding: chunked");
        let (answer, sent) = exchange(addr, chunked, move |w, c| flood(w, c, total, true)).await;
        assert_eq!(answer, Answer::Status(413), "{route}, chunked");
        assert!(
            sent < total,
            "{route}: the whole chunked body was sent first"
        );
    }
    assert_eq!(counts(calls), [0; 3]);
}

/// A body dribbled one byte every 50 ms, announced or chunked, is answered 408 before it has
/// all been sent.
///
/// The server: the catalogue's configuration with a 300 ms read timeout.
pub async fn slow_body(addr: SocketAddr, calls: &Calls) {
    let delivery = seal_at("req_slow", CATALOGUE_NOW_MS);
    for route in ROUTES {
        for chunked in [false, true] {
            let framing = if chunked {
                "transfer-encoding: chunked".to_owned()
            } else {
                format!("content-length: {}", delivery.body.len())
            };
            let body = delivery.body.clone();
            let len = body.len() as u64;
            // One byte every 50 ms: the whole body would take many seconds.
            let (answer, sent) =
                exchange(addr, head(addr, route, &delivery, &framing), move |w, c| {
                    dribble(w, c, body, 1, Duration::from_millis(50), chunked)
                })
                .await;
            assert_eq!(answer, Answer::Status(408), "{route}, chunked: {chunked}");
            assert!(sent < len, "{route}: answered only after the whole body");
        }
    }
    assert_eq!(counts(calls), [0; 3]);
}

/// A slow chunked body over the limit is answered 413 when it crosses the limit, before the
/// (default) read timeout.
///
/// The server: the catalogue's configuration with a 64-byte body limit.
pub async fn slow_body_over_the_limit(addr: SocketAddr, calls: &Calls) {
    let delivery = seal_at("req_slow_big", CATALOGUE_NOW_MS);
    for route in ROUTES {
        let body = vec![b' '; 10_000];
        let chunked = head(addr, route, &delivery, "transfer-encoding: chunked");
        let (answer, sent) = exchange(addr, chunked, move |w, c| {
            dribble(w, c, body, 40, Duration::from_millis(20), true)
        })
        .await;
        assert_eq!(answer, Answer::Status(413), "{route}");
        assert!(sent < 10_000, "{route}");
    }
    assert_eq!(counts(calls), [0; 3]);
}

/// A delivery sent in a few pieces with short pauses is served: the read timeout does not cut it.
///
/// The server: the catalogue's configuration with a 10 s read timeout.
pub async fn normal_delivery_within_the_read_timeout(addr: SocketAddr, calls: &Calls) {
    let delivery = seal_at("req_normal", CATALOGUE_NOW_MS);
    for route in ROUTES {
        let body = delivery.body.clone();
        let framing = format!("content-length: {}", body.len());
        // A body in a few pieces with pauses, well within the timeout.
        let (answer, _) = exchange(addr, head(addr, route, &delivery, &framing), move |w, c| {
            dribble(w, c, body, 256, Duration::from_millis(5), false)
        })
        .await;
        assert_eq!(answer, Answer::Status(200), "{route}");
    }
    assert_eq!(counts(calls), [1; 3]);
}

/// A request head dribbled one byte every 100 ms to `/handler` is answered 408 or closed long
/// before its end, and a normal request to `/handler` on the same server is then served.
///
/// The server: a head read timeout of a second or two (the server's job, not the adapter's).
pub async fn slow_request_head(addr: SocketAddr) {
    // The head, one byte every 100 ms: about 25 s for the whole of it.
    let delivery = seal_at("req_slow_head", CATALOGUE_NOW_MS);
    let full = head(addr, "/handler", &delivery, "content-length: 0");
    let (answer, sent) = exchange(addr, String::new(), move |w, c| {
        dribble(
            w,
            c,
            full.into_bytes(),
            1,
            Duration::from_millis(100),
            false,
        )
    })
    .await;
    assert!(
        matches!(answer, Answer::Status(408) | Answer::Closed),
        "{answer:?}"
    );
    assert!(sent < 200, "the head was read to its end: {sent} bytes");
    // A normal request on the same server is served.
    assert_eq!(post_sealed(addr, "/handler", &delivery).await.0, 200);
}

/// Header floods (many headers, one huge header, many wide headers, repeated `x-signature`) are
/// answered 431 or 400, no handler runs, and the server then serves a valid delivery.
///
/// The server: the catalogue's configuration.
pub async fn header_floods(addr: SocketAddr, calls: &Calls) {
    let delivery = seal_at("req_flood", CATALOGUE_NOW_MS);
    let framing = format!("content-length: {}", delivery.body.len());
    let floods = [
        (
            "500 headers",
            (0..500)
                .map(|i| format!("x-flood-{i}: {i}\r\n"))
                .collect::<String>(),
        ),
        (
            "one 1 MiB header",
            format!("x-big: {}\r\n", "a".repeat(1024 * 1024)),
        ),
        (
            "100 headers of 8 KiB",
            (0..100)
                .map(|i| format!("x-wide-{i}: {}\r\n", "b".repeat(8 * 1024)))
                .collect(),
        ),
        (
            "1000 x-signature headers",
            format!("x-signature: {}\r\n", delivery.signature).repeat(1000),
        ),
        // Under the server's header count: the adapter refuses the repeated header (400).
        (
            "50 x-signature headers",
            format!("x-signature: {}\r\n", delivery.signature).repeat(50),
        ),
    ];
    for route in ROUTES {
        for (name, extra) in &floods {
            let mut request = head(addr, route, &delivery, &framing);
            request.insert_str(request.len() - 2, extra);
            let body = delivery.body.clone();
            let (answer, _) = exchange(addr, request, move |mut w, _| async move {
                w.write_all(&body).await.map(|()| w)
            })
            .await;
            assert!(
                matches!(answer, Answer::Status(431 | 400)),
                "{route}, {name}: {answer:?}"
            );
        }
    }
    assert_eq!(counts(calls), [0; 3]);
    for route in ROUTES {
        assert_eq!(post_sealed(addr, route, &delivery).await.0, 200, "{route}");
    }
}
