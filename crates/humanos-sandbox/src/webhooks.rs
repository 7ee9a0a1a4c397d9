//! Webhook delivery: a queue in the database, sealed afresh for every attempt, retried with
//! exponential backoff and jitter until the receiver answers 2xx.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::state::AppState;
use crate::store::StoreError;

/// Longest wait between two attempts.
pub(crate) const MAX_BACKOFF_MS: u64 = 60_000;

/// Queues `event` for every configured endpoint and wakes the worker.
pub(crate) fn emit(state: &AppState, event: &Value) -> Result<usize, StoreError> {
    let urls = state
        .webhook_urls
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = event.to_string();
    let now = state.now_ms();
    for url in &urls {
        state.store.enqueue(url, &body, now)?;
    }
    if !urls.is_empty() {
        let event_type = event.get("eventType").and_then(Value::as_str).unwrap_or("");
        tracing::info!(event_type, endpoints = urls.len(), "webhook queued");
    }
    state.wake_webhooks.notify_one();
    Ok(urls.len())
}

/// Delay before attempt `attempts + 1`: `base * 2^attempts`, capped, plus up to `base` of jitter.
pub(crate) fn backoff_ms(base_ms: u64, attempts: u32) -> u64 {
    let exp = base_ms.saturating_mul(1u64 << attempts.min(20));
    exp.min(MAX_BACKOFF_MS) + rand::random_range(0..=base_ms.max(1))
}

/// Runs forever: delivers due deliveries, oldest first, one in flight per endpoint so that
/// events for an endpoint arrive in the order they were emitted. Each pass delivers every due
/// delivery of an endpoint in turn until one fails (the rest wait for its retry), and passes
/// follow each other without a pause while deliveries succeed.
pub(crate) async fn worker(state: Arc<AppState>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    loop {
        let now = state.now_ms();
        let pending = match state.store.due(u64::MAX) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "webhook queue unreadable");
                Vec::new()
            }
        };
        // Endpoints whose oldest undelivered delivery is not done yet: their later deliveries
        // wait, so that events for an endpoint arrive in the order they were emitted.
        let mut blocked = HashSet::new();
        let mut next_wake = 1_000u64;
        let mut progressed = false;
        for d in pending {
            if blocked.contains(&d.url) {
                continue;
            }
            if d.next_ms > now {
                next_wake = next_wake.min(d.next_ms - now);
                blocked.insert(d.url.clone());
                continue;
            }
            let Ok(event) = serde_json::from_str::<Value>(&d.event) else {
                let _ = state.store.delivered(d.id, now);
                continue;
            };
            let outcome = match state.webhook_config.seal(&event) {
                Ok(sealed) => client
                    .post(&d.url)
                    .header("content-type", "application/json")
                    .header("x-timestamp", sealed.timestamp.to_string())
                    .header("x-signature", sealed.signature.clone())
                    .body(sealed.body.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| {
                        if r.status().is_success() {
                            Ok(())
                        } else {
                            Err(format!("HTTP {}", r.status()))
                        }
                    }),
                Err(e) => Err(e.to_string()),
            };
            let now = state.now_ms();
            match outcome {
                Ok(()) => {
                    tracing::info!(url = %d.url, attempt = d.attempts + 1, "webhook delivered");
                    let _ = state.store.delivered(d.id, now);
                    progressed = true;
                }
                Err(e) => {
                    let wait = backoff_ms(state.retry_base_ms, d.attempts);
                    tracing::warn!(url = %d.url, attempt = d.attempts + 1, error = %e, retry_in_ms = wait, "webhook delivery failed");
                    let _ = state.store.failed(d.id, now + wait, &e);
                    next_wake = next_wake.min(wait);
                    blocked.insert(d.url.clone());
                }
            }
        }
        if progressed {
            // More may be due (the queue is read 256 at a time): go on without sleeping.
            continue;
        }
        tokio::select! {
            () = state.wake_webhooks.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(next_wake.max(20))) => {}
        }
    }
}
