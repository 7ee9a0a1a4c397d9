//! `humanos api METHOD PATH`: one signed request, printed answer.

use humanos_signing::secrecy::ExposeSecret;
use humanos_signing::{RequestSigner, SignedHeaders};
use reqwest::{Method, StatusCode, Url};

use crate::cli::{ApiArgs, ClientArgs};
use crate::config::Settings;
use crate::error::{CliError, Result, http_error};
use crate::output::{pretty_bytes, print_out};
use crate::sign::body_bytes;

/// The API root when none is configured.
const DEFAULT_BASE_URL: &str = "https://api.humanos.id";

pub(crate) async fn run(settings: &Settings, args: &ApiArgs) -> Result<()> {
    let (api_key, secret) = settings.api_credentials(&args.credentials)?;
    let method = method(&args.method)?;
    let base = base_url(settings, args)?;
    let url = url(base, &args.path, &args.query)?;
    let body = body_bytes(args.data.as_deref(), args.raw_body)?;
    let headers =
        RequestSigner::new(api_key.expose_secret(), secret.expose_secret()).sign_now(&body);
    let api_version = args
        .api_version
        .as_deref()
        .unwrap_or(humanos_models::API_VERSION);
    let (status, answer) = send(method, url, api_version, &headers, body).await?;
    eprintln!("HTTP {}", status.as_u16());
    if !answer.is_empty() {
        print_out(&pretty_bytes(&answer));
    }
    outcome(status)
}

/// Sends the request once (no retries, no redirects) and reads the whole answer.
async fn send(
    method: Method,
    url: Url,
    api_version: &str,
    headers: &SignedHeaders,
    body: Vec<u8>,
) -> Result<(StatusCode, Vec<u8>)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| http_error("cannot build the HTTP client", err))?;
    let mut request = client
        .request(method, url)
        .header("api-version", api_version);
    for (name, value) in headers.iter() {
        request = request.header(name, value);
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    tracing::debug!(target: "humanos_cli", "sending one signed request");
    let response = request
        .send()
        .await
        .map_err(|err| http_error("cannot reach the API", err))?;
    let status = response.status();
    let answer = response
        .bytes()
        .await
        .map_err(|err| http_error("cannot read the API's answer", err))?;
    Ok((status, answer.into()))
}

/// The METHOD argument, in any case.
fn method(name: &str) -> Result<Method> {
    Method::from_bytes(name.to_ascii_uppercase().as_bytes()).map_err(|_| {
        CliError::usage(
            format!("`{name}` is not an HTTP method"),
            "use GET, POST, PUT, PATCH or DELETE",
        )
    })
}

/// The API root of --base-url, the configuration or the default, checked as the typed
/// commands check it (https, or http on loopback) by building the client they use; this
/// command then sends with its own one-shot client.
fn base_url<'a>(settings: &'a Settings, args: &'a ApiArgs) -> Result<&'a str> {
    let base = args
        .base_url
        .as_deref()
        .filter(|b| !b.is_empty())
        .or(settings.base_url())
        .unwrap_or(DEFAULT_BASE_URL);
    crate::client::build(
        settings,
        &ClientArgs {
            base_url: Some(base.to_owned()),
            allow_insecure_http: args.allow_insecure_http,
            credentials: args.credentials.clone(),
        },
    )?;
    Ok(base)
}

/// `base` joined with `path`, with each --query `NAME=VALUE` percent-encoded.
fn url(base: &str, path: &str, query: &[String]) -> Result<Url> {
    let joined = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    let mut url = Url::parse(&joined).map_err(|err| {
        CliError::usage(
            format!("`{joined}` is not a valid URL: {err}"),
            "check --base-url / HUMANOS_BASE_URL and the path",
        )
    })?;
    for pair in query {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            CliError::usage(
                format!("--query `{pair}` is not NAME=VALUE"),
                "for example --query pageIndex=0",
            )
        })?;
        url.query_pairs_mut().append_pair(name, value);
    }
    Ok(url)
}

/// Exit 0 on 2xx, refused (1) on 4xx, transport (3) otherwise; the answer is already printed.
fn outcome(status: StatusCode) -> Result<()> {
    if status.is_success() {
        Ok(())
    } else if status.is_client_error() {
        Err(CliError::refused(
            format!("the API refused the request with HTTP {}", status.as_u16()),
            match status.as_u16() {
                401 => {
                    "check HUMANOS_API_KEY and HUMANOS_SIGNATURE_SECRET (and the clock: the timestamp is signed)"
                }
                404 => "check the path and the id",
                _ => "the answer above says what was wrong",
            },
        ))
    } else {
        Err(CliError::transport(
            format!("the API failed with HTTP {}", status.as_u16()),
            "try again later",
        ))
    }
}
