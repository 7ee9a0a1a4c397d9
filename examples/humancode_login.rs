//! "Prove I am a Human": the whole HumanCode flow in a small axum app.
//!
//! 1. `GET /` shows the button. `POST /start` creates a HumanCode session on the server, binds
//!    it to the browser with an `HttpOnly` cookie and redirects to the HumanCode REGISTRATION
//!    page (or the VERIFICATION page when a human_id is given).
//! 2. HumanCode redirects back to `GET /callback?session_id=…&vcode=…&error_code=…`.
//! 3. The server checks the callback's session against the cookie, exchanges the vcode for the
//!    human_id with the VCODE API and shows it.
//!
//! ```sh
//! # no configuration: against a local HumanCode emulator started in this process
//! cargo run -p humanos-examples --example humancode_login
//! # against the real service
//! HUMANCODE_APP_ID=a_… HUMANCODE_APP_KEY=… cargo run -p humanos-examples --example humancode_login
//! # against a sandbox running elsewhere (`humanos sandbox` prints these values)
//! HUMANCODE_APP_ID=a_sandbox HUMANCODE_APP_KEY=… HUMANCODE_BASE_URL=http://127.0.0.1:8787 \
//!     cargo run -p humanos-examples --example humancode_login
//! ```
//!
//! Environment: `HUMANCODE_APP_ID`, `HUMANCODE_APP_KEY`, `HUMANCODE_BASE_URL` (optional),
//! `PORT` (default 3000) and `PUBLIC_URL` (default `http://127.0.0.1:$PORT`, the origin the
//! browser sees, used for the callback URL). The app listens on 127.0.0.1 only.
//!
//! With neither `HUMANCODE_APP_ID` nor `HUMANCODE_APP_KEY` set, the app starts the sandbox's
//! HumanCode emulator (`humanos_sandbox::humancode_emulator::Emulator`, see `docs/sandbox.md`) on an
//! ephemeral 127.0.0.1 port and says so on start: its pages have no camera and no palm, only
//! "Scan palm" and "Fail scan" buttons, and its human_ids live as long as the process.
//!
//! This package's `tests/browser.rs` includes this file as a module and drives [`app`] in
//! headless Chromium, so what it tests is this very code.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, serve};
use humancode::{
    Callback, CallbackOutcome, CallbackUrl, ENV_APP_ID, ENV_APP_KEY, ENV_BASE_URL, Error,
    HumanCodeClient, HumanId, SESSION_LIFETIME,
};
use humanos_sandbox::humancode_emulator::{Emulator, PageMode};

/// The cookie binding a browser to the HumanCode session its server created.
const SESSION_COOKIE: &str = "hc_session";

struct App {
    client: HumanCodeClient,
    callback: CallbackUrl,
    secure_cookie: bool,
}

/// The APP_ID the in-process emulator accepts.
const LOCAL_APP_ID: &str = "a_local";
/// The APP_KEY the in-process emulator accepts (it only listens on 127.0.0.1).
const LOCAL_APP_KEY: &str = "local-emulator-key";

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("humancode_login: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT={port} is not a port"))?,
        Err(_) => 3000,
    };
    let public_url = std::env::var("PUBLIC_URL")
        .unwrap_or_else(|_| format!("http://127.0.0.1:{port}"))
        .trim_end_matches('/')
        .to_owned();
    let callback =
        CallbackUrl::parse(&format!("{public_url}/callback")).map_err(|e| e.to_string())?;
    // The emulator serves from a task of this runtime for as long as the app runs.
    let (client, _emulator) = match client_from_env()? {
        Some(client) => (client, None),
        None => {
            let (emulator, client) = start_local_emulator().await?;
            println!(
                "No {ENV_APP_ID} / {ENV_APP_KEY} set: running against the LOCAL HumanCode \
                 emulator at {} (no camera, no palm: its pages have a \"Scan palm\" button). \
                 Set both to use the real service.",
                emulator.base_url()
            );
            (client, Some(emulator))
        }
    };
    let base_url = client.base_url().to_string();
    let router = app(client, callback.clone());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!(
        "Prove I am a Human: open {public_url}/ (HumanCode at {base_url}, callback {callback})"
    );
    serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// The client the environment configures, or `None` when neither `HUMANCODE_APP_ID` nor
/// `HUMANCODE_APP_KEY` is set (the app then uses the local emulator).
fn client_from_env() -> Result<Option<HumanCodeClient>, String> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    if !set(ENV_APP_ID) && !set(ENV_APP_KEY) {
        if set(ENV_BASE_URL) {
            return Err(format!(
                "{ENV_BASE_URL} is set but {ENV_APP_ID} and {ENV_APP_KEY} are not: set all three, \
                 or none to use the local emulator"
            ));
        }
        return Ok(None);
    }
    HumanCodeClient::from_env().map(Some).map_err(|e| {
        format!(
            "{e} (set {ENV_APP_ID}, {ENV_APP_KEY} and optionally {ENV_BASE_URL}, or none of them)"
        )
    })
}

