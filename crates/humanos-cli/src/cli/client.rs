//! The flags every typed API command shares: API root, credentials, paging, an id.

use clap::Args;

use super::ApiCredentialArgs;

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

/// One id argument and the client flags.
#[derive(Debug, Args)]
pub(crate) struct IdArgs {
    /// The id.
    pub(crate) id: String,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}
