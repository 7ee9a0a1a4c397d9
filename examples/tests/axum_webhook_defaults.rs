//! The `axum_webhook` example's safe defaults (issue 15): it does not start on demo secrets
//! unless told to (`--demo`), and its server closes a connection whose request head is too slow
//! (the header read timeout `docs/webhooks-axum-actix.md` describes; `axum::serve` has none).

// The example is compiled into this test as a module so that the test runs its very code.
#[allow(dead_code)]
#[path = "../axum_webhook.rs"]
mod axum_webhook;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use humanos_webhooks::WebhookConfig;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What `WebhookConfig::from_env()` answers when the variables are unset.
fn unset() -> Result<WebhookConfig, humanos_webhooks::WebhookConfigError> {
    WebhookConfig::builder().build()
}

#[test]
fn without_secrets_it_refuses_to_start_unless_demo_is_given() {
    assert!(
        unset().is_err(),
        "the stand-in for unset variables must fail"
    );
    let err = axum_webhook::webhook_config(unset(), false)
        .expect_err("no secrets, no --demo: refused")
        .to_string();
    assert!(err.contains("--demo"), "{err}");
    assert!(err.contains("HUMANOS_WEBHOOK_SIGNATURE_SECRET"), "{err}");
    // --demo is the explicit way to the demo secrets.
    axum_webhook::webhook_config(unset(), true).expect("demo secrets");
    // Configured secrets are used as given, with or without --demo.
    let real = || WebhookConfig::new("whsec_real", "cmVhbC1lbmNyeXB0aW9uLXNlY3JldA==", "salt");
    axum_webhook::webhook_config(real(), false).expect("configured");

    assert_eq!(axum_webhook::demo_flag(Vec::<String>::new()), Ok(false));
    assert_eq!(axum_webhook::demo_flag(["--demo".to_owned()]), Ok(true));
    assert!(axum_webhook::demo_flag(["--dmeo".to_owned()]).is_err());
}

#[test]
fn the_header_read_timeout_is_the_documented_ten_seconds() {
    assert_eq!(axum_webhook::HEADER_READ_TIMEOUT, Duration::from_secs(10));
}

#[tokio::test]
async fn the_example_server_cuts_a_slow_request_head() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = axum_webhook::webhook_config(unset(), true).unwrap();
    let app = axum_webhook::app(
        axum_webhook::webhook_state(config, false),
        axum_webhook::on_event,
    );
    // The example's own `serve`, with a shorter timeout so the test is quick.
    tokio::spawn(axum_webhook::serve(
        listener,
        app,
        Duration::from_secs(1),
        std::future::pending(),
    ));

    // A head of 300 bytes, one byte every 100 ms (30 s in all), never finished.
    let head = format!(
        "POST /webhooks/humanos HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: {}\r\n",
        "a".repeat(240)
    );
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let total = head.len();
    let sent = Arc::new(AtomicUsize::new(0));
    let progress = sent.clone();
    // Without a timeout the whole head goes out, the write half is then closed, and the
    // server gives up on the unfinished head: the read below returns either way.
    let writer = tokio::spawn(async move {
        for byte in head.bytes() {
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
            progress.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    // The server answers 408 or closes; reading returns once it has.
    let _ = read.read_to_end(&mut answer).await;
    writer.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        sent < total,
        "the whole head was read: {sent} of {total} bytes"
    );
}
