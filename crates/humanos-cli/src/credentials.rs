//! `humanos credentials issue-vp | verify | revoke | detail | events`.

use humanos::Verdict;
use humanos::models::{CreatePresentationDto, RevokeCredentialDto, VerifyPresentationDto};
use serde_json::Value;

use crate::cli::{CredentialsCommand, IdArgs, IssueVpArgs, RevokeArgs, VerifyArgs};
use crate::client::{build, data_object, param, send_and_emit};
use crate::config::Settings;
use crate::error::{CliError, Result};
use crate::output::parse_json;
use crate::sign::read_data;
use crate::table::{self, Column, at};

pub(crate) async fn run(
    settings: &Settings,
    command: &CredentialsCommand,
    table: bool,
) -> Result<()> {
    match command {
        CredentialsCommand::IssueVp(args) => issue_vp(settings, args, table).await,
        CredentialsCommand::Verify(args) => verify(settings, args, table).await,
        CredentialsCommand::Revoke(args) => revoke(settings, args, table).await,
        CredentialsCommand::Detail(args) => detail(settings, args, table).await,
        CredentialsCommand::Events(args) => events(settings, args, table).await,
    }
}

async fn issue_vp(settings: &Settings, args: &IssueVpArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let mut request = CreatePresentationDto::new();
    if let Some(domain) = &args.target_verifier {
        request = request.target_verifier(domain);
    }
    send_and_emit(
        client.credentials().issue_vp(&args.credential_id, request),
        table,
        |v| {
            const FIELDS: &[Column] = &[
                ("credential", |p| {
                    at(p, "/presentation/verifiableCredential/0/id")
                }),
                ("holder", |p| at(p, "/presentation/holder")),
                ("domain", |p| at(p, "/presentation/proof/domain")),
                ("created", |p| at(p, "/presentation/proof/created")),
                ("expires", |p| at(p, "/presentation/proof/expires")),
                ("presentationEncoded", |p| {
                    let chars = p
                        .pointer("/presentationEncoded")
                        .and_then(Value::as_str)
                        .map_or(0, str::len);
                    format!("{chars} characters (in the JSON output)")
                }),
            ];
            table::fields(v, FIELDS)
        },
    )
    .await?;
    Ok(())
}

/// The body of `POST /credential/verify`: `--data` (or `{}`), then `--vp` / `--encoded` and the
/// `--param` values.
fn verify_body(args: &VerifyArgs) -> Result<VerifyPresentationDto> {
    let base = match &args.data {
        Some(data) => data_object(data)?,
        None => serde_json::Map::new(),
    };
    let mut dto: VerifyPresentationDto =
        serde_json::from_value(Value::Object(base)).map_err(|err| {
            CliError::usage(
                format!("--data is not a verification body: {err}"),
                "it has presentationEncoded (or presentation) and executionParams",
            )
        })?;
    if let Some(vp) = &args.vp {
        let value = parse_json(&read_data(vp)?, "--vp")?;
        let encoded = value
            .get("presentationEncoded")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                CliError::usage(
                    "--vp has no `presentationEncoded`",
                    "give the JSON `humanos credentials issue-vp` printed, or use --encoded",
                )
            })?;
        dto = dto.presentation_encoded(encoded);
    }
    if let Some(encoded) = &args.encoded {
        dto = dto.presentation_encoded(encoded);
    }
    for pair in &args.param {
        let (name, value) = param(pair, "--param")?;
        dto = dto.execution_param(name, value);
    }
    if dto.presentation_encoded.is_none() && dto.presentation.is_none() {
        return Err(CliError::usage(
            "no presentation to verify",
            "pass --vp @vp.json (the output of `credentials issue-vp`), --encoded, or --data",
        ));
    }
    Ok(dto)
}

