//! The command line: every command, flag and `--help` text.
//!
//! The doc comments of this module are clap's `--help` text, read in a terminal: URLs stay bare
//! and placeholders stay `<like_this>` rather than rustdoc's link and HTML syntax.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use humanos_sandbox::SandboxArgs;
use humanos_signing::secrecy::SecretString;

/// Parses a secret flag straight into a [`SecretString`], so that no argument struct holds it
/// as a plain `String` and `Debug` prints `[REDACTED]`.
fn secret_value(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

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
    /// Start the local Humanos + HumanCode sandbox and print its credentials.
    #[command(after_help = SANDBOX_AFTER_HELP)]
    Sandbox(SandboxArgs),
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
    /// API root (default https://api.humanos.id). Plain http only on a loopback host.
    #[arg(long, env = "HUMANOS_BASE_URL", value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Accept a plain http API root on any host. Insecure: a captured signature can be
    /// replayed on any body-less request for five minutes.
    #[arg(long)]
    pub(crate) allow_insecure_http: bool,
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

/// What the typed API commands need: credentials and the API root.
#[derive(Debug, Clone, Args)]
pub(crate) struct ClientArgs {
    /// API root (default https://api.humanos.id). Plain http only on a loopback host.
    #[arg(long, env = "HUMANOS_BASE_URL", value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Accept a plain http API root on any host. Insecure: a captured signature can be
    /// replayed on any body-less request for five minutes.
    #[arg(long)]
    pub(crate) allow_insecure_http: bool,
    #[command(flatten)]
    pub(crate) credentials: ApiCredentialArgs,
}

/// Paging of the list commands.
#[derive(Debug, Clone, Args)]
pub(crate) struct PageArgs {
    /// Zero-based page index, as the API's `pageIndex`.
    #[arg(long, value_name = "N")]
    pub(crate) page_index: Option<u64>,
    /// Items per page (`pageSize`).
    #[arg(long, value_name = "N")]
    pub(crate) page_size: Option<u64>,
    /// Search text (`search`).
    #[arg(long, value_name = "TEXT")]
    pub(crate) search: Option<String>,
    /// Every page from --page-index (default 0) to the last, one call per page: JSON Lines (one
    /// item per line, printed as each page arrives) or, with --table, one table.
    #[arg(long)]
    pub(crate) all: bool,
}

const REQUESTS_AFTER_HELP: &str = "\
Every command prints the API's JSON (pretty) or, with --table, a table. Exit 1 when the API
refuses (4xx, with its message), 3 when it cannot be reached.

Examples:
  humanos requests list --table
  humanos requests create --contact ana@example.com --action urn:via:action:buy --user-param maxAmount=10000
  humanos requests detail 66f0c0ffee0000000000abcd
  humanos requests cancel 66f0c0ffee0000000000abcd";

#[derive(Debug, Subcommand)]
pub(crate) enum RequestsCommand {
    /// One page of your credential requests (GET /request).
    #[command(after_help = REQUESTS_LIST_AFTER_HELP)]
    List(RequestsListArgs),
    /// Ask users to approve a mandate or other credentials (POST /request).
    #[command(after_help = REQUESTS_CREATE_AFTER_HELP)]
    Create(RequestsCreateArgs),
    /// A request with its subjects and full credentials (GET /request/ID).
    #[command(after_help = REQUESTS_DETAIL_AFTER_HELP)]
    Detail(IdArgs),
    /// Cancel a pending request; cannot be undone (DELETE /request/ID).
    #[command(after_help = REQUESTS_CANCEL_AFTER_HELP)]
    Cancel(IdArgs),
}

const REQUESTS_LIST_AFTER_HELP: &str = "\
Prints {\"data\": [...], \"totalPages\": N} as the API sends it (with --all, every item of every
page as JSON Lines); --table shows id, name, security level, contacts, credential count and
dates, then the page.

Examples:
  humanos requests list
  humanos requests list --table --page-size 50 --page-index 1
  humanos requests list --search ana@example.com | jq -r '.data[].id'
  humanos requests list --all | jq -r .id      # every page, one request per line";

