//! Output helpers: input files, pretty JSON, shell quoting.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;

use crate::error::{CliError, Result};

/// Whether something already read standard input (a secret or a body).
static STDIN_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads `path`, or stdin when it is `None` or `-`, as raw bytes. Standard input can be read
/// once: a second reader (two `-` secrets, or a secret and a body) is a usage error rather than
/// an empty value.
pub(crate) fn read_input(path: Option<&Path>, what: &str) -> Result<Vec<u8>> {
    match path {
        Some(path) if path != Path::new("-") => std::fs::read(path).map_err(|err| {
            CliError::usage(
                format!("cannot read {what} from {}: {err}", path.display()),
                "check the path, or pass `-` to read stdin",
            )
        }),
        _ => {
            if STDIN_TAKEN.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return Err(CliError::usage(
                    format!("cannot read {what} from stdin: standard input was already read"),
                    "only one value can come from stdin (`-`); give the others as files",
                ));
            }
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|err| {
                CliError::usage(
                    format!("cannot read {what} from stdin: {err}"),
                    "pipe the data in, or give a file",
                )
            })?;
            Ok(buf)
        }
    }
}

/// Parses JSON bytes, reporting only the position of an error (never the content).
pub(crate) fn parse_json(bytes: &[u8], what: &str) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|err| {
        CliError::usage(
            format!(
                "{what} is not valid JSON (line {}, column {}: {:?})",
                err.line(),
                err.column(),
                err.classify()
            ),
            "check the JSON, for example with `jq . FILE`",
        )
    })
}

/// Pretty JSON of `value`, members in their original order.
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Pretty JSON when `bytes` are JSON, else the text as is (lossy UTF-8).
pub(crate) fn pretty_bytes(bytes: &[u8]) -> String {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => pretty(&value),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Writes `text` and a newline to stdout; a closed pipe is not an error worth a panic.
pub(crate) fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Quotes `value` for a POSIX shell: `'…'`, with `'` written as `'\''`.
pub(crate) fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
