//! The secret flags of the API, webhook and HumanCode commands: each has an environment
//! variable and a `--NAME-file` twin (read by `config`).

use std::path::PathBuf;

use clap::Args;
use humanos_signing::secrecy::SecretString;

/// Parses a secret flag straight into a [`SecretString`], so that no argument struct holds it
/// as a plain `String` and `Debug` prints `[REDACTED]`.
fn secret_value(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

/// The webhook secrets of Settings -> Webhooks.
#[derive(Debug, Clone, Args)]
pub(crate) struct WebhookSecretArgs {
    /// Webhook signature secret.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = secret_value
    )]
    pub(crate) webhook_signature_secret: Option<SecretString>,
    /// Read the webhook signature secret from PATH (`-`: standard input) instead; wins over --webhook-signature-secret.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_SIGNATURE_SECRET_FILE",
        value_name = "PATH"
    )]
    pub(crate) webhook_signature_secret_file: Option<PathBuf>,
    /// Webhook encryption secret (base64, as the dashboard shows it).
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = secret_value
    )]
    pub(crate) webhook_encryption_secret: Option<SecretString>,
    /// Read the webhook encryption secret from PATH (`-`: standard input) instead; wins over --webhook-encryption-secret.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SECRET_FILE",
        value_name = "PATH"
    )]
    pub(crate) webhook_encryption_secret_file: Option<PathBuf>,
    /// Webhook encryption salt.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SALT",
        hide_env_values = true,
        value_name = "SALT",
        value_parser = secret_value
    )]
    pub(crate) webhook_encryption_salt: Option<SecretString>,
    /// Read the webhook encryption salt from PATH (`-`: standard input) instead; wins over --webhook-encryption-salt.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SALT_FILE",
        value_name = "PATH"
    )]
    pub(crate) webhook_encryption_salt_file: Option<PathBuf>,
    /// A previous signature secret still accepted (rotation in progress).
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = secret_value
    )]
    pub(crate) webhook_previous_signature_secret: Option<SecretString>,
    /// Read the previous signature secret from PATH (`-`: standard input) instead; wins over --webhook-previous-signature-secret.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET_FILE",
        value_name = "PATH"
    )]
    pub(crate) webhook_previous_signature_secret_file: Option<PathBuf>,
}

/// API credentials.
#[derive(Debug, Clone, Args)]
pub(crate) struct ApiCredentialArgs {
    /// API key (sent as `Authorization: Bearer <key>`).
    #[arg(
        long,
        env = "HUMANOS_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        value_parser = secret_value
    )]
    pub(crate) api_key: Option<SecretString>,
    /// Read the API key from PATH (`-`: standard input) instead; wins over --api-key.
    #[arg(long, env = "HUMANOS_API_KEY_FILE", value_name = "PATH")]
    pub(crate) api_key_file: Option<PathBuf>,
    /// Signature secret used for `X-Signature`.
    #[arg(
        long,
        env = "HUMANOS_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = secret_value
    )]
    pub(crate) signature_secret: Option<SecretString>,
    /// Read the signature secret from PATH (`-`: standard input) instead; wins over --signature-secret.
    #[arg(long, env = "HUMANOS_SIGNATURE_SECRET_FILE", value_name = "PATH")]
    pub(crate) signature_secret_file: Option<PathBuf>,
}

/// HumanCode credentials.
#[derive(Debug, Clone, Args)]
pub(crate) struct HumanCodeCredentialArgs {
    /// HumanCode APP_ID.
    #[arg(long, env = "HUMANCODE_APP_ID", value_name = "ID")]
    pub(crate) app_id: Option<String>,
    /// HumanCode APP_KEY.
    #[arg(
        long,
        env = "HUMANCODE_APP_KEY",
        hide_env_values = true,
        value_name = "KEY",
        value_parser = secret_value
    )]
    pub(crate) app_key: Option<SecretString>,
    /// Read the APP_KEY from PATH (`-`: standard input) instead; wins over --app-key.
    #[arg(long, env = "HUMANCODE_APP_KEY_FILE", value_name = "PATH")]
    pub(crate) app_key_file: Option<PathBuf>,
    /// HumanCode root URL (default https://humancodeai.com).
    #[arg(long, env = "HUMANCODE_BASE_URL", value_name = "URL")]
    pub(crate) humancode_base_url: Option<String>,
}
