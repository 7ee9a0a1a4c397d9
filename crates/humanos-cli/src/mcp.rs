//! `humanos mcp`: serves `humanos_mcp::HumanosTools` over stdio or Streamable HTTP, with the
//! client the configuration describes.

use humanos_mcp::HumanosTools;

use crate::cli::McpArgs;
use crate::config::Settings;
use crate::error::{CliError, Result};

/// Serves until the client disconnects (stdio) or the process is stopped (HTTP).
pub(crate) async fn run(settings: &Settings, args: &McpArgs) -> Result<()> {
    if args.http.is_none() {
        refuse_stdin_secrets(args)?;
    }
    let client = crate::client::build(settings, &args.client)?;
    let tools = HumanosTools::new(client);
    let Some(addr) = &args.http else {
        return humanos_mcp::serve_stdio(tools)
            .await
            .map_err(|e| CliError::transport(format!("the MCP connection failed: {e}"), ""));
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        CliError::usage(
            format!("cannot listen on {addr}: {e}"),
            "give a free address such as 127.0.0.1:8930",
        )
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::transport(e, ""))?;
    println!("MCP_URL=http://{bound}{}", humanos_mcp::HTTP_PATH);
    humanos_mcp::serve_http(listener, move || tools.clone())
        .await
        .map_err(|e| CliError::transport(format!("the MCP server failed: {e}"), ""))
}

/// Over stdio the MCP client owns standard input: a secret read from it (`-`) would take the
/// client's first messages, or wait for ever. Refused before anything is read.
fn refuse_stdin_secrets(args: &McpArgs) -> Result<()> {
    let credentials = &args.client.credentials;
    let from_stdin = [
        ("--api-key-file", &credentials.api_key_file),
        (
            "--signature-secret-file",
            &credentials.signature_secret_file,
        ),
    ]
    .into_iter()
    .find(|(_, path)| path.as_deref() == Some(std::path::Path::new("-")));
    match from_stdin {
        Some((flag, _)) => Err(CliError::usage(
            format!("{flag} - reads standard input, which the MCP stdio transport uses"),
            "give the secret in a file (or its environment variable), or serve with --http",
        )),
        None => Ok(()),
    }
}
