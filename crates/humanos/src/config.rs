//! Retry, timeout and per-call settings.

use std::time::Duration;

/// When and how often a failed call is tried again.
///
/// A call is retried only when it is safe to do so:
///
/// | method | retried on |
/// | --- | --- |
/// | `GET` | connection errors, timeouts, other transport errors, `408`, `429`, `5xx` |
/// | `POST` / `PATCH` / `DELETE` with an [idempotency key](RequestOptions::idempotency_key) | the same as `GET` |
/// | `POST` / `PATCH` / `DELETE` otherwise | connection errors only (the request never left the client) |
///
/// Between attempts the client sleeps a random duration in `[0, min(max_backoff,
/// initial_backoff × 2^(attempt-1))]` ("full jitter"), or exactly what a `Retry-After` header
/// of a `429` / `503` answer asks for (seconds or an HTTP date). No attempt starts, and no sleep
/// is taken, that would end after [`max_elapsed`](Self::max_elapsed) from the start of the call:
/// the last error is returned instead. Every attempt is signed afresh with a new timestamp.
///
/// ```
/// use std::time::Duration;
/// use humanos::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(200))
///     .with_max_elapsed(Duration::from_secs(20));
/// assert_eq!(retry.max_attempts(), 5);
/// assert_eq!(RetryConfig::disabled().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl RetryConfig {
    /// Default number of attempts, the first one included: 3.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// Default upper bound of the first backoff: 100 ms.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(100);
    /// Default cap of one backoff: 5 s.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);
    /// Default time budget of a call, all attempts and sleeps included: 60 s.
    pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(60);

    /// One attempt only: never retry.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in total, the first one included (at least 1; 1 disables retries).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Upper bound of the first backoff; it doubles with every retry up to
    /// [`max_backoff`](Self::max_backoff).
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Cap of one jittered backoff (a server's `Retry-After` is honoured beyond it, within
    /// [`max_elapsed`](Self::max_elapsed)).
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Time budget of the whole call, attempts and sleeps included. A retry that would exceed it
    /// is not made.
    #[must_use]
    pub fn with_max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// Attempts in total.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Upper bound of the first backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Cap of one jittered backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Time budget of a call.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// Upper bound of the jittered sleep before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff)
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            max_elapsed: Self::DEFAULT_MAX_ELAPSED,
        }
    }
}

/// Timeouts of the HTTP exchanges.
///
/// ```
/// use std::time::Duration;
/// use humanos::TimeoutConfig;
///
/// let timeouts = TimeoutConfig::default().with_attempt(Duration::from_secs(10));
/// assert_eq!(timeouts.attempt(), Duration::from_secs(10));
/// assert_eq!(timeouts.connect(), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutConfig {
    connect: Duration,
    attempt: Duration,
}

impl TimeoutConfig {
    /// Default connect timeout: 10 s.
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(10);
    /// Default timeout of one attempt, from sending to the last byte of the answer: 30 s.
    pub const DEFAULT_ATTEMPT: Duration = Duration::from_secs(30);

    /// Time allowed to open a connection (TCP and TLS). Applies to the client the builder
    /// creates; a caller-supplied `reqwest::Client` keeps its own.
    #[must_use]
    pub fn with_connect(mut self, timeout: Duration) -> Self {
        self.connect = timeout;
        self
    }

    /// Time allowed for one attempt, connection, request and the whole answer included.
    #[must_use]
    pub fn with_attempt(mut self, timeout: Duration) -> Self {
        self.attempt = timeout;
        self
    }

    /// The connect timeout.
    pub fn connect(&self) -> Duration {
        self.connect
    }

    /// The timeout of one attempt.
    pub fn attempt(&self) -> Duration {
        self.attempt
    }
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            connect: Self::DEFAULT_CONNECT,
            attempt: Self::DEFAULT_ATTEMPT,
        }
    }
}

/// Settings of one call that override the client's: API version, timeout, retries,
/// idempotency key.
///
/// Usually set through the call's own methods (`.api_version(..)`, `.timeout(..)`, ...); this
/// type lets you keep a set of overrides and apply it to several calls with
/// [`Call::options`](crate::Call::options).
///
/// ```
/// use std::time::Duration;
/// use humanos::RequestOptions;
///
/// let options = RequestOptions::new()
///     .with_api_version("2025-12-01")
///     .with_timeout(Duration::from_secs(5));
/// assert_eq!(options.api_version(), Some("2025-12-01"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    pub(crate) api_version: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) idempotency_key: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// The dated API version (`YYYY-MM-DD`) of this call. It replaces the client's
    /// `api-version` header: exactly one `api-version` header is sent.
    #[must_use]
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The timeout of each attempt of this call.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of this call.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// An `Idempotency-Key` header. The API uses it on `requests().create`,
    /// `requests().resend_otp` and `users().create` to recognise a repeated request, so with a
    /// key those calls are retried like `GET`s. Any other call carrying a key fails with
    /// [`Error::Config`](crate::Error::Config) before it is sent.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// The API version override, if any.
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The timeout override, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The retry override, if any.
    pub fn retry(&self) -> Option<&RetryConfig> {
        self.retry.as_ref()
    }

    /// The idempotency key, if any.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// `other`'s overrides on top of these.
    pub(crate) fn merge(&mut self, other: RequestOptions) {
        if other.api_version.is_some() {
            self.api_version = other.api_version;
        }
        if other.timeout.is_some() {
            self.timeout = other.timeout;
        }
        if other.retry.is_some() {
            self.retry = other.retry;
        }
        if other.idempotency_key.is_some() {
            self.idempotency_key = other.idempotency_key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let r = RetryConfig::default();
        assert_eq!(r.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(r.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(r.backoff_ceiling(3), Duration::from_millis(400));
        assert_eq!(r.backoff_ceiling(10), Duration::from_secs(5));
        assert_eq!(r.backoff_ceiling(200), Duration::from_secs(5));
        assert_eq!(
            RetryConfig::default().with_max_attempts(0).max_attempts(),
            1
        );
    }
}
