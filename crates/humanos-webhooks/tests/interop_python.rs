//! Wire interop with the official Python SDK (PyPI `humanos==1.2.0`) and with deliveries sealed
//! the way the Humanos server seals them (Python `cryptography`, no Rust involved).
//!
//! Needs `HUMANOS_INTEROP_PYTHON` pointing at a Python with `interop/requirements.txt` installed
//! (`scripts/test` sets it up). Without it the tests fail, unless `HUMANOS_SKIP_PYTHON_INTEROP=1`
//! (then they print that they skipped).

#[path = "../../../interop/tool.rs"]
mod tool;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use humanos_signing::{RequestSigner, wire_json};
use humanos_webhooks::{SignatureError, WebhookConfig, WebhookError, WebhookEvent};
use serde_json::{Value, json};

const SIG_SECRET: &str = "whsec_interop_Sïgnature";
const ENC_SECRET: &str = "aW50ZXJvcC1lbmNyeXB0aW9uLXNlY3JldC0yMDI2LTA5LTAx";
const SALT: &str = "interop-salt-✓";

/// Runs `interop/<script>` once, feeding one JSON line per case, returning one value per case.
fn run(python: &Path, script: &str, cases: &[Value]) -> Vec<Value> {
    let lines = tool::run_python(python, script, cases);
    assert_eq!(lines.len(), cases.len(), "{script}: one answer per case");
    lines
}

fn config() -> WebhookConfig {
    WebhookConfig::new(SIG_SECRET, ENC_SECRET, SALT).unwrap()
}

