//! The emulator's shared state: sessions, vcodes, scripted answers, the clock and the log of
//! received requests (read by the API and the pages, scripted by tests).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
pub(super) struct SessionState {
    pub(super) created_ms: u64,
    pub(super) closed: bool,
    /// (vcode, human_id, issued_ms)
    pub(super) vcode: Option<(String, String, u64)>,
}

/// The emulator's state, shared by its handlers.
pub struct Shared {
    pub(super) app_id: String,
    pub(super) app_key: Vec<u8>,
    pub(super) mode: PageMode,
    pub(super) sessions: Mutex<HashMap<String, SessionState>>,
    /// human_id -> show_id
    pub(super) humans: Mutex<HashMap<String, String>>,
    pub(super) scripted: Mutex<VecDeque<Scripted>>,
    pub(super) received: Mutex<Vec<Received>>,
    pub(super) page_outcome: Mutex<Option<i64>>,
    pub(super) offset_ms: AtomicU64,
    pub(super) counter: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("app_id", &self.app_id)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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

    pub(super) fn now_ms(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::SeqCst)
    }

    pub(super) fn next(&self) -> u64 {
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

    pub(super) fn close(&self, session_id: &str) {
        if let Some(s) = lock(&self.sessions).get_mut(session_id) {
            s.closed = true;
        }
    }
}
