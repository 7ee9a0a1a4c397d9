//! The official Python MCP SDK as the client of an MCP server under test: starts
//! `interop/py_mcp.py` (one connection), sends it one tool call per line and reads one answer
//! per line. Shared by the MCP interop tests through
//! `#[path = "<to>/interop/mcp_driver.rs"] mod mcp_driver;` (beside `tool.rs`, which finds the
//! interpreter).
#![allow(dead_code)] // each test file uses some of these

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The repository's `interop/` directory, found from the crate under test.
pub(crate) fn interop_dir() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("interop/py_mcp.py");
        if candidate.exists() {
            return dir.join("interop");
        }
        dir = dir.parent().expect("interop/ above the crate");
    }
}

/// One MCP client connection driven by `py_mcp.py`.
pub(crate) struct McpClient {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// The first line: `ready`, the negotiated `protocol`, the `tools` listed.
    pub(crate) hello: Value,
    /// Every answer so far, in order (for checks over all of them, such as "no secret").
    pub(crate) transcript: Vec<Value>,
}

impl McpClient {
    /// Connects with `config` (see `py_mcp.py`: `stdio` or `url`, `elicit`, `admin`, `mode`).
    pub(crate) async fn connect(python: &Path, config: Value) -> Self {
        let mut child = Command::new(python)
            .arg(interop_dir().join("py_mcp.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut client = Self {
            child,
            stdin,
            lines,
            hello: Value::Null,
            transcript: Vec::new(),
        };
        client.hello = client.send(&config).await;
        assert_eq!(client.hello["ready"], true, "{}", client.hello);
        client
    }

    async fn send(&mut self, line: &Value) -> Value {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write to py_mcp.py");
        self.stdin.flush().await.expect("flush");
        let answer = self
            .lines
            .next_line()
            .await
            .expect("read from py_mcp.py")
            .unwrap_or_else(|| panic!("py_mcp.py ended without answering {line}"));
        let answer: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("py_mcp.py printed {answer:?}: {e}"));
        self.transcript.push(answer.clone());
        answer
    }

    /// Panics if any answer so far contains one of `secrets`.
    pub(crate) fn assert_no_secret(&self, secrets: &[&str]) {
        for answer in &self.transcript {
            let text = answer.to_string();
            for secret in secrets {
                assert!(!text.contains(secret), "an answer holds a secret: {text}");
            }
        }
    }

    /// Calls `tool` with `args`, and `meta` as the request's `_meta` (`Value::Null`: none).
    pub(crate) async fn call(&mut self, tool: &str, args: Value, meta: Value) -> Value {
        self.send(&json!({"tool": tool, "args": args, "meta": meta}))
            .await
    }

    /// Closes the connection and waits for the script.
    pub(crate) async fn close(mut self) {
        drop(self.stdin);
        let status = self.child.wait().await.expect("wait for py_mcp.py");
        assert!(status.success(), "py_mcp.py exited with {status}");
    }
}

/// `_meta` naming a mandate.
pub(crate) fn mandate_meta(mandate_id: &str) -> Value {
    json!({"humanos/mandate": mandate_id})
}
