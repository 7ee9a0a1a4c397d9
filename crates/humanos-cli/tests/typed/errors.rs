//! Refusals, transport and usage errors: a clear message, a hint and the documented exit code.

use predicates::prelude::*;

use super::common::humanos;
use super::{Env, start};

#[test]
fn errors_are_clear_and_exit_nonzero() {
    let env = start();
    no_credentials(&env);
    a_wrong_signature_secret(&env);
    nobody_listening(&env);
    usage_errors(&env);
    verbose_traces_never_a_secret(&env);
}

/// No credentials at all: 2, naming the variable.
fn no_credentials(env: &Env) {
    let mut cmd = humanos();
    cmd.env("HUMANOS_BASE_URL", env.sandbox.base_url())
        .args(["requests", "list"]);
    cmd.assert()
        .code(2)
        .stderr(predicate::str::contains("HUMANOS_API_KEY"));
}

/// A wrong signature secret: the sandbox answers 401, exit 1.
fn a_wrong_signature_secret(env: &Env) {
    let mut cmd = env.cli(&["requests", "list"]);
    cmd.env("HUMANOS_SIGNATURE_SECRET", "not-the-secret");
    let (_, stderr) = env.run_with(cmd, &["requests", "list (wrong secret)"], 1);
    assert!(
        stderr.contains("401") && stderr.contains("HUMANOS_SIGNATURE_SECRET"),
        "{stderr}"
    );
}

/// Nobody listening: 3.
fn nobody_listening(env: &Env) {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let (_, stderr) = env.run_code(&["actions", "list", "--base-url", &dead], 3);
    assert!(
        stderr.starts_with("error: HTTP transport error"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: is the API reachable?"), "{stderr}");
}

/// Usage errors: 2, before anything is sent.
fn usage_errors(env: &Env) {
    for (args, needle) in [
        (vec!["requests", "create"], "no user"),
        (
            vec![
                "requests",
                "create",
                "--contact",
                "a@x.io",
                "--action",
                "urn:via:action:x",
                "--user-param",
                "novalue",
            ],
            "NAME=VALUE",
        ),
        (
            vec!["requests", "create", "--data", "{broken"],
            "not valid JSON",
        ),
        (vec!["requests", "create", "--data", "[1]"], "JSON object"),
        (
            vec!["requests", "create", "--data", r#"{"users":"x"}"#],
            "not a request body",
        ),
        (
            vec!["credentials", "verify", "--param", "amount=1"],
            "no presentation",
        ),
        (
            vec!["credentials", "verify", "--vp", "{}"],
            "presentationEncoded",
        ),
        (
            vec!["credentials", "verify", "--vp", "@/nonexistent/vp.json"],
            "cannot read",
        ),
        (vec!["requests", "list", "--base-url", "not a url"], "base"),
    ] {
        let (_, stderr) = env.run_code(&args, 2);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(needle),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("\nhint: "), "{args:?}: {stderr}");
    }
    // clap refuses a mandate flag without --action, and a bad number.
    env.run_code(
        &[
            "requests",
            "create",
            "--contact",
            "a@x.io",
            "--user-param",
            "a=1",
        ],
        2,
    );
    env.run_code(&["requests", "list", "--page-size", "many"], 2);
}

/// -v and -vv trace the calls, never a secret.
fn verbose_traces_never_a_secret(env: &Env) {
    for v in ["-v", "-vv"] {
        let (_, stderr) = env.run_code(&["requests", "list", v], 0);
        assert!(stderr.contains("requests.list"), "{stderr}");
    }
}
