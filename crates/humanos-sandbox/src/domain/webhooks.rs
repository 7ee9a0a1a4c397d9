//! Webhook delivery: a queue in the database, sealed afresh for every attempt, retried with
//! exponential backoff and jitter until the receiver answers 2xx or the attempts run out
//! (dead-lettered: visible in the admin API and the dashboard, resendable).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::context::Context;
use crate::store::{AttemptOutcome, AttemptRow, Delivery, SandboxStoreError};

/// Attempts before a delivery is dead-lettered, unless configured (about five minutes of
/// retries with the default 500 ms base).
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 12;

/// Longest wait between two attempts.
pub(crate) const MAX_BACKOFF_MS: u64 = 60_000;

/// Queues `event` for every configured endpoint and wakes the worker.
pub(crate) fn emit(state: &Context, event: &Value) -> Result<usize, SandboxStoreError> {
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

/// Runs forever. Each endpoint has at most one attempt in flight, its oldest pending delivery,
/// so it receives events in the order they were emitted; endpoints are attempted side by side,
/// so a slow, failing or backlogged endpoint delays no other. Each finished attempt wakes the
/// loop, so a backlog drains without pauses. Redirects are not followed (a 3xx is a failure):
/// a receiver moving the request elsewhere would otherwise receive the payload on a host the
/// developer never configured.
pub(crate) async fn worker(state: Arc<Context>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let mut in_flight = tokio::task::JoinSet::new();
    let mut busy: HashSet<String> = HashSet::new();
    loop {
        while let Some(done) = in_flight.try_join_next() {
            if let Ok(url) = done {
                busy.remove(&url);
            }
        }
        let now = state.now_ms();
        let heads = state.store.heads().unwrap_or_else(|e| {
            tracing::error!(error = %e, "webhook queue unreadable");
            Vec::new()
        });
        let mut next_wake = 1_000u64;
        for d in heads {
            if busy.contains(&d.url) {
                continue;
            }
            if d.next_ms > now {
                next_wake = next_wake.min(d.next_ms - now);
                continue;
            }
            busy.insert(d.url.clone());
            let (state, client) = (state.clone(), client.clone());
            in_flight.spawn(async move {
                attempt(&state, &client, &d).await;
                d.url
            });
        }
        tokio::select! {
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(url) = done {
                    busy.remove(&url);
                }
            }
            () = state.wake_webhooks.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(next_wake.max(20))) => {}
        }
    }
}

/// One attempt at `d`: seal afresh, POST, record the outcome.
async fn attempt(state: &Context, client: &reqwest::Client, d: &Delivery) {
    let started = std::time::Instant::now();
    let at_ms = state.now_ms();
    let result = match serde_json::from_str::<Value>(&d.event)
        .map_err(|e| format!("stored event unreadable: {e}"))
        .and_then(|event| state.webhook_config.seal(&event).map_err(|e| e.to_string()))
    {
        Ok(sealed) => client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-timestamp", sealed.timestamp.to_string())
            .header("x-signature", sealed.signature.clone())
            .body(sealed.body.clone())
            .send()
            .await
            .map(|r| r.status())
            .map_err(|e| transport_error(&e)),
        Err(e) => Err(e),
    };
    let latency_ms = started.elapsed().as_millis().min(u128::from(u64::MAX)) as u64;
    let (status, error) = match &result {
        Ok(s) if s.is_success() => (Some(s.as_u16()), None),
        Ok(s) if s.is_redirection() => (
            Some(s.as_u16()),
            Some(format!("HTTP {s}: redirects are not followed")),
        ),
        Ok(s) => (Some(s.as_u16()), Some(format!("HTTP {s}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let attempts = d.attempts + 1;
    let outcome = match &error {
        None => AttemptOutcome::Delivered,
        Some(_) if attempts >= state.webhook_max_attempts => AttemptOutcome::Dead,
        Some(_) => {
            AttemptOutcome::Retry(state.now_ms() + backoff_ms(state.retry_base_ms, d.attempts))
        }
    };
    match (&outcome, &error) {
        (AttemptOutcome::Delivered, _) => {
            tracing::info!(url = %d.url, attempt = attempts, "webhook delivered");
        }
        (AttemptOutcome::Dead, e) => tracing::warn!(
            url = %d.url, attempt = attempts, error = e.as_deref().unwrap_or(""),
            "webhook dead-lettered: no attempts left (resend it from the dashboard or POST /admin/webhooks/deliveries/{}/resend)", d.id
        ),
        (AttemptOutcome::Retry(next), e) => tracing::warn!(
            url = %d.url, attempt = attempts, error = e.as_deref().unwrap_or(""),
            retry_in_ms = next.saturating_sub(state.now_ms()), "webhook delivery failed"
        ),
    }
    let row = AttemptRow {
        at_ms,
        status,
        error,
        latency_ms,
    };
    if let Err(e) = state.store.record_attempt(d.id, &row, outcome) {
        tracing::error!(error = %e, "webhook attempt not recorded");
    }
}

/// `transport: ` and the error with its causes (reqwest's own message alone does not say
/// whether the connection was refused, timed out or failed TLS).
fn transport_error(e: &reqwest::Error) -> String {
    let mut out = format!("transport: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
