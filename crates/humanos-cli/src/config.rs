//! Configuration: the profile file, overridden by the environment, overridden by flags.
//!
//! clap already merges flags over environment variables (`#[arg(env = ...)]`); this module reads
//! the profile file and fills in what neither gave.

use std::path::{Path, PathBuf};
use std::time::Duration;

use humanos_signing::secrecy::{ExposeSecret, SecretString};
use humanos_webhooks::{WebhookConfig, WebhookConfigError};
use serde::Deserialize;

use crate::cli::{ApiCredentialArgs, HumanCodeCredentialArgs, WebhookSecretArgs};
use crate::error::{CliError, Result};
use crate::output::read_input;

/// Environment variable naming the profile file.
const ENV_CONFIG: &str = "HUMANOS_CONFIG";

/// One `[profile.NAME]` section. Unknown keys are refused so that a typo is not silently
/// ignored.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    api_key: Option<String>,
    signature_secret: Option<String>,
    base_url: Option<String>,
    webhook_signature_secret: Option<String>,
    webhook_encryption_secret: Option<String>,
    webhook_encryption_salt: Option<String>,
    webhook_previous_signature_secret: Option<String>,
    humancode_app_id: Option<String>,
    humancode_app_key: Option<String>,
    humancode_base_url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profile: std::collections::BTreeMap<String, Profile>,
}

/// The profile values, secrets wrapped so they are never printed by accident.
#[derive(Default)]
pub(crate) struct Settings {
    api_key: Option<SecretString>,
    signature_secret: Option<SecretString>,
    base_url: Option<String>,
    webhook_signature_secret: Option<SecretString>,
    webhook_encryption_secret: Option<SecretString>,
    webhook_encryption_salt: Option<SecretString>,
    webhook_previous_signature_secret: Option<SecretString>,
    humancode_app_id: Option<String>,
    humancode_app_key: Option<SecretString>,
    humancode_base_url: Option<String>,
}

fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV_CONFIG).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME").filter(|p| !p.is_empty())?;
    Some(Path::new(&home).join(".config/humanos/config.toml"))
}

fn secret(value: Option<String>) -> Option<SecretString> {
    value.filter(|v| !v.is_empty()).map(SecretString::from)
}

/// A secret given on the command line: its `--NAME-file` (a path, or `-` for stdin) wins over
/// the flag or environment value, which wins over the profile. Empty values count as absent.
fn pick(
    file: &Option<PathBuf>,
    flag: &Option<SecretString>,
    profile: &Option<SecretString>,
    what: &str,
) -> Result<Option<SecretString>> {
    if let Some(path) = file {
        return read_secret_file(path, what).map(Some);
    }
    Ok(flag
        .clone()
        .filter(|v| !v.expose_secret().is_empty())
        .or_else(|| profile.clone()))
}

/// Reads a secret from `path` (`-`: stdin), without the surrounding whitespace an editor or
/// `echo` adds. Errors name the file, never its content.
fn read_secret_file(path: &Path, what: &str) -> Result<SecretString> {
    let bytes = zeroize::Zeroizing::new(read_input(Some(path), what)?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::usage(
            format!("{what} in {} is not UTF-8", path.display()),
            "the file must hold the secret as text",
        )
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Err(CliError::usage(
            format!("{what} in {} is empty", path.display()),
            "write the secret into the file (one line)",
        ));
    }
    Ok(SecretString::from(text))
}

/// Warns when the profile file, which holds secrets, is readable by group or others.
#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: the profile file {} is readable by group or others (mode {mode:03o}) \
                 and holds secrets; run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

