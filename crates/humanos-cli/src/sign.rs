//! `humanos sign`.

use humanos_signing::secrecy::ExposeSecret;
use humanos_signing::{Clock, RequestSigner, SystemClock, wire_json};
use serde_json::json;

use crate::cli::{SignArgs, SignFormat};
use crate::config::Settings;
use crate::error::{CliError, Result};
use crate::output::{parse_json, pretty, print_out, read_input, shell_quote};

/// Reads `--data`: inline JSON, `@FILE`, or `@-`.
pub(crate) fn read_data(data: &str) -> Result<Vec<u8>> {
    match data.strip_prefix('@') {
        Some(path) => read_input(Some(std::path::Path::new(path)), "--data"),
        None => Ok(data.as_bytes().to_vec()),
    }
}

/// The bytes to sign and send for `--data`: its wire JSON, or the bytes verbatim with `raw`.
///
/// When `--data` is already wire JSON (compact, escaped as JavaScript's `JSON.stringify`
/// does), its wire JSON is the same bytes.
pub(crate) fn body_bytes(data: Option<&str>, raw: bool) -> Result<Vec<u8>> {
    let Some(data) = data else {
        return Ok(Vec::new());
    };
    let bytes = read_data(data)?;
    if raw {
        if !wire_json::is_wire_stable(&bytes) {
            eprintln!(
                "warning: --data is not wire-stable JSON; a server that re-serializes the body will not match the signature"
            );
        }
        return Ok(bytes);
    }
    let value = parse_json(&bytes, "--data")?;
    wire_json::value_to_vec(&value).map_err(|err| {
        CliError::usage(
            format!("--data cannot be sent as wire JSON: {err}"),
            "send integers beyond 2^53 as strings",
        )
    })
}

pub(crate) fn run(settings: &Settings, args: &SignArgs) -> Result<()> {
    let (api_key, secret) = settings.api_credentials(&args.credentials)?;
    let body = body_bytes(args.data.as_deref(), args.raw_body)?;
    let signer = RequestSigner::new(api_key.expose_secret(), secret.expose_secret());
    let timestamp = args.timestamp.unwrap_or_else(|| SystemClock.now_unix_ms());
    let headers = signer.sign(timestamp, &body);
    let names = [
        ("Authorization", headers.authorization()),
        ("X-Timestamp", headers.timestamp()),
        ("X-Signature", headers.signature()),
        ("Content-Type", humanos_signing::SignedHeaders::CONTENT_TYPE),
    ];
    let body_text = String::from_utf8_lossy(&body);
    match args.format {
        SignFormat::Curl => {
            let mut line = names
                .iter()
                .map(|(n, v)| format!("-H {}", shell_quote(&format!("{n}: {v}"))))
                .collect::<Vec<_>>()
                .join(" ");
            if !body.is_empty() {
                line.push_str(" --data-raw ");
                line.push_str(&shell_quote(&body_text));
            }
            print_out(&line);
        }
        SignFormat::Json => {
            let mut map = serde_json::Map::new();
            for (n, v) in names {
                map.insert(n.to_owned(), json!(v));
            }
            print_out(&pretty(&json!({ "headers": map, "body": body_text })));
        }
        SignFormat::Headers => {
            let mut text = names
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join("\n");
            text.push_str("\n\n");
            text.push_str(&body_text);
            print_out(&text);
        }
    }
    Ok(())
}
