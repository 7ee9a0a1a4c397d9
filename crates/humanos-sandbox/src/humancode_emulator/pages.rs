//! The emulator's REGISTRATION / VERIFICATION pages and the scan that finishes them.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::shared::{PageMode, Shared, lock};
use crate::util::{self, html};

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

pub(super) async fn page(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Response {
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

pub(super) async fn scan_action(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> Response {
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
