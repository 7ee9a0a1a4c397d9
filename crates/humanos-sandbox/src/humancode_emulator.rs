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

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::util::{self, html};

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
        .route("/api/session/v2/get_id", post(api))
        .route("/api/vcode/v2/verify", post(api))
        .route("/api/vcode/v2/get_show_id", post(api))
        .route("/registration/index.html", get(page))
        .route("/verification/index.html", get(page))
        .route("/humancode/scan", get(scan_action))
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

fn envelope(code: i64, msg: &str, result: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "code": code, "msg": msg, "result": result }).to_string(),
    )
        .into_response()
}

fn error(code: i64, msg: &str) -> Response {
    envelope(code, msg, json!({}))
}

fn is_nonce(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// The three API endpoints: records the call, checks app_id, signature and the common
/// fields, serves a scripted answer if one is queued, then answers for real.
async fn api(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let query: HashMap<String, String> = util::parse_query(raw.as_deref()).into_iter().collect();
    record(&shared, &uri, &headers, &query, &body);
    let fields = match check_call(&shared, &query, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    if let Some(scripted) = play_scripted(&shared).await {
        return scripted;
    }
    let field = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
    let now = shared.now_ms();
    match uri.path() {
        "/api/session/v2/get_id" => create_session(&shared, now),
        "/api/vcode/v2/verify" => verify_vcode(&shared, now, &field("session_id"), &field("vcode")),
        "/api/vcode/v2/get_show_id" => show_id(&shared, &field("human_id")),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Keeps the request for [`Shared::received`].
fn record(
    shared: &Shared,
    uri: &Uri,
    headers: &axum::http::HeaderMap,
    query: &HashMap<String, String>,
    body: &Bytes,
) {
    lock(&shared.received).push(Received {
        path: uri.path().to_owned(),
        query: query.clone(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.to_vec(),
    });
}

/// The checks every call passes first, in the real service's order: app_id (10002), the
/// body signature (10001), then a JSON object with a timestamp and nonce (10006).
#[allow(clippy::result_large_err)]
fn check_call(
    shared: &Shared,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Result<serde_json::Map<String, Value>, Response> {
    if query.get("app_id") != Some(&shared.app_id) {
        return Err(error(10002, "wrong APP_ID"));
    }
    let Some(sign) = query.get("sign") else {
        return Err(error(10001, "signature verification failed"));
    };
    if humanos_signing::app_signature::verify(&shared.app_key, body, sign.as_bytes()).is_err() {
        return Err(error(10001, "signature verification failed"));
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(error(10006, "invalid parameters"));
    };
    let field = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
    if !is_timestamp(&field("timestamp")) || !is_nonce(&field("nonce_str")) {
        return Err(error(10006, "invalid parameters"));
    }
    Ok(fields)
}

/// The next queued [`Scripted`] answer, if any; a delay waits and answers normally (`None`).
async fn play_scripted(shared: &Shared) -> Option<Response> {
    let scripted = lock(&shared.scripted).pop_front();
    match scripted? {
        Scripted::Envelope { code, msg } => Some(error(code, &msg)),
        Scripted::Raw { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some((status, body).into_response())
        }
        Scripted::Delay(d) => {
            tokio::time::sleep(d).await;
            None
        }
    }
}

/// `get_id`: a new open session without a vcode.
fn create_session(shared: &Shared, now: u64) -> Response {
    let session_id = format!("{:032x}", rand::random::<u128>());
    lock(&shared.sessions).insert(
        session_id.clone(),
        SessionState {
            created_ms: now,
            closed: false,
            vcode: None,
        },
    );
    tracing::info!(%session_id, "humancode session created");
    envelope(0, "ok", json!({ "session_id": session_id }))
}

/// `vcode/verify`: the session must exist, be open and unexpired, and hold this unexpired
/// vcode; success (and an expired vcode) closes it.
fn verify_vcode(shared: &Shared, now: u64, session_id: &Value, vcode: &Value) -> Response {
    let (Some(session_id), Some(vcode)) = (session_id.as_str(), vcode.as_str()) else {
        return error(10006, "invalid parameters");
    };
    let mut sessions = lock(&shared.sessions);
    let Some(session) = sessions.get_mut(session_id) else {
        return error(10010, "session_id does not exist");
    };
    if session.closed {
        return error(10012, "session is closed");
    }
    if now >= session.created_ms + SESSION_TTL_MS {
        return error(10011, "session_id or vcode expired");
    }
    let Some((expected, human_id, issued)) = session.vcode.clone() else {
        return error(10020, "invalid vcode");
    };
    if now >= issued + VCODE_TTL_MS {
        session.closed = true;
        return error(10011, "session_id or vcode expired");
    }
    if expected != vcode {
        return error(10020, "invalid vcode");
    }
    session.closed = true;
    envelope(0, "ok", json!({ "human_id": human_id }))
}

/// `get_show_id`: the show id of a human who registered.
fn show_id(shared: &Shared, human_id: &Value) -> Response {
    let Some(human_id) = human_id.as_str() else {
        return error(10006, "invalid parameters");
    };
    match lock(&shared.humans).get(human_id) {
        Some(show_id) => envelope(
            0,
            "ok",
            json!({ "show_id": show_id, "create_time": 1_716_259_499_345_u64 }),
        ),
        None => error(10020, "invalid human_id"),
    }
}

/// The page parameters, validated like the real pages do.
struct PageParams {
    session_id: String,
    callback: String,
    human_id: Option<String>,
}

#[allow(clippy::result_large_err)]
fn page_params(pairs: &[(String, String)], require_ts_last: bool) -> Result<PageParams, Response> {
    let bad = |why: &str| (StatusCode::BAD_REQUEST, format!("bad page URL: {why}")).into_response();
    if require_ts_last && pairs.last().map(|(k, _)| k.as_str()) != Some("ts") {
        return Err(bad("ts must come last"));
    }
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (Some(session_id), Some(callback)) = (get("session_id"), get("callback_url")) else {
        return Err(bad("session_id and callback_url are required"));
    };
    let Ok(cb) = url::Url::parse(&callback) else {
        return Err(bad("callback_url is not a URL"));
    };
    if !matches!(cb.scheme(), "http" | "https") || cb.query().is_some() || cb.fragment().is_some() {
        return Err(bad("callback_url must be http(s) without parameters"));
    }
    Ok(PageParams {
        session_id,
        // The parsed form: percent-encoded, so it is a valid Location header.
        callback: cb.into(),
        human_id: get("human_id"),
    })
}

/// Runs a scan (forced outcome, failure, or success) and returns the callback redirect.
fn finish(shared: &Shared, p: &PageParams, verification: bool, fail: Option<i64>) -> Response {
    let forced = lock(&shared.page_outcome).take().or(fail);
    let (vcode, code) = match forced {
        Some(code) => {
            shared.close(&p.session_id);
            ("error".to_owned(), code)
        }
        None if verification => {
            let human_id = p.human_id.clone().unwrap_or_default();
            if !lock(&shared.humans).contains_key(&human_id) {
                shared.close(&p.session_id);
                ("error".to_owned(), 10020)
            } else {
                match shared.scan(&p.session_id, Some(&human_id)) {
                    Some(v) => (v, 20),
                    None => ("error".to_owned(), 10010),
                }
            }
        }
        None => match shared.scan(&p.session_id, None) {
            Some(v) => (v, 12),
            None => ("error".to_owned(), 10010),
        },
    };
    tracing::info!(session_id = %p.session_id, error_code = code, "humancode palm scan");
    // Every value encoded: `session_id` comes from the page URL, so unencoded it could add
    // parameters to the callback (or break the Location header).
    let enc = humancode::encode_uri_component;
    Redirect::to(&format!(
        "{}?session_id={}&vcode={}&error_code={code}",
        p.callback,
        enc(&p.session_id),
        enc(&vcode)
    ))
    .into_response()
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri, RawQuery(raw): RawQuery) -> Response {
    let pairs = util::parse_query(raw.as_deref());
    let p = match page_params(&pairs, true) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let verification = uri.path().starts_with("/verification");
    if shared.mode == PageMode::AutoScan {
        return finish(&shared, &p, verification, None);
    }
    let mode = if verification {
        "verification"
    } else {
        "registration"
    };
    let fail_code = if verification { 10021 } else { 13 };
    let hidden = |name: &str, value: &str| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            html(value)
        )
    };
    let mut fields = hidden("session_id", &p.session_id)
        + &hidden("callback_url", &p.callback)
        + &hidden("mode", mode);
    if let Some(h) = &p.human_id {
        fields += &hidden("human_id", h);
    }
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HumanCode {mode} (sandbox)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}}</style></head>
<body>
<h1>HumanCode {mode}</h1>
<p>Sandbox emulator: no camera, no palm. Choose how the scan ends.</p>
<p>Session <code id="session">{session}</code></p>
<form method="get" action="/humancode/scan">
{fields}
<button id="scan" type="submit" name="outcome" value="success">Scan palm</button>
<button id="fail" type="submit" name="outcome" value="{fail_code}">Fail scan</button>
</form>
</body></html>"#,
        session = html(&p.session_id),
    ))
    .into_response()
}

async fn scan_action(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = util::parse_query(raw.as_deref());
    let p = match page_params(&pairs, false) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let verification = get("mode").as_deref() == Some("verification");
    let fail = get("outcome").and_then(|o| o.parse::<i64>().ok());
    finish(&shared, &p, verification, fail)
}
