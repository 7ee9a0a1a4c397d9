//! `humanos sandbox` as a child process on a free port: its stdout is a shell script of
//! `export` lines that point the other commands at it.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use predicates::prelude::*;

/// A running `humanos sandbox`, killed on drop.
struct Running {
    child: Child,
    /// The `export NAME=VALUE` lines of its stdout.
    env: BTreeMap<String, String>,
    /// Its stdout up to the last export line.
    script: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = std::process::Command::new(bin_path())
        .env_clear()
        .env("HUMANOS_CONFIG", "/nonexistent/humanos-cli-test.toml")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .args(["sandbox", "--port", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut running = Running {
        child,
        env: BTreeMap::new(),
        script: String::new(),
    };
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the sandbox prints its export lines");
        running.script.push_str(&line);
        running.script.push('\n');
        if let Some((name, value)) = line
            .strip_prefix("export ")
            .and_then(|kv| kv.split_once('='))
        {
            running.env.insert(name.to_owned(), value.to_owned());
            if name == "HUMANOS_SANDBOX_ADMIN_TOKEN" {
                break;
            }
        }
    }
    running
}

impl Running {
    /// The binary with the sandbox's exports in its environment.
    fn cli(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = humanos();
        cmd.envs(&self.env).args(args);
        cmd
    }
}

#[test]
fn sandbox_prints_a_sourceable_script_and_serves_the_other_commands() {
    let dir = tempfile::tempdir().expect("dir");
    let actions = dir.path().join("actions.json");
    std::fs::write(
        &actions,
        r#"[{"id": "urn:via:action:buy", "name": "Buy", "executionParams": {"amount": {"type": "number"}},
            "rules": ["executionParams.amount <= 100"]}]"#,
    )
    .expect("write");
    let running = start(&["--actions", actions.to_str().expect("path")], &[]);

    for line in running.script.lines() {
        assert!(
            line.starts_with("# ") || line.starts_with("export "),
            "not shell: {line}"
        );
    }
    let base = &running.env["HUMANOS_BASE_URL"];
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(!base.ends_with(":0"), "{base}");
    for name in [
        "HUMANOS_API_KEY",
        "HUMANOS_SIGNATURE_SECRET",
        "HUMANOS_WEBHOOK_SIGNATURE_SECRET",
        "HUMANOS_WEBHOOK_ENCRYPTION_SECRET",
        "HUMANOS_WEBHOOK_ENCRYPTION_SALT",
        "HUMANCODE_BASE_URL",
        "HUMANCODE_APP_ID",
        "HUMANCODE_APP_KEY",
        "HUMANOS_SANDBOX_ADMIN_TOKEN",
    ] {
        assert!(
            running.env.get(name).is_some_and(|v| !v.is_empty()),
            "{name} missing: {}",
            running.script
        );
    }

    // Its credentials work: signed calls from the other commands succeed.
    running
        .cli(&["actions", "list", "--table"])
        .assert()
        .success()
        .stdout(predicate::str::contains("urn:via:action:buy"));
    running
        .cli(&["requests", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"data\": []"));
    // And a wrong key is refused by it.
    running
        .cli(&["requests", "list"])
        .env("HUMANOS_API_KEY", "sk_wrong")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("401"));
}

#[test]
fn sandbox_flags_and_environment_are_the_sandbox_binary_s() {
    // `humanos_sandbox::SandboxArgs`: SANDBOX_* variables and the same flags.
    let running = start(
        &["--signature-secret", API_SECRET],
        &[("SANDBOX_API_KEY", API_KEY)],
    );
    assert_eq!(running.env["HUMANOS_API_KEY"], API_KEY);
    humanos_api()
        .env("HUMANOS_BASE_URL", &running.env["HUMANOS_BASE_URL"])
        .args(["requests", "list"])
        .assert()
        .success();
}

#[test]
fn sandbox_start_errors_exit_nonzero() {
    humanos()
        .args(["sandbox", "--port", "0", "--actions", "/nonexistent/actions.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: cannot start the sandbox: action definition: cannot read /nonexistent/actions.json",
        ));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    humanos()
        .args(["sandbox", "--port", &port])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "hint: is the port already in use?",
        ));
}
