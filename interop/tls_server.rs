//! A TLS server that this workspace did not write, for the clients' TLS tests (`humanos` and
//! `humancode`, `tests/tls.rs`, through `#[path = "../../../interop/tls_server.rs"] mod
//! tls_server;`: a file, not a dev-dependency, since `humanos-test-support` depends on both
//! crates and `xtask/tests/workspace_rules.rs` refuses such a cycle): Debian's `openssl s_server` on a free port of 127.0.0.1, with a
//! certificate authority and a server certificate (`localhost`, `127.0.0.1`) made by
//! `openssl req` and `openssl x509` in a temporary directory.
//!
//! The server runs in its interactive mode: it prints what the client offered (the ALPN
//! protocols), then the decrypted request, and sends back whatever is written to its standard
//! input. [`Server`] answers the first request with the canned response it was started with and
//! keeps a [`Transcript`] of what the server printed.
//!
//! Without `openssl` on the PATH, [`Pki::generate`] panics, unless
//! `HUMANOS_SKIP_OPENSSL_TESTS=1` ([`SKIP_VAR`]) turns that into a printed skip. Debian's
//! `openssl` package provides it (`scripts/test` installs it when run as root without it).
#![allow(dead_code)] // each test file uses some of these

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The variable that turns a missing `openssl` into a skip.
pub(crate) const SKIP_VAR: &str = "HUMANOS_SKIP_OPENSSL_TESTS";

/// How long `openssl s_server` may take to listen before the test calls it broken (a guard
/// against a hang, not a timed assertion).
const START: Duration = Duration::from_secs(30);

