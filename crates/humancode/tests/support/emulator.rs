//! A HumanCode emulator on 127.0.0.1 for tests and local runs.
//!
//! It does what the real server stands for: checks `app_id` (10002), recomputes the HMAC over
//! the raw received body (10001), checks the body's fields (10006), keeps sessions and vcodes
//! with their lifetimes (10010, 10011, 10012, 10020) and serves REGISTRATION / VERIFICATION
//! pages that redirect to the callback like the real ones after a palm scan. Tests can queue
//! scripted answers (any code, raw bodies, HTTP errors, delays) that are served once the
//! checks passed, and read back every received request.
#![allow(dead_code, unreachable_pub)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

pub const SESSION_TTL_MS: u64 = 10 * 60 * 1000;
pub const VCODE_TTL_MS: u64 = 30 * 1000;

/// A scripted answer, served after the app_id and signature checks passed.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// `{"code": code, "msg": msg, "result": {}}` with HTTP 200.
    Envelope { code: i64, msg: String },
    /// Any status and body.
    Raw { status: u16, body: Vec<u8> },
    /// Waits, then answers normally.
    Delay(Duration),
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: HashMap<String, String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
struct SessionState {
    created_ms: u64,
    closed: bool,
    /// (vcode, human_id, issued_ms)
    vcode: Option<(String, String, u64)>,
}

pub struct Shared {
    pub app_id: String,
    app_key: Vec<u8>,
    sessions: Mutex<HashMap<String, SessionState>>,
    /// human_id -> show_id
    humans: Mutex<HashMap<String, String>>,
    scripted: Mutex<VecDeque<Scripted>>,
    received: Mutex<Vec<Received>>,
    /// Outcome code forced on the next page visit (13, 10021, 10040, ...).
    page_outcome: Mutex<Option<i64>>,
    offset_ms: AtomicU64,
    counter: AtomicU64,
}

impl Shared {
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
}

pub struct Emulator {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
}

impl Emulator {
    /// Starts an emulator on 127.0.0.1:`port` (0 for any) in the current tokio runtime.
    pub async fn start(app_id: &str, app_key: &str, port: u16) -> std::io::Result<Emulator> {
        let shared = Arc::new(Shared {
            app_id: app_id.to_owned(),
            app_key: app_key.as_bytes().to_vec(),
            sessions: Mutex::default(),
            humans: Mutex::default(),
            scripted: Mutex::default(),
            received: Mutex::default(),
            page_outcome: Mutex::default(),
            offset_ms: AtomicU64::new(0),
            counter: AtomicU64::new(1),
        });
        let app = Router::new()
            .route("/api/session/v2/get_id", post(api))
            .route("/api/vcode/v2/verify", post(api))
            .route("/api/vcode/v2/get_show_id", post(api))
            .route("/registration/index.html", get(page))
            .route("/verification/index.html", get(page))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator { addr, shared })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `answer` to the next API call that passes the checks.
    pub fn script(&self, answer: Scripted) {
        self.shared.scripted.lock().unwrap().push_back(answer);
    }

    /// Makes the next page visit end with `code` instead of a successful scan.
    pub fn next_page_outcome(&self, code: i64) {
        *self.shared.page_outcome.lock().unwrap() = Some(code);
    }

    /// Moves the emulator's clock forward.
    pub fn advance(&self, by: Duration) {
        self.shared
            .offset_ms
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Simulates a successful palm scan for `session_id`: issues a vcode bound to `human_id`
    /// (a new one when `None`) and returns it.
    pub fn scan(&self, session_id: &str, human_id: Option<&str>) -> Option<String> {
        scan(&self.shared, session_id, human_id)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }
}

fn scan(shared: &Shared, session_id: &str, human_id: Option<&str>) -> Option<String> {
    let now = shared.now_ms();
    let n = shared.next();
    let mut sessions = shared.sessions.lock().unwrap();
    let session = sessions.get_mut(session_id)?;
    if session.closed || now >= session.created_ms + SESSION_TTL_MS {
        return None;
    }
    let human_id = match human_id {
        Some(h) => h.to_owned(),
        None => {
            let h = format!("u_{:032x}", rand::random::<u128>());
            shared
                .humans
                .lock()
                .unwrap()
                .insert(h.clone(), format!("HC{:06}", n));
            h
        }
    };
    let vcode = format!("{:06}", 100_000 + (n * 7919) % 900_000);
    session.vcode = Some((vcode.clone(), human_id, now));
    Some(vcode)
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

fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (d(k), d(v))
        })
        .collect()
}

