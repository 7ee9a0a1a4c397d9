//! `humanos requests list | create | detail | cancel`.

use humanos::models::{
    ActionDto, CredentialDto, GenerateRequestDto, GenerateRequestUserDto, RequestQuery,
};
use serde_json::Value;

use crate::cli::{IdArgs, RequestsCommand, RequestsCreateArgs, RequestsListArgs};
use crate::client::{build, data_object, emit_list, param, send_and_emit};
use crate::config::Settings;
use crate::error::{CliError, Result};
use crate::table::{self, Column, at, count, join};

pub(crate) async fn run(settings: &Settings, command: &RequestsCommand, table: bool) -> Result<()> {
    match command {
        RequestsCommand::List(args) => list(settings, args, table).await,
        RequestsCommand::Create(args) => create(settings, args, table).await,
        RequestsCommand::Detail(args) => detail(settings, args, table).await,
        RequestsCommand::Cancel(args) => cancel(settings, args, table).await,
    }
}

async fn list(settings: &Settings, args: &RequestsListArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let mut query = RequestQuery::new();
    if let Some(n) = args.page.page_size {
        query = query.page_size(n);
    }
    if let Some(s) = &args.page.search {
        query = query.search(s);
    }
    if let Some(id) = &args.internal_id {
        query = query.internal_id(id);
    }
    if let Some(d) = &args.date_from {
        query = query.date_from(d);
    }
    if let Some(d) = &args.date_to {
        query = query.date_to(d);
    }
    const COLUMNS: &[Column] = &[
        ("ID", |r| at(r, "/id")),
        ("NAME", |r| at(r, "/name")),
        ("SECURITY", |r| at(r, "/securityLevel")),
        ("CONTACTS", |r| join(r, "/subjects", "/contact")),
        ("CREDENTIALS", |r| count(r, "/credentials")),
        ("CREATED", |r| at(r, "/createdAt")),
        ("CANCELED", |r| at(r, "/canceledAt")),
    ];
    emit_list(&args.page, table, COLUMNS, |index| {
        let mut query = query.clone();
        if let Some(i) = index {
            query = query.page_index(i);
        }
        client.requests().list(query).send_with_body()
    })
    .await
}

/// The body of `POST /request`: `--data` (or `{}`), then the users and the mandate of the flags.
fn create_body(args: &RequestsCreateArgs) -> Result<GenerateRequestDto> {
    let mut base = match &args.data {
        Some(data) => data_object(data)?,
        None => serde_json::Map::new(),
    };
    base.entry("users")
        .or_insert_with(|| Value::Array(Vec::new()));
    let mut dto: GenerateRequestDto =
        serde_json::from_value(Value::Object(base)).map_err(|err| {
            CliError::usage(
                format!("--data is not a request body: {err}"),
                "see POST /request in docs/api.md (users, credentials, securityLevel, ...)",
            )
        })?;
    dto.users
        .extend(args.contact.iter().map(GenerateRequestUserDto::new));
    if let Some(action_id) = &args.action {
        let mut action = ActionDto::new(action_id);
        for pair in &args.user_param {
            let (name, value) = param(pair, "--user-param")?;
            action = action.user_param(name, value);
        }
        let mut mandate = CredentialDto::new(
            "POLICY",
            args.mandate_name.as_deref().unwrap_or("Action mandate"),
        )
        .scope("agent.execute")
        .action(action);
        if let Some(n) = args.max_executions {
            mandate = mandate.max_executions(n);
        }
        if let Some(until) = &args.valid_until {
            mandate = mandate.valid_until(until);
        }
        dto.credentials.get_or_insert_with(Vec::new).push(mandate);
    }
    if let Some(level) = &args.security_level {
        dto = dto.security_level(level.as_str());
    }
    if let Some(name) = &args.name {
        dto = dto.name(name);
    }
    if let Some(id) = &args.internal_id {
        dto = dto.internal_id(id);
    }
    if dto.users.is_empty() {
        return Err(CliError::usage(
            "the request has no user",
            "pass --contact EMAIL_OR_PHONE (repeatable), or `users` in --data",
        ));
    }
    Ok(dto)
}

