//! `process_webhook` against the bare floor of the work it must do, stage by stage.
//!
//! For each payload size, in the same run:
//! - `process_webhook`: the full path (header lookup, timestamp window, HMAC verify, envelope
//!   parse, base64 decode, AES-256-GCM decrypt, JSON decode into `WebhookEvent`);
//! - `process_via_value`: the same, decoding through a `serde_json::Value` (the path before the
//!   one-pass decoder, kept as the reference);
//! - `verify_keyed` / `verify_keyed_via_value`: what the lifecycle does with dedup on (event and
//!   idempotency key), one pass against the `Value` path;
//! - the stages alone: `stage_hmac` (HMAC-SHA256 of the timestamped body), `stage_base64`
//!   (decoding `data`), `stage_aes_gcm` (decrypting it in place), `stage_parse_value`
//!   (`serde_json` parse of the plaintext into a `Value`);
//! - `floor`: HMAC + AES-GCM + parse into a `Value` in one loop, with a pre-derived key and
//!   pre-decoded ciphertext.
//!
//! Run: `cargo bench -p humanos-webhooks --bench process_webhook`
//!
//! With `HUMANOS_WEBHOOK_PROBE=<iterations>`, runs each stage and each path that many times on
//! the credential event (or on the payload of `HUMANOS_WEBHOOK_PROBE_SIZE` bytes) instead, each
//! in a function of its own, for an instruction count per stage: `valgrind --tool=callgrind` on
//! the bench binary, then `callgrind_annotate --inclusive=yes` (`bench/webhook_stages.sh`).

use std::hint::black_box;

use aes_gcm::aead::{AeadInOut, KeyInit, Nonce};
use aes_gcm::{Aes256Gcm, Tag};
use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput};
use humanos_webhooks::{
    FixedClock, IdempotencyKey, SealedDelivery, WebhookConfig, WebhookError, WebhookEvent,
    WebhookPayload,
};
use serde_json::{Value, json};

const NOW: u64 = 1_767_225_600_000;
const SECRET: &[u8] = b"whsec_bench";

/// The sample `credential` event, padded to about `target` bytes with an extra member (kept by
/// the typed event's `additional_properties`).
fn event_of_size(target: usize) -> Value {
    let mut event = humanos_webhooks::sample::credential("req_bench");
    let base = event.to_string().len();
    if target > base {
        event["note"] = json!("e".repeat(target.saturating_sub(base + 10)));
    }
    event
}

/// With `HUMANOS_BENCH_FIXTURES=<dir>`, writes each body (`<size>.json`) so `bench/webhooks.sh`
/// can time the official Python SDK on the very same bytes, and its plaintext
/// (`plaintext-<size>.json`) for `bench/json_readers.sh`.
fn write_fixture(size: usize, body: &[u8], plaintext: &[u8]) {
    if let Some(dir) = std::env::var_os("HUMANOS_BENCH_FIXTURES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        std::fs::write(dir.join(format!("{size}.json")), body).expect("fixture");
        std::fs::write(dir.join(format!("plaintext-{size}.json")), plaintext).expect("fixture");
    }
}

fn config() -> WebhookConfig {
    WebhookConfig::builder()
        .signature_secret(SECRET)
        .encryption_secret("YmVuY2gtZW5jcnlwdGlvbi1zZWNyZXQ=")
        .encryption_salt("bench-salt")
        .clock(FixedClock(NOW))
        .build()
        .expect("config")
}

/// One sealed delivery and everything the stages need, prepared once.
struct Case {
    sealed: SealedDelivery,
    headers: [(&'static str, String); 3],
    plaintext: Vec<u8>,
    data_b64: String,
    data: Vec<u8>,
    nonce: Nonce<Aes256Gcm>,
    tag: Tag,
    cipher: Aes256Gcm,
}

impl Case {
    fn new(config: &WebhookConfig, size: usize) -> Self {
        let plaintext = serde_json::to_vec(&event_of_size(size)).expect("json");
        let sealed = config.seal_plaintext(&plaintext, NOW).expect("seal");
        let headers = sealed.headers();
        write_fixture(size, &sealed.body, &plaintext);
        let envelope: Value = serde_json::from_slice(&sealed.body).expect("envelope");
        let text = |name: &str| envelope[name].as_str().expect("field").to_owned();
        let b64 = |name: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(text(name))
                .expect("b64")
        };
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            b"bench-encryption-secret",
            b"bench-salt",
            10_000,
            &mut key,
        );
        Self {
            headers,
            plaintext,
            data_b64: text("data"),
            data: b64("data"),
            nonce: Nonce::<Aes256Gcm>::try_from(b64("iv").as_slice()).expect("iv"),
            tag: Tag::try_from(b64("tag").as_slice()).expect("tag"),
            cipher: Aes256Gcm::new(&key.into()),
            sealed,
        }
    }
}