impl Settings {
    /// Reads the profile `name` (or `default`) from the profile file. A missing file is an empty
    /// profile unless a profile was named explicitly.
    pub(crate) fn load(name: Option<&str>) -> Result<Self> {
        let explicit = name.is_some();
        let name = name.unwrap_or("default");
        let Some(path) = config_path() else {
            return Ok(Self::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Self::default());
            }
            Err(err) => {
                return Err(CliError::usage(
                    format!("cannot read the profile file {}: {err}", path.display()),
                    format!(
                        "create it with a [profile.{name}] section, or point {ENV_CONFIG} at it"
                    ),
                ));
            }
        };
        warn_if_shared(&path);
        let file: File = toml::from_str(&text).map_err(|err| {
            // `Display` of a TOML error quotes the offending line, which may hold a secret:
            // report the line number and the message only.
            let line = err
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            CliError::usage(
                format!(
                    "the profile file {} is not valid{at}: {}",
                    path.display(),
                    err.message()
                ),
                "keys of [profile.NAME]: api_key, signature_secret, base_url, webhook_signature_secret, webhook_encryption_secret, webhook_encryption_salt, webhook_previous_signature_secret, humancode_app_id, humancode_app_key, humancode_base_url",
            )
        })?;
        let mut profiles = file.profile;
        let profile = match profiles.remove(name) {
            Some(profile) => profile,
            None if !explicit => Profile::default(),
            None => {
                let known: Vec<_> = profiles.keys().map(String::as_str).collect();
                return Err(CliError::usage(
                    format!("no profile `{name}` in {}", path.display()),
                    if known.is_empty() {
                        format!("add a [profile.{name}] section")
                    } else {
                        format!("profiles in the file: {}", known.join(", "))
                    },
                ));
            }
        };
        Ok(Self {
            api_key: secret(profile.api_key),
            signature_secret: secret(profile.signature_secret),
            base_url: profile.base_url.filter(|v| !v.is_empty()),
            webhook_signature_secret: secret(profile.webhook_signature_secret),
            webhook_encryption_secret: secret(profile.webhook_encryption_secret),
            webhook_encryption_salt: secret(profile.webhook_encryption_salt),
            webhook_previous_signature_secret: secret(profile.webhook_previous_signature_secret),
            humancode_app_id: profile.humancode_app_id.filter(|v| !v.is_empty()),
            humancode_app_key: secret(profile.humancode_app_key),
            humancode_base_url: profile.humancode_base_url.filter(|v| !v.is_empty()),
        })
    }

    /// The webhook configuration from flags / environment, then the profile.
    pub(crate) fn webhook_config(
        &self,
        args: &WebhookSecretArgs,
        tolerance_secs: Option<u64>,
    ) -> Result<WebhookConfig> {
        let signature = pick(
            &args.webhook_signature_secret_file,
            &args.webhook_signature_secret,
            &self.webhook_signature_secret,
            "the webhook signature secret",
        )?;
        let encryption = pick(
            &args.webhook_encryption_secret_file,
            &args.webhook_encryption_secret,
            &self.webhook_encryption_secret,
            "the webhook encryption secret",
        )?;
        let salt = pick(
            &args.webhook_encryption_salt_file,
            &args.webhook_encryption_salt,
            &self.webhook_encryption_salt,
            "the webhook encryption salt",
        )?;
        let previous = pick(
            &args.webhook_previous_signature_secret_file,
            &args.webhook_previous_signature_secret,
            &self.webhook_previous_signature_secret,
            "the previous webhook signature secret",
        )?;
        let missing = |what: &str, env: &str, flag: &str, key: &str| {
            CliError::usage(
                format!("the webhook {what} is not configured"),
                format!("set {env}, pass {flag}, or add {key} to your profile"),
            )
        };
        let signature = signature.ok_or_else(|| {
            missing(
                "signature secret",
                "HUMANOS_WEBHOOK_SIGNATURE_SECRET",
                "--webhook-signature-secret",
                "webhook_signature_secret",
            )
        })?;
        let encryption = encryption.ok_or_else(|| {
            missing(
                "encryption secret",
                "HUMANOS_WEBHOOK_ENCRYPTION_SECRET",
                "--webhook-encryption-secret",
                "webhook_encryption_secret",
            )
        })?;
        let salt = salt.ok_or_else(|| {
            missing(
                "encryption salt",
                "HUMANOS_WEBHOOK_ENCRYPTION_SALT",
                "--webhook-encryption-salt",
                "webhook_encryption_salt",
            )
        })?;
        let mut builder = WebhookConfig::builder()
            .signature_secret(signature.expose_secret())
            .encryption_secret(encryption.expose_secret())
            .encryption_salt(salt.expose_secret());
        if let Some(previous) = previous {
            builder = builder.additional_signature_secret(previous.expose_secret());
        }
        if let Some(secs) = tolerance_secs {
            builder = builder.tolerance(Duration::from_secs(secs));
        }
        builder.build().map_err(|err| {
            let hint = match err {
                WebhookConfigError::EncryptionSecretNotBase64 => {
                    "copy the encryption secret exactly as Settings -> Webhooks shows it"
                }
                _ => "check the three values of Settings -> Webhooks",
            };
            CliError::usage(format!("invalid webhook configuration: {err}"), hint)
        })
    }

    /// The API key and signature secret.
    pub(crate) fn api_credentials(
        &self,
        args: &ApiCredentialArgs,
    ) -> Result<(SecretString, SecretString)> {
        let api_key = pick(
            &args.api_key_file,
            &args.api_key,
            &self.api_key,
            "the API key",
        )?
        .ok_or_else(|| {
            CliError::usage(
                "the API key is not configured",
                "set HUMANOS_API_KEY, pass --api-key, or add api_key to your profile",
            )
        })?;
        let signature_secret = pick(
            &args.signature_secret_file,
            &args.signature_secret,
            &self.signature_secret,
            "the signature secret",
        )?
        .ok_or_else(|| {
                CliError::usage(
                    "the signature secret is not configured",
                    "set HUMANOS_SIGNATURE_SECRET, pass --signature-secret, or add signature_secret to your profile",
                )
            })?;
        Ok((api_key, signature_secret))
    }

    /// The API base URL from the profile (the environment and flags are read by the caller).
    pub(crate) fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// A HumanCode client.
    pub(crate) fn humancode_client(
        &self,
        args: &HumanCodeCredentialArgs,
    ) -> Result<humancode::HumanCodeClient> {
        let app_id = args
            .app_id
            .clone()
            .filter(|v| !v.is_empty())
            .or_else(|| self.humancode_app_id.clone())
            .ok_or_else(|| {
                CliError::usage(
                    "the HumanCode APP_ID is not configured",
                    "set HUMANCODE_APP_ID, pass --app-id, or add humancode_app_id to your profile",
                )
            })?;
        let app_key = pick(
            &args.app_key_file,
            &args.app_key,
            &self.humancode_app_key,
            "the HumanCode APP_KEY",
        )?
        .ok_or_else(|| {
            CliError::usage(
                "the HumanCode APP_KEY is not configured",
                "set HUMANCODE_APP_KEY, pass --app-key, or add humancode_app_key to your profile",
            )
        })?;
        let base = args
            .humancode_base_url
            .clone()
            .filter(|v| !v.is_empty())
            .or_else(|| self.humancode_base_url.clone());
        let mut builder = humancode::HumanCodeClient::builder()
            .app_id(app_id)
            .app_key(app_key.expose_secret());
        if let Some(base) = base {
            builder = builder.base_url(base);
        }
        builder.build().map_err(|err| {
            CliError::usage(
                err,
                "check HUMANCODE_APP_ID, HUMANCODE_APP_KEY and HUMANCODE_BASE_URL",
            )
        })
    }
}
