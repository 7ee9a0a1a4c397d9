//! Reading a request body within a limit and a read timeout, one chunk at a time: the one pump
//! every adapter (axum, actix-web, the webhook routes and the enforcement points) feeds its
//! framework's body into.
//!
//! The pump owns no I/O and no timer. The adapter hands it a [`ChunkSource`] (its framework's
//! body, implemented once per framework) and its runtime's `sleep`; [`read`] does the rest: the
//! early `413` on an announced `Content-Length`, the limit while reading ([`BodyCollector`]), and
//! the race against the read timeout (`408`).
//!
//! ```
//! use bytes::Bytes;
//! use humanos_webhooks::body::{BodyCollector, BodyTooLarge};
//!
//! let mut body = BodyCollector::new(8, Some(6));
//! body.push(Bytes::from_static(b"abc"))?;
//! body.push(Bytes::from_static(b"def"))?;
//! assert_eq!(body.finish(), Bytes::from_static(b"abcdef"));
//!
//! let mut body = BodyCollector::new(4, None);
//! assert_eq!(body.push(Bytes::from_static(b"hello")), Err(BodyTooLarge { limit: 4 }));
//! # Ok::<(), BodyTooLarge>(())
//! ```

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::headers::{HeaderLookup, WebhookHeaders};

/// The first buffer is at most this large whatever `Content-Length` announces: the declared
/// length is the sender's claim, and the buffer grows with what actually arrives.
pub const MAX_INITIAL_CAPACITY: usize = 64 * 1024;

/// The `Content-Length` a request announces: one header of ASCII digits that fit a `u64`. A
/// sizing hint for [`BodyCollector::new`] and the early `413` of
/// [`lifecycle::precheck`](crate::lifecycle::precheck), never a bound on what is read; a missing,
/// repeated or malformed header is `None` (the HTTP server frames the body).
pub fn declared_length(headers: &impl WebhookHeaders) -> Option<u64> {
    match headers.lookup("content-length") {
        HeaderLookup::One(value) => std::str::from_utf8(value).ok()?.parse().ok(),
        HeaderLookup::Missing | HeaderLookup::Repeated => None,
    }
}

/// A body that grew past its limit: answered `413` (see [`BodyError::TooLarge`], which this
/// converts into).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("body larger than the {limit}-byte limit")]
pub struct BodyTooLarge {
    /// The limit in bytes.
    pub limit: usize,
}

/// Why a framework's body stream stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkError {
    /// A length limit in front of the adapter (the framework's own, or a middleware's such as
    /// tower-http's `RequestBodyLimitLayer`) cut the body: answered `413`, as the adapter's own
    /// limit is.
    TooLarge,
    /// The stream broke (the client went away, broken framing): answered `400`.
    Broken,
}

/// A request body as a framework hands it over, one chunk at a time. Each adapter implements it
/// once, for its framework's body type (axum's `Body`, actix-web's `Payload`).
pub trait ChunkSource {
    /// The next chunk, `None` at the end of the body (like `Stream::poll_next`).
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ChunkError>>>;
}

/// Why [`read`] did not return a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Over the limit, announced or received (`413`).
    #[error("body larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The stream broke (`400`).
    #[error("the request body could not be read")]
    Unreadable,
    /// The body was not received within the read timeout (`408`).
    #[error("the request body was not received in time")]
    TimedOut,
}

impl From<BodyTooLarge> for BodyError {
    fn from(err: BodyTooLarge) -> Self {
        Self::TooLarge { limit: err.limit }
    }
}

/// The bounds a body is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyLimits {
    /// The largest body accepted, in bytes.
    pub limit: usize,
    /// How long reading the whole body may take; `None` for no bound.
    pub read_timeout: Option<Duration>,
}

impl BodyLimits {
    /// A body of at most `limit` bytes, read within `read_timeout`.
    pub fn new(limit: usize, read_timeout: Option<Duration>) -> Self {
        Self {
            limit,
            read_timeout,
        }
    }
}

