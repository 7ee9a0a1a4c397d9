//! `humanos webhook open | trigger | listen`, run as the built binary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex};

use common::*;
use humanos_webhooks::{SealedDelivery, sample};
use predicates::prelude::*;
use serde_json::Value;

fn sealed(event: &Value) -> (tempfile::NamedTempFile, SealedDelivery) {
    let delivery = webhook_config().seal(event).expect("seal");
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    std::io::Write::write_all(&mut file, &delivery.body).expect("write");
    (file, delivery)
}

fn open_cmd(file: &tempfile::NamedTempFile, d: &SealedDelivery) -> assert_cmd::Command {
    let mut cmd = humanos_webhook();
    cmd.args(["webhook", "open"]).arg(file.path()).args([
        "--signature",
        &d.signature,
        "--timestamp",
        &d.timestamp.to_string(),
    ]);
    cmd
}

#[test]
fn open_prints_the_decrypted_event() {
    let event = sample::credential("req_open_1");
    let (file, delivery) = sealed(&event);
    let out = open_cmd(&file, &delivery).assert().success().stderr("");
    let printed: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    assert_eq!(printed, event);
    // Pretty, members in their original order.
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.starts_with("{\n  \"eventType\": \"credential\",\n  \"requestId\""),
        "{text}"
    );
}

#[test]
fn open_reads_stdin() {
    let event = sample::test("req_stdin");
    let delivery = webhook_config().seal(&event).expect("seal");
    humanos_webhook()
        .args(["webhook", "open", "-", "--signature", &delivery.signature])
        .args(["--timestamp", &delivery.timestamp.to_string()])
        .write_stdin(delivery.body.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "This is a test event from Humanos",
        ));
}

#[test]
fn open_tampered_body_names_the_signature_check() {
    let (_, delivery) = sealed(&sample::identity("req_t"));
    let mut body = delivery.body.clone();
    let i = body.len() - 5;
    body[i] = if body[i] == b'A' { b'B' } else { b'A' };
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(&mut file, &body).expect("write");
    open_cmd(&file, &delivery)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: delivery refused by check `signature_mismatch`",
        ))
        .stderr(predicate::str::contains("an endpoint answers 401"))
        .stderr(predicate::str::contains("\nhint: "));
}

#[test]
fn open_body_with_added_newline_gets_a_specific_hint() {
    let (_, delivery) = sealed(&sample::test("req_nl"));
    let mut body = delivery.body.clone();
    body.push(b'\n');
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(&mut file, &body).expect("write");
    open_cmd(&file, &delivery)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ends with a newline"));
}

#[test]
fn open_each_check_is_named() {
    let (file, d) = sealed(&sample::test("req_checks"));
    let ts = d.timestamp.to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--timestamp", &ts], "missing_header"),
        (vec!["--signature", &d.signature], "missing_header"),
        (
            vec!["--signature", &d.signature, "--timestamp", "12a"],
            "malformed_timestamp",
        ),
        (
            vec!["--signature", &d.signature, "--timestamp", "1000"],
            "timestamp_too_old",
        ),
        (
            vec!["--signature", &d.signature, "--timestamp", "99999999999999"],
            "timestamp_in_future",
        ),
        (
            vec!["--signature", "abc", "--timestamp", &ts],
            "malformed_signature",
        ),
    ];
    for (args, code) in cases {
        humanos_webhook()
            .args(["webhook", "open"])
            .arg(file.path())
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("check `{code}`")));
    }
}

#[test]
fn open_wrong_encryption_secret_is_decryption_failed() {
    let (file, d) = sealed(&sample::test("req_key"));
    open_cmd(&file, &d)
        .env("HUMANOS_WEBHOOK_ENCRYPTION_SALT", "another-salt")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("check `decryption_failed`"))
        .stderr(predicate::str::contains(
            "encryption secret or salt is wrong",
        ));
}

#[test]
fn open_payload_shape_and_no_shape_check() {
    let event = serde_json::json!({"eventType": "credential", "requestId": "r"});
    let (file, d) = sealed(&event);
    open_cmd(&file, &d)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("check `payload_shape`"));
    open_cmd(&file, &d)
        .arg("--no-shape-check")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"requestId\": \"r\""));
}

#[test]
fn open_stale_delivery_with_raised_tolerance() {
    let config = webhook_config();
    let plaintext = humanos_signing::wire_json::to_vec(&sample::test("old")).expect("json");
    let an_hour_ago =
        humanos_signing::Clock::now_unix_ms(&humanos_signing::SystemClock) - 3_600_000;
    let d = config
        .seal_plaintext(&plaintext, an_hour_ago)
        .expect("seal");
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(&mut file, &d.body).expect("write");
    open_cmd(&file, &d)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("timestamp_too_old"))
        .stderr(predicate::str::contains("--tolerance"));
    open_cmd(&file, &d)
        .args(["--tolerance", "7200"])
        .assert()
        .success();
}

