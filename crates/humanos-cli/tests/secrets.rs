//! No command ever prints a secret: successes, refusals, configuration errors, with -v and -vv.
//! (`sign` prints the API key by design, in the Authorization header; nothing else.)

mod common;

use common::*;

fn check(mut cmd: assert_cmd::Command, context: &str, allow_api_key: bool) {
    let out = cmd.output().expect("run");
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in SECRETS {
            if allow_api_key && secret == API_KEY && stream == "stdout" {
                continue;
            }
            assert!(
                !text.contains(secret),
                "{context}: secret {secret:?} in {stream}:\n{text}"
            );
        }
    }
}

/// The binary with every secret given as flags as well as in the environment.
fn everything(args: &[&str], verbosity: &str) -> assert_cmd::Command {
    let mut cmd = humanos_webhook();
    cmd.env("HUMANOS_API_KEY", API_KEY)
        .env("HUMANOS_SIGNATURE_SECRET", API_SECRET)
        .env("HUMANCODE_APP_ID", APP_ID)
        .env("HUMANCODE_APP_KEY", APP_KEY)
        .args(args);
    if !verbosity.is_empty() {
        cmd.arg(verbosity);
    }
    cmd
}

#[test]
fn no_secret_in_any_output() {
    let f = fixture();
    let cases = [
        webhook_cases(&f),
        api_cases(&f),
        help_and_humancode_cases(&f),
    ]
    .concat();
    for (args, allow_api_key) in &cases {
        for verbosity in ["", "-v", "-vv"] {
            check(
                everything(args, verbosity),
                &format!("{args:?} {verbosity}"),
                *allow_api_key,
            );
        }
    }
}

/// The arguments of one run, and whether its stdout may hold the API key (`sign`).
type Case<'a> = (Vec<&'a str>, bool);

/// What the cases point at: a sealed delivery in a file, and a port nobody listens on.
struct Fixture {
    _body: tempfile::NamedTempFile,
    body_path: String,
    signature: String,
    ts: String,
    dead: String,
    zeros: String,
}

fn fixture() -> Fixture {
    let config = webhook_config();
    let d = config
        .seal(&humanos_webhooks::sample::credential("req_s"))
        .expect("seal");
    let mut body = tempfile::NamedTempFile::new().expect("temp");
    std::io::Write::write_all(&mut body, &d.body).expect("write");
    let body_path = body.path().to_str().expect("path").to_owned();
    let ts = d.timestamp.to_string();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let zeros = "0".repeat(64);
    Fixture {
        _body: body,
        body_path,
        signature: d.signature,
        ts,
        dead,
        zeros,
    }
}

/// `webhook open` and `trigger`: accepted, refused, secrets as flags, unreachable endpoint.
fn webhook_cases(f: &Fixture) -> Vec<Case<'_>> {
    let (body_path, ts, dead) = (f.body_path.as_str(), f.ts.as_str(), f.dead.as_str());
    let wh_flags = [
        "--webhook-signature-secret",
        WH_SIG,
        "--webhook-encryption-secret",
        WH_ENC,
        "--webhook-encryption-salt",
        WH_SALT,
    ];
    let open_ok: Vec<&str> = [
        "webhook",
        "open",
        body_path,
        "--signature",
        &f.signature,
        "--timestamp",
        ts,
    ]
    .to_vec();
    let open_bad: Vec<&str> = [
        "webhook",
        "open",
        body_path,
        "--signature",
        &f.zeros,
        "--timestamp",
        ts,
    ]
    .to_vec();
    let open_flags: Vec<&str> = open_ok.iter().copied().chain(wh_flags).collect();
    let trigger_dead: Vec<&str> =
        vec!["webhook", "trigger", "--url", dead, "--event", "credential"];
    vec![
        (open_ok.clone(), false),
        (open_bad, false),
        (open_flags, false),
        (vec!["webhook", "open", body_path, "--timestamp", ts], false),
        (vec!["webhook", "trigger", "--print"], false),
        (trigger_dead, false),
        (
            vec![
                "webhook",
                "open",
                "--webhook-encryption-secret",
                "not base64 at all!!",
                body_path,
            ],
            false,
        ),
    ]
}

/// `sign` (which may print the API key), `api` and the typed commands.
fn api_cases(f: &Fixture) -> Vec<Case<'_>> {
    let dead = f.dead.as_str();
    vec![
        (vec!["sign", "--data", "{\"a\":1}"], true),
        (
            vec![
                "sign",
                "--format",
                "json",
                "--api-key",
                API_KEY,
                "--signature-secret",
                API_SECRET,
            ],
            true,
        ),
        (vec!["sign", "--data", "{broken"], false),
        (vec!["api", "GET", "/request", "--base-url", dead], false),
        (vec!["requests", "list", "--base-url", dead], false),
        (
            vec![
                "credentials",
                "verify",
                "--encoded",
                "eyJ9",
                "--base-url",
                dead,
                "--api-key",
                API_KEY,
            ],
            false,
        ),
        (vec!["requests", "create", "--data", "{broken"], false),
    ]
}

/// `--help` pages, and HumanCode calls that fail.
fn help_and_humancode_cases(f: &Fixture) -> Vec<Case<'_>> {
    let hc_dead: Vec<&str> = vec![
        "humancode",
        "session",
        "--humancode-base-url",
        &f.dead,
        "--app-key",
        APP_KEY,
    ];
    vec![
        (vec!["credentials", "verify", "--help"], false),
        (vec!["sandbox", "--help"], false),
        (hc_dead, false),
        (vec!["humancode", "show-id", "bad id!"], false),
        (vec!["webhook", "trigger", "--help"], false),
        (vec!["sign", "--help"], false),
        (vec!["humancode", "session", "--help"], false),
    ]
}

#[test]
fn no_secret_when_the_profile_file_is_broken() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!("[profile.default]\nwebhook_signature_secret = \"{WH_SIG}\"\napi_key = \"{API_KEY}\" oops\n"),
    )
    .expect("write");
    let out = humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["sign"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(line 3)"), "{stderr}");
    assert_no_secret(&stderr, "broken profile");
    std::fs::write(
        &path,
        format!("[profile.default]\napi_kye = \"{API_KEY}\"\n"),
    )
    .expect("write");
    let out = humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["sign"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("unknown field `api_kye`"), "{stderr}");
    assert_no_secret(&stderr, "typo in profile");
}