/// Reads the whole body from `source` within `limits`: refused before the first byte when the
/// announced `declared` length (see [`declared_length`]) is over the limit, as soon as it grows
/// past the limit, or when `sleep(read_timeout)` (the adapter's runtime timer) fires first.
///
/// The timer is started on the first poll, and only if the body is not all there yet: a body
/// that arrived with the request head (most deliveries) is read without arming a timer. The
/// deadline is the same either way (the first poll is where reading starts).
///
/// ```
/// # use std::pin::Pin;
/// # use std::task::{Context, Poll};
/// use bytes::Bytes;
/// use humanos_webhooks::body::{self, BodyError, BodyLimits, ChunkError, ChunkSource};
///
/// struct Chunks(Vec<Bytes>);
/// impl ChunkSource for Chunks {
///     fn poll_chunk(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, ChunkError>>> {
///         Poll::Ready(self.0.pop().map(Ok))
///     }
/// }
/// // A timer that never fires (an adapter passes its runtime's sleep).
/// let never = |_| std::future::pending::<()>();
/// let limits = BodyLimits::new(4, Some(std::time::Duration::from_secs(1)));
/// let read = body::read(Chunks(vec![Bytes::from_static(b"abcde")]), limits, None, never);
/// # let read = futures_lite(read);
/// assert_eq!(read, Err(BodyError::TooLarge { limit: 4 }));
/// # fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = Context::from_waker(std::task::Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
pub async fn read<S, T, TF>(
    source: S,
    limits: BodyLimits,
    declared: Option<u64>,
    sleep: T,
) -> Result<Bytes, BodyError>
where
    S: ChunkSource,
    T: FnOnce(Duration) -> TF,
    TF: Future<Output = ()>,
{
    let limit = limits.limit;
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let collect = collect(source, limit, declared);
    match limits.read_timeout {
        None => collect.await,
        Some(timeout) => within_started(|| sleep(timeout), collect)
            .await
            .unwrap_or(Err(BodyError::TimedOut)),
    }
}

/// [`within`] with the timer made by `start` only once `future` has returned `Pending`, so a
/// future that completes on its first poll costs no timer (no clock read, no timer-wheel entry).
async fn within_started<F, T, TF>(start: T, future: F) -> Option<F::Output>
where
    F: Future,
    T: FnOnce() -> TF,
    TF: Future<Output = ()>,
{
    let mut future = pin!(future);
    let mut timer = pin!(None::<TF>);
    let mut start = Some(start);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if let Some(start) = start.take() {
            timer.set(Some(start()));
        }
        match timer.as_mut().as_pin_mut() {
            Some(timer) => timer.poll(cx).map(|()| None),
            None => Poll::Pending,
        }
    })
    .await
}

/// `future`'s output, or `None` when `timer` completes first.
pub async fn within<F: Future>(timer: impl Future<Output = ()>, future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut timer = pin!(timer);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

async fn collect<S: ChunkSource>(
    source: S,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, BodyError> {
    let mut source = pin!(source);
    let mut body = BodyCollector::new(limit, declared);
    while let Some(chunk) = poll_fn(|cx| source.as_mut().poll_chunk(cx)).await {
        body.push(chunk.map_err(|err| match err {
            ChunkError::TooLarge => BodyError::TooLarge { limit },
            ChunkError::Broken => BodyError::Unreadable,
        })?)?;
    }
    Ok(body.finish())
}

/// Collects a body's chunks, refusing it as soon as it grows past the limit.
///
/// Most bodies arrive in one chunk: that chunk is kept as it is (no copy). From the second
/// chunk on, the bytes go into one buffer sized by the announced `Content-Length`, capped at
/// [`MAX_INITIAL_CAPACITY`] (a sender that announces the limit and then dribbles must not make
/// every connection hold the limit in memory), and growing with what arrives.
#[derive(Debug)]
pub struct BodyCollector {
    limit: usize,
    declared: Option<u64>,
    len: usize,
    first: Option<Bytes>,
    rest: Option<BytesMut>,
}

impl BodyCollector {
    /// A collector for a body of at most `limit` bytes whose sender announced `declared`
    /// (`Content-Length`, if any; only a sizing hint, never trusted).
    pub fn new(limit: usize, declared: Option<u64>) -> Self {
        Self {
            limit,
            declared,
            len: 0,
            first: None,
            rest: None,
        }
    }

    /// Adds the next chunk. After an error the collector keeps what it had; the caller stops
    /// reading and answers `413`.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), BodyTooLarge> {
        let len = self
            .len
            .checked_add(chunk.len())
            .filter(|&len| len <= self.limit)
            .ok_or(BodyTooLarge { limit: self.limit })?;
        self.len = len;
        match (&self.first, &mut self.rest) {
            (None, _) => self.first = Some(chunk),
            (Some(head), None) => {
                let mut buf = BytesMut::with_capacity(initial_capacity(self.declared, len));
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                self.rest = Some(buf);
            }
            (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
        }
        Ok(())
    }

    /// Bytes collected so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was collected yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        match (self.first, self.rest) {
            (_, Some(buf)) => buf.freeze(),
            (Some(head), None) => head,
            (None, None) => Bytes::new(),
        }
    }
}

