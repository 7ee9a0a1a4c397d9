//! `humanos webhook open | listen | trigger`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::WebhookSecretArgs;

pub(super) const WEBHOOK_AFTER_HELP: &str = "\
Examples:
  humanos webhook listen --port 8787 --forward http://127.0.0.1:3000/webhooks/humanos
  humanos webhook trigger --url http://127.0.0.1:8787/ --event otp.failed
  humanos webhook open body.json --signature \"$SIG\" --timestamp \"$TS\"";

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Verify and decrypt one delivery and print the event as pretty JSON.
    #[command(after_help = OPEN_AFTER_HELP)]
    Open(OpenArgs),
    /// Receive deliveries on 127.0.0.1: verify, decrypt and print each one as it arrives.
    #[command(after_help = LISTEN_AFTER_HELP)]
    Listen(ListenArgs),
    /// Seal a realistic event with your secrets and POST it to a local endpoint.
    #[command(after_help = TRIGGER_AFTER_HELP)]
    Trigger(TriggerArgs),
}

const OPEN_AFTER_HELP: &str = "\
The body is read from FILE (or stdin when FILE is `-` or absent) and must be the exact bytes
received: a trailing newline added by an editor breaks the signature. Checks run in the order
of docs/webhooks.md; the first failure is printed with its code and the status an endpoint
answers, and the exit code is 1. Missing secrets or an unreadable file exit with 2.

Examples:
  humanos webhook open delivery.json --signature 3f0c...e1 --timestamp 1767225600000
  pbpaste | humanos webhook open --signature \"$SIG\" --timestamp \"$TS\" --tolerance 86400";

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    /// File holding the raw body; `-` or absent: stdin.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// The `x-signature` header of the delivery.
    #[arg(long, value_name = "HEX")]
    pub(crate) signature: Option<String>,
    /// The `x-timestamp` header of the delivery (Unix milliseconds).
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp: Option<String>,
    /// Accepted age (or advance) of the timestamp, in seconds (default 300). Raise it to open a
    /// delivery captured earlier.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) tolerance: Option<u64>,
    /// Print the plaintext even when it does not match its event type's shape.
    #[arg(long)]
    pub(crate) no_shape_check: bool,
    #[command(flatten)]
    pub(crate) secrets: WebhookSecretArgs,
}

const LISTEN_AFTER_HELP: &str = "\
The first line on stderr is `listening on http://127.0.0.1:PORT`. Each accepted delivery is
printed to stdout as a header line (time, event type, request id) and the event as pretty
JSON; refusals go to stderr with their check. Answers follow docs/webhooks.md: 200
{\"status\":\"ok\"}, 401 for signature or timestamp failures, 400 for malformed deliveries,
413 over 1 MiB. With --forward the decrypted event is POSTed to URL and its answer relayed
(502 when URL cannot be reached). Ctrl-C stops it.

Examples:
  humanos webhook listen --port 8787
  humanos webhook listen --port 8787 --forward http://127.0.0.1:3000/internal/humanos-event
  humanos webhook listen --port 0 --max 1    # any free port, exit after one delivery";

#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// Port on 127.0.0.1 (0: any free port, printed on the first stderr line).
    #[arg(long, default_value_t = 8787)]
    pub(crate) port: u16,
    /// POST each decrypted event (JSON) to this URL and relay its answer.
    #[arg(long, value_name = "URL")]
    pub(crate) forward: Option<String>,
    /// Exit after this many accepted deliveries.
    #[arg(long, value_name = "N")]
    pub(crate) max: Option<u64>,
    /// Accepted age (or advance) of a delivery's timestamp, in seconds (default 300).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) tolerance: Option<u64>,
    #[command(flatten)]
    pub(crate) secrets: WebhookSecretArgs,
}

const TRIGGER_AFTER_HELP: &str = "\
Offline equivalent of the dashboard's \"Send test event\": the event (a realistic sample, or
--data FILE) is encrypted and signed with your webhook secrets exactly as Humanos does, then
POSTed. Prints the endpoint's status and body; exit 0 on 2xx, 1 on 4xx, 3 on 5xx or when the
endpoint cannot be reached.

Examples:
  humanos webhook trigger --url http://127.0.0.1:8787/webhook --event credential
  humanos webhook trigger --url http://127.0.0.1:3000/hooks --data my-event.json
  humanos webhook trigger --event test --print     # headers and body only, nothing sent";

#[derive(Debug, Args)]
pub(crate) struct TriggerArgs {
    /// Endpoint to POST the delivery to.
    #[arg(long, value_name = "URL", required_unless_present = "print")]
    pub(crate) url: Option<String>,
    /// Event type of the sample payload.
    #[arg(long, value_enum, default_value_t = EventKind::Test, conflicts_with = "data")]
    pub(crate) event: EventKind,
    /// `requestId` of the sample payload (default: req_cli_<unix ms>).
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: Option<String>,
    /// Seal this JSON file (`-`: stdin) instead of a sample.
    #[arg(long, value_name = "FILE")]
    pub(crate) data: Option<PathBuf>,
    /// Print the curl-ready headers and body instead of sending.
    #[arg(long)]
    pub(crate) print: bool,
    #[command(flatten)]
    pub(crate) secrets: WebhookSecretArgs,
}

/// The sample events of `humanos_webhooks::sample`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EventKind {
    /// A mandate was accepted (`credential.id` is the mandate id).
    Credential,
    /// An identity (KYC) check completed.
    Identity,
    /// Too many wrong one-time codes.
    #[value(name = "otp.failed")]
    OtpFailed,
    /// The dashboard's test event.
    Test,
}

impl EventKind {
    pub(crate) fn wire_name(self) -> &'static str {
        match self {
            Self::Credential => "credential",
            Self::Identity => "identity",
            Self::OtpFailed => "otp.failed",
            Self::Test => "test",
        }
    }
}
