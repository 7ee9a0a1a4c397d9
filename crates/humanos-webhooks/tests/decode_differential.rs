//! The one-pass decoder against the reference path, on the sample events, the catalogues and
//! thousands of generated payloads: for every plaintext, the event (compared by its bytes,
//! so member order counts), the error and the idempotency key must be the same.
//!
//! The reference is the lifecycle's former decoding, written here with the public API only:
//! parse into a `Value`, `IdempotencyKey::from_value`, `WebhookEvent::from_json`.

use humanos_webhooks::sample::{self, catalogue_config, malformed, undecodable};
use humanos_webhooks::{IdempotencyKey, WebhookError, WebhookEvent, WebhookPayload};
use serde_json::Value;

type Decoded = Result<(WebhookEvent, Option<IdempotencyKey>), WebhookError>;

fn reference(plaintext: &[u8], with_key: bool) -> Decoded {
    let payload: Value =
        serde_json::from_slice(plaintext).map_err(|_| WebhookError::PlaintextNotJson)?;
    let key = match with_key {
        true => Some(IdempotencyKey::from_value(&payload).ok_or(WebhookError::PlaintextNotJson)?),
        false => None,
    };
    Ok((WebhookEvent::from_json(payload)?, key))
}

/// Asserts both paths agree on `plaintext`, with and without the key.
fn agree(plaintext: &[u8]) {
    for with_key in [true, false] {
        let old = reference(plaintext, with_key);
        let new = WebhookEvent::from_plaintext_with_key(plaintext, with_key);
        let show = || String::from_utf8_lossy(plaintext).into_owned();
        match (&old, &new) {
            (Ok((a, ka)), Ok((b, kb))) => {
                assert_eq!(a, b, "event differs for {}", show());
                let bytes = |e: &WebhookEvent| serde_json::to_vec(e).unwrap();
                assert_eq!(bytes(a), bytes(b), "member order differs for {}", show());
                assert_eq!(ka, kb, "key differs for {}", show());
                if let (Some(ka), Some(kb)) = (ka, kb) {
                    assert_eq!(ka.as_str(), kb.as_str());
                    assert_eq!(ka.to_string(), kb.to_string());
                }
            }
            _ => assert_eq!(old, new, "result differs for {}", show()),
        }
    }
    let plain = WebhookEvent::from_plaintext(plaintext);
    let old = reference(plaintext, false).map(|(event, _)| event);
    assert_eq!(
        plain,
        old,
        "from_plaintext differs for {}",
        String::from_utf8_lossy(plaintext)
    );
}

fn samples() -> Vec<Value> {
    ["credential", "identity", "otp.failed", "test"]
        .iter()
        .map(|t| sample::of_type(t, "req_diff").unwrap())
        .collect()
}

#[test]
fn the_samples_and_the_catalogues_decode_alike() {
    for event in samples() {
        agree(&serde_json::to_vec(&event).unwrap());
        agree(&serde_json::to_vec_pretty(&event).unwrap());
    }
    let config = catalogue_config();
    for case in undecodable() {
        agree(
            &config
                .decrypt(&case.body)
                .expect("an undecodable case decrypts"),
        );
    }
    for case in malformed() {
        if let Ok(plaintext) = config.decrypt(&case.body) {
            agree(&plaintext);
        }
    }
}

