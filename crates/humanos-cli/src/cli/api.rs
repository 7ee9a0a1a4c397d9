//! `humanos api METHOD PATH`.

use clap::Args;

use super::ApiCredentialArgs;

pub(super) const API_AFTER_HELP: &str = "\
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
