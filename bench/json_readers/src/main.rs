//! Do `simd-json` and `sonic-rs` read numbers as Node's `JSON.parse` does, and are they faster
//! than serde_json (`float_roundtrip`) on the webhook credential plaintext?
//!
//! 1. The 40,460 number texts of `numbers_parse_as_javascript_parses_them`
//!    (`crates/humanos-signing/tests/javascript_roundtrip.rs`, same generator and seed) go to
//!    `node` once; each reader's double for each text is compared bit for bit with Node's.
//! 2. Each reader parses the credential plaintext (the sample event the webhook bench writes)
//!    into its own DOM, timed in alternating rounds in this one process, median per call.
//!
//! Usage: `bench/json_readers.sh` (or `cargo run --release --manifest-path
//! bench/json_readers/Cargo.toml -- <node> <plaintext.json>`)

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use humanos_signing::wire_json::format_number;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generator of `javascript_roundtrip.rs`, unchanged.
fn number_texts(rng: &mut Rng, doubles: usize) -> Vec<String> {
    let mut texts = Vec::with_capacity(doubles * 4 + 512);
    let mut seen = 0;
    while seen < doubles {
        let x = match rng.below(3) {
            0 => f64::from_bits(rng.next()),
            1 => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(rng.below(12) as i32),
            _ => (rng.below(10_000_000_000) as f64) / 100.0,
        };
        if !x.is_finite() {
            continue;
        }
        seen += 1;
        texts.push(format_number(x));
        for digits in [17, 20, 25] {
            texts.push(format!("{x:.*e}", digits - 1));
        }
    }
    let two53: u64 = 1 << 53;
    for k in 0..=64 {
        texts.push((two53 - k).to_string());
        texts.push((two53 + k).to_string());
        texts.push(format!("-{}", two53 + k));
        texts.push((2 * two53 + 3 * k).to_string());
    }
    for k in 0..64 {
        texts.push((u64::MAX - k).to_string());
        texts.push(format!("{}{:03}", u64::MAX, k));
        texts.push(format!("{}.{k}", two53 + 1));
    }
    texts
}

fn node_bits(node: &str, texts: &[String]) -> Vec<u64> {
    let script = r#"
        const lines = require('fs').readFileSync(0, 'utf8').trim().split('\n');
        const view = new DataView(new ArrayBuffer(8));
        process.stdout.write(lines.map(t => { view.setFloat64(0, JSON.parse(t));
            return view.getBigUint64(0).toString(16); }).join('\n'));
    "#;
    let mut child = Command::new(node)
        .args(["-e", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start node");
    child.stdin.take().unwrap().write_all(texts.join("\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| u64::from_str_radix(l, 16).unwrap())
        .collect()
}

/// The number a reader reads from `[text]` (as a double: integers converted as JS would).
type Reader = fn(&str) -> Option<f64>;

fn serde_json_read(text: &str) -> Option<f64> {
    serde_json::from_str::<serde_json::Value>(text).ok()?.as_f64()
}
fn simd_json_read(text: &str) -> Option<f64> {
    use simd_json::prelude::*;
    let mut bytes = text.as_bytes().to_vec();
    let value = simd_json::to_owned_value(&mut bytes).ok()?;
    value.cast_f64()
}
fn sonic_read(text: &str) -> Option<f64> {
    use sonic_rs::JsonValueTrait;
    sonic_rs::from_str::<sonic_rs::Value>(text).ok()?.as_f64()
}

fn agreement(name: &str, read: Reader, texts: &[String], js: &[u64]) {
    let mut off = Vec::new();
    for (text, &bits) in texts.iter().zip(js) {
        let same = read(text).is_some_and(|x| {
            x.to_bits() == bits || (x == 0.0 && f64::from_bits(bits) == 0.0)
        });
        if !same {
            off.push(text.clone());
        }
    }
    println!(
        "{name}: {} of {} number texts read differently from JSON.parse{}",
        off.len(),
        texts.len(),
        off.first().map(|t| format!(" (first: {t} -> {:?})", read(t))).unwrap_or_default()
    );
}

fn median_ns(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let node = std::env::args().nth(1).unwrap_or_else(|| "node".into());
    let mut texts = number_texts(&mut Rng(0x5EED_F10A7), 10_000);
    texts.extend(
        [
            "90713.01334386505",
            "0.1",
            "5000.0",
            "1e21",
            "1E-7",
            "-0",
            "5e-324",
            "2.4703282292062328e-324",
        ]
        .map(String::from),
    );
    let js = node_bits(&node, &texts);
    assert_eq!(js.len(), texts.len());
    agreement("serde_json (float_roundtrip)", serde_json_read, &texts, &js);
    agreement("simd-json 0.19 (owned value)", simd_json_read, &texts, &js);
    agreement("sonic-rs 0.5 (value)", sonic_read, &texts, &js);

    let plaintext = std::fs::read(std::env::args().nth(2).expect("the credential plaintext"))
        .expect("read the plaintext");
    use humanos_models::CredentialEvent;
    let runs: [(&str, &dyn Fn() -> usize); 7] = [
        ("serde_json::Value", &|| {
            let v: serde_json::Value = serde_json::from_slice(&plaintext).unwrap();
            v.as_object().unwrap().len()
        }),
        ("simd_json::OwnedValue (incl. copy of the input)", &|| {
            use simd_json::prelude::*;
            let mut bytes = plaintext.clone();
            let v = simd_json::to_owned_value(&mut bytes).unwrap();
            v.as_object().unwrap().len()
        }),
        ("sonic_rs::Value", &|| {
            use sonic_rs::JsonContainerTrait;
            let v: sonic_rs::Value = sonic_rs::from_slice(&plaintext).unwrap();
            v.as_object().unwrap().len()
        }),
        ("serde_json::Value through sonic-rs's serde reader", &|| {
            let v: serde_json::Value = sonic_rs::from_slice(&plaintext).unwrap();
            v.as_object().unwrap().len()
        }),
        ("CredentialEvent (typed, the SDK's path) with serde_json", &|| {
            let e: CredentialEvent = serde_json::from_slice(&plaintext).unwrap();
            e.request_id.len()
        }),
        ("CredentialEvent with sonic-rs's serde reader", &|| {
            let e: CredentialEvent = sonic_rs::from_slice(&plaintext).unwrap();
            e.request_id.len()
        }),
        ("CredentialEvent with simd-json's serde reader", &|| {
            let mut bytes = plaintext.clone();
            let e: CredentialEvent = simd_json::serde::from_slice(&mut bytes).unwrap();
            e.request_id.len()
        }),
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
    const BATCH: usize = 200;
    for _round in 0..300 {
        for (i, (_, run)) in runs.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..BATCH {
                std::hint::black_box(run());
            }
            samples[i].push(start.elapsed().as_nanos() as f64 / BATCH as f64);
        }
    }
    let base = median_ns(samples[0].clone());
    println!("parse of the {}-byte credential plaintext, median of 300 rounds of {BATCH}:", plaintext.len());
    for ((name, _), s) in runs.iter().zip(samples) {
        let m = median_ns(s);
        println!("  {name}: {:.2} µs ({:.2}x serde_json)", m / 1000.0, m / base);
    }
}