#[test]
fn open_missing_secret_or_file_exits_2() {
    let (file, d) = sealed(&sample::test("req_cfg"));
    open_cmd(&file, &d)
        .env_remove("HUMANOS_WEBHOOK_ENCRYPTION_SALT")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: the webhook encryption salt is not configured\nhint: set HUMANOS_WEBHOOK_ENCRYPTION_SALT",
        ));
    humanos_webhook()
        .args([
            "webhook",
            "open",
            "/nonexistent/body.json",
            "--signature",
            "a",
            "--timestamp",
            "1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the delivery body"));
    open_cmd(&file, &d)
        .env("HUMANOS_WEBHOOK_ENCRYPTION_SECRET", "not base64!")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid base64"));
}

/// Parses `-H 'name: value' ... --data-raw 'body'` as printed by `trigger --print`.
fn parse_print(line: &str) -> (Vec<(String, String)>, String) {
    let mut headers = Vec::new();
    let mut rest = line.trim_end();
    while let Some(after) = rest.strip_prefix("-H '") {
        let end = after.find('\'').expect("closing quote");
        let (name, value) = after[..end].split_once(": ").expect("header");
        headers.push((name.to_owned(), value.to_owned()));
        rest = after[end + 1..].trim_start();
    }
    let body = rest
        .strip_prefix("--data-raw '")
        .and_then(|b| b.strip_suffix('\''))
        .expect("body");
    (headers, body.to_owned())
}

#[test]
fn trigger_print_is_a_delivery_the_library_opens() {
    for event in ["credential", "identity", "otp.failed", "test"] {
        let out = humanos_webhook()
            .args([
                "webhook",
                "trigger",
                "--print",
                "--event",
                event,
                "--request-id",
                "req_p",
            ])
            .assert()
            .success();
        let line = String::from_utf8(out.get_output().stdout.clone()).expect("utf8");
        let (headers, body) = parse_print(&line);
        let opened: Value = webhook_config()
            .process_as(&headers, body.as_bytes())
            .expect("the printed delivery verifies");
        assert_eq!(opened, sample::of_type(event, "req_p").expect("sample"));
    }
}

#[test]
fn trigger_custom_data_file() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(
        &mut file,
        br#"{"eventType":"mandate.expired","requestId":"r9","x":[1,2]}"#,
    )
    .expect("write");
    let out = humanos_webhook()
        .args(["webhook", "trigger", "--print", "--data"])
        .arg(file.path())
        .assert()
        .success();
    let line = String::from_utf8(out.get_output().stdout.clone()).expect("utf8");
    let (headers, body) = parse_print(&line);
    let opened = webhook_config()
        .open(&headers, body.as_bytes())
        .expect("open");
    assert_eq!(
        opened,
        br#"{"eventType":"mandate.expired","requestId":"r9","x":[1,2]}"#
    );

    std::io::Write::write_all(&mut file, b" trailing garbage").expect("write");
    humanos_webhook()
        .args(["webhook", "trigger", "--print", "--data"])
        .arg(file.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--data is not valid JSON"));
}

#[test]
fn trigger_unreachable_endpoint_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port(); // released when the listener drops: nobody listens there now
    humanos_webhook()
        .args([
            "webhook",
            "trigger",
            "--url",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with(
            "error: cannot deliver to the endpoint",
        ));
}

/// A running `humanos webhook listen`, its address read from the first stderr line.
struct Listener {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Listener {
    fn start(extra: &[&str]) -> Self {
        let mut child = StdCommand::new(bin_path())
            .env_clear()
            .env("HUMANOS_CONFIG", "/nonexistent/x.toml")
            .env("HUMANOS_WEBHOOK_SIGNATURE_SECRET", WH_SIG)
            .env("HUMANOS_WEBHOOK_ENCRYPTION_SECRET", WH_ENC)
            .env("HUMANOS_WEBHOOK_ENCRYPTION_SALT", WH_SALT)
            .args(["webhook", "listen", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn listen");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first = String::new();
        stderr.read_line(&mut first).expect("first line");
        let url = first
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let collected = Arc::new(Mutex::new(first));
        let sink = collected.clone();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            sink.lock().expect("lock").push_str(&rest);
        });
        Self {
            child,
            url,
            stderr: collected,
        }
    }

