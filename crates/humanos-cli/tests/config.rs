//! Configuration precedence: profile file < environment < flags.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

const TS: &str = "1767225600000";

fn profile_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profile.default]\napi_key = \"{API_KEY}\"\nsignature_secret = \"{API_SECRET}\"\n\n\
             [profile.staging]\napi_key = \"key-staging\"\nsignature_secret = \"secret-staging\"\n\
             webhook_signature_secret = \"{WH_SIG}\"\nwebhook_encryption_secret = \"{WH_ENC}\"\n\
             webhook_encryption_salt = \"{WH_SALT}\"\n"
        ),
    )
    .expect("write");
    private(&path);
    (dir, path)
}

/// `chmod 600`, as a profile file holding secrets should be.
fn private(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let _ = path;
}

fn signed(cmd: &mut assert_cmd::Command) -> (String, String) {
    signed_with(cmd, &[])
}

fn signed_with(cmd: &mut assert_cmd::Command, flags: &[&str]) -> (String, String) {
    let out = cmd
        .args(["sign", "--format", "json", "--timestamp", TS])
        .args(flags)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    (
        v["headers"]["Authorization"]
            .as_str()
            .expect("auth")
            .to_owned(),
        v["headers"]["X-Signature"]
            .as_str()
            .expect("sig")
            .to_owned(),
    )
}

fn sig(secret: &str) -> String {
    humanos_signing::request_signature(secret.as_bytes(), TS.parse().expect("ts"), b"")
}

#[test]
fn default_profile_then_env_then_flags() {
    let (_dir, path) = profile_file();
    let (auth, s) = signed(humanos().env("HUMANOS_CONFIG", &path));
    assert_eq!((auth, s), (format!("Bearer {API_KEY}"), sig(API_SECRET)));

    let (auth, s) = signed(
        humanos()
            .env("HUMANOS_CONFIG", &path)
            .env("HUMANOS_SIGNATURE_SECRET", "from-env"),
    );
    assert_eq!((auth, s), (format!("Bearer {API_KEY}"), sig("from-env")));

    let (auth, s) = signed_with(
        humanos()
            .env("HUMANOS_CONFIG", &path)
            .env("HUMANOS_SIGNATURE_SECRET", "from-env"),
        &["--signature-secret", "from-flag", "--api-key", "key-flag"],
    );
    assert_eq!((auth, s), ("Bearer key-flag".to_owned(), sig("from-flag")));
}

#[test]
fn named_profile() {
    let (_dir, path) = profile_file();
    let (auth, s) = signed(
        humanos()
            .env("HUMANOS_CONFIG", &path)
            .args(["--profile", "staging"]),
    );
    assert_eq!(
        (auth, s),
        ("Bearer key-staging".to_owned(), sig("secret-staging"))
    );
    let (auth, _) = signed(
        humanos()
            .env("HUMANOS_CONFIG", &path)
            .env("HUMANOS_PROFILE", "staging"),
    );
    assert_eq!(auth, "Bearer key-staging");
    // Webhook secrets from the profile.
    humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["--profile", "staging", "webhook", "trigger", "--print"])
        .assert()
        .success();
    humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["webhook", "trigger", "--print"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("webhook_signature_secret"));
}

#[test]
fn unknown_profile_or_missing_file_named_explicitly() {
    let (_dir, path) = profile_file();
    humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["--profile", "prod", "sign"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: no profile `prod` in"))
        .stderr(predicate::str::contains(
            "hint: profiles in the file: default, staging",
        ));
    humanos_api()
        .args(["--profile", "prod", "sign"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the profile file"));
    // Without --profile a missing file is just no profile.
    humanos_api().args(["sign"]).assert().success();
}

#[test]
fn home_config_location() {
    let home = tempfile::tempdir().expect("home");
    let dir = home.path().join(".config/humanos");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("config.toml"),
        format!("[profile.default]\napi_key = \"k-home\"\nsignature_secret = \"{API_SECRET}\"\n"),
    )
    .expect("write");
    private(&dir.join("config.toml"));
    let (auth, _) = signed(
        humanos()
            .env_remove("HUMANOS_CONFIG")
            .env("HOME", home.path()),
    );
    assert_eq!(auth, "Bearer k-home");
}

#[cfg(unix)]
#[test]
fn a_profile_file_readable_by_others_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_dir, path) = profile_file();
    humanos()
        .env("HUMANOS_CONFIG", &path)
        .args(["sign", "--timestamp", TS])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    for mode in [0o640, 0o604, 0o644] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let out = humanos()
            .env("HUMANOS_CONFIG", &path)
            .args(["sign", "--timestamp", TS])
            .assert()
            .success()
            .stderr(predicate::str::contains("is readable by group or others"))
            .stderr(predicate::str::contains("chmod 600"));
        assert_no_secret(
            &String::from_utf8_lossy(&out.get_output().stderr),
            "warning",
        );
    }
}

