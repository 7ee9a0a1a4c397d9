//! `--help` on every command exits 0 and shows an `Examples:` section.

mod common;

use common::humanos;
use predicates::prelude::*;

const COMMANDS: &[&[&str]] = &[
    &[],
    &["webhook"],
    &["webhook", "open"],
    &["webhook", "listen"],
    &["webhook", "trigger"],
    &["sign"],
    &["api"],
    &["humancode"],
    &["humancode", "session"],
    &["humancode", "verify-vcode"],
    &["humancode", "show-id"],
    &["requests"],
    &["requests", "list"],
    &["requests", "create"],
    &["requests", "detail"],
    &["requests", "cancel"],
    &["credentials"],
    &["credentials", "issue-vp"],
    &["credentials", "verify"],
    &["credentials", "revoke"],
    &["credentials", "detail"],
    &["credentials", "events"],
    &["actions"],
    &["actions", "list"],
    &["actions", "versions"],
    &["did"],
    &["did", "resolve"],
    &["sandbox"],
];

#[test]
fn every_command_has_help_with_examples() {
    for command in COMMANDS {
        humanos()
            .args(*command)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:\n  humanos "))
            .stderr("");
    }
}

#[test]
fn root_help_documents_exit_codes_and_configuration() {
    humanos()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("3  transport or server error"))
        .stdout(predicate::str::contains(
            "4  `credentials verify` answered deny",
        ))
        .stdout(predicate::str::contains("HUMANOS_CONFIG"));
}

#[test]
fn sign_help_says_the_api_key_is_printed() {
    humanos()
        .args(["sign", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("contains your API key"));
}

#[test]
fn usage_errors_exit_2() {
    humanos().assert().code(2);
    humanos().args(["webhook", "frobnicate"]).assert().code(2);
    humanos()
        .args(["webhook", "trigger", "--event", "nope", "--print"])
        .assert()
        .code(2);
}

#[test]
fn version() {
    humanos()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("humanos "));
}