    /// Waits for the process to exit by itself (`--max`), returning stdout and stderr.
    fn wait(mut self) -> (bool, String, String) {
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("read stdout");
        let status = self.child.wait().expect("wait");
        // Give the stderr thread a moment to drain after exit.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let stderr = self.stderr.lock().expect("lock").clone();
        (status.success(), stdout, stderr)
    }
}

#[test]
fn trigger_to_listen_round_trip() {
    let listener = Listener::start(&["--max", "2"]);
    // A delivery with a wrong secret is refused (401) and not counted.
    humanos_webhook()
        .env("HUMANOS_WEBHOOK_SIGNATURE_SECRET", "not-the-secret")
        .args(["webhook", "trigger", "--url", &listener.url])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("HTTP 401\n"))
        .stdout(predicate::str::contains("signature_mismatch"));
    for (event, id) in [("credential", "req_rt_1"), ("otp.failed", "req_rt_2")] {
        humanos_webhook()
            .args([
                "webhook",
                "trigger",
                "--url",
                &format!("{}/webhooks/humanos", listener.url),
            ])
            .args(["--event", event, "--request-id", id])
            .assert()
            .success()
            .stdout("HTTP 200\n{\n  \"status\": \"ok\"\n}\n");
    }
    let (ok, stdout, stderr) = listener.wait();
    assert!(
        ok,
        "listen exits 0 after --max deliveries; stderr: {stderr}"
    );
    assert!(
        stderr.contains("refused 401 signature_mismatch"),
        "{stderr}"
    );
    let blocks: Vec<&str> = stdout.split("--- ").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 2, "{stdout}");
    for (block, (event, id)) in blocks
        .iter()
        .zip([("credential", "req_rt_1"), ("otp.failed", "req_rt_2")])
    {
        let (header, json) = block.split_once('\n').expect("header line");
        let fields: Vec<&str> = header.split(' ').collect();
        assert_eq!(fields.len(), 3, "{header}");
        assert!(
            fields[0].ends_with('Z') && fields[0].contains('T'),
            "{header}"
        );
        assert_eq!(&fields[1..], &[event, id]);
        let printed: Value = serde_json::from_str(json).expect("event JSON");
        assert_eq!(printed, sample::of_type(event, id).expect("sample"));
    }
}

#[test]
fn listen_answers_the_documented_statuses() {
    let listener = Listener::start(&["--max", "1"]);
    let (file_status, _) = post_raw(&listener.url, &[("x-timestamp", "1")], b"{}");
    assert_eq!(file_status, 400); // missing x-signature
    let config = webhook_config();
    let d = config.seal(&sample::test("r")).expect("seal");
    let mut body = d.body.clone();
    body.truncate(body.len() - 3);
    let headers: Vec<(&str, String)> = d.headers().into_iter().collect();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    assert_eq!(post_raw(&listener.url, &headers, &body).0, 401);
    let (status, answer) = post_raw(&listener.url, &headers, &d.body);
    assert_eq!(status, 200, "{answer}");
    let (ok, stdout, _) = listener.wait();
    assert!(ok);
    assert!(stdout.contains("\"message\": \"This is a test event from Humanos\""));
}

/// A minimal HTTP/1.1 POST over a TcpStream (the tests need no HTTP client of their own).
fn post_raw(url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    use std::io::Write;
    let authority = url.strip_prefix("http://").expect("http URL");
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, answer)
}

#[test]
fn listen_forwards_the_decrypted_event() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/app/hook",
        axum::routing::post(move |body: bytes::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().expect("lock").push(body.to_vec());
                (axum::http::StatusCode::ACCEPTED, "thanks")
            }
        }),
    );
    let app_addr = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    let listener = Listener::start(&[
        "--max",
        "1",
        "--forward",
        &format!("http://{app_addr}/app/hook"),
    ]);
    humanos_webhook()
        .args([
            "webhook",
            "trigger",
            "--url",
            &listener.url,
            "--event",
            "identity",
            "--request-id",
            "req_fw",
        ])
        .assert()
        .success()
        .stdout("HTTP 202\nthanks\n");
    let (ok, _, stderr) = listener.wait();
    assert!(ok);
    assert!(stderr.contains("forwarded: HTTP 202"), "{stderr}");
    let got = received.lock().expect("lock").clone();
    assert_eq!(got.len(), 1);
    let forwarded: Value = serde_json::from_slice(&got[0]).expect("JSON");
    assert_eq!(forwarded, sample::identity("req_fw"));
}

#[test]
fn listen_port_in_use_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    humanos_webhook()
        .args(["webhook", "listen", "--port", &port])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot listen on 127.0.0.1"));
}