/// A certificate authority and a server certificate it issued for `localhost` and `127.0.0.1`,
/// in a temporary directory removed on drop.
pub(crate) struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// Generates a fresh CA and server certificate (EC P-256) with `openssl`, or returns `None`
    /// (after printing the skip) when `openssl` is missing and [`SKIP_VAR`] is `1`. Panics
    /// when it is missing otherwise.
    pub(crate) fn generate() -> Option<Self> {
        if Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            if std::env::var(SKIP_VAR).as_deref() == Ok("1") {
                eprintln!("SKIPPED: openssl is not installed and {SKIP_VAR}=1");
                return None;
            }
            panic!(
                "openssl is not installed (Debian: apt-get install openssl); \
                 set {SKIP_VAR}=1 to skip the TLS tests"
            );
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "humanos-tls-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let pki = Self { dir };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        pki.openssl(
            &["req", "-x509"],
            &ec,
            &[
                "-days",
                "2",
                "-subj",
                "/CN=humanos test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        pki.openssl(
            &["req"],
            &ec,
            &[
                "-subj",
                "/CN=localhost",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        );
        std::fs::write(
            pki.path("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write server.ext");
        pki.openssl(
            &["x509", "-req"],
            &[],
            &[
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
        );
        pki.openssl(
            &["x509"],
            &[],
            &["-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
        );
        Some(pki)
    }

    fn openssl(&self, command: &[&str], key: &[&str], args: &[&str]) {
        let out = Command::new("openssl")
            .args(command)
            .args(key)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The CA certificate, PEM.
    pub(crate) fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.path("ca.pem")).expect("ca.pem")
    }

    /// The CA certificate, DER.
    pub(crate) fn ca_der(&self) -> Vec<u8> {
        std::fs::read(self.path("ca.der")).expect("ca.der")
    }

    /// The path of the CA certificate (PEM), for `SSL_CERT_FILE`.
    pub(crate) fn ca_path(&self) -> PathBuf {
        self.path("ca.pem")
    }

    /// Starts `openssl s_server` with the server certificate on a free port of 127.0.0.1,
    /// selecting ALPN `http/1.1`, that answers the first request with `response` (the
    /// complete HTTP/1.1 response, head and body).
    pub(crate) fn server(&self, response: &[u8]) -> Server {
        Server::start(&self.path("server.pem"), &self.path("server.key"), response)
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What `openssl s_server` printed about its connections.
#[derive(Debug, Default, Clone)]
pub(crate) struct Transcript {
    /// For each TLS handshake that reached ALPN, the protocols the client offered, in order.
    pub(crate) alpn_offered: Vec<Vec<String>>,
    /// The head of each request received through TLS (request line first, without CRLFs).
    pub(crate) requests: Vec<Vec<String>>,
    /// Everything the server printed (for failure messages).
    pub(crate) output: Vec<String>,
}

/// A running `openssl s_server`; killed on [`stop`](Self::stop) or drop.
pub(crate) struct Server {
    port: u16,
    child: Child,
    transcript: Arc<Mutex<Transcript>>,
    reader: Option<JoinHandle<()>>,
}

impl Server {
    fn start(cert: &Path, key: &Path, response: &[u8]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("openssl")
            .arg("s_server")
            .args(["-accept", &format!("127.0.0.1:{port}")])
            .arg("-cert")
            .arg(cert)
            .arg("-key")
            .arg(key)
            .args(["-alpn", "http/1.1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start openssl s_server");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take().expect("stdin");
        let transcript = Arc::new(Mutex::new(Transcript::default()));
        let (listening, started) = mpsc::channel();
        let reader = std::thread::spawn({
            let transcript = transcript.clone();
            let response = response.to_vec();
            move || {
                read_output(
                    BufReader::new(stdout),
                    stdin,
                    response,
                    transcript,
                    listening,
                )
            }
        });
        if started.recv_timeout(START).is_err() {
            let _ = child.kill();
            panic!(
                "openssl s_server did not listen on 127.0.0.1:{port}: {:?}",
                transcript.lock().expect("transcript").output
            );
        }
        Self {
            port,
            child,
            transcript,
            reader: Some(reader),
        }
    }

    /// The server's port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Kills the server and returns what it printed.
    pub(crate) fn stop(mut self) -> Transcript {
        self.kill();
        self.transcript.lock().expect("transcript").clone()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

const ALPN_LINE: &str = "ALPN protocols advertised by the client: ";

/// Reads the server's output line by line into `transcript`; signals `listening` at `ACCEPT`
/// and writes `response` to the server's input (which it sends to the client) once, at the end
/// of the first request head.
fn read_output(
    stdout: impl BufRead,
    mut stdin: ChildStdin,
    response: Vec<u8>,
    transcript: Arc<Mutex<Transcript>>,
    listening: mpsc::Sender<()>,
) {
    let mut head: Option<Vec<String>> = None;
    let mut answered = false;
    for line in stdout.split(b'\n') {
        let Ok(line) = line else { break };
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_owned();
        let mut t = transcript.lock().expect("transcript");
        t.output.push(line.clone());
        if line == "ACCEPT" {
            let _ = listening.send(());
        } else if let Some(list) = line.strip_prefix(ALPN_LINE) {
            t.alpn_offered
                .push(list.split(", ").map(str::to_owned).collect());
        } else if let Some(lines) = head.as_mut() {
            if line.is_empty() {
                t.requests.push(head.take().unwrap_or_default());
                if !answered {
                    answered = true;
                    let _ = stdin.write_all(&response).and_then(|()| stdin.flush());
                }
            } else {
                lines.push(line);
            }
        } else if is_request_line(&line) {
            head = Some(vec![line]);
        }
    }
}

/// `METHOD /path HTTP/1.x`.
fn is_request_line(line: &str) -> bool {
    let mut parts = line.split(' ');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(method), Some(target), Some(version), None)
            if !method.is_empty()
                && method.bytes().all(|b| b.is_ascii_uppercase())
                && target.starts_with('/')
                && version.starts_with("HTTP/1.")
    )
}

/// A complete HTTP/1.1 response with status 200, `content-type: application/json`, the
/// length of `body` and `connection: close`.
pub(crate) fn json_response(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Runs the test `name` of the current test binary in a child process with the extra
/// environment `env` (`SSL_CERT_FILE`, to give the platform verifier a root store), passing
/// `--ignored` so that a test marked `#[ignore]` (run only this way) runs. Panics, with its
/// output, when it fails.
pub(crate) fn run_test_in_child(name: &str, env: &[(&str, &std::ffi::OsStr)]) {
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} in a child process failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The error of type `T` in `error`'s chain of causes, looking inside `std::io::Error`s too
/// (rustls errors travel in them, nested, and an `io::Error`'s `source` skips the error it
/// wraps).
pub(crate) fn cause<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}
