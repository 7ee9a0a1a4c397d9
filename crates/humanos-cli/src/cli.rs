//! The command line: every command, flag and `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ROOT_AFTER_HELP: &str = "\
Configuration (later sources win):
  1. the profile file: $HUMANOS_CONFIG or ~/.config/humanos/config.toml, section
     [profile.NAME] (NAME from --profile, $HUMANOS_PROFILE, or `default`)
  2. environment: HUMANOS_API_KEY, HUMANOS_SIGNATURE_SECRET, HUMANOS_BASE_URL,
     HUMANOS_WEBHOOK_SIGNATURE_SECRET, HUMANOS_WEBHOOK_ENCRYPTION_SECRET,
     HUMANOS_WEBHOOK_ENCRYPTION_SALT, HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET,
     HUMANCODE_APP_ID, HUMANCODE_APP_KEY, HUMANCODE_BASE_URL
  3. flags (prefer the environment for secrets: flags show up in process lists)

Exit codes:
  0  success
  1  checked and refused (signature mismatch, stale timestamp, endpoint or API answered 4xx,
     HumanCode error code)
  2  usage or configuration error (missing secret, unreadable file, bad JSON)
  3  transport or server error (connection refused, timeout, 5xx)

Examples:
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
}

const WEBHOOK_AFTER_HELP: &str = "\
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

/// The webhook secrets of Settings -> Webhooks.
#[derive(Debug, Clone, Args)]
pub(crate) struct WebhookSecretArgs {
    /// Webhook signature secret.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) webhook_signature_secret: Option<String>,
    /// Webhook encryption secret (base64, as the dashboard shows it).
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) webhook_encryption_secret: Option<String>,
    /// Webhook encryption salt.
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_ENCRYPTION_SALT",
        hide_env_values = true,
        value_name = "SALT"
    )]
    pub(crate) webhook_encryption_salt: Option<String>,
    /// A previous signature secret still accepted (rotation in progress).
    #[arg(
        long,
        env = "HUMANOS_WEBHOOK_PREVIOUS_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) webhook_previous_signature_secret: Option<String>,
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

/// API credentials.
#[derive(Debug, Clone, Args)]
pub(crate) struct ApiCredentialArgs {
    /// API key (sent as `Authorization: Bearer <key>`).
    #[arg(
        long,
        env = "HUMANOS_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub(crate) api_key: Option<String>,
    /// Signature secret used for `X-Signature`.
    #[arg(
        long,
        env = "HUMANOS_SIGNATURE_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) signature_secret: Option<String>,
}

const SIGN_AFTER_HELP: &str = "\
The output necessarily contains your API key, in the Authorization header: treat it as a
secret. The signature secret itself is never printed.

The body is the wire JSON of --data (compact, escaped as JavaScript's JSON.stringify does):
exactly the bytes that were signed. Send them unchanged (curl --data-raw, not --data, which
strips newlines). Without --data the timestamp alone is signed (GET, DELETE).

Examples:
  humanos sign --data '{\"contacts\":[\"ana@example.com\"]}'
  eval \"curl -X POST https://api.humanos.id/request $(humanos sign --data @body.json)\"
  humanos sign --data @body.json --format json
  humanos sign                                   # for a GET: no body";

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// JSON body: inline, `@FILE`, or `@-` for stdin.
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    /// Sign the --data bytes verbatim instead of their wire JSON (to reproduce a client's
    /// exact bytes; the server may reject bytes that are not wire-stable).
    #[arg(long, requires = "data")]
    pub(crate) raw_body: bool,
    /// Sign at this Unix time in milliseconds instead of now.
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp: Option<u64>,
    /// Output: curl arguments, a JSON object, or HTTP header lines and the body.
    #[arg(long, value_enum, default_value_t = SignFormat::Curl)]
    pub(crate) format: SignFormat,
    #[command(flatten)]
    pub(crate) credentials: ApiCredentialArgs,
}

/// Output format of `humanos sign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SignFormat {
    /// `-H '…' -H '…' --data-raw '…'`, to paste after `curl -X METHOD URL`.
    Curl,
    /// `{"headers": {…}, "body": "…"}`.
    Json,
    /// `Name: value` lines, a blank line, then the body.
    Headers,
}