#[test]
fn hand_picked_edges_decode_alike() {
    let cred = serde_json::to_string(&sample::credential("r")).unwrap();
    let body = cred.strip_prefix(r#"{"eventType":"credential","#).unwrap();
    let cases: Vec<String> = vec![
        // A later duplicate of a member, known or unknown, at the top or nested.
        format!(r#"{{"eventType":"credential",{body}"#)
            .replace(r#""requestId":"r""#, r#""requestId":"a","requestId":"r""#),
        format!(r#"{{"eventType":"credential","eventType":"test",{body}"#),
        format!(r#"{{"eventType":"credential","x":1,"x":[2],{body}"#),
        cred.replacen(r#""id":"usr_"#, r#""id":"dup","id":"usr_"#, 1),
        // `credential` as an array, or with hostile unknown members its struct would skip.
        cred.replacen(r#""credential":{"#, r#""credential":["a","b"],"c0":{"#, 1),
        cred.replacen(r#""credential":{"#, r#""credential":{"zz":1e400,"#, 1),
        cred.replacen(r#""credential":{"#, r#""credential":{"zz":"\ud800","#, 1),
        cred.replacen(
            r#""credential":{"#,
            r#""credential":{"zz":"\ud83d\ude00","#,
            1,
        ),
        cred.replacen(
            r#""credential":{"#,
            &format!(
                r#""credential":{{"zz":{}1{},"#,
                "[".repeat(130),
                "]".repeat(130)
            ),
            1,
        ),
        cred.replacen(
            r#""credential":{"#,
            r#""credential":{"zz":-0,"yy":1.0,"xx":18446744073709551616,"#,
            1,
        ),
        // Escapes in names and values, a type with escapes, `eventType` not first.
        cred.replacen(r#""requestId""#, r#""\u0072equestId""#, 1),
        cred.replacen(
            r#""eventType":"credential""#,
            r#""eventType":"\u0063redential""#,
            1,
        ),
        cred.replacen(
            r#""eventType":"credential""#,
            r#""\u0065ventType":"credential""#,
            1,
        ),
        format!(
            r#"{{"requestId":"r","eventType":"credential",{}"#,
            body.replacen(r#""requestId":"r","#, "", 1)
        ),
        cred.replacen(r#""eventType":"credential""#, r#""eventType":7"#, 1),
        cred.replacen(
            r#""eventType":"credential""#,
            r#""eventType":"mandate.expired""#,
            1,
        ),
        // Not an object, empty, trailing data, truncated.
        "[]".into(),
        "{}".into(),
        "null".into(),
        String::new(),
        format!("{cred} x"),
        cred[..cred.len() / 2].to_owned(),
        r#"{"eventType":"credential"}"#.into(),
    ];
    for case in &cases {
        agree(case.as_bytes());
    }
    // Not UTF-8: outside a string and inside one the typed event would keep.
    let mut bytes = cred.clone().into_bytes();
    let at = cred.find("Action mandate").unwrap();
    bytes[at] = 0xff;
    agree(&bytes);
}

/// A JSON tree whose objects may repeat a name, written with optional escapes.
#[derive(Clone)]
enum Node {
    Leaf(String),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

fn node(value: &Value) -> Node {
    match value {
        Value::String(s) => Node::Str(s.clone()),
        Value::Array(items) => Node::Arr(items.iter().map(node).collect()),
        Value::Object(map) => Node::Obj(map.iter().map(|(k, v)| (k.clone(), node(v))).collect()),
        other => Node::Leaf(other.to_string()),
    }
}

/// xorshift64*: deterministic, so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn write_str(out: &mut String, s: &str, rng: &mut Rng) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if rng.chance(3) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(out: &mut String, n: &Node, rng: &mut Rng) {
    match n {
        Node::Leaf(text) => out.push_str(text),
        Node::Str(s) => write_str(out, s, rng),
        Node::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item, rng);
            }
            out.push(']');
        }
        Node::Obj(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(if rng.chance(5) { " , " } else { "," });
                }
                write_str(out, k, rng);
                out.push(':');
                write(out, v, rng);
            }
            out.push('}');
        }
    }
}

/// Values of every JSON type, and the ones only one kind of reader would let through.
fn hostile(rng: &mut Rng) -> Node {
    let leaves = [
        "null",
        "true",
        "0",
        "-0",
        "1.0",
        "1e400",
        "-1e400",
        "18446744073709551616",
        "1e-400",
        "4655502634.230949",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\ud83d\\ude00\"",
        "\"\u{1F600}\"",
        "{}",
        "[]",
        "[[[]]]",
        "{\"id\":\"x\"}",
        "[\"a\",\"b\"]",
        "\"ACTIVE\"",
        "\"ACCEPT\"",
    ];
    match rng.below(4) {
        0 => Node::Arr(vec![hostile_leaf(rng, &leaves)]),
        1 => Node::Obj(vec![("id".into(), hostile_leaf(rng, &leaves))]),
        _ => hostile_leaf(rng, &leaves),
    }
}

fn hostile_leaf(rng: &mut Rng, leaves: &[&str]) -> Node {
    if rng.chance(3) {
        let depth = 120 + rng.below(20);
        return Node::Leaf(format!("{}1{}", "[".repeat(depth), "]".repeat(depth)));
    }
    Node::Leaf(leaves[rng.below(leaves.len())].to_owned())
}

/// Every object in the tree, by path of member indices.
fn objects(n: &Node, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    match n {
        Node::Obj(members) => {
            out.push(path.clone());
            for (i, (_, v)) in members.iter().enumerate() {
                path.push(i);
                objects(v, path, out);
                path.pop();
            }
        }
        Node::Arr(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i);
                objects(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(mut n: &'a mut Node, path: &[usize]) -> &'a mut Node {
    for &i in path {
        n = match n {
            Node::Obj(members) => &mut members[i].1,
            Node::Arr(items) => &mut items[i],
            _ => unreachable!("paths lead through containers"),
        };
    }
    n
}

/// One random change to one object of the tree.
fn mutate(tree: &mut Node, rng: &mut Rng) {
    let mut paths = Vec::new();
    objects(tree, &mut Vec::new(), &mut paths);
    // Mostly the top level and its direct members (`user`, `credential`, `decision`).
    let path = if rng.chance(50) {
        let shallow: Vec<_> = paths.iter().filter(|p| p.len() <= 1).cloned().collect();
        shallow[rng.below(shallow.len())].clone()
    } else {
        paths[rng.below(paths.len())].clone()
    };
    let top = path.is_empty();
    let Node::Obj(members) = at(tree, &path) else {
        unreachable!()
    };
    let n = members.len();
    match rng.below(7) {
        0 if n > 1 => {
            let (a, b) = (rng.below(n), rng.below(n));
            // Keep `eventType` first at the top half of the time, so both paths get exercised.
            if !(top && (a == 0 || b == 0) && rng.chance(50)) {
                members.swap(a, b);
            }
        }
        1 if n > 0 => {
            let i = rng.below(n);
            let dup = if rng.chance(50) {
                members[i].1.clone()
            } else {
                hostile(rng)
            };
            let name = members[i].0.clone();
            members.insert(rng.below(n + 1).max(usize::from(top)), (name, dup));
        }
        2 if n > 0 => {
            let i = rng.below(n);
            members[i].1 = hostile(rng);
        }
        3 if n > 0 => {
            members.remove(rng.below(n));
        }
        4 => {
            let name = ["zz", "id", "date", "note", "eventType", "requestId"][rng.below(6)];
            members.insert(rng.below(n + 1), (name.to_owned(), hostile(rng)));
        }
        5 if top && n > 0 => {
            let types = [
                "credential",
                "identity",
                "otp.failed",
                "test",
                "mandate.expired",
                "",
            ];
            members[0].1 = Node::Str(types[rng.below(types.len())].to_owned());
        }
        _ if n > 0 => {
            let i = rng.below(n);
            if let Node::Obj(inner) = &members[i].1 {
                // An object member turned into the array of its values.
                members[i].1 = Node::Arr(inner.iter().map(|(_, v)| v.clone()).collect());
            }
        }
        _ => {}
    }
}

#[test]
fn generated_payloads_decode_alike() {
    let cases: u64 = std::env::var("DECODE_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let bases: Vec<Node> = samples().iter().map(node).collect();
    for seed in 1..=cases {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut tree = bases[rng.below(bases.len())].clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut tree, &mut rng);
        }
        let mut text = String::new();
        write(&mut text, &tree, &mut rng);
        agree(text.as_bytes());
    }
}
