//! `humanos actions list | versions` and `humanos did resolve`.

use humanos::models::ActionQuery;

use crate::cli::{ActionVersionsArgs, ActionsCommand, ActionsListArgs, DidCommand, PageArgs};
use crate::client::{build, emit_list, send_and_emit};
use crate::config::Settings;
use crate::error::Result;
use crate::table::{self, Column, at, count};

pub(crate) async fn run(settings: &Settings, command: &ActionsCommand, table: bool) -> Result<()> {
    match command {
        ActionsCommand::List(args) => list(settings, args, table).await,
        ActionsCommand::Versions(args) => versions(settings, args, table).await,
    }
}

/// The query of `page` but its page index, which [`emit_list`] sets per call.
fn query(page: &PageArgs) -> ActionQuery {
    let mut query = ActionQuery::new();
    if let Some(n) = page.page_size {
        query = query.page_size(n);
    }
    if let Some(s) = &page.search {
        query = query.search(s);
    }
    query
}

fn at_page(query: &ActionQuery, index: Option<u64>) -> ActionQuery {
    match index {
        Some(i) => query.clone().page_index(i),
        None => query.clone(),
    }
}

async fn list(settings: &Settings, args: &ActionsListArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let mut query = query(&args.page);
    if let Some(active) = args.active {
        query = query.active(active);
    }
    const COLUMNS: &[Column] = &[
        ("ACTION", |a| at(a, "/id")),
        ("NAME", |a| at(a, "/name")),
        ("LATEST", |a| at(a, "/versions/0/version")),
        ("VERSIONS", |a| count(a, "/versions")),
        ("UPDATED", |a| at(a, "/updatedAt")),
        ("DESCRIPTION", |a| at(a, "/description")),
    ];
    emit_list(&args.page, table, COLUMNS, |index| {
        client
            .actions()
            .list(at_page(&query, index))
            .send_with_body()
    })
    .await
}

async fn versions(settings: &Settings, args: &ActionVersionsArgs, table: bool) -> Result<()> {
    let client = build(settings, &args.client)?;
    let query = query(&args.page);
    const COLUMNS: &[Column] = &[
        ("VERSION", |a| at(a, "/version")),
        ("ID", |a| at(a, "/id")),
        ("PUBLISHED", |a| at(a, "/published")),
        ("CREATED", |a| at(a, "/createdAt")),
        ("RULES", |a| count(a, "/content/rules")),
        ("DIGEST", |a| at(a, "/digestSRI")),
    ];
    emit_list(&args.page, table, COLUMNS, |index| {
        client
            .actions()
            .versions(&args.action_id, at_page(&query, index))
            .send_with_body()
    })
    .await
}

/// `humanos did resolve`: the document exactly as served.
pub(crate) async fn did(settings: &Settings, command: &DidCommand, table: bool) -> Result<()> {
    let DidCommand::Resolve(args) = command;
    let client = build(settings, &args.client)?;
    send_and_emit(
        client.did().resolve_as::<serde_json::Value>(&args.did),
        table,
        |v| {
            const METHODS: &[Column] = &[
                ("VERIFICATION METHOD", |m| at(m, "/id")),
                ("TYPE", |m| at(m, "/type")),
                ("CONTROLLER", |m| at(m, "/controller")),
                ("KEY", |m| at(m, "/publicKeyMultibase")),
            ];
            format!(
                "{}\n\n{}",
                table::fields(
                    v,
                    &[
                        ("id", |d| at(d, "/id")),
                        ("authentication", |d| at(d, "/authentication")),
                        ("assertionMethod", |d| at(d, "/assertionMethod")),
                    ]
                ),
                table::list(table::items(v, "/verificationMethod"), METHODS)
            )
        },
    )
    .await?;
    Ok(())
}