type Keyed = Result<(WebhookEvent, Option<IdempotencyKey>), WebhookError>;

#[inline(never)]
fn process_webhook(config: &WebhookConfig, case: &Case) -> WebhookEvent {
    config
        .process(black_box(&case.headers), black_box(&case.sealed.body))
        .expect("valid")
}

/// The decoding before the one-pass decoder: a `Value`, then the typed event from it.
#[inline(never)]
fn process_via_value(config: &WebhookConfig, case: &Case) -> WebhookEvent {
    let plaintext = config
        .open(black_box(&case.headers), black_box(&case.sealed.body))
        .expect("valid");
    let payload: Value = serde_json::from_slice(&plaintext).expect("json");
    WebhookEvent::from_json(payload).expect("event")
}

#[inline(never)]
fn verify_keyed(config: &WebhookConfig, case: &Case) -> Keyed {
    let plaintext = config
        .open(black_box(&case.headers), black_box(&case.sealed.body))
        .expect("valid");
    WebhookEvent::from_plaintext_with_key(&plaintext, true)
}

/// The lifecycle before: parse into a `Value`, key from it, event from it.
#[inline(never)]
fn verify_keyed_via_value(config: &WebhookConfig, case: &Case) -> Keyed {
    let plaintext = config
        .open(black_box(&case.headers), black_box(&case.sealed.body))
        .expect("valid");
    let payload: Value = serde_json::from_slice(&plaintext).expect("json");
    let key = IdempotencyKey::from_value(&payload);
    Ok((WebhookEvent::from_json(payload)?, key))
}

#[inline(never)]
fn stage_hmac(case: &Case) -> String {
    let message = [NOW.to_string().as_bytes(), b".", &case.sealed.body].concat();
    humanos_signing::hmac_sha256_hex(SECRET, &message)
}

#[inline(never)]
fn stage_base64(case: &Case) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(black_box(&case.data_b64))
        .expect("b64")
}

#[inline(never)]
fn stage_aes_gcm(case: &Case) -> Vec<u8> {
    let mut buf = case.data.clone();
    case.cipher
        .decrypt_inout_detached(&case.nonce, b"", buf.as_mut_slice().into(), &case.tag)
        .expect("decrypt");
    buf
}

#[inline(never)]
fn stage_parse_value(case: &Case) -> Value {
    serde_json::from_slice(black_box(&case.plaintext)).expect("json")
}

fn floor(case: &Case) -> Value {
    assert_eq!(stage_hmac(case), case.sealed.signature);
    let plaintext = stage_aes_gcm(case);
    serde_json::from_slice(&plaintext).expect("json")
}

fn bench(c: &mut Criterion) {
    let config = config();
    let mut group = c.benchmark_group("webhook");
    for size in [1024_usize, 16 * 1024, 256 * 1024] {
        let case = Case::new(&config, size);
        group.throughput(Throughput::Bytes(case.sealed.body.len() as u64));
        let id = |name: &str| BenchmarkId::new(name, size);
        group.bench_function(id("process_webhook"), |b| {
            b.iter(|| process_webhook(&config, &case))
        });
        group.bench_function(id("process_via_value"), |b| {
            b.iter(|| process_via_value(&config, &case))
        });
        group.bench_function(id("verify_keyed"), |b| {
            b.iter(|| verify_keyed(&config, &case))
        });
        group.bench_function(id("verify_keyed_via_value"), |b| {
            b.iter(|| verify_keyed_via_value(&config, &case))
        });
        group.bench_function(id("stage_hmac"), |b| b.iter(|| stage_hmac(&case)));
        group.bench_function(id("stage_base64"), |b| b.iter(|| stage_base64(&case)));
        group.bench_function(id("stage_aes_gcm"), |b| b.iter(|| stage_aes_gcm(&case)));
        group.bench_function(id("stage_parse_value"), |b| {
            b.iter(|| stage_parse_value(&case))
        });
        group.bench_function(id("floor"), |b| b.iter(|| floor(&case)));
    }
    group.finish();
}

/// Each stage and path `n` times on the payload of `size` (for callgrind).
fn probe(n: usize, size: usize) {
    let config = config();
    let case = Case::new(&config, size);
    for _ in 0..n {
        black_box(process_webhook(&config, &case));
        black_box(process_via_value(&config, &case));
        black_box(verify_keyed(&config, &case)).expect("keyed");
        black_box(verify_keyed_via_value(&config, &case)).expect("keyed");
        black_box(stage_hmac(&case));
        black_box(stage_base64(&case));
        black_box(stage_aes_gcm(&case));
        black_box(stage_parse_value(&case));
    }
}

fn main() {
    if let Some(n) = std::env::var("HUMANOS_WEBHOOK_PROBE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let size = std::env::var("HUMANOS_WEBHOOK_PROBE_SIZE")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1024);
        return probe(n, size);
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
