//! Repository automation for the Humanos Rust SDK.
//!
//! ```text
//! cargo run -p xtask -- codegen           # regenerate crates/humanos-models from spec/
//! cargo run -p xtask -- codegen --check   # exit 1 if the committed files are stale
//! ```

mod codegen;
mod config;
mod layout;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => report(codegen::run(false)),
        ["codegen", "--check"] => report(codegen::run(true)),
        _ => {
            eprintln!("usage: cargo run -p xtask -- codegen [--check]");
            ExitCode::from(2)
        }
    }
}

fn report(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("xtask codegen: {message}");
            ExitCode::FAILURE
        }
    }
}
