//! `humanos sign`.

use clap::{Args, ValueEnum};

use super::ApiCredentialArgs;

pub(super) const SIGN_AFTER_HELP: &str = "\
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