const API_AFTER_HELP: &str = "\
Signs exactly the bytes it sends: the wire JSON of --data (see `humanos sign --help`), or the
--data bytes verbatim with --raw-body. One attempt, no retries. The answer's body goes to
stdout (pretty JSON when it is JSON), `HTTP <status>` to stderr; exit 0 on 2xx, 1 on 4xx, 3 on
5xx or when the API cannot be reached.

Examples:
  humanos api GET /request --query pageIndex=0
  humanos api POST /request --data @mandate-request.json
  humanos api DELETE /request/req_123
  humanos api GET /did/resolve/did:web:humanos.id --base-url http://127.0.0.1:4010";

#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// HTTP method (GET, POST, PUT, PATCH, DELETE).
    pub(crate) method: String,
    /// Path under the API root, such as /request or /credentials/ID.
    pub(crate) path: String,
    /// JSON body: inline, `@FILE`, or `@-` for stdin.
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    /// Send and sign the --data bytes verbatim instead of their wire JSON.
    #[arg(long, requires = "data")]
    pub(crate) raw_body: bool,
    /// Query parameter `NAME=VALUE` (repeatable; percent-encoded for you).
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) query: Vec<String>,
    /// API root (default https://api.humanos.id).
    #[arg(long, env = "HUMANOS_BASE_URL", value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// `api-version` header (default: the version of this SDK's models).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) api_version: Option<String>,
    #[command(flatten)]
    pub(crate) credentials: ApiCredentialArgs,
}

const HUMANCODE_AFTER_HELP: &str = "\
Credentials: HUMANCODE_APP_ID, HUMANCODE_APP_KEY (never printed), HUMANCODE_BASE_URL (point it
at a local emulator or the sandbox), or the matching flags / profile keys.

Examples:
  humanos humancode session --callback https://app.example.com/humancode/callback
  humanos humancode verify-vcode df20ea9666d3401780332e4aa26a460e 413675
  humanos humancode show-id h_5f2c9a";

#[derive(Debug, Subcommand)]
pub(crate) enum HumanCodeCommand {
    /// Create a session (SESSION_ID API); with --callback also print the palm page URL.
    #[command(after_help = SESSION_AFTER_HELP)]
    Session(SessionArgs),
    /// Exchange a callback's vcode for the human_id (VCODE API).
    #[command(after_help = VCODE_AFTER_HELP)]
    VerifyVcode(VerifyVcodeArgs),
    /// The short display id of a human_id (get_show_id API).
    #[command(after_help = SHOW_ID_AFTER_HELP)]
    ShowId(ShowIdArgs),
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
        value_name = "KEY"
    )]
    pub(crate) app_key: Option<String>,
    /// HumanCode root URL (default https://humancodeai.com).
    #[arg(long, env = "HUMANCODE_BASE_URL", value_name = "URL")]
    pub(crate) humancode_base_url: Option<String>,
}

const SESSION_AFTER_HELP: &str = "\
Prints {\"session_id\", \"created_at_ms\", \"expires_at_ms\"} and, with --callback, the
REGISTRATION page URL (or the VERIFICATION page URL with --human-id).

Examples:
  humanos humancode session
  humanos humancode session --callback https://app.example.com/humancode/callback
  humanos humancode session --callback https://app.example.com/cb --human-id h_5f2c9a";

#[derive(Debug, Args)]
pub(crate) struct SessionArgs {
    /// Your callback URL: also print the palm page URL for the new session.
    #[arg(long, value_name = "URL")]
    pub(crate) callback: Option<String>,
    /// A known human_id: print the VERIFICATION page URL instead of REGISTRATION.
    #[arg(long, value_name = "ID", requires = "callback")]
    pub(crate) human_id: Option<String>,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}

const VCODE_AFTER_HELP: &str = "\
Prints {\"human_id\"}. A vcode lives 30 seconds; HumanCode refusals (wrong or expired vcode)
exit with 1 and name the HumanCode code.

Examples:
  humanos humancode verify-vcode df20ea9666d3401780332e4aa26a460e 413675";

#[derive(Debug, Args)]
pub(crate) struct VerifyVcodeArgs {
    /// The session_id the browser's callback carried.
    pub(crate) session_id: String,
    /// The callback's vcode.
    pub(crate) vcode: String,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}

const SHOW_ID_AFTER_HELP: &str = "\
Prints {\"show_id\", \"create_time\"}.

Examples:
  humanos humancode show-id h_5f2c9a";

#[derive(Debug, Args)]
pub(crate) struct ShowIdArgs {
    /// The human_id.
    pub(crate) human_id: String,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}
