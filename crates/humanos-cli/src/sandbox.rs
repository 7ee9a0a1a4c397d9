//! `humanos sandbox`: the `humanos-sandbox` server, configured by its own flags.

use humanos_sandbox::{SandboxArgs, SandboxError};

use crate::error::{CliError, Result};
use crate::output::print_out;

fn start_error(err: SandboxError) -> CliError {
    match &err {
        SandboxError::Io(_) => CliError::transport(
            format!("cannot start the sandbox: {err}"),
            "is the port already in use? pick another with --port (0: any free port)",
        ),
        _ => CliError::usage(
            format!("cannot start the sandbox: {err}"),
            "check --db, --actions and the webhook secrets (docs/sandbox.md)",
        ),
    }
}

pub(crate) async fn run(args: &SandboxArgs) -> Result<()> {
    let sandbox = args
        .builder()
        .map_err(start_error)?
        .build()
        .await
        .map_err(start_error)?;
    let base = sandbox.base_url();
    // stdout is a shell script: `. ./sandbox.env` or `eval "$(cat sandbox.env)"` work on it.
    print_out(&format!(
        "# Humanos sandbox on {base} (API {})\n# Issuer DID {}\n# Agent DID  {}\n\
         # Dashboard: {}  Approval pages: {base}/approve/<requestId>\n{}",
        humanos_sandbox::API_VERSION,
        sandbox.issuer_did(),
        sandbox.agent_did(),
        sandbox.admin_url(),
        sandbox.env_lines().trim_end()
    ));
    if !sandbox.addr().ip().is_loopback() {
        eprintln!(
            "WARNING: listening on {}, reachable from the network (--allow-remote)",
            sandbox.addr()
        );
    }
    eprintln!("sandbox listening on {base} (Ctrl-C to stop)");
    let stopped = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    stopped.map_err(|err| {
        CliError::transport(
            format!("cannot wait for Ctrl-C: {err}"),
            "stop it with kill",
        )
    })
}