#[derive(Debug, Args)]
pub(crate) struct RequestsListArgs {
    #[command(flatten)]
    pub(crate) page: PageArgs,
    /// Only requests with this `internalId`.
    #[arg(long, value_name = "ID")]
    pub(crate) internal_id: Option<String>,
    /// Only requests created on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) date_from: Option<String>,
    /// Only requests created on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) date_to: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REQUESTS_CREATE_AFTER_HELP: &str = "\
Builds the body of POST /request: one user per --contact and, with --action, one mandate
(type POLICY, scope agent.execute) of that action with the --user-param values. A
--user-param value is read as JSON when it is JSON (10000, true, [\"BOOKS\"], \"0123\"), else as
a string. --data gives the whole body or a base (JSON, @FILE or @-); the flags add to it.
Prints the created request (its id, credentials and subjects with their links).

Examples:
  humanos requests create --contact ana@example.com --action urn:via:action:buy \\
      --user-param maxAmount=10000 --user-param 'allowedCategories=[\"BOOKS\"]'
  humanos requests create --data @request.json
  humanos requests create --data '{\"securityLevel\":\"CONTACT\"}' --contact +351910000000 \\
      --action urn:via:action:buy --max-executions 3 | jq -r .id";

#[derive(Debug, Args)]
pub(crate) struct RequestsCreateArgs {
    /// Email or phone number of a user to ask (repeatable).
    #[arg(long, value_name = "CONTACT")]
    pub(crate) contact: Vec<String>,
    /// Add a mandate of this action (`urn:via:action:...`).
    #[arg(long, value_name = "ACTION_ID")]
    pub(crate) action: Option<String>,
    /// A value of the action's userParams, `NAME=VALUE` (repeatable; VALUE as JSON when it is).
    #[arg(long, value_name = "NAME=VALUE", requires = "action")]
    pub(crate) user_param: Vec<String>,
    /// Name of the mandate (default: "Action mandate").
    #[arg(long, value_name = "NAME", requires = "action")]
    pub(crate) mandate_name: Option<String>,
    /// How many times the mandate may be used.
    #[arg(long, value_name = "N", requires = "action")]
    pub(crate) max_executions: Option<u64>,
    /// End of the mandate's validity (ISO 8601).
    #[arg(long, value_name = "DATE", requires = "action")]
    pub(crate) valid_until: Option<String>,
    /// Security level (CONTACT, ORGANIZATION_KYC, HUMANOS_KYC, HUMANOS_REVALIDATION).
    #[arg(long, value_name = "LEVEL")]
    pub(crate) security_level: Option<String>,
    /// Name of the request.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Your identifier of the request (`internalId`).
    #[arg(long, value_name = "ID")]
    pub(crate) internal_id: Option<String>,
    /// The request body, or a base the flags add to: inline JSON, `@FILE`, or `@-` (stdin).
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

/// One id argument and the client flags.
#[derive(Debug, Args)]
pub(crate) struct IdArgs {
    /// The id.
    pub(crate) id: String,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REQUESTS_DETAIL_AFTER_HELP: &str = "\
Prints the request with its subjects and credentials (full W3C credentials); --table shows
the request, its subjects and its credentials with their status.

Examples:
  humanos requests detail 66f0c0ffee0000000000abcd
  humanos requests detail 66f0c0ffee0000000000abcd --table
  humanos requests detail \"$REQ\" | jq -r '.credentials[0].id'";

const REQUESTS_CANCEL_AFTER_HELP: &str = "\
Draft credentials are canceled, active ones revoked. Prints {\"success\": true}.

Examples:
  humanos requests cancel 66f0c0ffee0000000000abcd";

const CREDENTIALS_AFTER_HELP: &str = "\
Examples:
  humanos credentials detail urn:via:credential:3f1c... --table
  humanos credentials issue-vp urn:via:credential:3f1c... > vp.json
  humanos credentials verify --vp @vp.json --param amount=5000 --param category=BOOKS
  humanos credentials revoke urn:via:credential:3f1c... --reason user_initiated
  humanos credentials events urn:via:credential:3f1c... --table";

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Issue a short-lived Verifiable Presentation of a mandate (POST /credential/vp/ID).
    #[command(after_help = ISSUE_VP_AFTER_HELP)]
    IssueVp(IssueVpArgs),
    /// Check a presentation against execution parameters: allow or deny (POST /credential/verify).
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Revoke a mandate permanently (DELETE /credential/revoke/ID).
    #[command(after_help = REVOKE_AFTER_HELP)]
    Revoke(RevokeArgs),
    /// A credential with its W3C credential and decisions (GET /credential/ID).
    #[command(after_help = CREDENTIAL_DETAIL_AFTER_HELP)]
    Detail(IdArgs),
    /// A credential's event chain, every event re-verified (GET /credential/ID/events).
    #[command(after_help = EVENTS_AFTER_HELP)]
    Events(IdArgs),
}

const ISSUE_VP_AFTER_HELP: &str = "\
Prints {\"presentation\", \"presentationEncoded\"}: pipe it into `credentials verify --vp @-`.
A revoked mandate is refused (exit 1, `credential_revoked`).

Examples:
  humanos credentials issue-vp urn:via:credential:3f1c... > vp.json
  humanos credentials issue-vp \"$VC\" --target-verifier shop.example | humanos credentials verify --vp @- --param amount=5000";

#[derive(Debug, Args)]
pub(crate) struct IssueVpArgs {
    /// The mandate's credential id (`urn:via:credential:...`).
    pub(crate) credential_id: String,
    /// Domain of the intended verifier (`targetVerifier`).
    #[arg(long, value_name = "DOMAIN")]
    pub(crate) target_verifier: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const VERIFY_AFTER_HELP: &str = "\
The presentation is --vp (the JSON `credentials issue-vp` printed: inline, @FILE or @-),
--encoded (its presentationEncoded), or the body of --data. --param NAME=VALUE adds an
executionParams value (VALUE as JSON when it is JSON, else a string).

Prints the verdict as the API sends it: {\"decision\": \"allow\", \"credentialId\", \"evaluations\"}
or {\"decision\": \"deny\", \"reason\", \"message\", \"evaluations\", ...}; --table shows the
decision, the reason and one line per rule. Exit 0 on allow, 4 on deny, 1 when the API refuses
the request itself (malformed presentation, unknown credential).

Examples:
  humanos credentials verify --vp @vp.json --param amount=5000 --param category=BOOKS
  humanos credentials issue-vp \"$VC\" | humanos credentials verify --vp @- --param amount=5000 --table
  humanos credentials verify --data '{\"presentationEncoded\":\"eyJ...\",\"executionParams\":{\"amount\":1}}'";

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The output of `credentials issue-vp`: inline JSON, `@FILE`, or `@-` (stdin).
    #[arg(long, value_name = "JSON", conflicts_with = "encoded")]
    pub(crate) vp: Option<String>,
    /// The presentation's `presentationEncoded` (base64).
    #[arg(long, value_name = "BASE64")]
    pub(crate) encoded: Option<String>,
    /// An executionParams value, `NAME=VALUE` (repeatable; VALUE as JSON when it is).
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) param: Vec<String>,
    /// The whole body (JSON, `@FILE` or `@-`); the other flags add to it.
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REVOKE_AFTER_HELP: &str = "\
Later presentations and verifications of the mandate are denied with `credential_revoked`.
Revoking twice is refused (exit 1, HTTP 409). Prints {\"credentialId\", \"status\", \"revokedAt\"}.

Examples:
  humanos credentials revoke urn:via:credential:3f1c...
  humanos credentials revoke urn:via:credential:3f1c... --reason user_initiated";

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The credential id (`urn:via:credential:...`).
    pub(crate) credential_id: String,
    /// Why (user_initiated, organization_policy, system_expiry, or free text).
    #[arg(long, value_name = "REASON")]
    pub(crate) reason: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const CREDENTIAL_DETAIL_AFTER_HELP: &str = "\
Examples:
  humanos credentials detail urn:via:credential:3f1c...
  humanos credentials detail urn:via:credential:3f1c... | jq .w3cCredential
  humanos credentials detail urn:via:credential:3f1c... --table";

const EVENTS_AFTER_HELP: &str = "\
Prints the audit of the event chain ({\"ok\", \"events\": [...]}); --table shows one line per
event with its checks. Exit 1 when the chain does not verify (`ok` is false).

Examples:
  humanos credentials events urn:via:credential:3f1c...
  humanos credentials events urn:via:credential:3f1c... --table";

const ACTIONS_AFTER_HELP: &str = "\
Examples:
  humanos actions list --table
  humanos actions versions urn:via:action:buy --table";

#[derive(Debug, Subcommand)]
pub(crate) enum ActionsCommand {
    /// One page of your published actions (GET /actions).
    #[command(after_help = ACTIONS_LIST_AFTER_HELP)]
    List(ActionsListArgs),
    /// One page of an action's versions, newest first (GET /actions/version/ID).
    #[command(after_help = ACTIONS_VERSIONS_AFTER_HELP)]
    Versions(ActionVersionsArgs),
}

const ACTIONS_LIST_AFTER_HELP: &str = "\
Examples:
  humanos actions list
  humanos actions list --table --search purchase
  humanos actions list | jq -r '.data[] | .id + \" \" + .name'";

#[derive(Debug, Args)]
pub(crate) struct ActionsListArgs {
    #[command(flatten)]
    pub(crate) page: PageArgs,
    /// Only active (true) or inactive (false) actions.
    #[arg(long, value_name = "BOOL")]
    pub(crate) active: Option<bool>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const ACTIONS_VERSIONS_AFTER_HELP: &str = "\
Each version has its full `content` (params and rules) and `digestSRI`. An unknown action
gives an empty page.

Examples:
  humanos actions versions urn:via:action:buy
  humanos actions versions urn:via:action:buy --table";

#[derive(Debug, Args)]
pub(crate) struct ActionVersionsArgs {
    /// The action id (`urn:via:action:...`).
    pub(crate) action_id: String,
    #[command(flatten)]
    pub(crate) page: PageArgs,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const DID_AFTER_HELP: &str = "\
Examples:
  humanos did resolve did:web:humanos.tech:org:3f1c...
  humanos did resolve did:key:z6Mk... --table";

#[derive(Debug, Subcommand)]
pub(crate) enum DidCommand {
    /// The DID document of a DID, as served (GET /did/resolve/DID).
    #[command(after_help = DID_RESOLVE_AFTER_HELP)]
    Resolve(DidResolveArgs),
}

const DID_RESOLVE_AFTER_HELP: &str = "\
Prints the document exactly as served; --table shows its id and verification methods.
Unknown or inactive DIDs exit with 1 (HTTP 404).

Examples:
  humanos did resolve did:web:humanos.tech:org:3f1c...
  humanos did resolve \"$ISSUER_DID\" --table";

#[derive(Debug, Args)]
pub(crate) struct DidResolveArgs {
    /// The DID.
    pub(crate) did: String,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
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
