//! `process_webhook` against the bare floor of the work it must do.
//!
//! For each payload size, in the same run:
//! - `process_webhook`: the full path (header lookup, timestamp window, HMAC verify, envelope
//!   parse, base64 decode, AES-256-GCM decrypt, JSON decode into `WebhookEvent`);
//! - `floor`: only HMAC-SHA256 over the body + AES-256-GCM decrypt + `serde_json` parse into a
//!   `Value`, with a pre-derived key and pre-decoded ciphertext.
//!
//! Run: `cargo bench -p humanos-webhooks --bench process_webhook`

use std::hint::black_box;

use aes_gcm::aead::{AeadInOut, KeyInit, Nonce};
use aes_gcm::{Aes256Gcm, Tag};
use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use humanos_webhooks::{FixedClock, WebhookConfig};
use serde_json::{Value, json};

const NOW: u64 = 1_767_225_600_000;

/// The sample `credential` event, padded to about `target` bytes with an extra member (kept by
/// the typed event's `additional_properties`).
fn event_of_size(target: usize) -> Value {
    let mut event = humanos_webhooks::sample::credential("req_bench");
    let base = event.to_string().len();
    event["note"] = json!("e".repeat(target.saturating_sub(base + 10)));
    event
}

/// With `HUMANOS_BENCH_FIXTURES=<dir>`, writes each body so `bench/webhooks.sh` can time the
/// official Python SDK on the very same bytes.
fn write_fixture(size: usize, body: &[u8]) {
    if let Some(dir) = std::env::var_os("HUMANOS_BENCH_FIXTURES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        std::fs::write(dir.join(format!("{size}.json")), body).expect("fixture");
    }
}

fn bench(c: &mut Criterion) {
    let config = WebhookConfig::builder()
        .signature_secret("whsec_bench")
        .encryption_secret("YmVuY2gtZW5jcnlwdGlvbi1zZWNyZXQ=")
        .encryption_salt("bench-salt")
        .clock(FixedClock(NOW))
        .build()
        .expect("config");
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        b"bench-encryption-secret",
        b"bench-salt",
        10_000,
        &mut key,
    );
    let cipher = Aes256Gcm::new(&key.into());

    let mut group = c.benchmark_group("webhook");
    for size in [1024_usize, 16 * 1024, 256 * 1024] {
        let event = event_of_size(size);
        let plaintext = serde_json::to_vec(&event).expect("json");
        let sealed = config.seal_plaintext(&plaintext, NOW).expect("seal");
        let headers = sealed.headers();
        write_fixture(size, &sealed.body);
        group.throughput(Throughput::Bytes(sealed.body.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("process_webhook", size),
            &sealed.body,
            |b, body| {
                b.iter(|| {
                    config
                        .process(black_box(&headers), black_box(body))
                        .expect("valid")
                })
            },
        );

        // The floor: the irreducible cryptography and parsing, nothing else.
        let envelope: Value = serde_json::from_slice(&sealed.body).expect("envelope");
        let field = |name: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(envelope[name].as_str().expect("field"))
                .expect("b64")
        };
        let (iv, data, tag) = (field("iv"), field("data"), field("tag"));
        let nonce = Nonce::<Aes256Gcm>::try_from(iv.as_slice()).expect("iv");
        let tag = Tag::try_from(tag.as_slice()).expect("tag");
        let secret = b"whsec_bench";
        let signature = sealed.signature.clone();
        group.bench_with_input(BenchmarkId::new("floor", size), &sealed.body, |b, body| {
            b.iter(|| {
                let message = [NOW.to_string().as_bytes(), b".", body].concat();
                let sig = humanos_signing::hmac_sha256_hex(secret, &message);
                assert_eq!(sig, signature);
                let mut buf = data.clone();
                cipher
                    .decrypt_inout_detached(&nonce, b"", buf.as_mut_slice().into(), &tag)
                    .expect("decrypt");
                let value: Value = serde_json::from_slice(&buf).expect("json");
                black_box(value)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
