//! The adapter's body reading, side by side in one run: the frame loop into the core
//! `BodyCollector` (what `humanos-axum` does since issue 15) against `http_body_util::Limited`
//! with `collect` (what it did before), on the same bodies: one 4 KiB chunk (a typical
//! delivery), 4 KiB in 16 chunks, and 1 MiB in 16 KiB chunks (the default limit).
//!
//! Run: `cargo bench -p humanos-axum --bench body_reading`.

use std::hint::black_box;

use axum::body::Body;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use http_body_util::{BodyExt, Limited};
use humanos_webhooks::body::BodyCollector;

const LIMIT: usize = 1024 * 1024;

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
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("body_reading");
    for (name, chunks, size) in [
        ("4KiB_x1", 1, 4096),
        ("256B_x16", 16, 256),
        ("16KiB_x64", 64, 16 * 1024),
    ] {
        let declared = (chunks * size) as u64;
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
