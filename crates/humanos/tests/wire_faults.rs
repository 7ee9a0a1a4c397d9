//! Faults on the wire that an HTTP framework cannot script: a server that stalls halfway through
//! its answer, one that hangs up mid-body, one that answers with bytes that are not HTTP. Served
//! by a raw TCP listener on 127.0.0.1; the last scripted step is a valid answer, so a retried
//! GET recovers and the attempt count shows whether a POST was replayed.

mod support;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use humanos::models::GenerateRequestDto;
use humanos::{Error, HumanosClient, RetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Headers announcing 4 KiB, 10 bytes of body, then silence (the connection stays open).
    StallMidBody,
    /// Headers announcing 4 KiB, 10 bytes of body, then the connection is closed.
    CutMidBody,
    /// Bytes that are not an HTTP response, then close.
    NotHttp,
    /// A valid answer.
    Ok,
}

struct RawServer {
    addr: SocketAddr,
    attempts: Arc<AtomicUsize>,
}

async fn raw_server(steps: Vec<Step>, ok_body: String) -> RawServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let steps = Arc::new(Mutex::new(VecDeque::from(steps)));
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (steps, counter, ok_body) = (steps.clone(), counter.clone(), ok_body.clone());
            tokio::spawn(serve(stream, steps, counter, ok_body));
        }
    });
    RawServer { addr, attempts }
}

/// One connection: each request read whole is counted and answered with the next step.
async fn serve(
    mut stream: TcpStream,
    steps: Arc<Mutex<VecDeque<Step>>>,
    counter: Arc<AtomicUsize>,
    ok_body: String,
) {
    loop {
        if !read_request(&mut stream).await {
            return;
        }
        counter.fetch_add(1, Ordering::SeqCst);
        let step = steps.lock().unwrap().pop_front().unwrap_or(Step::Ok);
        if !answer(&mut stream, step, &ok_body).await {
            return;
        }
    }
}

/// Reads one request: its head, then the body its content-length announces. False when the
/// connection ends first.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// Headers announcing 4 KiB, then the first 10 bytes of the body.
const PARTIAL_ANSWER: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                              content-length: 4096\r\n\r\n{\"id\": \"r";

/// Plays `step`; false when the connection is done (after a fault, or a failed write).
async fn answer(stream: &mut TcpStream, step: Step, ok_body: &str) -> bool {
    match step {
        Step::StallMidBody => {
            let _ = stream.write_all(PARTIAL_ANSWER.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            false
        }
        Step::CutMidBody => {
            let _ = stream.write_all(PARTIAL_ANSWER.as_bytes()).await;
            false
        }
        Step::NotHttp => {
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
            false
        }
        Step::Ok => {
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n{ok_body}",
                ok_body.len()
            );
            stream.write_all(answer.as_bytes()).await.is_ok()
        }
    }
}

fn client(addr: SocketAddr, timeout: Duration) -> HumanosClient {
    HumanosClient::builder()
        .api_key("test-api-key")
        .signature_secret("test-signature-secret")
        .base_url(format!("http://{addr}"))
        .timeout(timeout)
        .retry(support::fast_retry())
        .build()
        .unwrap()
}

fn detail_body() -> String {
    support::samples::instance("RequestDetailEntity").to_string()
}

#[tokio::test]
async fn a_body_that_stalls_halfway_is_a_timeout_and_a_get_is_retried() {
    let server = raw_server(vec![Step::StallMidBody], detail_body()).await;
    let client = client(server.addr, Duration::from_millis(500));
    let e = client
        .requests()
        .detail("r1")
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.is_retryable());
    // With retries, the next attempt gets the whole answer.
    let server = raw_server(vec![Step::StallMidBody], detail_body()).await;
    client_for(&server).requests().detail("r1").await.unwrap();
    assert_eq!(server.attempts.load(Ordering::SeqCst), 2);
}

fn client_for(server: &RawServer) -> HumanosClient {
    client(server.addr, Duration::from_millis(500))
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_a_transport_error_and_a_get_is_retried() {
    let server = raw_server(vec![Step::CutMidBody], detail_body()).await;
    let e = client_for(&server)
        .requests()
        .detail("r1")
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport { connect: false, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
    let server = raw_server(vec![Step::CutMidBody, Step::CutMidBody], detail_body()).await;
    client_for(&server).requests().detail("r1").await.unwrap();
    assert_eq!(server.attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_transport_error() {
    let server = raw_server(vec![Step::NotHttp], detail_body()).await;
    let e = client_for(&server)
        .requests()
        .detail("r1")
        .retry(RetryConfig::disabled())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    let server = raw_server(vec![Step::NotHttp], detail_body()).await;
    client_for(&server).requests().detail("r1").await.unwrap();
    assert_eq!(server.attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_post_whose_answer_was_cut_is_not_replayed() {
    // The server received and may have processed it: resending could create a second request.
    for step in [Step::CutMidBody, Step::StallMidBody] {
        let server = raw_server(vec![step], detail_body()).await;
        let e = client_for(&server)
            .requests()
            .create(GenerateRequestDto::new(vec!["user@example.com".into()]))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Transport { .. } | Error::Timeout { .. }),
            "{step:?}: {e:?}"
        );
        assert_eq!(server.attempts.load(Ordering::SeqCst), 1, "{step:?}");
    }
}
