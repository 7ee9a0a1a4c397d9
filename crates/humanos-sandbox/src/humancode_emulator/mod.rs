//! The HumanCode emulator: `get_id`, `vcode/verify`, `get_show_id` with the real checks
//! (app_id 10002, HMAC 10001, fields 10006, sessions and vcodes with their lifetimes 10010,
//! 10011, 10012, 10020), and the REGISTRATION / VERIFICATION pages with a "Scan palm" button
//! that succeeds or fails and redirects to `callback_url` with `session_id`, `vcode` and
//! `error_code`.
//!
//! The sandbox serves it on its own port beside the Humanos API (the paths do not collide);
//! [`Emulator::start`] runs it alone, as the `humancode` crate's tests do. Tests can queue
//! scripted answers ([`Scripted`]), force the next page outcome, move the clock, and read back
//! every received request.

mod api;
mod pages;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::{get, post};

/// A session lives 10 minutes.
pub const SESSION_TTL_MS: u64 = 10 * 60 * 1000;
/// A vcode is valid for 30 seconds.
pub const VCODE_TTL_MS: u64 = 30 * 1000;

/// A scripted answer, served after the app_id and signature checks passed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Scripted {
    /// `{"code": code, "msg": msg, "result": {}}` with HTTP 200.
    Envelope {
        /// The HumanCode code.
        code: i64,
        /// The message.
        msg: String,
    },
    /// Any status and body.
    Raw {
        /// HTTP status.
        status: u16,
        /// Body bytes.
        body: Vec<u8>,
    },
    /// Waits, then answers normally.
    Delay(Duration),
}

/// One API request as received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Received {
    /// Request path.
    pub path: String,
    /// Decoded query parameters.
    pub query: HashMap<String, String>,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Raw body.
    pub body: Vec<u8>,
}

/// What a page visit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PageMode {
    /// Render a page with "Scan palm" (success) and "Fail scan" buttons (the sandbox).
    #[default]
    Interactive,
    /// Act as an immediate successful scan and redirect (scripted tests).
    AutoScan,
}

#[derive(Debug, Clone)]
struct SessionState {
    created_ms: u64,
    closed: bool,
    /// (vcode, human_id, issued_ms)
    vcode: Option<(String, String, u64)>,
}

/// The emulator's state, shared by its handlers.
pub struct Shared {
    app_id: String,
    app_key: Vec<u8>,
    mode: PageMode,
    sessions: Mutex<HashMap<String, SessionState>>,
    /// human_id -> show_id
    humans: Mutex<HashMap<String, String>>,
    scripted: Mutex<VecDeque<Scripted>>,
    received: Mutex<Vec<Received>>,
    page_outcome: Mutex<Option<i64>>,
    offset_ms: AtomicU64,
    counter: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("app_id", &self.app_id)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// State for `app_id` / `app_key` with pages in `mode`.
    pub fn new(app_id: &str, app_key: &str, mode: PageMode) -> Arc<Self> {
        Arc::new(Shared {
            app_id: app_id.to_owned(),
            app_key: app_key.as_bytes().to_vec(),
            mode,
            sessions: Mutex::default(),
            humans: Mutex::default(),
            scripted: Mutex::default(),
            received: Mutex::default(),
            page_outcome: Mutex::default(),
            offset_ms: AtomicU64::new(0),
            counter: AtomicU64::new(1),
        })
    }

    /// The APP_ID this emulator accepts.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    fn now_ms(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::SeqCst)
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// Serves `answer` to the next API call that passes the checks.
    pub fn script(&self, answer: Scripted) {
        lock(&self.scripted).push_back(answer);
    }

    /// Makes the next page visit end with `code` instead of a successful scan.
    pub fn next_page_outcome(&self, code: i64) {
        *lock(&self.page_outcome) = Some(code);
    }

    /// Moves the emulator's clock forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Simulates a successful palm scan for `session_id`: issues a vcode bound to `human_id`
    /// (a new human when `None`) and returns it; `None` when the session is unknown, closed
    /// or expired.
    pub fn scan(&self, session_id: &str, human_id: Option<&str>) -> Option<String> {
        let now = self.now_ms();
        let n = self.next();
        let mut sessions = lock(&self.sessions);
        let session = sessions.get_mut(session_id)?;
        if session.closed || now >= session.created_ms + SESSION_TTL_MS {
            return None;
        }
        let human_id = match human_id {
            Some(h) => h.to_owned(),
            None => {
                let h = format!("u_{:032x}", rand::random::<u128>());
                lock(&self.humans).insert(h.clone(), format!("HC{n:06}"));
                h
            }
        };
        let vcode = format!("{:06}", 100_000 + (n * 7919) % 900_000);
        session.vcode = Some((vcode.clone(), human_id, now));
        Some(vcode)
    }

    /// Every API request received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }

    fn close(&self, session_id: &str) {
        if let Some(s) = lock(&self.sessions).get_mut(session_id) {
            s.closed = true;
        }
    }
}

/// The emulator's routes (API and pages), for mounting in a larger router.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/session/v2/get_id", post(api::api))
        .route("/api/vcode/v2/verify", post(api::api))
        .route("/api/vcode/v2/get_show_id", post(api::api))
        .route("/registration/index.html", get(pages::page))
        .route("/verification/index.html", get(pages::page))
        .route("/humancode/scan", get(pages::scan_action))
        .with_state(shared)
}

/// A standalone emulator on 127.0.0.1.
#[derive(Debug)]
pub struct Emulator {
    /// The bound address.
    pub addr: SocketAddr,
    /// The state, for scripting.
    pub shared: Arc<Shared>,
}

impl Emulator {
    /// Starts an emulator on 127.0.0.1:`port` (0 for any) in the current tokio runtime, with
    /// pages that act as an immediate successful scan ([`PageMode::AutoScan`]).
    pub async fn start(app_id: &str, app_key: &str, port: u16) -> std::io::Result<Emulator> {
        Self::start_with_mode(app_id, app_key, port, PageMode::AutoScan).await
    }

    /// Starts an emulator with pages in `mode`.
    pub async fn start_with_mode(
        app_id: &str,
        app_key: &str,
        port: u16,
        mode: PageMode,
    ) -> std::io::Result<Emulator> {
        let shared = Shared::new(app_id, app_key, mode);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator { addr, shared })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// See [`Shared::script`].
    pub fn script(&self, answer: Scripted) {
        self.shared.script(answer);
    }

    /// See [`Shared::next_page_outcome`].
    pub fn next_page_outcome(&self, code: i64) {
        self.shared.next_page_outcome(code);
    }

    /// See [`Shared::advance`].
    pub fn advance(&self, by: Duration) {
        self.shared.advance(by);
    }

    /// See [`Shared::scan`].
    pub fn scan(&self, session_id: &str, human_id: Option<&str>) -> Option<String> {
        self.shared.scan(session_id, human_id)
    }

    /// See [`Shared::received`].
    pub fn received(&self) -> Vec<Received> {
        self.shared.received()
    }
}