#[test]
fn secrets_from_files_and_stdin() {
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("api-key");
    let secret_file = dir.path().join("signature-secret");
    // A trailing newline, as `echo` writes it, is not part of the secret.
    std::fs::write(&key_file, "key-from-file\n").expect("write");
    std::fs::write(&secret_file, "secret-from-file\r\n").expect("write");
    let key = key_file.to_str().expect("path");
    let secret = secret_file.to_str().expect("path");

    a_file_wins_over_the_flag_and_the_environment(key, secret);
    file_variables_and_standard_input(key);
    stdin_once_and_unreadable_files_name_the_file(&dir, secret);
    webhook_secrets_from_a_file(&dir);
}

/// --NAME-file wins over the flag and the environment.
fn a_file_wins_over_the_flag_and_the_environment(key: &str, secret: &str) {
    let (auth, s) = signed_with(
        &mut humanos_api(),
        &[
            "--api-key-file",
            key,
            "--signature-secret-file",
            secret,
            "--api-key",
            "key-flag",
        ],
    );
    assert_eq!(
        (auth, s),
        ("Bearer key-from-file".to_owned(), sig("secret-from-file"))
    );
}

/// The *_FILE variables, and `-` for standard input.
fn file_variables_and_standard_input(key: &str) {
    let (auth, s) = signed_with(
        humanos()
            .env("HUMANOS_API_KEY_FILE", key)
            .write_stdin("secret-from-stdin\n"),
        &["--signature-secret-file", "-"],
    );
    assert_eq!(
        (auth, s),
        ("Bearer key-from-file".to_owned(), sig("secret-from-stdin"))
    );
}

/// Standard input serves one secret only; an empty or missing file is an error that names
/// the file, never a value.
fn stdin_once_and_unreadable_files_name_the_file(dir: &tempfile::TempDir, secret: &str) {
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("write");
    for (flags, expected) in [
        (
            vec!["--api-key-file", "-", "--signature-secret-file", "-"],
            "standard input was already read",
        ),
        (
            vec![
                "--api-key-file",
                empty.to_str().expect("path"),
                "--signature-secret-file",
                secret,
            ],
            "is empty",
        ),
        (
            vec![
                "--api-key-file",
                "/nonexistent/key",
                "--signature-secret-file",
                secret,
            ],
            "cannot read the API key from /nonexistent/key",
        ),
    ] {
        let out = humanos()
            .args(["sign", "--timestamp", TS])
            .args(&flags)
            .write_stdin("only-once\n")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            !stderr.contains("secret-from-file") && !stderr.contains("only-once"),
            "{stderr}"
        );
    }
}

/// The webhook and HumanCode secrets have their file twins too.
fn webhook_secrets_from_a_file(dir: &tempfile::TempDir) {
    let wh = dir.path().join("wh");
    std::fs::write(&wh, WH_SIG).expect("write");
    humanos_webhook()
        .env_remove("HUMANOS_WEBHOOK_SIGNATURE_SECRET")
        .args([
            "webhook",
            "trigger",
            "--print",
            "--webhook-signature-secret-file",
        ])
        .arg(&wh)
        .assert()
        .success();
}

#[test]
fn a_plain_http_api_root_off_loopback_is_refused_unless_allowed() {
    // Refused before anything is sent (nothing listens on 10.255.255.1:9).
    let out = humanos_api()
        .args(["requests", "list", "--base-url", "http://10.255.255.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain http"))
        .stderr(predicate::str::contains("--allow-insecure-http"));
    assert_no_secret(
        &String::from_utf8_lossy(&out.get_output().stderr),
        "http refusal",
    );
    // With the flag the client is built and tries to connect (a transport error, exit 3).
    humanos_api()
        .args(["requests", "list", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(3);
    // 0.0.0.0 is not a loopback name, yet Linux connects it to this machine: refused fast.
    humanos_api()
        .args(["requests", "list", "--base-url", "http://0.0.0.0:9"])
        .assert()
        .code(2);
    humanos_api()
        .args(["requests", "list", "--allow-insecure-http"])
        .args(["--base-url", "http://0.0.0.0:9"])
        .assert()
        .code(3);
    // `humanos api` applies the same check.
    humanos_api()
        .args(["api", "GET", "/request", "--base-url", "http://0.0.0.0:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain http"));
    humanos_api()
        .args(["api", "GET", "/request", "--allow-insecure-http"])
        .args(["--base-url", "http://0.0.0.0:9"])
        .assert()
        .code(3);
}

#[test]
fn mcp_over_stdio_refuses_a_secret_read_from_stdin() {
    // Over stdio the MCP client owns standard input: before, the key took the client's messages.
    for (flag, env) in [
        ("--api-key-file", "HUMANOS_API_KEY_FILE"),
        ("--signature-secret-file", "HUMANOS_SIGNATURE_SECRET_FILE"),
    ] {
        let refused =
            format!("error: {flag} - reads standard input, which the MCP stdio transport uses");
        humanos_api()
            .args(["mcp", flag, "-"])
            .write_stdin("hk_from_stdin\n")
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(refused.clone()))
            .stderr(predicate::str::contains("serve with --http"));
        humanos_api()
            .env(env, "-")
            .arg("mcp")
            .write_stdin("hk_from_stdin\n")
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(refused));
    }
}