fn py_config() -> Value {
    json!({"signature_secret": SIG_SECRET, "encryption_secret": ENC_SECRET, "encryption_salt": SALT})
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Events covering ASCII, non-ASCII text, an emoji and a 256 KiB payload.
fn events() -> Vec<(&'static str, Value)> {
    let base = |extra: Value| {
        let mut event = humanos_webhooks::sample::credential("req_interop");
        event
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        event
    };
    vec![
        ("ascii", base(json!({}))),
        (
            "non-ascii",
            base(json!({"note": "José Müller, São Paulo, Zürich — 東京 ÆØÅ"})),
        ),
        ("emoji", base(json!({"note": "approved 👍🏽 by 🧑‍💻 ✅"}))),
        (
            "256 KiB",
            base(json!({"blob": "x€".repeat(256 * 1024 / 4)})),
        ),
    ]
}

#[test]
fn rust_request_signatures_verify_with_the_official_sdk() {
    let Some(python) = tool::python() else { return };
    let secret = "sig_secret_ünïcode";
    let signer = RequestSigner::new("key", secret);
    let ts = 1_767_225_600_123_u64;
    let mut bodies: Vec<(String, Vec<u8>)> = events()
        .into_iter()
        .map(|(name, event)| (name.to_owned(), wire_json::to_vec(&event).unwrap()))
        .collect();
    bodies.push((
        "small".into(),
        wire_json::to_vec(&json!({"contacts": ["+351912345678"]})).unwrap(),
    ));
    bodies.push(("no body".into(), Vec::new()));

    let cases: Vec<Value> = bodies
        .iter()
        .map(|(_, body)| {
            let body = if body.is_empty() {
                Value::Null
            } else {
                json!(String::from_utf8(body.clone()).unwrap())
            };
            json!({"secret": secret, "timestamp": ts, "body": body})
        })
        .collect();
    let answers = run(&python, "py_sign.py", &cases);
    for ((name, body), answer) in bodies.iter().zip(answers) {
        assert_eq!(
            answer["signature"].as_str().unwrap(),
            signer.signature(ts, body),
            "{name}: the official SDK computes the same signature over the same bytes"
        );
    }

    // The empty object counts as no body in both SDKs.
    let py = run(
        &python,
        "py_sign.py",
        &[json!({"secret": secret, "timestamp": ts, "body": "{}", "as_dict": true})],
    );
    assert_eq!(
        py[0]["signature"].as_str().unwrap(),
        signer.signature(ts, b"{}")
    );
    assert_eq!(signer.signature(ts, b"{}"), signer.signature(ts, b""));
}

#[test]
fn the_official_sdk_signs_bytes_it_does_not_send_and_we_do_not() {
    // Known defect 1: the official SDK signs `json.dumps(body, separators=(",", ":"))`, which
    // escapes non-ASCII as \uXXXX, while a JavaScript server re-serializes raw UTF-8. Our
    // signature is over the bytes the server reconstructs; the official one is not.
    let Some(python) = tool::python() else { return };
    let secret = "s";
    let ts = 1_u64;
    let body = json!({"name": "Café"});
    let ours = wire_json::to_vec(&body).unwrap();
    assert_eq!(
        wire_json::reencode(&ours).unwrap(),
        ours,
        "what the server reconstructs"
    );
    let py = run(
        &python,
        "py_sign.py",
        &[json!({"secret": secret, "timestamp": ts, "body": body.to_string(), "as_dict": true})],
    );
    let theirs = py[0]["signature"].as_str().unwrap();
    assert_ne!(theirs, RequestSigner::new("k", secret).signature(ts, &ours));
    assert_eq!(
        theirs,
        humanos_signing::hmac_sha256_hex(b"s", br#"1.{"name":"Caf\u00e9"}"#)
    );
}

#[test]
fn deliveries_sealed_in_rust_open_with_the_official_sdk() {
    let Some(python) = tool::python() else { return };
    let config = config();
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (_, event) in events() {
        let sealed = config.seal(&event).unwrap();
        cases.push(json!({
            "config": py_config(),
            "headers": {"X-Signature": sealed.signature, "X-Timestamp": sealed.timestamp.to_string()},
            "body": String::from_utf8(sealed.body).unwrap(),
        }));
        expected.push(event);
    }
    // A tampered delivery: one byte of the body changed after signing.
    let sealed = config.seal(&events()[0].1).unwrap();
    let mut tampered = String::from_utf8(sealed.body).unwrap();
    tampered.insert(1, ' ');
    cases.push(json!({
        "config": py_config(),
        "headers": {"x-signature": sealed.signature, "x-timestamp": sealed.timestamp.to_string()},
        "body": tampered,
    }));

    let answers = run(&python, "py_open.py", &cases);
    for (i, event) in expected.iter().enumerate() {
        assert_eq!(
            &answers[i]["ok"],
            event,
            "case {} opened by the official SDK",
            events()[i].0
        );
    }
    assert_eq!(
        answers.last().unwrap()["error"],
        "ValueError: Invalid webhook signature"
    );
}

#[test]
fn deliveries_sealed_like_the_server_open_in_rust() {
    let Some(python) = tool::python() else { return };
    let ts = now_ms();
    let cases: Vec<Value> = events()
        .iter()
        .map(|(_, event)| json!({"config": py_config(), "plaintext": event.to_string(), "timestamp": ts}))
        .collect();
    let sealed = run(&python, "py_seal.py", &cases);
    let config = config();
    for ((name, event), delivery) in events().iter().zip(&sealed) {
        let headers: Vec<(String, String)> = delivery["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = delivery["body"].as_str().unwrap().as_bytes();
        let opened = config
            .process(&headers, body)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(matches!(opened, WebhookEvent::Credential(_)), "{name}");
        assert_eq!(&serde_json::to_value(&opened).unwrap(), event, "{name}");

        // Tampered: one base64 character of the ciphertext changed, signature kept.
        let mut bad = body.to_vec();
        let at = bad.windows(8).position(|w| w == b"\"data\": ").unwrap() + 9;
        bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            config.process(&headers, &bad).unwrap_err(),
            WebhookError::Signature(SignatureError::Mismatch),
            "{name}"
        );
    }
}
