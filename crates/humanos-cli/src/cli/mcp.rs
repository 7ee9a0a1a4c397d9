//! `humanos mcp`: an MCP server for Humanos itself.

use clap::Args;

use super::ClientArgs;

pub(super) const MCP_AFTER_HELP: &str = "\
Serves the Model Context Protocol (revision 2025-11-25) with four tools for an agent:
  request_mandate  ask a user to approve a mandate for an action (returns the approval link)
  request_status   whether the user approved (each mandate's status)
  list_mandates    the mandates of the newest requests
  authorize        whether a mandate allows an action with these executionParams
The API credentials come from the configuration (profile, environment, flags) and are never
shown to the model: no tool takes or returns them.

Transports: stdio (the default; an MCP client starts `humanos mcp` itself), or Streamable HTTP
with --http 127.0.0.1:PORT (endpoint /mcp; loopback Host headers only). Logs go to stderr.

Examples:
  humanos mcp
  humanos mcp --http 127.0.0.1:8930
  claude mcp add humanos -- humanos mcp --profile sandbox";

/// `humanos mcp`.
#[derive(Debug, Args)]
pub(crate) struct McpArgs {
    /// Serve Streamable HTTP on this address (e.g. 127.0.0.1:8930) instead of stdio. The
    /// address actually bound is printed on stdout as MCP_URL=http://ADDR/mcp.
    #[arg(long, value_name = "ADDR")]
    pub(crate) http: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}
