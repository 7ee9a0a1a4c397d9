//! The command line: every command, flag and `--help` text.
//!
//! The doc comments of this module are clap's `--help` text, read in a terminal: URLs stay bare
//! and placeholders stay `<like_this>` rather than rustdoc's link and HTML syntax.
//!
//! One submodule per command group, named after the module that runs it (`webhook`, `sign`,
//! `api`, `palm`, `requests`, `credentials`, `actions`); the secret flags, shared by several
//! groups, are in `secrets` and the typed commands' common flags in `client`.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

mod actions;
mod api;
mod client;
mod credentials;
mod mcp;
mod palm;
mod requests;
mod secrets;
mod sign;
mod webhook;

use clap::{Parser, Subcommand};
use humanos_sandbox::SandboxArgs;

pub(crate) use actions::{ActionVersionsArgs, ActionsCommand, ActionsListArgs, DidCommand};
pub(crate) use api::ApiArgs;
pub(crate) use client::{ClientArgs, IdArgs, PageArgs};
pub(crate) use credentials::{CredentialsCommand, IssueVpArgs, RevokeArgs, VerifyArgs};
pub(crate) use mcp::McpArgs;
pub(crate) use palm::{HumanCodeCommand, SessionArgs, ShowIdArgs, VerifyVcodeArgs};
pub(crate) use requests::{RequestsCommand, RequestsCreateArgs, RequestsListArgs};
pub(crate) use secrets::{ApiCredentialArgs, HumanCodeCredentialArgs, WebhookSecretArgs};
pub(crate) use sign::{SignArgs, SignFormat};
pub(crate) use webhook::{ListenArgs, OpenArgs, TriggerArgs, WebhookCommand};

use actions::{ACTIONS_AFTER_HELP, DID_AFTER_HELP};
use api::API_AFTER_HELP;
use credentials::CREDENTIALS_AFTER_HELP;
use mcp::MCP_AFTER_HELP;
use palm::HUMANCODE_AFTER_HELP;
use requests::REQUESTS_AFTER_HELP;
use sign::SIGN_AFTER_HELP;
use webhook::WEBHOOK_AFTER_HELP;

const ROOT_AFTER_HELP: &str = "\
Configuration (later sources win):
  1. the profile file: $HUMANOS_CONFIG or ~/.config/humanos/config.toml, section
     [profile.NAME] (NAME from --profile, $HUMANOS_PROFILE, or `default`)
  2. environment: HUMANOS_API_KEY, HUMANOS_SIGNATURE_SECRET, HUMANOS_BASE_URL,
     HUMANOS_WEBHOOK_SIGNATURE_SECRET, HUMANOS_WEBHOOK_ENCRYPTION_SECRET,
     HUMANOS_WEBHOOK_ENCRYPTION_SALT, HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET,
     HUMANCODE_APP_ID, HUMANCODE_APP_KEY, HUMANCODE_BASE_URL
  3. flags (prefer the environment for secrets: flags show up in process lists)
  Each secret flag has a --NAME-file PATH twin (and a *_FILE variable, e.g.
  HUMANOS_API_KEY_FILE) that reads it from a file, or from standard input with `-`; it wins
  over the flag and the variable. A profile file readable by group or others gets a warning.

Exit codes:
  0  success
  1  checked and refused (signature mismatch, stale timestamp, endpoint or API answered 4xx,
     HumanCode error code, an event chain that does not verify)
  2  usage or configuration error (missing secret, unreadable file, bad JSON)
  3  transport or server error (connection refused, timeout, 5xx, unexpected answer)
  4  `credentials verify` answered deny (the verdict is printed as usual)

Output: the API's JSON, pretty, on stdout (pipe it into jq); --table prints a table instead.

Examples:
  humanos sandbox --port 4010 > sandbox.env &      # then: . ./sandbox.env
  humanos requests list --table
  humanos credentials verify --vp @vp.json --param amount=5000
  humanos webhook listen --port 8787
  humanos webhook trigger --url http://127.0.0.1:8787/webhook --event credential
  humanos webhook open delivery.json --signature 3f0c... --timestamp 1767225600000
  humanos sign --data '{\"contacts\":[\"ana@example.com\"]}'
  humanos humancode session --callback https://app.example.com/humancode/callback";

