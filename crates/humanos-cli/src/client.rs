//! What the typed API commands share: the `humanos` client, its errors as exit codes, output.

use std::future::Future;

use humanos::HumanosClient;
use humanos_signing::secrecy::ExposeSecret;
use serde_json::Value;

use crate::cli::{ClientArgs, PageArgs};
use crate::config::Settings;
use crate::error::{CliError, Result};
use crate::output::{parse_json, pretty_bytes, print_out};
use crate::sign::read_data;
use crate::table::Column;

/// A client from the flags / environment, then the profile.
pub(crate) fn build(settings: &Settings, args: &ClientArgs) -> Result<HumanosClient> {
    let (api_key, secret) = settings.api_credentials(&args.credentials)?;
    let base = args
        .base_url
        .as_deref()
        .filter(|b| !b.is_empty())
        .or(settings.base_url())
        .unwrap_or(humanos::DEFAULT_BASE_URL);
    let mut builder = HumanosClient::builder()
        .api_key(api_key.expose_secret())
        .signature_secret(secret.expose_secret())
        .base_url(base);
    if args.allow_insecure_http {
        builder = builder.danger_allow_insecure_http();
    }
    builder.build().map_err(|err| {
        CliError::usage(
            format!("cannot configure the client: {err}"),
            "check --base-url / HUMANOS_BASE_URL (https, or http on 127.0.0.1 / localhost; \
             --allow-insecure-http for anything else)",
        )
    })
}

/// Maps a client error to an exit code and a hint. The client's messages never contain the
/// API key or the signature secret.
pub(crate) fn api_error(err: humanos::Error) -> CliError {
    use humanos::Error;
    match &err {
        Error::Api { status, .. }
            if (400..500).contains(status) && *status != 408 && *status != 429 =>
        {
            let hint = match status {
                401 => {
                    "check HUMANOS_API_KEY and HUMANOS_SIGNATURE_SECRET (and the clock: the timestamp is signed)"
                }
                402 => "billing: the organization's plan does not allow this call",
                404 => "check the id (and --base-url: is this the right environment?)",
                409 => "the resource is already in that state",
                _ => "the API's message above says what was wrong",
            };
            CliError::refused(err, hint)
        }
        Error::Api { .. } => CliError::transport(err, "the API is unavailable: try again later"),
        Error::Transport { .. } | Error::Timeout { .. } => CliError::transport(
            err,
            "is the API reachable? check --base-url / HUMANOS_BASE_URL (scheme, host, port)",
        ),
        Error::Decode { .. } => CliError::transport(
            err,
            "the answer is not what this API version sends: check that --base-url points at Humanos",
        ),
        Error::Encode(_) => CliError::usage(err, "send integers beyond 2^53 as strings"),
        Error::Config(_) => CliError::usage(err, "check the flags and the configuration"),
        _ => CliError::transport(err, "try again; run with -v for details"),
    }
}

/// Sends `call`, prints its answer with [`emit`] and returns the decoded value (for the exit
/// code of commands whose answer decides it).
pub(crate) async fn send_and_emit<T>(
    call: humanos::Call<T>,
    table: bool,
    render: impl FnOnce(&Value) -> String,
) -> Result<T> {
    let (value, body) = call.send_with_body().await.map_err(api_error)?;
    emit(&body, table, render);
    Ok(value)
}

/// Prints the API's JSON (pretty), or the table `render` makes of it with `--table`.
fn emit(body: &[u8], table: bool, render: impl FnOnce(&Value) -> String) {
    if table {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        print_out(&render(&value));
    } else {
        print_out(&pretty_bytes(body));
    }
}

/// Prints a list command's answer. One page: the API's JSON, or with `--table` one row per item
/// of its `data` and the page line under it. With `--all`, every page from `--page-index`
/// (default 0) to the last, one call per page: JSON Lines (each item compact on a line of its
/// own, printed as its page arrives, so `jq` and `head` can start before the last page), or one
/// table of every item.
///
/// `fetch` sends the list call at a page index (`None`: the one the user gave, if any).
pub(crate) async fn emit_list<T, B, F>(
    paging: &PageArgs,
    table: bool,
    columns: &[Column],
    mut fetch: impl FnMut(Option<u64>) -> F,
) -> Result<()>
where
    B: AsRef<[u8]>,
    F: Future<Output = humanos::Result<(humanos::Page<T>, B)>>,
{
    let (mut page, mut body) = fetch(paging.page_index).await.map_err(api_error)?;
    if !paging.all {
        emit_page(body.as_ref(), table, &page, columns);
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut pages: u64 = 1;
    loop {
        let items = match serde_json::from_slice::<Value>(body.as_ref()) {
            Ok(Value::Object(mut list)) => match list.remove("data") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if table {
            rows.extend(items);
        } else {
            for item in &items {
                print_out(&item.to_string());
            }
        }
        let Some(next) = page.next_page_index() else {
            break;
        };
        (page, body) = fetch(Some(next)).await.map_err(api_error)?;
        pages += 1;
    }
    if table {
        print_out(&format!(
            "{}\n{} shown, {pages} page{}",
            crate::table::list(&rows, columns),
            rows.len(),
            if pages == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// One page: the API's JSON, or its `data` as a table with the page line under it.
fn emit_page<T>(body: &[u8], table: bool, page: &humanos::Page<T>, columns: &[Column]) {
    emit(body, table, |v| {
        format!(
            "{}\n{}",
            crate::table::list(crate::table::items(v, "/data"), columns),
            page_footer(page.page_index, page.total_pages, page.items.len())
        )
    });
}

/// `page 1 of 3` under a list table (the API's `pageIndex` is zero-based, this line is not).
fn page_footer(page_index: u64, total_pages: u64, shown: usize) -> String {
    if total_pages == 0 {
        format!("{shown} shown")
    } else {
        format!(
            "{shown} shown, page {} of {total_pages} (--page-index is zero-based)",
            page_index.saturating_add(1)
        )
    }
}

/// Reads `--data` (inline JSON, `@FILE`, `@-`) as a JSON object.
pub(crate) fn data_object(data: &str) -> Result<serde_json::Map<String, Value>> {
    match parse_json(&read_data(data)?, "--data")? {
        Value::Object(members) => Ok(members),
        _ => Err(CliError::usage(
            "--data must be a JSON object",
            "for example --data '{\"securityLevel\":\"CONTACT\"}'",
        )),
    }
}

/// Splits `NAME=VALUE`; VALUE is JSON when it parses as JSON, else the string itself.
pub(crate) fn param(pair: &str, flag: &str) -> Result<(String, Value)> {
    let (name, value) = pair
        .split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| {
            CliError::usage(
                format!("{flag} `{pair}` is not NAME=VALUE"),
                format!("for example {flag} amount=5000 or {flag} category=BOOKS"),
            )
        })?;
    let value = serde_json::from_str::<Value>(value).unwrap_or_else(|_| value.into());
    Ok((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_are_json_when_they_can_be() {
        let p = |s| param(s, "--param").ok();
        assert_eq!(p("a=5000"), Some(("a".into(), json!(5000))));
        assert_eq!(p("a=BOOKS"), Some(("a".into(), json!("BOOKS"))));
        assert_eq!(p("a=[\"X\"]"), Some(("a".into(), json!(["X"]))));
        assert_eq!(p("a=\"0123\""), Some(("a".into(), json!("0123"))));
        assert_eq!(p("a=x=y"), Some(("a".into(), json!("x=y"))));
        assert_eq!(p("a="), Some(("a".into(), json!(""))));
        assert_eq!(p("=1"), None);
        assert_eq!(p("novalue"), None);
    }
}
