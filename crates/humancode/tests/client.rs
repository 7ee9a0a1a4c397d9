//! The client's configuration: builder validation, `Debug` redaction, `from_env`. The client
//! against the HumanCode emulator is tested in `crates/humanos-sandbox/tests/humancode_client.rs`,
//! beside the emulator (which depends on this crate).
#![cfg(feature = "client")]

use std::time::Duration;

use humancode::{Error, HumanCodeClient};

const APP_ID: &str = "a_8dcee8bb7963e46c";
const APP_KEY: &str = "test-app-key-that-must-never-leak";

/// No error, whatever its variant, may show the APP_KEY.
fn assert_no_secret(error: &Error) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(APP_KEY), "secret leaked: {shown}");
}

#[test]
fn builder_validates_and_debug_redacts() {
    let client = HumanCodeClient::new(APP_ID, APP_KEY).unwrap();
    assert_eq!(client.base_url().as_str(), "https://humancodeai.com");
    assert_eq!(client.timeout(), humancode::DEFAULT_TIMEOUT);
    assert_eq!(client.app_id(), APP_ID);
    let shown = format!("{client:?}");
    assert!(
        !shown.contains(APP_KEY) && shown.contains("REDACTED"),
        "{shown}"
    );
    let builder = HumanCodeClient::builder().app_id(APP_ID).app_key(APP_KEY);
    assert!(!format!("{builder:?}").contains(APP_KEY));

    for result in [
        HumanCodeClient::builder().app_key(APP_KEY).build(),
        HumanCodeClient::builder().app_id(APP_ID).build(),
        HumanCodeClient::builder()
            .app_id(APP_ID)
            .app_key(APP_KEY)
            .base_url("humancodeai.com")
            .build(),
        HumanCodeClient::builder()
            .app_id(APP_ID)
            .app_key(APP_KEY)
            .base_url("https://humancodeai.com/?x=1")
            .build(),
        HumanCodeClient::builder()
            .app_id(APP_ID)
            .app_key(APP_KEY)
            .timeout(Duration::ZERO)
            .build(),
    ] {
        let error = result.unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        assert_no_secret(&error);
    }
}

/// `from_env` is checked in a child process: this crate forbids `unsafe`, and `set_var` is
/// unsafe in edition 2024.
#[test]
fn from_env_reads_the_environment() {
    let exe = std::env::current_exe().unwrap();
    let run = |envs: &[(&str, &str)]| {
        let mut command = std::process::Command::new(&exe);
        command
            .args(["from_env_child", "--exact", "--nocapture"])
            .env_remove("HUMANCODE_APP_ID")
            .env_remove("HUMANCODE_APP_KEY")
            .env_remove("HUMANCODE_BASE_URL")
            .env("HUMANCODE_FROM_ENV_CHILD", "1");
        for (k, v) in envs {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let out = run(&[
        ("HUMANCODE_APP_ID", APP_ID),
        ("HUMANCODE_APP_KEY", APP_KEY),
        ("HUMANCODE_BASE_URL", "http://127.0.0.1:9"),
    ]);
    assert!(
        out.contains("CHILD ok a_8dcee8bb7963e46c http://127.0.0.1:9"),
        "{out}"
    );
    let out = run(&[("HUMANCODE_APP_ID", APP_ID), ("HUMANCODE_APP_KEY", APP_KEY)]);
    assert!(
        out.contains("CHILD ok a_8dcee8bb7963e46c https://humancodeai.com"),
        "{out}"
    );
    let out = run(&[("HUMANCODE_APP_ID", APP_ID)]);
    assert!(
        out.contains("CHILD err environment variable HUMANCODE_APP_KEY"),
        "{out}"
    );
    let out = run(&[]);
    assert!(
        out.contains("CHILD err environment variable HUMANCODE_APP_ID"),
        "{out}"
    );
}

#[test]
fn from_env_child() {
    if std::env::var_os("HUMANCODE_FROM_ENV_CHILD").is_none() {
        return;
    }
    match HumanCodeClient::from_env() {
        Ok(client) => println!("CHILD ok {} {}", client.app_id(), client.base_url()),
        Err(Error::Config(config)) => {
            let message = config.to_string();
            assert!(!message.contains(APP_KEY));
            println!("CHILD err {message}");
        }
        Err(other) => panic!("{other:?}"),
    }
}
