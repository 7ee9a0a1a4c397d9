//! Shared helpers: the built binary with a clean environment, and known secrets.
#![allow(dead_code, unreachable_pub)]

use assert_cmd::Command;

pub const WH_SIG: &str = "whsec_cli_test_5ecret";
pub const WH_ENC: &str = "Y2xpLXRlc3QtZW5jcnlwdGlvbi1zZWNyZXQ="; // base64("cli-test-encryption-secret")
pub const WH_SALT: &str = "cli-test-salt-9f3b";
pub const API_KEY: &str = "hk_live_cli_test_api_key_77a1";
pub const API_SECRET: &str = "sigsecret_cli_test_b2c4";
pub const APP_ID: &str = "a_8dcee8bb7963e46c";
pub const APP_KEY: &str = "appkey_cli_test_d00dfeed";

/// Every secret above (the app id is not a secret).
pub const SECRETS: [&str; 6] = [WH_SIG, WH_ENC, WH_SALT, API_KEY, API_SECRET, APP_KEY];

pub fn bin_path() -> &'static str {
    env!("CARGO_BIN_EXE_humanos")
}

/// The binary with an empty environment (no profile file, no HUMANOS_* variables).
pub fn humanos() -> Command {
    let mut cmd = Command::new(bin_path());
    cmd.env_clear()
        .env("HUMANOS_CONFIG", "/nonexistent/humanos-cli-test.toml")
        .env("NO_COLOR", "1");
    cmd
}

/// The binary with the webhook secrets in the environment.
pub fn humanos_webhook() -> Command {
    let mut cmd = humanos();
    cmd.env("HUMANOS_WEBHOOK_SIGNATURE_SECRET", WH_SIG)
        .env("HUMANOS_WEBHOOK_ENCRYPTION_SECRET", WH_ENC)
        .env("HUMANOS_WEBHOOK_ENCRYPTION_SALT", WH_SALT);
    cmd
}

/// The binary with the API credentials in the environment.
pub fn humanos_api() -> Command {
    let mut cmd = humanos();
    cmd.env("HUMANOS_API_KEY", API_KEY)
        .env("HUMANOS_SIGNATURE_SECRET", API_SECRET);
    cmd
}

pub fn webhook_config() -> humanos_webhooks::WebhookConfig {
    humanos_webhooks::WebhookConfig::new(WH_SIG, WH_ENC, WH_SALT).expect("config")
}

/// Asserts that no secret occurs in `text`.
pub fn assert_no_secret(text: &str, context: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "secret {secret:?} leaked in {context}:\n{text}"
        );
    }
}
