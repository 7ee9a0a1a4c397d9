//! Admin protection: the `Host` check on every route and the per-run admin token on the admin
//! routes and the dashboard.
//!
//! Threats (issue 15): a web page the developer visits posting to `/admin/...` with a `no-cors`
//! fetch (CSRF), and DNS rebinding (a hostile name resolving to 127.0.0.1 so its page reads the
//! answers). The token defeats the first: a cross-site request can neither set the header nor
//! carry the `SameSite=Strict` cookie, and a cookie-authenticated unsafe request must also come
//! from one of the sandbox's own origins. The `Host` check defeats the second: a rebound page
//! sends its own name as `Host`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::access::{ADMIN_COOKIE, ADMIN_TOKEN_HEADER, AdminGuard};
use crate::http::error::ApiError;
use crate::util::{self, html, wants_html};

fn host_of(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
}

/// Every route: refuses a `Host` the sandbox does not serve (421), which is what a DNS
/// rebinding page sends.
pub(crate) async fn check_host(
    State(guard): State<Arc<AdminGuard>>,
    req: Request,
    next: Next,
) -> Response {
    match host_of(&req) {
        Some(host) if guard.host_allowed(host) => next.run(req).await,
        host => {
            tracing::warn!(
                host = host.unwrap_or("<none>"),
                "request refused: unknown Host"
            );
            ApiError::new(
                StatusCode::MISDIRECTED_REQUEST,
                "Host header does not name this sandbox: use its printed address, or start it with --public-url naming the host you use",
            )
            .into_response()
        }
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == ADMIN_COOKIE)
        .map(|(_, v)| v)
}

/// A cookie-authenticated unsafe request must come from the sandbox's own pages: browsers send
/// `Origin` (and `Sec-Fetch-Site`) on cross-site requests, so their absence is a same-site
/// navigation or a tool.
fn same_origin(guard: &AdminGuard, headers: &HeaderMap) -> bool {
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|o| guard.origins().iter().any(|a| a.eq_ignore_ascii_case(o)));
    let site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|s| matches!(s, "same-origin" | "none"));
    origin_ok && site_ok
}

/// The admin routes and the dashboard: the token as the `X-Sandbox-Admin-Token` header, or the
/// cookie (same-origin only for unsafe methods). `GET ...?token=<token>` sets the cookie and
/// redirects to the same page without the token.
pub(crate) async fn require_admin(
    State(guard): State<Arc<AdminGuard>>,
    req: Request,
    next: Next,
) -> Response {
    let guard = &*guard;
    let headers = req.headers();
    if let Some(t) = headers
        .get(ADMIN_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return if guard.token_matches(t.trim()) {
            next.run(req).await
        } else {
            refuse(headers, "the X-Sandbox-Admin-Token header does not match")
        };
    }
    if let Some(t) = cookie_token(headers)
        && guard.token_matches(t)
    {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD);
        return if safe || same_origin(guard, headers) {
            next.run(req).await
        } else {
            refuse(headers, "cross-site admin request refused")
        };
    }
    if *req.method() == Method::GET
        && let Some(query) = req.uri().query()
    {
        let pairs = util::parse_query(Some(query));
        if pairs
            .iter()
            .any(|(k, v)| k == "token" && guard.token_matches(v))
        {
            let rest: Vec<String> = query
                .split('&')
                .filter(|p| !p.starts_with("token="))
                .map(str::to_owned)
                .collect();
            let mut to = req.uri().path().to_owned();
            if !rest.is_empty() {
                to = format!("{to}?{}", rest.join("&"));
            }
            let mut response = Redirect::to(&to).into_response();
            if let Ok(v) = HeaderValue::from_str(&guard.cookie()) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            return response;
        }
    }
    refuse(headers, "admin token required")
}

fn refuse(headers: &HeaderMap, why: &str) -> Response {
    let hint = "send the X-Sandbox-Admin-Token header (the token is printed at start and exported \
                as HUMANOS_SANDBOX_ADMIN_TOKEN), or open the printed admin link in a browser";
    if wants_html(headers) {
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox admin</title></head>\
             <body><h1>Sandbox admin</h1><p id=\"error\">{}: {}.</p></body></html>",
            html(why),
            html(hint)
        );
        return (StatusCode::UNAUTHORIZED, Html(body)).into_response();
    }
    ApiError::new(StatusCode::UNAUTHORIZED, format!("{why}: {hint}")).into_response()
}
