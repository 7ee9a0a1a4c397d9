//! `humanos webhook open | listen | trigger`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humanos_axum::{HumanosWebhook, WebhookRejection, WebhookState};
use humanos_signing::wire_json;
use humanos_webhooks::{WebhookError, WebhookEvent, WebhookPayload, sample};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::cli::{ListenArgs, OpenArgs, TriggerArgs};
use crate::config::Settings;
use crate::error::{CliError, Result, http_error};
use crate::output::{parse_json, pretty_bytes, print_out, read_input, shell_quote};

/// What to do about a refused delivery, per check (a [`WebhookError::code`]).
fn hint_for(code: &str) -> &'static str {
    match code {
        "missing_header" => {
            "pass both --signature and --timestamp (the x-signature and x-timestamp headers)"
        }
        "duplicate_header" => "send each of x-signature and x-timestamp once",
        "malformed_timestamp" => "x-timestamp is Unix milliseconds, digits only",
        "timestamp_too_old" | "timestamp_in_future" => {
            "a captured delivery ages: raise --tolerance (seconds), or check the clock"
        }
        "malformed_signature" => "x-signature is 64 hex digits",
        "signature_mismatch" => {
            "check the webhook signature secret, and that the body is byte for byte as received (no added newline, no re-formatting)"
        }
        "decryption_failed" => {
            "the signature is valid, so the webhook encryption secret or salt is wrong"
        }
        "payload_shape" => {
            "signature and decryption passed; rerun with --no-shape-check to see the plaintext"
        }
        _ => "the body must be the {\"iv\",\"data\",\"tag\"} envelope exactly as Humanos sent it",
    }
}

fn refused(err: &WebhookError) -> CliError {
    CliError::refused(
        format!(
            "delivery refused by check `{}` ({}; an endpoint answers {})",
            err.code(),
            err,
            err.status()
        ),
        hint_for(err.code()),
    )
}

/// `humanos webhook open`.
pub(crate) fn open(settings: &Settings, args: &OpenArgs) -> Result<()> {
    let config = settings.webhook_config(&args.secrets, args.tolerance)?;
    let body = read_input(args.file.as_deref(), "the delivery body")?;
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(signature) = &args.signature {
        headers.push(("x-signature", signature.trim()));
    }
    if let Some(timestamp) = &args.timestamp {
        headers.push(("x-timestamp", timestamp.trim()));
    }
    let plaintext = config.open(&headers, &body).map_err(|err| {
        let mut error = refused(&err);
        if err.code() == "signature_mismatch" && body.ends_with(b"\n") {
            error.hint = "the body ends with a newline: was it added when saving the file? The signature covers the exact bytes received".into();
        }
        error
    })?;
    if !args.no_shape_check {
        // An adapter hands such an event to the handler as `Undecoded` (it is authentic); here
        // the point is to say that it does not fit this SDK's types.
        if let WebhookEvent::Undecoded(event) =
            WebhookEvent::from_plaintext(&plaintext).map_err(|err| refused(&err))?
        {
            return Err(CliError::refused(
                format!(
                    "delivery refused by check `payload_shape` ({}; an endpoint hands it to the handler as WebhookEvent::Undecoded)",
                    event.error
                ),
                hint_for("payload_shape"),
            ));
        }
    }
    print_out(&pretty_bytes(&plaintext));
    Ok(())
}

/// `humanos webhook trigger`.
pub(crate) async fn trigger(settings: &Settings, args: &TriggerArgs) -> Result<()> {
    let config = settings.webhook_config(&args.secrets, None)?;
    let payload: Value = match &args.data {
        Some(path) => {
            let bytes = read_input(Some(path), "--data")?;
            parse_json(&bytes, "--data")?
        }
        None => {
            let request_id = args.request_id.clone().unwrap_or_else(|| {
                format!(
                    "req_cli_{}",
                    humanos_signing::Clock::now_unix_ms(&humanos_signing::SystemClock)
                )
            });
            // `of_type` knows every `EventKind`.
            sample::of_type(args.event.wire_name(), &request_id).ok_or_else(|| {
                CliError::usage("no sample for this event type", "use --data FILE")
            })?
        }
    };
    let delivery = config.seal(&payload).map_err(|err| {
        CliError::usage(
            format!("cannot seal the event: {err}"),
            "send integers beyond 2^53 as strings",
        )
    })?;
    let body = String::from_utf8_lossy(&delivery.body).into_owned();
    if args.print {
        let headers = delivery
            .headers()
            .iter()
            .map(|(n, v)| format!("-H {}", shell_quote(&format!("{n}: {v}"))))
            .collect::<Vec<_>>()
            .join(" ");
        print_out(&format!("{headers} --data-raw {}", shell_quote(&body)));
        return Ok(());
    }
    let Some(url) = &args.url else {
        return Err(CliError::usage("--url is required", "or pass --print"));
    };
    let client = http_client()?;
    let mut request = client.post(url).body(delivery.body.clone());
    for (name, value) in delivery.headers() {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|err| http_error("cannot deliver to the endpoint", err))?;
    let status = response.status();
    let answer = response
        .bytes()
        .await
        .map_err(|err| http_error("cannot read the endpoint's answer", err))?;
    print_out(&format!("HTTP {}", status.as_u16()));
    if !answer.is_empty() {
        print_out(&pretty_bytes(&answer));
    }
    if status.is_success() {
        Ok(())
    } else if status.is_client_error() {
        Err(CliError::refused(
            format!(
                "the endpoint refused the delivery with HTTP {}",
                status.as_u16()
            ),
            "does the endpoint use the same webhook secrets? `humanos webhook listen` prints the failed check",
        ))
    } else {
        Err(CliError::transport(
            format!("the endpoint failed with HTTP {}", status.as_u16()),
            "look at the endpoint's logs",
        ))
    }
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| http_error("cannot build the HTTP client", err))
}

