//! The adapter's body reading, side by side in one run, on the same bodies: one 4 KiB chunk (a
//! typical delivery), 4 KiB in 16 chunks, and 1 MiB in 16 KiB chunks (the default limit).
//!
//! - `pump`: the core's `body::read` with the read timeout on, raced against tokio's `sleep`
//!   (what both adapters do since issue 23, for the webhook routes and the enforcement points);
//! - `collector_timeout`: the frame loop into `BodyCollector` under `tokio::time::timeout` (what
//!   the webhook routes did before issue 23);
//! - `collector`: the same loop without a timeout (the enforcement points before issue 23);
//! - `limited_collect`: `http_body_util::Limited` with `collect` (before issue 15).
//!
//! Run: `cargo bench -p humanos-axum --bench body_reading`.

use std::hint::black_box;

use axum::body::Body;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use http_body_util::{BodyExt, Limited};
use humanos_webhooks::body::{self, BodyCollector, BodyLimits, ChunkError, ChunkSource};

const LIMIT: usize = 1024 * 1024;
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// An axum body as the core's chunk source, as the adapter's (crate-private) one is.
struct Frames(Body);

impl ChunkSource for Frames {
    fn poll_chunk(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, ChunkError>>> {
        use axum::body::HttpBody;
        loop {
            match std::task::ready!(std::pin::Pin::new(&mut self.0).poll_frame(cx)) {
                None => return std::task::Poll::Ready(None),
                Some(Err(_)) => return std::task::Poll::Ready(Some(Err(ChunkError::Broken))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return std::task::Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        }
    }
}

async fn with_pump(body: Body, declared: u64) -> Bytes {
    let limits = BodyLimits::new(LIMIT, Some(TIMEOUT));
    body::read(Frames(body), limits, Some(declared), tokio::time::sleep)
        .await
        .expect("under the limit, in time")
}

/// A body that yields `chunks` chunks of `size` bytes.
fn body(chunks: usize, size: usize) -> Body {
    let chunk = Bytes::from(vec![b'x'; size]);
    let stream = futures_util::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::convert::Infallible>(chunk.clone())),
    );
    Body::from_stream(stream)
}

async fn with_collector(body: Body, declared: u64) -> Bytes {
    let mut body = std::pin::pin!(body);
    let mut collected = BodyCollector::new(LIMIT, Some(declared));
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("no stream error").into_data() {
            collected.push(data).expect("under the limit");
        }
    }
    collected.finish()
}

async fn with_limited(body: Body) -> Bytes {
    Limited::new(body, LIMIT)
        .collect()
        .await
        .expect("under the limit")
        .to_bytes()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("body_reading");
    for (name, chunks, size) in [
        ("4KiB_x1", 1, 4096),
        ("256B_x16", 16, 256),
        ("16KiB_x64", 64, 16 * 1024),
    ] {
        let declared = (chunks * size) as u64;
        group.bench_function(BenchmarkId::new("pump", name), |b| {
            b.iter(|| runtime.block_on(with_pump(black_box(body(chunks, size)), declared)))
        });
        group.bench_function(BenchmarkId::new("collector_timeout", name), |b| {
            b.iter(|| {
                let read = with_collector(black_box(body(chunks, size)), declared);
                runtime.block_on(async { tokio::time::timeout(TIMEOUT, read).await })
            })
        });
        group.bench_function(BenchmarkId::new("collector", name), |b| {
            b.iter(|| runtime.block_on(with_collector(black_box(body(chunks, size)), declared)))
        });
        group.bench_function(BenchmarkId::new("limited_collect", name), |b| {
            b.iter(|| runtime.block_on(with_limited(black_box(body(chunks, size)))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
