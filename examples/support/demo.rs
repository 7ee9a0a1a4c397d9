//! The webhook examples' secrets: from `HUMANOS_WEBHOOK_*`, or the demo secrets only when the
//! command line says `--demo` (anyone can seal a delivery with those). Shared by
//! `axum_webhook.rs` and `actix_webhook.rs`.

use std::error::Error;

use humanos_webhooks::WebhookConfig;

/// Demo secrets, used (with a warning) only with `--demo`.
pub(crate) const DEMO_SECRETS: [&str; 3] = [
    "whsec_demo",
    "ZGVtby1lbmNyeXB0aW9uLXNlY3JldA==",
    "demo-salt",
];

/// Whether the command line asks for the demo secrets (`--demo`); anything else is refused.
pub(crate) fn demo_flag(args: impl IntoIterator<Item = String>) -> Result<bool, String> {
    let mut demo = false;
    for arg in args {
        match arg.as_str() {
            "--demo" => demo = true,
            other => return Err(format!("unknown argument `{other}` (only --demo is known)")),
        }
    }
    Ok(demo)
}

/// The configuration read from the environment; without it, the demo secrets only when `demo`
/// is set, since anyone can seal a delivery with those.
pub(crate) fn webhook_config(
    from_env: Result<WebhookConfig, humanos_webhooks::WebhookConfigError>,
    demo: bool,
) -> Result<WebhookConfig, Box<dyn Error>> {
    match from_env {
        Ok(config) => Ok(config),
        Err(err) if demo => {
            tracing::warn!("{err}: using the DEMO webhook secrets (never in production)");
            let [signature, encryption, salt] = DEMO_SECRETS;
            Ok(WebhookConfig::new(signature, encryption, salt)?)
        }
        Err(err) => Err(format!(
            "{err}: set HUMANOS_WEBHOOK_SIGNATURE_SECRET, HUMANOS_WEBHOOK_ENCRYPTION_SECRET and \
             HUMANOS_WEBHOOK_ENCRYPTION_SALT (Settings -> Webhooks), or pass --demo to try the \
             example with demo secrets"
        )
        .into()),
    }
}