/// A verified delivery as `webhook listen` shows it: typed-checked like a real endpoint
/// (`WebhookEvent`), printed and forwarded as the plaintext JSON (written as `JSON.stringify`
/// writes it, which is how Humanos sends it).
struct Delivery {
    plaintext: Vec<u8>,
    event_type: String,
    request_id: Option<String>,
}

impl WebhookPayload for Delivery {
    fn from_json(payload: Value) -> std::result::Result<Self, WebhookError> {
        let plaintext =
            wire_json::value_to_vec(&payload).map_err(|_| WebhookError::PlaintextNotJson)?;
        let event = WebhookEvent::from_json(payload)?;
        Ok(Self {
            plaintext,
            event_type: event.event_type().to_owned(),
            request_id: event.request_id().map(str::to_owned),
        })
    }
    fn event_type(&self) -> Option<&str> {
        Some(&self.event_type)
    }
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

#[derive(Clone)]
struct Listen {
    webhook: WebhookState,
    forward: Option<String>,
    http: reqwest::Client,
    accepted: Arc<AtomicU64>,
    max: Option<u64>,
    done: Arc<Notify>,
}

impl axum::extract::FromRef<Listen> for WebhookState {
    fn from_ref(listen: &Listen) -> Self {
        listen.webhook.clone()
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn receive(
    State(listen): State<Listen>,
    method: Method,
    delivery: std::result::Result<HumanosWebhook<Delivery>, WebhookRejection>,
) -> Response {
    if method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            axum::Json(json!({"error": "method_not_allowed", "message": "deliveries are POSTed"})),
        )
            .into_response();
    }
    let delivery = match delivery {
        Ok(HumanosWebhook(delivery)) => delivery,
        Err(rejection) => {
            eprintln!(
                "{} refused {} {}: {rejection}",
                now_rfc3339(),
                rejection.status().as_u16(),
                rejection.0.code()
            );
            return rejection.into_response();
        }
    };
    print_out(&format!(
        "--- {} {} {}\n{}",
        now_rfc3339(),
        delivery.event_type,
        delivery.request_id.as_deref().unwrap_or("-"),
        pretty_bytes(&delivery.plaintext)
    ));
    let response = match &listen.forward {
        None => (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response(),
        Some(url) => forward(&listen.http, url, delivery.plaintext).await,
    };
    let accepted = listen.accepted.fetch_add(1, Ordering::SeqCst) + 1;
    if listen.max.is_some_and(|max| accepted >= max) {
        listen.done.notify_one();
    }
    response
}

async fn forward(http: &reqwest::Client, url: &str, plaintext: Vec<u8>) -> Response {
    let result = http
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(plaintext)
        .send()
        .await;
    let response = match result {
        Ok(response) => response,
        Err(err) => {
            let err = http_error("forward failed", err);
            eprintln!("{} {}", now_rfc3339(), err.message);
            return (
                StatusCode::BAD_GATEWAY,
                axum::Json(json!({"error": "forward_failed", "message": "the --forward URL could not be reached"})),
            )
                .into_response();
        }
    };
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let body = response.bytes().await.unwrap_or_default();
    eprintln!("{} forwarded: HTTP {}", now_rfc3339(), status.as_u16());
    let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut out = (status, body).into_response();
    if let Some(content_type) = content_type
        && let Ok(value) = axum::http::HeaderValue::from_bytes(content_type.as_bytes())
    {
        out.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    out
}

/// `humanos webhook listen`.
pub(crate) async fn listen(settings: &Settings, args: &ListenArgs) -> Result<()> {
    let config = settings.webhook_config(&args.secrets, args.tolerance)?;
    if let Some(url) = &args.forward
        && reqwest::Url::parse(url).is_err()
    {
        return Err(CliError::usage(
            format!("--forward {url} is not a URL"),
            "give an absolute URL such as http://127.0.0.1:3000/webhooks/humanos",
        ));
    }
    if args.max == Some(0) {
        return Err(CliError::usage(
            "--max must be at least 1",
            "omit it to run until Ctrl-C",
        ));
    }
    let listen = Listen {
        webhook: WebhookState::new(config),
        forward: args.forward.clone(),
        http: http_client()?,
        accepted: Arc::new(AtomicU64::new(0)),
        max: args.max,
        done: Arc::new(Notify::new()),
    };
    let done = listen.done.clone();
    let app = Router::new().fallback(receive).with_state(listen);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|err| {
            CliError::usage(
                format!("cannot listen on 127.0.0.1:{}: {err}", args.port),
                "pick another --port, or 0 for any free port",
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|err| CliError::transport(format!("cannot read the bound address: {err}"), ""))?;
    eprintln!("listening on http://{addr} (Ctrl-C to stop)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = done.notified() => {}
            }
        })
        .await
        .map_err(|err| CliError::transport(format!("the receiver failed: {err}"), ""))?;
    Ok(())
}
