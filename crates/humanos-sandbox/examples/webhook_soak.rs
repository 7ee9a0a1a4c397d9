//! Webhook soak: the sandbox delivers many `test` events to a humanos-axum receiver (the
//! `HumanosWebhook` extractor with in-memory dedup) that goes down for part of the run and
//! loses some acknowledgements. Checks that every event reaches the handler exactly once.
//!
//! ```text
//! cargo run --release -p humanos-sandbox --example webhook_soak
//! ```
//!
//! Env: `SOAK_EVENTS` (10000), `SOAK_DOWN_AT` (fraction delivered before the receiver goes down,
//! 0.3), `SOAK_DOWN_SECS` (5), `SOAK_ACK_LOSS_EVERY` (every Nth handled delivery is answered 503
//! after the handler ran, as if the acknowledgement were lost: the sandbox retries and the dedup
//! store must absorb it; 0 = never; 500), `SOAK_RETRY_BASE_MS` (100), `SOAK_TIMEOUT_SECS` (600).
//!
//! Prints a summary and one `RESULT key=value ...` line; exits 1 when an event was not
//! delivered or reached the handler twice. Run by `bench/soak.sh`; not part of CI.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use humanos_axum::{HumanosWebhook, WebhookState};
use humanos_sandbox::Sandbox;
use humanos_webhooks::{DedupOutcome, WebhookPayload};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size of this process, in KiB (`VmRSS`, or `VmHWM` for the peak).
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Clone)]
struct Receiver {
    webhooks: WebhookState,
    /// Handler runs per `requestId`.
    handled: Arc<Mutex<HashMap<String, u32>>>,
    /// Verified requests that reached the route (first deliveries and redeliveries).
    requests: Arc<AtomicU64>,
    /// Redeliveries acknowledged by the dedup store without running the handler.
    deduplicated: Arc<AtomicU64>,
    /// Acknowledgements deliberately lost (503 after the handler ran).
    acks_lost: Arc<AtomicU64>,
    ack_loss_every: u64,
}

impl FromRef<Receiver> for WebhookState {
    fn from_ref(receiver: &Receiver) -> Self {
        receiver.webhooks.clone()
    }
}

