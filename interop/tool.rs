//! Finds the interpreter an interop test drives, and runs the scripts of `interop/`. Shared by
//! the interop test files through `#[path = "../../../interop/tool.rs"] mod tool;`.
//!
//! A missing tool fails the test: a suite that skips silently can pass having checked nothing.
//! Setting the skip variable the failure names (`HUMANOS_SKIP_PYTHON_INTEROP=1`,
//! `HUMANOS_SKIP_NODE_INTEROP=1`) turns the failure into a skip, printed past the test harness's
//! output capture so it shows in every run.
#![allow(dead_code)] // each test file uses some of these

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The official Python SDK's interpreter (`.venv/bin/python`, set up by `scripts/test`).
pub(crate) fn python() -> Option<PathBuf> {
    tool(
        "HUMANOS_INTEROP_PYTHON",
        "HUMANOS_SKIP_PYTHON_INTEROP",
        "a Python with interop/requirements.txt installed",
    )
}

/// Node.js, the JavaScript engine the wire-JSON tests compare with.
pub(crate) fn node() -> Option<PathBuf> {
    tool(
        "HUMANOS_INTEROP_NODE",
        "HUMANOS_SKIP_NODE_INTEROP",
        "Node.js",
    )
}

fn tool(var: &str, skip: &str, what: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if std::env::var(skip).is_ok_and(|v| v == "1") {
        let test = std::thread::current().name().unwrap_or("?").to_owned();
        // Straight to the process's stderr: `eprintln!` would be captured and shown only on failure.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: {skip}=1 and {var} unset"
        );
        return None;
    }
    panic!(
        "{var} is not set: point it at {what} (scripts/test does), or set {skip}=1 to skip this test"
    );
}

/// Runs `interop/<script>` once with `python`, feeding one JSON line per input, and returns the
/// JSON lines it printed.
pub(crate) fn run_python(python: &Path, script: &str, input: &[Value]) -> Vec<Value> {
    // Every crate including this file lives at crates/<name>.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../interop")
        .join(script);
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    {
        let mut stdin = child.stdin.take().expect("piped stdin");
        for line in input {
            writeln!(stdin, "{line}").expect("write to the script");
        }
    }
    let output = child.wait_with_output().expect("wait for the script");
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{script} printed {l:?}: {e}")))
        .collect()
}
