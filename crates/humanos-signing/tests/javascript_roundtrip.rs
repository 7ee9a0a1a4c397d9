//! The wire-JSON encoder checked against a real JavaScript engine (Node.js): numbers format as
//! `String(x)` does, and every encoded document survives `JSON.stringify(JSON.parse(s))`
//! byte for byte. The JCS writer gives what RFC 8785's JavaScript reference gives (members
//! sorted with `Array.prototype.sort`, values written by `JSON.stringify`).
//!
//! Needs `HUMANOS_INTEROP_NODE` (set by `scripts/test`). Without it the tests fail, unless
//! `HUMANOS_SKIP_NODE_INTEROP=1` (then they print that they skipped).

#[path = "../../../interop/tool.rs"]
mod tool;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use humanos_signing::jcs;
use humanos_signing::wire_json::{format_number, reencode, value_to_vec};
use serde_json::{Map, Value, json};

fn run_node(node: &Path, script: &str, input: &str) -> String {
    let mut child = Command::new(node)
        .arg("-e")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// xorshift64*: deterministic, dependency-free randomness for the test inputs.
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

#[test]
fn numbers_format_as_javascript_string() {
    let Some(node) = tool::node() else { return };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut numbers: Vec<f64> = vec![
        0.0,
        1.0,
        -1.0,
        0.1,
        0.5,
        1e21,
        1e-7,
        1e-6,
        123e-20,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        9007199254740993.0,
        5000.0,
        1.5,
        0.30000000000000004,
        1e20,
        99999999999999990000.0,
    ];
    while numbers.len() < 100_000 {
        let x = match rng.below(4) {
            // Any bit pattern: all exponents.
            0 => f64::from_bits(rng.next()),
            // Money-like decimals.
            1 => (rng.below(10_000_000) as f64) / 100.0,
            // Integers up to 2^53.
            2 => (rng.next() >> 11) as f64,
            // Around the notation switch points (1e-7, 1e21).
            _ => (rng.below(1000) as f64 + 0.5) * 10f64.powi(rng.below(40) as i32 - 20),
        };
        if x.is_finite() {
            numbers.push(x);
        }
    }
    let input: String = numbers
        .iter()
        .map(|x| format!("{:016x}\n", x.to_bits()))
        .collect();
    let script = r#"
        const lines = require('fs').readFileSync(0, 'utf8').trim().split('\n');
        const view = new DataView(new ArrayBuffer(8));
        const out = lines.map(h => { view.setBigUint64(0, BigInt('0x' + h)); return String(view.getFloat64(0)); });
        process.stdout.write(out.join('\n'));
    "#;
    let js = run_node(&node, script, &input);
    let mut mismatches = Vec::new();
    for (x, expected) in numbers.iter().zip(js.lines()) {
        if format_number(*x) != expected {
            mismatches.push(format!("{:e}: ours {} js {expected}", x, format_number(*x)));
        }
    }
    assert_eq!(js.lines().count(), numbers.len());
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(5)]
    );
}