async fn create(settings: &Settings, args: &RequestsCreateArgs, table: bool) -> Result<()> {
    let dto = create_body(args)?;
    let client = build(settings, &args.client)?;
    send_and_emit(client.requests().create(dto), table, |v| {
        const SUBJECTS: &[Column] = &[
            ("CONTACT", |s| at(s, "/contact")),
            ("SUBJECT", |s| at(s, "/id")),
            ("LINK", |s| at(s, "/link")),
        ];
        const CREDENTIALS: &[Column] = &[
            ("CREDENTIAL", |c| at(c, "/id")),
            ("NAME", |c| at(c, "/name")),
        ];
        format!(
            "REQUEST  {}\n\n{}\n\n{}",
            at(v, "/id"),
            table::list(table::items(v, "/subjects"), SUBJECTS),
            table::list(table::items(v, "/credentials"), CREDENTIALS)
        )
    })
    .await?;
    Ok(())
}

async fn detail(settings: &Settings, args: &IdArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    send_and_emit(client.requests().detail(&args.id), table, |v| {
        const FIELDS: &[Column] = &[
            ("id", |r| at(r, "/id")),
            ("name", |r| at(r, "/name")),
            ("securityLevel", |r| at(r, "/securityLevel")),
            ("language", |r| at(r, "/language")),
            ("internalId", |r| at(r, "/internalId")),
            ("createdAt", |r| at(r, "/createdAt")),
            ("canceledAt", |r| at(r, "/canceledAt")),
        ];
        const SUBJECTS: &[Column] = &[
            ("CONTACT", |s| at(s, "/contact")),
            ("SUBJECT", |s| at(s, "/id")),
            ("IDENTITY", |s| at(s, "/identityStatus")),
            ("KYC", |s| at(s, "/kyc")),
        ];
        format!(
            "{}\n\n{}\n\n{}",
            table::fields(v, FIELDS),
            table::list(table::items(v, "/subjects"), SUBJECTS),
            table::list(table::items(v, "/credentials"), CREDENTIAL_COLUMNS)
        )
    })
    .await?;
    Ok(())
}

/// The columns of a credential list.
pub(crate) const CREDENTIAL_COLUMNS: &[Column] = &[
    ("CREDENTIAL", |c| at(c, "/id")),
    ("NAME", |c| at(c, "/name")),
    ("TYPE", |c| at(c, "/resourceType")),
    ("STATUS", |c| at(c, "/status")),
    ("EXECUTIONS LEFT", |c| at(c, "/executionsRemaining")),
];

async fn cancel(settings: &Settings, args: &IdArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    send_and_emit(client.requests().cancel(&args.id), table, |v| {
        table::fields(v, &[("success", |v| at(v, "/success"))])
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;
    use serde_json::json;

    fn body(args: &[&str]) -> Result<Value> {
        let cli = Cli::try_parse_from(["humanos", "requests", "create"].iter().chain(args))
            .map_err(|e| CliError::usage(e, ""))?;
        let crate::cli::Command::Requests(RequestsCommand::Create(args)) = cli.command else {
            return Err(CliError::usage("not create", ""));
        };
        Ok(serde_json::to_value(create_body(&args)?).unwrap_or_default())
    }

    #[test]
    fn flags_build_the_body() {
        let b = body(&[
            "--contact",
            "ana@example.com",
            "--action",
            "urn:via:action:buy",
            "--user-param",
            "maxAmount=10000",
            "--user-param",
            "allowedCategories=[\"BOOKS\"]",
            "--max-executions",
            "3",
            "--security-level",
            "CONTACT",
        ])
        .ok();
        assert_eq!(
            b,
            Some(json!({
                "users": [{"contact": "ana@example.com"}],
                "securityLevel": "CONTACT",
                "credentials": [{
                    "scope": "agent.execute", "maxExecutions": 3, "type": "POLICY",
                    "name": "Action mandate",
                    "action": {"id": "urn:via:action:buy",
                               "userParams": {"maxAmount": 10000, "allowedCategories": ["BOOKS"]}}
                }]
            }))
        );
    }

    #[test]
    fn data_is_a_base() {
        let b = body(&[
            "--data",
            r#"{"users":[{"contact":"a@x.io"}],"internalId":"crm-1"}"#,
            "--contact",
            "b@x.io",
        ])
        .ok();
        assert_eq!(
            b,
            Some(
                json!({"users": [{"contact": "a@x.io"}, {"contact": "b@x.io"}], "internalId": "crm-1"})
            )
        );
        assert!(body(&["--action", "urn:via:action:buy"]).is_err());
        assert!(body(&["--data", "[1]", "--contact", "a@x.io"]).is_err());
        assert!(body(&["--data", r#"{"users":"nope"}"#]).is_err());
    }
}
