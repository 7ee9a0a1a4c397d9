//! The emulator's API: `get_id`, `vcode/verify` and `get_show_id`, answered in the HumanCode
//! envelope with the real service's codes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::shared::{Received, SESSION_TTL_MS, Scripted, SessionState, Shared, VCODE_TTL_MS, lock};
use crate::util;

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
pub(super) async fn api(
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
