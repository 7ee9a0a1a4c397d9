//! `humanos`: the command line of the Humanos Rust SDK.
//!
//! Call the API with typed commands, run the local sandbox, open, receive and send webhook
//! deliveries, sign requests for curl, and call HumanCode, all through the SDK's library crates:
//! this binary parses arguments, reads configuration, calls the libraries and formats their
//! results. See `docs/cli.md`.

mod actions;
mod api;
mod cli;
mod client;
mod config;
mod credentials;
mod error;
mod mcp;
mod output;
mod palm;
mod requests;
mod sandbox;
mod sign;
mod table;
mod webhook;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, WebhookCommand};
use crate::config::Settings;
use crate::error::{CliError, Result};

fn init_tracing(verbose: u8, sandbox: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 if sandbox => LevelFilter::INFO,
        0 => return,
        1 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    // Only the SDK's own crates: they never record secrets. HTTP internals stay at WARN. The
    // sandbox logs at INFO by default: OTPs, decisions and webhook deliveries are its output.
    let targets = Targets::new()
        .with_target("humanos", level)
        .with_target("humancode", level)
        .with_default(LevelFilter::WARN);
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(
                    std::io::IsTerminal::is_terminal(&std::io::stderr())
                        && std::env::var_os("NO_COLOR").is_none(),
                )
                .with_target(true),
        )
        .with(targets)
        .try_init();
}

async fn run(cli: Cli) -> Result<()> {
    let settings = Settings::load(cli.profile.as_deref())?;
    match &cli.command {
        Command::Webhook(WebhookCommand::Open(args)) => webhook::open(&settings, args),
        Command::Webhook(WebhookCommand::Listen(args)) => webhook::listen(&settings, args).await,
        Command::Webhook(WebhookCommand::Trigger(args)) => webhook::trigger(&settings, args).await,
        Command::Sign(args) => sign::run(&settings, args),
        Command::Api(args) => api::run(&settings, args).await,
        Command::Humancode(command) => palm::run(&settings, command).await,
        Command::Requests(command) => requests::run(&settings, command, cli.table).await,
        Command::Credentials(command) => credentials::run(&settings, command, cli.table).await,
        Command::Actions(command) => actions::run(&settings, command, cli.table).await,
        Command::Did(command) => actions::did(&settings, command, cli.table).await,
        Command::Sandbox(args) => sandbox::run(args).await,
        Command::Mcp(args) => mcp::run(&settings, args).await,
    }
}

fn main() -> ExitCode {
    // A bug must not dump a payload or a backtrace with values in it: one line, exit 3.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error in humanos{at}");
        eprintln!(
            "hint: this is a bug; please report it with the command you ran (without secrets)"
        );
    }));
    let cli = Cli::parse();
    init_tracing(cli.verbose, matches!(cli.command, Command::Sandbox(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let err = CliError::transport(format!("cannot start the async runtime: {err}"), "");
            err.report();
            return err.exit_code();
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            err.report();
            err.exit_code()
        }
    }
}
