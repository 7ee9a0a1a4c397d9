//! `humanos humancode ...` against the signature-checking HumanCode emulator on 127.0.0.1
//! (`humanos_sandbox::humancode_emulator::Emulator`, the one the `humancode` crate's own tests use).

mod common;

use common::*;
use humanos_sandbox::humancode_emulator as emulator;
use predicates::prelude::*;
use serde_json::Value;

struct Env {
    _runtime: tokio::runtime::Runtime,
    emulator: emulator::Emulator,
}

fn start() -> Env {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = runtime
        .block_on(emulator::Emulator::start(APP_ID, APP_KEY, 0))
        .expect("emulator");
    Env {
        _runtime: runtime,
        emulator,
    }
}

fn hc(env: &Env) -> assert_cmd::Command {
    let mut cmd = humanos();
    cmd.env("HUMANCODE_APP_ID", APP_ID)
        .env("HUMANCODE_APP_KEY", APP_KEY)
        .env("HUMANCODE_BASE_URL", env.emulator.base_url());
    cmd
}

fn json_out(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.assert().success();
    serde_json::from_slice(&out.get_output().stdout).expect("JSON")
}

#[test]
fn session_vcode_show_id_flow() {
    let env = start();
    let session = json_out(hc(&env).args(["humancode", "session"]));
    let session_id = session["session_id"]
        .as_str()
        .expect("session_id")
        .to_owned();
    let created = session["created_at_ms"].as_u64().expect("created");
    assert_eq!(session["expires_at_ms"].as_u64(), Some(created + 600_000));

    let vcode = env.emulator.scan(&session_id, None).expect("scan");
    let human = json_out(hc(&env).args(["humancode", "verify-vcode", &session_id, &vcode]));
    let human_id = human["human_id"].as_str().expect("human_id");
    assert!(human_id.starts_with("u_"), "{human}");

    let show = json_out(hc(&env).args(["humancode", "show-id", human_id]));
    assert!(
        show["show_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{show}"
    );

    // The vcode was used: HumanCode refuses it (exit 1, code named).
    hc(&env)
        .args(["humancode", "verify-vcode", &session_id, &vcode])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: HumanCode API error"));
}

#[test]
fn session_with_callback_prints_the_page_urls() {
    let env = start();
    let cb = "https://app.example.com/humancode/callback";
    let out = json_out(hc(&env).args(["humancode", "session", "--callback", cb]));
    let url = out["registration_url"].as_str().expect("registration_url");
    assert!(
        url.starts_with(&format!(
            "{}/registration/index.html?",
            env.emulator.base_url()
        )),
        "{url}"
    );
    assert!(url.contains(out["session_id"].as_str().expect("id")));
    let out = json_out(hc(&env).args([
        "humancode",
        "session",
        "--callback",
        cb,
        "--human-id",
        "h_1",
    ]));
    assert!(
        out["verification_url"]
            .as_str()
            .expect("url")
            .contains("/verification/index.html?")
    );
    hc(&env)
        .args(["humancode", "session", "--callback", "not a url"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid callback URL"));
}

#[test]
fn wrong_app_key_is_refused_with_exit_1() {
    let env = start();
    hc(&env)
        .env("HUMANCODE_APP_KEY", "not-the-key")
        .args(["humancode", "session"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("10001"))
        .stderr(predicate::str::contains(
            "hint: signature refused: check HUMANCODE_APP_KEY",
        ));
}

#[test]
fn configuration_and_transport_errors() {
    humanos()
        .env("HUMANCODE_APP_ID", APP_ID)
        .args(["humancode", "session"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: the HumanCode APP_KEY is not configured",
        ));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    humanos()
        .env("HUMANCODE_APP_ID", APP_ID)
        .env("HUMANCODE_APP_KEY", APP_KEY)
        .env("HUMANCODE_BASE_URL", format!("http://127.0.0.1:{port}"))
        .args(["humancode", "show-id", "h_1"])
        .assert()
        .code(3);
    let env = start();
    hc(&env)
        .args(["humancode", "verify-vcode", "bad id!", "123456"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid session_id"));
}