async fn receive(State(r): State<Receiver>, HumanosWebhook(event): HumanosWebhook) -> StatusCode {
    r.requests.fetch_add(1, Ordering::Relaxed);
    let Some(dedup) = r.webhooks.dedup() else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    match dedup.begin(event.idempotency_key().as_ref()) {
        DedupOutcome::Process(guard) => {
            // The handler's work: count the event.
            let runs = {
                let mut handled = r.handled.lock().unwrap_or_else(|p| p.into_inner());
                let runs = handled
                    .entry(event.request_id().unwrap_or_default().to_owned())
                    .or_default();
                *runs += 1;
                handled.len() as u64
            };
            guard.complete();
            if r.ack_loss_every > 0 && runs % r.ack_loss_every == 0 {
                r.acks_lost.fetch_add(1, Ordering::Relaxed);
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            StatusCode::OK
        }
        DedupOutcome::Duplicate => {
            r.deduplicated.fetch_add(1, Ordering::Relaxed);
            StatusCode::OK
        }
        _ => StatusCode::CONFLICT,
    }
}

/// Serves `app` on `port` until the sender fires; then closes the listener and every connection.
async fn start(port: u16, app: Router) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let listener = loop {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => break listener,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    (stop, task)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let events: usize = env("SOAK_EVENTS", 10_000);
    let down_at: f64 = env("SOAK_DOWN_AT", 0.3);
    let down_secs: u64 = env("SOAK_DOWN_SECS", 5);
    let ack_loss_every: u64 = env("SOAK_ACK_LOSS_EVERY", 500);
    let retry_base = Duration::from_millis(env("SOAK_RETRY_BASE_MS", 100));
    let timeout = Duration::from_secs(env("SOAK_TIMEOUT_SECS", 600));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let sandbox = Sandbox::builder()
        .webhook_endpoint(format!("http://127.0.0.1:{port}/webhooks/humanos"))
        .webhook_retry_base(retry_base)
        .build()
        .await?;
    let receiver = Receiver {
        webhooks: WebhookState::new(sandbox.webhook_secrets().config()?)
            .with_in_memory_dedup(events.max(1) * 2),
        handled: Arc::default(),
        requests: Arc::default(),
        deduplicated: Arc::default(),
        acks_lost: Arc::default(),
        ack_loss_every,
    };
    let app = Router::new()
        .route("/webhooks/humanos", post(receive))
        .with_state(receiver.clone());
    let delivered = || {
        receiver
            .handled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    };
    let (mut stop, mut server) = start(port, app.clone()).await;
    let rss_start = rss_kib("VmRSS:");

    let started = Instant::now();
    let mut sent = 0usize;
    for _ in 0..events {
        sent += sandbox.send_test_event()?;
    }
    let queued_in = started.elapsed();
    println!("queued {sent} events in {:.2} s", queued_in.as_secs_f64());

    let mut went_down = false;
    let mut down_for = Duration::ZERO;
    loop {
        let done = delivered();
        if !went_down && done as f64 >= down_at * sent as f64 {
            went_down = true;
            let _ = stop.send(());
            let _ = server.await;
            let down_since = Instant::now();
            println!(
                "receiver down after {done} deliveries ({:.2} s), for {down_secs} s",
                started.elapsed().as_secs_f64()
            );
            tokio::time::sleep(Duration::from_secs(down_secs)).await;
            (stop, server) = start(port, app.clone()).await;
            down_for = down_since.elapsed();
            println!(
                "receiver up again at {:.2} s",
                started.elapsed().as_secs_f64()
            );
        }
        if done >= sent && sandbox.pending_deliveries()? == 0 {
            break;
        }
        if started.elapsed() > timeout {
            println!("timed out after {} s", timeout.as_secs());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = started.elapsed();
    let rss_end = rss_kib("VmRSS:");
    let rss_peak = rss_kib("VmHWM:");
    let pending = sandbox.pending_deliveries()?;
    let handled = receiver
        .handled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let delivered = handled.len();
    let handler_runs: u64 = handled.values().map(|&n| u64::from(n)).sum();
    let duplicates_to_handler = handler_runs - delivered as u64;
    let requests = receiver.requests.load(Ordering::Relaxed);
    let deduplicated = receiver.deduplicated.load(Ordering::Relaxed);
    let acks_lost = receiver.acks_lost.load(Ordering::Relaxed);
    let _ = stop.send(());
    let _ = server.await;
    sandbox.shutdown().await;

    println!("sent (queued by the sandbox)      {sent}");
    println!("delivered (distinct, to handler)   {delivered}");
    println!("still pending in the sandbox       {pending}");
    println!("handler runs                       {handler_runs}");
    println!("duplicates reaching the handler    {duplicates_to_handler}");
    println!("verified requests at the receiver  {requests}");
    println!("redeliveries absorbed by dedup     {deduplicated}");
    println!("acknowledgements lost on purpose   {acks_lost}");
    println!(
        "receiver down for                  {:.2} s",
        down_for.as_secs_f64()
    );
    println!(
        "time until all delivered           {:.2} s",
        took.as_secs_f64()
    );
    println!("RSS start / end / peak (KiB)       {rss_start} / {rss_end} / {rss_peak}");
    println!(
        "RESULT sent={sent} delivered={delivered} pending={pending} duplicates_to_handler={duplicates_to_handler} \
         requests={requests} deduplicated={deduplicated} acks_lost={acks_lost} down_s={:.2} seconds={:.2} \
         rss_start_kib={rss_start} rss_end_kib={rss_end} rss_peak_kib={rss_peak}",
        down_for.as_secs_f64(),
        took.as_secs_f64()
    );
    let ok = delivered == sent && pending == 0 && duplicates_to_handler == 0;
    if !ok {
        println!("FAILED: every event must reach the handler exactly once");
        std::process::exit(1);
    }
    Ok(())
}
