//! Load figures for the dedup stores, in one run so the ratios compare like with like:
//! deliveries per second and p99 latency for one humanos-axum replica with the in-memory store,
//! one replica with Redis, and three replicas with Redis (round-robin, a Redis connection each).
//! Every delivery is a distinct event, so each one reserves and completes its key.
//!
//! ```text
//! bench/webhooks_redis.sh      # starts a throwaway redis-server, runs this, prints a table
//! REDIS_URL=redis://127.0.0.1:6379/0 cargo run --release -p humanos-webhooks-redis --example replica_load
//! ```
//!
//! Env: `REDIS_URL` (required; use an empty database), `LOAD_DELIVERIES` (20000 per setup),
//! `LOAD_CONCURRENCY` (32). Prints one `RESULT setup=... rps=... p50_ms=... p99_ms=...` line
//! per setup. Replicas and client share this process and machine: on a small machine three
//! replicas show Redis's coordination cost, not scale-out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use humanos_test_support::handler::{WEBHOOK_ROUTE, config, seal, test_event};
use humanos_webhooks::{Dedup, SealedDelivery, WebhookEvent, WebhookState};
use humanos_webhooks_redis::RedisDedup;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts a humanos-axum replica with this dedup store; its handler does nothing.
async fn replica(dedup: Dedup) -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let state = WebhookState::new(config()).with_shared_dedup(dedup);
    let handler =
        humanos_axum::webhook_handler(state, |_event: WebhookEvent| async { Ok::<(), String>(()) });
    let app = Router::new().route(WEBHOOK_ROUTE, post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Posts every delivery once, `concurrency` at a time, round-robin over `addrs`; returns the
/// elapsed time and each delivery's latency. Every answer must be 200 `ok`.
async fn drive(
    addrs: &[SocketAddr],
    deliveries: Arc<Vec<SealedDelivery>>,
    concurrency: usize,
) -> Result<(Duration, Vec<Duration>), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let urls: Arc<Vec<String>> = Arc::new(
        addrs
            .iter()
            .map(|a| format!("http://{a}{WEBHOOK_ROUTE}"))
            .collect(),
    );
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, next, urls, deliveries) = (
                client.clone(),
                next.clone(),
                urls.clone(),
                deliveries.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(delivery) = deliveries.get(i) else {
                        return Ok::<_, String>(latencies);
                    };
                    let mut request = client.post(&urls[i % urls.len()]);
                    for (name, value) in delivery.headers() {
                        request = request.header(name, value);
                    }
                    let sent = Instant::now();
                    let response = request
                        .body(delivery.body.clone())
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = response.status();
                    let body = response.text().await.map_err(|e| e.to_string())?;
                    latencies.push(sent.elapsed());
                    if status != 200 || !body.contains("\"ok\"") {
                        return Err(format!("delivery {i}: {status} {body}"));
                    }
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(deliveries.len());
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok((started.elapsed(), latencies))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").map_err(|_| "set REDIS_URL (an empty database)")?;
    let count: usize = env("LOAD_DELIVERIES", 20_000);
    let concurrency: usize = env("LOAD_CONCURRENCY", 32).max(1);
    let redis = || async {
        Ok::<_, Box<dyn std::error::Error>>(Dedup::new(RedisDedup::builder(&url)?.connect().await?))
    };

    let setups = ["memory_1", "redis_1", "redis_3"];
    for (n, setup) in setups.iter().enumerate() {
        let addrs = match *setup {
            "memory_1" => vec![replica(Dedup::in_memory(count * 2)).await?],
            "redis_1" => vec![replica(redis().await?).await?],
            _ => vec![
                replica(redis().await?).await?,
                replica(redis().await?).await?,
                replica(redis().await?).await?,
            ],
        };
        // Distinct events per setup: none is a duplicate of an earlier setup's.
        let deliveries: Arc<Vec<_>> = Arc::new(
            (0..count)
                .map(|i| seal(&config(), &test_event(&format!("req_load_{n}_{i}"))))
                .collect(),
        );
        let (elapsed, mut latencies) = drive(&addrs, deliveries, concurrency).await?;
        latencies.sort();
        println!(
            "RESULT setup={setup} replicas={} deliveries={count} concurrency={concurrency} \
             seconds={:.3} rps={:.0} p50_ms={:.3} p99_ms={:.3}",
            addrs.len(),
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
        );
    }
    Ok(())
}
