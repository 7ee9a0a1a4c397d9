//! Sending one call: every attempt signed afresh over the same bytes ([`Exchange`]), retried
//! as the call's [`RetryConfig`] allows ([`Attempts`]), each in its own tracing span.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method};
use reqwest::header::{self, HeaderValue};
use tracing::Instrument;

use crate::client::HumanosClient;
use crate::config::RetryConfig;
use crate::error::retryable_status;
use crate::{Error, Result};

use super::{API_VERSION_HEADER, IDEMPOTENCY_KEY_HEADER, SDK_LANGUAGE, SDK_LANGUAGE_HEADER};

/// What every attempt of a call shares.
pub(super) struct Exchange<'a> {
    pub(super) client: &'a HumanosClient,
    pub(super) method: &'a Method,
    pub(super) url: &'a url::Url,
    pub(super) body: Option<&'a Bytes>,
    pub(super) api_version: &'a HeaderValue,
    pub(super) idempotency_key: Option<&'a HeaderValue>,
}

impl Exchange<'_> {
    /// One signed attempt: fresh timestamp, fresh signature over the same bytes.
    async fn attempt(&self, timeout: Duration) -> Result<(u16, HeaderMap, Bytes)> {
        let inner = &self.client.inner;
        let timestamp = inner.clock.now_unix_ms();
        let body = self.body.cloned().unwrap_or_default();
        let signature = inner.signer.signature(timestamp, &body);
        let mut request = inner
            .http
            .request(self.method.clone(), self.url.clone())
            .header(header::AUTHORIZATION, inner.authorization.clone())
            .header(humanos_signing::TIMESTAMP_HEADER, timestamp.to_string())
            .header(humanos_signing::SIGNATURE_HEADER, signature)
            .header(API_VERSION_HEADER, self.api_version.clone())
            .header(SDK_LANGUAGE_HEADER, SDK_LANGUAGE)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, inner.user_agent.clone());
        if let Some(key) = self.idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key.clone());
        }
        if self.body.is_some() {
            request = request.body(body);
        }
        let limit = inner.max_response_bytes;
        let exchange = async move {
            let mut response = request.send().await.map_err(|e| map_reqwest(e, timeout))?;
            let status = response.status().as_u16();
            let headers = std::mem::take(response.headers_mut());
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(Error::ResponseTooLarge { limit });
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| map_reqwest(e, timeout))?
            {
                if body.len() + chunk.len() > limit {
                    return Err(Error::ResponseTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, headers, Bytes::from(body)))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout { after: timeout }),
        }
    }
}

fn map_reqwest(error: reqwest::Error, timeout: Duration) -> Error {
    if !error.is_connect() && error.is_timeout() {
        Error::Timeout { after: timeout }
    } else {
        Error::transport(error)
    }
}

/// The outcome of one attempt: status, headers and body, or why there was none.
type Outcome = Result<(u16, HeaderMap, Bytes)>;

/// The retry policy of one call, run over its [`Exchange`].
pub(super) struct Attempts {
    pub(super) retry: RetryConfig,
    pub(super) attempt_timeout: Duration,
    /// A `GET`, or a call with an idempotency key: safe to send again after a timeout or a
    /// retryable status.
    pub(super) replay_safe: bool,
}

impl Attempts {
    /// Attempts until one is final (a success, a final error, the attempts or the time budget
    /// spent), recording the call's fields on `span`.
    pub(super) async fn run(&self, exchange: &Exchange<'_>, span: &tracing::Span) -> Outcome {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let remaining = self.retry.max_elapsed().saturating_sub(started.elapsed());
            let timeout = self
                .attempt_timeout
                .min(remaining.max(Duration::from_millis(1)));
            let outcome = attempt_once(exchange, attempt, timeout).await;
            let (retryable, server_delay) = self.retryable(&outcome);
            let delay = server_delay.unwrap_or_else(|| jitter(self.retry.backoff_ceiling(attempt)));
            // Saturating: a `Retry-After` of u64::MAX seconds is "not within the budget".
            let within_budget = started.elapsed().saturating_add(delay) < self.retry.max_elapsed();
            let attempts_left = attempt < self.retry.max_attempts();
            if retryable && attempts_left && within_budget {
                log_retry(&outcome, attempt, delay);
                tokio::time::sleep(delay).await;
                continue;
            }
            if retryable && attempts_left {
                tracing::warn!(
                    attempt,
                    delay_ms = millis(delay),
                    "not retrying: the retry time budget would be exceeded"
                );
            }
            record_final(span, &outcome, attempt, started);
            return outcome;
        }
    }

    /// Whether `outcome` may be retried, and the delay the server asked for (`Retry-After` on
    /// a `429` or `503`).
    fn retryable(&self, outcome: &Outcome) -> (bool, Option<Duration>) {
        match outcome {
            Ok((status, headers, _)) => (
                self.replay_safe && retryable_status(*status),
                if matches!(status, 429 | 503) {
                    retry_after(headers, SystemTime::now())
                } else {
                    None
                },
            ),
            // Nothing was sent: always safe to try again.
            Err(Error::Transport { connect: true, .. }) => (true, None),
            Err(Error::Transport { .. } | Error::Timeout { .. }) => (self.replay_safe, None),
            Err(_) => (false, None),
        }
    }
}

/// One attempt in its own `humanos.attempt` span.
async fn attempt_once(exchange: &Exchange<'_>, attempt: u32, timeout: Duration) -> Outcome {
    let span = tracing::debug_span!(
        "humanos.attempt",
        attempt,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let outcome = exchange.attempt(timeout).instrument(span.clone()).await;
    span.record("latency_ms", millis(started.elapsed()));
    if let Ok((status, _, _)) = &outcome {
        span.record("status", status);
    }
    outcome
}

fn log_retry(outcome: &Outcome, attempt: u32, delay: Duration) {
    match outcome {
        Ok((status, _, _)) => tracing::warn!(
            attempt,
            status,
            delay_ms = millis(delay),
            "Humanos answered a retryable status; retrying"
        ),
        Err(error) => tracing::warn!(
            attempt,
            %error,
            delay_ms = millis(delay),
            "Humanos call failed; retrying"
        ),
    }
}

/// Records the call's final fields on the `humanos` span and logs how it ended.
fn record_final(span: &tracing::Span, outcome: &Outcome, attempts: u32, started: Instant) {
    span.record("attempts", attempts);
    span.record("latency_ms", millis(started.elapsed()));
    match outcome {
        Ok((status, _, _)) => {
            span.record("status", status);
            if (200..300).contains(status) {
                tracing::debug!("Humanos call succeeded");
            } else {
                tracing::info!(status, "Humanos answered an error status");
            }
        }
        Err(error) => tracing::warn!(%error, "Humanos call failed"),
    }
}

/// A random duration in `[0, ceiling]` ("full jitter").
fn jitter(ceiling: Duration) -> Duration {
    let max = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::random_range(0..=max))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The delay a `Retry-After` header asks for, read by [`humanos_models::retry_after`].
pub(super) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    humanos_models::retry_after(headers.get(header::RETRY_AFTER)?.to_str().ok()?, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header-level wrapper; the value's forms are tested in `humanos_models::retry_after`.
    #[test]
    fn retry_after_reads_the_header_when_there_is_one() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn jitter_stays_under_the_ceiling() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_millis(50)) <= Duration::from_millis(50));
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