async fn verify(settings: &Settings, args: &VerifyArgs, table: bool) -> Result<()> {
    let dto = verify_body(args)?;
    let client = build(settings, &args.client)?;
    let verdict = send_and_emit(client.credentials().verify(dto), table, |v| {
        const FIELDS: &[Column] = &[
            ("decision", |d| at(d, "/decision")),
            ("credentialId", |d| at(d, "/credentialId")),
            ("reason", |d| at(d, "/reason")),
            ("message", |d| at(d, "/message")),
        ];
        const EVALUATIONS: &[Column] = &[
            ("RULE", |e| at(e, "/rule")),
            ("RESULT", |e| at(e, "/result")),
            ("REASON", |e| at(e, "/reason")),
        ];
        format!(
            "{}\n\n{}",
            table::fields(v, FIELDS),
            table::list(table::items(v, "/evaluations"), EVALUATIONS)
        )
    })
    .await?;
    match verdict {
        Verdict::Allow(_) => Ok(()),
        Verdict::Deny(deny) => {
            let failed: Vec<&str> = deny
                .evaluations
                .iter()
                .filter(|e| e.result.as_str() != "pass")
                .map(|e| e.rule.as_str())
                .collect();
            let rules = if failed.is_empty() {
                String::new()
            } else {
                format!(" (rules: {})", failed.join(", "))
            };
            Err(CliError::denied(
                format!("{}: {}{rules}", deny.reason, deny.message),
                "",
            ))
        }
    }
}

async fn revoke(settings: &Settings, args: &RevokeArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let mut request = RevokeCredentialDto::new();
    if let Some(reason) = &args.reason {
        request = request.reason(reason);
    }
    send_and_emit(
        client.credentials().revoke(&args.credential_id, request),
        table,
        |v| {
            const FIELDS: &[Column] = &[
                ("credentialId", |r| at(r, "/credentialId")),
                ("status", |r| at(r, "/status")),
                ("revokedAt", |r| at(r, "/revokedAt")),
            ];
            table::fields(v, FIELDS)
        },
    )
    .await?;
    Ok(())
}

async fn detail(settings: &Settings, args: &IdArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    send_and_emit(client.credentials().detail(&args.id), table, |v| {
        const FIELDS: &[Column] = &[
            ("id", |c| at(c, "/id")),
            ("name", |c| at(c, "/name")),
            ("resourceType", |c| at(c, "/resourceType")),
            ("status", |c| at(c, "/status")),
            ("executionsRemaining", |c| at(c, "/executionsRemaining")),
            ("internalId", |c| at(c, "/internalId")),
            ("tags", |c| at(c, "/tags")),
            ("issuer", |c| {
                let issuer = c.pointer("/w3cCredential/issuer");
                match issuer.and_then(|i| i.get("id")) {
                    Some(id) => table::cell(Some(id)),
                    None => table::cell(issuer),
                }
            }),
            ("validFrom", |c| at(c, "/w3cCredential/validFrom")),
            ("validUntil", |c| at(c, "/w3cCredential/validUntil")),
            ("decisions", |c| table::count(c, "/decisions")),
        ];
        table::fields(v, FIELDS)
    })
    .await?;
    Ok(())
}

async fn events(settings: &Settings, args: &IdArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let audit = send_and_emit(client.credentials().audit_events(&args.id), table, |v| {
        const FIELDS: &[Column] = &[
            ("credentialUrn", |a| at(a, "/credentialUrn")),
            ("ok", |a| at(a, "/ok")),
            ("reason", |a| at(a, "/reason")),
            ("eventCount", |a| at(a, "/eventCount")),
        ];
        const EVENTS: &[Column] = &[
            ("EVENT", |e| at(e, "/event")),
            ("ACTOR", |e| at(e, "/actor")),
            ("VALID FROM", |e| at(e, "/validFrom")),
            ("SIGNATURE", |e| at(e, "/signatureValid")),
            ("CONTENT", |e| at(e, "/contentBound")),
            ("CHAIN", |e| at(e, "/chainLinkValid")),
        ];
        format!(
            "{}\n\n{}",
            table::fields(v, FIELDS),
            table::list(table::items(v, "/events"), EVENTS)
        )
    })
    .await?;
    if audit.ok {
        Ok(())
    } else {
        Err(CliError::refused(
            format!(
                "the event chain of {} does not verify: {}",
                audit.credential_urn,
                audit.reason.as_deref().unwrap_or("no reason given")
            ),
            "the events above show which check failed",
        ))
    }
}