/// The buffer for a body that arrives in several chunks, `received` bytes so far: what
/// `Content-Length` announces (or twice what came), never more than [`MAX_INITIAL_CAPACITY`]
/// up front, never less than what already arrived.
fn initial_capacity(declared: Option<u64>, received: usize) -> usize {
    let announced = declared.map_or(received.saturating_mul(2), |d| {
        usize::try_from(d).unwrap_or(usize::MAX)
    });
    announced.min(MAX_INITIAL_CAPACITY).max(received)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn the_timer_is_armed_only_for_a_body_not_all_there() {
        let armed = Cell::new(0);
        let start = || {
            armed.set(armed.get() + 1);
            std::future::ready(())
        };
        let ready = pin!(within_started(start, std::future::ready(7)));
        assert_eq!(poll_once(ready), Poll::Ready(Some(7)));
        assert_eq!(armed.get(), 0);

        // A body still on its way: the timer is made on the first poll, and here fires at once.
        let start = || {
            armed.set(armed.get() + 1);
            std::future::ready(())
        };
        let pending = pin!(within_started(start, std::future::pending::<()>()));
        assert_eq!(poll_once(pending), Poll::Ready(None));
        assert_eq!(armed.get(), 1);
    }

    #[test]
    fn the_first_buffer_is_capped_whatever_the_sender_announces() {
        assert_eq!(
            initial_capacity(Some(1024 * 1024), 10),
            MAX_INITIAL_CAPACITY
        );
        assert_eq!(initial_capacity(Some(u64::MAX), 10), MAX_INITIAL_CAPACITY);
        assert_eq!(initial_capacity(Some(3000), 10), 3000);
        assert_eq!(initial_capacity(None, 100), 200);
        // Never smaller than what already arrived.
        assert_eq!(initial_capacity(Some(5), 100), 100);
        assert_eq!(initial_capacity(None, 100_000), 100_000);
    }

    #[test]
    fn the_declared_length_is_one_header_of_digits() {
        assert_eq!(declared_length(&[("Content-Length", "1024")]), Some(1024));
        assert_eq!(declared_length(&[("x-other", "1")]), None);
        assert_eq!(
            declared_length(&[("content-length", "1"), ("content-length", "1")]),
            None
        );
        for bad in ["", "abc", "-1", "1.5", "18446744073709551616"] {
            assert_eq!(declared_length(&[("content-length", bad)]), None, "{bad:?}");
        }
    }

    #[test]
    fn one_chunk_is_kept_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1000]);
        let mut body = BodyCollector::new(1000, Some(1000));
        body.push(chunk.clone()).unwrap();
        let out = body.finish();
        assert_eq!(out.as_ptr(), chunk.as_ptr());
    }

    #[test]
    fn chunks_are_joined_and_the_limit_is_inclusive() {
        let mut body = BodyCollector::new(6, Some(u64::MAX));
        for part in [&b"ab"[..], b"", b"cd", b"ef"] {
            body.push(Bytes::copy_from_slice(part)).unwrap();
        }
        assert_eq!(body.len(), 6);
        assert_eq!(
            body.push(Bytes::from_static(b"g")),
            Err(BodyTooLarge { limit: 6 })
        );
        assert_eq!(body.finish(), Bytes::from_static(b"abcdef"));
        assert!(BodyCollector::new(0, None).finish().is_empty());
    }
}