fn random_string(rng: &mut Rng) -> String {
    const POOL: &[&str] = &[
        "a",
        "Z",
        "0",
        "9",
        " ",
        "\"",
        "\\",
        "/",
        "\n",
        "\r",
        "\t",
        "\u{8}",
        "\u{c}",
        "\u{0}",
        "\u{1f}",
        "\u{7f}",
        "é",
        "ß",
        "€",
        "東",
        "😀",
        "🧑‍💻",
        "\u{2028}",
        "\u{2029}",
        "\u{feff}",
        "<",
        "&",
    ];
    (0..rng.below(12))
        .map(|_| POOL[rng.below(POOL.len() as u64) as usize])
        .collect()
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!((rng.next() >> 11) as i64 - (1 << 52)),
        3 => {
            let x = f64::from_bits(rng.next());
            if x.is_finite() {
                json!(x)
            } else {
                json!(rng.below(100) as f64 / 8.0)
            }
        }
        4 => Value::String(random_string(rng)),
        5 => Value::Array(
            (0..rng.below(5))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(6) {
                let key = match rng.below(4) {
                    0 => rng.below(20).to_string(),
                    1 => format!("0{}", rng.below(9)),
                    _ => random_string(rng),
                };
                map.insert(key, random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

#[test]
fn documents_survive_a_javascript_round_trip() {
    let Some(node) = tool::node() else { return };
    let mut rng = Rng(42);
    let docs: Vec<String> = (0..5_000)
        .map(|_| String::from_utf8(value_to_vec(&random_value(&mut rng, 0)).unwrap()).unwrap())
        .collect();
    // One document per line: our output never contains a raw newline (it is escaped).
    let input = docs.join("\n");
    let script = r#"
        const lines = require('fs').readFileSync(0, 'utf8').split('\n');
        const bad = lines.map((s, i) => [i, s]).filter(([i, s]) => JSON.stringify(JSON.parse(s)) !== s);
        process.stdout.write(JSON.stringify(bad.slice(0, 5).map(([i, s]) => [i, s, JSON.stringify(JSON.parse(s))])) + '\n' + bad.length);
    "#;
    let out = run_node(&node, script, &input);
    let (examples, count) = out.rsplit_once('\n').unwrap();
    assert_eq!(
        count, "0",
        "documents changed by JSON.stringify(JSON.parse(..)): {examples}"
    );
}

#[test]
fn jcs_matches_the_javascript_reference() {
    let Some(node) = tool::node() else { return };
    let mut rng = Rng(8785);
    let docs: Vec<Value> = (0..5_000).map(|_| random_value(&mut rng, 0)).collect();
    // The documents go to Node in serde_json's own layout, not ours, so that Node parses them
    // independently of the writer under test.
    let input: String = docs
        .iter()
        .map(|d| serde_json::to_string(d).unwrap() + "\n")
        .collect();
    // RFC 8785 appendix's reference canonicalizer, in spirit: sort the keys the way JavaScript
    // compares strings (UTF-16 code units), write everything else with JSON.stringify.
    let script = r#"
        const canon = v => v === null || typeof v !== 'object' ? JSON.stringify(v)
            : Array.isArray(v) ? '[' + v.map(canon).join(',') + ']'
            : '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
        const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(l => l.length);
        process.stdout.write(lines.map(l => canon(JSON.parse(l))).join('\n'));
    "#;
    let js = run_node(&node, script, &input);
    assert_eq!(js.lines().count(), docs.len());
    let mismatches: Vec<String> = docs
        .iter()
        .zip(js.lines())
        .filter_map(|(doc, expected)| {
            let ours = String::from_utf8(jcs::to_vec(doc).unwrap()).unwrap();
            (ours != expected).then(|| format!("ours {ours}\njs   {expected}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} documents differ, first: {:?}",
        mismatches.len(),
        docs.len(),
        mismatches.first()
    );
}

/// The texts a JSON number arrives as: each random double written shortest and with 17, 20
/// and 25 significant digits, plus integers around and beyond 2^53.
fn number_texts(rng: &mut Rng, doubles: usize) -> Vec<String> {
    let mut texts = Vec::with_capacity(doubles * 4 + 512);
    let mut seen = 0;
    while seen < doubles {
        let x = match rng.below(3) {
            // Any bit pattern: all exponents, subnormals included.
            0 => f64::from_bits(rng.next()),
            // Ordinary magnitudes, full 53-bit mantissas (like 90713.01334386505).
            1 => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(rng.below(12) as i32),
            // Money-like decimals.
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
        texts.push(format!("{}{:03}", u64::MAX, k)); // beyond u64: read as a double
        texts.push(format!("{}.{k}", two53 + 1));
    }
    texts
}

#[test]
fn numbers_parse_as_javascript_parses_them() {
    let Some(node) = tool::node() else { return };
    let mut rng = Rng(0x5EED_F10A7);
    let mut texts = number_texts(&mut rng, 10_000);
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
    // Node answers each text with the bits of JSON.parse(text) and JSON.stringify of it.
    let script = r#"
        const lines = require('fs').readFileSync(0, 'utf8').trim().split('\n');
        const view = new DataView(new ArrayBuffer(8));
        const out = lines.map(t => {
            const x = JSON.parse(t);
            view.setFloat64(0, x);
            return view.getBigUint64(0).toString(16).padStart(16, '0') + ' ' + JSON.stringify(x);
        });
        process.stdout.write(out.join('\n'));
    "#;
    let js = run_node(&node, script, &texts.join("\n"));
    assert_eq!(js.lines().count(), texts.len());
    let mut mismatches = Vec::new();
    for (text, line) in texts.iter().zip(js.lines()) {
        let (bits, stringified) = line.split_once(' ').unwrap();
        let js_bits = u64::from_str_radix(bits, 16).unwrap();
        let parsed: f64 = serde_json::from_str(text).unwrap();
        let as_value = serde_json::from_str::<Value>(text)
            .unwrap()
            .as_f64()
            .unwrap();
        let reencoded = String::from_utf8(reencode(text.as_bytes()).unwrap()).unwrap();
        // -0 reads as 0 through an integer; JSON.stringify writes both as 0.
        let same = |x: f64| x.to_bits() == js_bits || (x == 0.0 && f64::from_bits(js_bits) == 0.0);
        if !same(parsed) || !same(as_value) || reencoded != stringified {
            mismatches.push(format!(
                "{text}: js {stringified}, serde_json {parsed:e}, reencode {reencoded}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} number texts read differently from JSON.parse, first: {:#?}",
        mismatches.len(),
        texts.len(),
        &mismatches[..mismatches.len().min(5)]
    );
}