/// Starts the HumanCode emulator with interactive pages on an ephemeral 127.0.0.1 port, in the
/// current runtime, and returns it with a client pointed at it.
pub(crate) async fn start_local_emulator() -> Result<(Emulator, HumanCodeClient), String> {
    let emulator = Emulator::start_with_mode(LOCAL_APP_ID, LOCAL_APP_KEY, 0, PageMode::Interactive)
        .await
        .map_err(|e| format!("cannot start the local HumanCode emulator: {e}"))?;
    let client = HumanCodeClient::builder()
        .app_id(LOCAL_APP_ID)
        .app_key(LOCAL_APP_KEY)
        .base_url(emulator.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    Ok((emulator, client))
}

/// The app's routes: `GET /`, `POST /start` and `GET /callback`, calling HumanCode with
/// `client` and sending the browser back to `callback` (this app's `/callback`, as the browser
/// reaches it). The session cookie is `Secure` when `callback` is https.
pub(crate) fn app(client: HumanCodeClient, callback: CallbackUrl) -> Router {
    let app = Arc::new(App {
        secure_cookie: callback.as_str().starts_with("https://"),
        client,
        callback,
    });
    Router::new()
        .route("/", get(home))
        .route("/start", post(start))
        .route("/callback", get(on_callback))
        .with_state(app)
}

async fn home() -> Html<String> {
    page(
        "Prove I am a Human",
        r#"<form method="post" action="/start">
  <button id="register" type="submit">Prove I am a Human</button>
</form>
<p>Already registered? Verify with your human_id:</p>
<form method="post" action="/start">
  <input name="human_id" placeholder="u_…" size="40" pattern="[A-Za-z0-9_-]{1,128}" required>
  <button id="verify" type="submit">Verify me</button>
</form>"#,
    )
}

/// Step 1 and 2: create the session server-side, bind it to this browser, send it to HumanCode.
async fn start(State(app): State<Arc<App>>, Form(form): Form<HashMap<String, String>>) -> Response {
    let human_id = match form.get("human_id").map(|h| h.trim()) {
        Some(h) if !h.is_empty() => match HumanId::new(h) {
            Ok(id) => Some(id),
            Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
        },
        _ => None,
    };
    let session = match app.client.create_session().await {
        Ok(session) => session,
        Err(e) => return api_error_page(&e),
    };
    let target = match &human_id {
        Some(id) => app
            .client
            .verification_url(&session.session_id, &app.callback, id.as_str()),
        None => app
            .client
            .registration_url(&session.session_id, &app.callback),
    };
    let target = match target {
        Ok(url) => url,
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    println!(
        "session {} created, browser sent to HumanCode",
        session.session_id
    );
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        session.session_id,
        SESSION_LIFETIME.as_secs(),
        if app.secure_cookie { "; Secure" } else { "" }
    );
    with_cookie(Redirect::to(&target).into_response(), &cookie)
}

/// Step 3: HumanCode sent the browser back; check the session and the vcode server-side.
async fn on_callback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    // The session cookie is single-use whatever happens next.
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let response = handle_callback(&app, &headers, query.as_deref().unwrap_or("")).await;
    with_cookie(response, &clear)
}

async fn handle_callback(app: &App, headers: &HeaderMap, query: &str) -> Response {
    let callback = match Callback::from_query(query) {
        Ok(callback) => callback,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    // Only the session this server created for this browser counts: a callback for another
    // session (a link someone sent, an old tab) is refused.
    if cookie(headers, SESSION_COOKIE) != Some(callback.session_id.as_str()) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This callback is not for the session started in this browser. Start again.",
        );
    }
    let (vcode, already) = match &callback.outcome {
        CallbackOutcome::Registered { vcode, already } => (vcode, *already),
        CallbackOutcome::Verified { vcode } => (vcode, false),
        CallbackOutcome::Failed(code) => {
            println!("session {}: failed with {code}", callback.session_id);
            return error_page(
                StatusCode::OK,
                &format!("HumanCode could not prove it: {}.", code.message()),
            );
        }
        other => {
            return error_page(
                StatusCode::BAD_REQUEST,
                &format!("unexpected outcome {other:?}"),
            );
        }
    };
    let human_id = match app.client.verify_vcode(&callback.session_id, vcode).await {
        Ok(human_id) => human_id,
        Err(e) => return api_error_page(&e),
    };
    let show_id = app
        .client
        .show_id(human_id.as_str())
        .await
        .map(|s| s.show_id)
        .unwrap_or_else(|_| "-".to_owned());
    println!(
        "session {}: human {human_id} ({show_id})",
        callback.session_id
    );
    page(
        "You are a human",
        &format!(
            "<p>{}</p>\n<p>human_id: <code id=\"human_id\">{}</code></p>\n<p>show_id: <code id=\"show_id\">{}</code></p>\n<p><a href=\"/\">Again</a></p>",
            if already {
                "Welcome back: this palm was already registered."
            } else {
                "Proof of humanity succeeded."
            },
            escape(human_id.as_str()),
            escape(&show_id)
        ),
    )
    .into_response()
}

fn api_error_page(error: &Error) -> Response {
    eprintln!("HumanCode call failed: {error}");
    let status = if error.is_retryable() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::BAD_GATEWAY
    };
    let message = match error.code() {
        Some(code) => format!("HumanCode refused: {}.", code.message()),
        None => "HumanCode could not be reached. Try again.".to_owned(),
    };
    error_page(status, &message)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = page(
        "Not proven",
        &format!(
            "<p id=\"error\">{}</p>\n<p><a href=\"/\">Start again</a></p>",
            escape(message)
        ),
    );
    (status, body).into_response()
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    ))
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
