//! `humanos sign`: the printed headers verify with `humanos_signing`.

mod common;

use common::*;
use humanos_signing::{BodyRule, FixedClock, SignatureVerifier};
use predicates::prelude::*;
use serde_json::Value;

const TS: u64 = 1_767_225_600_000;

fn verifier() -> SignatureVerifier {
    SignatureVerifier::new(API_SECRET, BodyRule::Request).with_clock(FixedClock(TS))
}

fn sign_json(args: &[&str]) -> Value {
    let out = humanos_api()
        .args(["sign", "--format", "json", "--timestamp", &TS.to_string()])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("JSON")
}

#[test]
fn json_format_verifies() {
    let out = sign_json(&[
        "--data",
        r#"{ "contacts": ["ana@example.com"], "amount": 5000.0, "name": "Café" }"#,
    ]);
    let body = out["body"].as_str().expect("body");
    assert_eq!(
        body,
        r#"{"contacts":["ana@example.com"],"amount":5000,"name":"Café"}"#
    );
    let h = &out["headers"];
    assert_eq!(h["Authorization"], format!("Bearer {API_KEY}"));
    assert_eq!(h["Content-Type"], "application/json");
    assert_eq!(h["X-Timestamp"], TS.to_string());
    verifier()
        .verify(
            h["X-Timestamp"].as_str().expect("ts").as_bytes(),
            h["X-Signature"].as_str().expect("sig").as_bytes(),
            body.as_bytes(),
        )
        .expect("signature verifies over the printed body");
}

#[test]
fn no_data_signs_the_timestamp_alone() {
    let out = sign_json(&[]);
    assert_eq!(out["body"], "");
    let sig = out["headers"]["X-Signature"].as_str().expect("sig");
    assert_eq!(
        sig,
        humanos_signing::request_signature(API_SECRET.as_bytes(), TS, b"")
    );
}

#[test]
fn data_from_file_and_stdin() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(&mut file, b"{\n  \"b\": 1,\n  \"a\": [true, null]\n}\n")
        .expect("write");
    let arg = format!("@{}", file.path().display());
    let out = sign_json(&["--data", &arg]);
    assert_eq!(out["body"], r#"{"b":1,"a":[true,null]}"#);
    let out = humanos_api()
        .args(["sign", "--format", "json", "--data", "@-"])
        .write_stdin(r#"{"x": "y"}"#)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    assert_eq!(v["body"], r#"{"x":"y"}"#);
}

#[test]
fn raw_body_signs_the_bytes_verbatim() {
    let out = humanos_api()
        .args([
            "sign",
            "--format",
            "json",
            "--raw-body",
            "--timestamp",
            &TS.to_string(),
        ])
        .args(["--data", r#"{"a": 1}"#])
        .assert()
        .success()
        .stderr(predicate::str::contains("not wire-stable"));
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    assert_eq!(v["body"], r#"{"a": 1}"#);
    assert_eq!(
        v["headers"]["X-Signature"],
        humanos_signing::request_signature(API_SECRET.as_bytes(), TS, br#"{"a": 1}"#)
    );
}

#[test]
fn curl_format_is_shell_ready() {
    humanos_api()
        .args([
            "sign",
            "--timestamp",
            &TS.to_string(),
            "--data",
            r#"{"note":"it's"}"#,
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "-H 'Authorization: Bearer {API_KEY}' -H 'X-Timestamp: {TS}' -H 'X-Signature: "
        )))
        .stdout(predicate::str::ends_with(
            "-H 'Content-Type: application/json' --data-raw '{\"note\":\"it'\\''s\"}'\n",
        ));
}

#[test]
fn headers_format() {
    let out = humanos_api()
        .args([
            "sign",
            "--format",
            "headers",
            "--timestamp",
            &TS.to_string(),
            "--data",
            "[1,2]",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("utf8");
    let (head, body) = text.split_once("\n\n").expect("blank line");
    assert_eq!(body, "[1,2]\n");
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines.len(), 4);
    let sig = lines[2]
        .strip_prefix("X-Signature: ")
        .expect("signature line");
    verifier()
        .verify(TS.to_string().as_bytes(), sig.as_bytes(), b"[1,2]")
        .expect("verifies");
}

#[test]
fn errors() {
    humanos()
        .args(["sign"])
        .env("HUMANOS_SIGNATURE_SECRET", API_SECRET)
        .assert()
        .code(2)
        .stderr("error: the API key is not configured\nhint: set HUMANOS_API_KEY, pass --api-key, or add api_key to your profile\n");
    humanos_api()
        .args(["sign", "--data", "{nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: --data is not valid JSON (line 1, column 2",
        ));
    humanos_api()
        .args(["sign", "--data", "12345678901234567890"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("as strings"));
    humanos_api()
        .args(["sign", "--data", "@/nonexistent/file.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read --data"));
}