/// Debug a Humanos or HumanCode integration from a terminal.
#[derive(Debug, Parser)]
#[command(name = "humanos", version, about, after_help = ROOT_AFTER_HELP)]
pub(crate) struct Cli {
    /// Profile of the config file to read ([profile.NAME]).
    #[arg(long, global = true, env = "HUMANOS_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,

    /// Print list results as a human-readable table instead of JSON.
    #[arg(long, global = true)]
    pub(crate) table: bool,

    /// Trace what the libraries do to stderr (-v debug, -vv trace). Secrets are never traced.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Open, receive and send webhook deliveries.
    #[command(subcommand, after_help = WEBHOOK_AFTER_HELP)]
    Webhook(WebhookCommand),
    /// Print the signed headers and exact body of an API request (for curl).
    #[command(after_help = SIGN_AFTER_HELP)]
    Sign(SignArgs),
    /// Send one signed API request and print the answer (curl-like).
    #[command(after_help = API_AFTER_HELP)]
    Api(ApiArgs),
    /// HumanCode proof of humanity: sessions, vcodes, show ids.
    #[command(subcommand, after_help = HUMANCODE_AFTER_HELP)]
    Humancode(HumanCodeCommand),
    /// Credential requests: list, create, detail, cancel.
    #[command(subcommand, after_help = REQUESTS_AFTER_HELP)]
    Requests(RequestsCommand),
    /// Credentials and mandates: presentations, verification, revocation, audit events.
    #[command(subcommand, after_help = CREDENTIALS_AFTER_HELP)]
    Credentials(CredentialsCommand),
    /// Published actions and their versions.
    #[command(subcommand, after_help = ACTIONS_AFTER_HELP)]
    Actions(ActionsCommand),
    /// DID documents.
    #[command(subcommand, after_help = DID_AFTER_HELP)]
    Did(DidCommand),
    /// Serve an MCP server for agents: request mandates, check them, authorize actions.
    #[command(after_help = MCP_AFTER_HELP)]
    Mcp(McpArgs),
    /// Start the local Humanos + HumanCode sandbox and print its credentials.
    #[command(after_help = SANDBOX_AFTER_HELP)]
    Sandbox(SandboxArgs),
}

const SANDBOX_AFTER_HELP: &str = "\
The `humanos-sandbox` server (same flags and SANDBOX_* variables): every API endpoint with
signature checks, real mandates and presentations, webhooks, approval pages, a HumanCode
emulator, admin endpoints (docs/sandbox.md). On start, stdout gets a shell script: comment
lines and the `export` lines of its credentials (HUMANOS_BASE_URL, HUMANOS_API_KEY, ...). They
are the sandbox's own local secrets: this is the one command besides `sign` that prints
secrets. Logs (OTPs, deliveries) go to stderr. Runs until Ctrl-C.

Examples:
  humanos sandbox --port 4010
  humanos sandbox --port 4010 --actions actions.json > sandbox.env &  sleep 1; . ./sandbox.env
  humanos sandbox --db sandbox.db --webhook-url http://127.0.0.1:8787/webhook";

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::Cli;

    /// Parsed arguments are safe to `{:?}`: every secret flag holds a `SecretString`.
    #[test]
    fn debug_of_parsed_arguments_redacts_every_secret() {
        let secrets = [
            "hk_live_debug_key",
            "sig_debug_secret",
            "whsec_debug",
            "ZW5jLWRlYnVn",
            "salt_debug",
            "whsec_previous_debug",
            "appkey_debug",
        ];
        let runs: [&[&str]; 4] = [
            &[
                "sign",
                "--api-key",
                secrets[0],
                "--signature-secret",
                secrets[1],
            ],
            &[
                "webhook",
                "open",
                "--webhook-signature-secret",
                secrets[2],
                "--webhook-encryption-secret",
                secrets[3],
                "--webhook-encryption-salt",
                secrets[4],
                "--webhook-previous-signature-secret",
                secrets[5],
            ],
            &[
                "humancode",
                "session",
                "--app-id",
                "a_1",
                "--app-key",
                secrets[6],
            ],
            &[
                "requests",
                "list",
                "--api-key",
                secrets[0],
                "--signature-secret",
                secrets[1],
            ],
        ];
        for args in runs {
            let cli = Cli::try_parse_from(std::iter::once("humanos").chain(args.iter().copied()))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let debug = format!("{cli:?}");
            assert!(debug.contains("REDACTED"), "{debug}");
            for secret in secrets {
                assert!(!debug.contains(secret), "{secret} in {debug}");
            }
        }
    }
}