fn is_nonce(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit()))
}

async fn api(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = parse_query(raw.as_deref());
    let query: HashMap<String, String> = pairs.iter().cloned().collect();
    shared.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        query: query.clone(),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.to_vec(),
    });

    // The checks the real server stands for, on the raw bytes received.
    if query.get("app_id") != Some(&shared.app_id) {
        return error(10002, "wrong APP_ID");
    }
    let Some(sign) = query.get("sign") else {
        return error(10001, "signature verification failed");
    };
    if humanos_signing::humancode::verify(&shared.app_key, &body, sign.as_bytes()).is_err() {
        return error(10001, "signature verification failed");
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return error(10006, "invalid parameters");
    };
    let field = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
    if !is_timestamp(&field("timestamp")) || !is_nonce(&field("nonce_str")) {
        return error(10006, "invalid parameters");
    }

    let scripted = shared.scripted.lock().unwrap().pop_front();
    match scripted {
        Some(Scripted::Envelope { code, msg }) => return error(code, &msg),
        Some(Scripted::Raw { status, body }) => {
            return (StatusCode::from_u16(status).unwrap(), body).into_response();
        }
        Some(Scripted::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }

    let now = shared.now_ms();
    match uri.path() {
        "/api/session/v2/get_id" => {
            let session_id = format!("{:032x}", rand::random::<u128>());
            shared.sessions.lock().unwrap().insert(
                session_id.clone(),
                SessionState {
                    created_ms: now,
                    closed: false,
                    vcode: None,
                },
            );
            envelope(0, "ok", json!({ "session_id": session_id }))
        }
        "/api/vcode/v2/verify" => {
            let (session_id, vcode) = (field("session_id"), field("vcode"));
            let (Some(session_id), Some(vcode)) = (session_id.as_str(), vcode.as_str()) else {
                return error(10006, "invalid parameters");
            };
            let mut sessions = shared.sessions.lock().unwrap();
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
        "/api/vcode/v2/get_show_id" => {
            let Some(human_id) = field("human_id").as_str().map(str::to_owned) else {
                return error(10006, "invalid parameters");
            };
            match shared.humans.lock().unwrap().get(&human_id) {
                Some(show_id) => envelope(
                    0,
                    "ok",
                    json!({ "show_id": show_id, "create_time": 1_716_259_499_345_u64 }),
                ),
                None => error(10020, "invalid human_id"),
            }
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri, RawQuery(raw): RawQuery) -> Response {
    let pairs = parse_query(raw.as_deref());
    let bad = |why: &str| (StatusCode::BAD_REQUEST, format!("bad page URL: {why}")).into_response();
    if pairs.last().map(|(k, _)| k.as_str()) != Some("ts") {
        return bad("ts must come last");
    }
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (Some(session_id), Some(callback)) = (get("session_id"), get("callback_url")) else {
        return bad("session_id and callback_url are required");
    };
    let Ok(cb) = url::Url::parse(&callback) else {
        return bad("callback_url is not a URL");
    };
    if !matches!(cb.scheme(), "http" | "https") || cb.query().is_some() {
        return bad("callback_url must be http(s) without parameters");
    }
    let verification = uri.path().starts_with("/verification");
    let forced = shared.page_outcome.lock().unwrap().take();
    let (vcode, code) = match forced {
        Some(code) => {
            if let Some(s) = shared.sessions.lock().unwrap().get_mut(&session_id) {
                s.closed = true;
            }
            ("error".to_owned(), code)
        }
        None if verification => {
            let human_id = get("human_id").unwrap_or_default();
            if !shared.humans.lock().unwrap().contains_key(&human_id) {
                ("error".to_owned(), 10020)
            } else {
                match scan(&shared, &session_id, Some(&human_id)) {
                    Some(v) => (v, 20),
                    None => ("error".to_owned(), 10010),
                }
            }
        }
        None => match scan(&shared, &session_id, None) {
            Some(v) => (v, 12),
            None => ("error".to_owned(), 10010),
        },
    };
    Redirect::to(&format!(
        "{callback}?session_id={session_id}&vcode={vcode}&error_code={code}"
    ))
    .into_response()
}
