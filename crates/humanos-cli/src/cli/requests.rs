//! `humanos requests list | create | detail | cancel`.

use clap::{Args, Subcommand};

use super::{ClientArgs, IdArgs, PageArgs};

pub(super) const REQUESTS_AFTER_HELP: &str = "\
Every command prints the API's JSON (pretty) or, with --table, a table. Exit 1 when the API
refuses (4xx, with its message), 3 when it cannot be reached.

Examples:
  humanos requests list --table
  humanos requests create --contact ana@example.com --action urn:via:action:buy --user-param maxAmount=10000
  humanos requests detail 66f0c0ffee0000000000abcd
  humanos requests cancel 66f0c0ffee0000000000abcd";

#[derive(Debug, Subcommand)]
pub(crate) enum RequestsCommand {
    /// One page of your credential requests (GET /request).
    #[command(after_help = REQUESTS_LIST_AFTER_HELP)]
    List(RequestsListArgs),
    /// Ask users to approve a mandate or other credentials (POST /request).
    #[command(after_help = REQUESTS_CREATE_AFTER_HELP)]
    Create(RequestsCreateArgs),
    /// A request with its subjects and full credentials (GET /request/ID).
    #[command(after_help = REQUESTS_DETAIL_AFTER_HELP)]
    Detail(IdArgs),
    /// Cancel a pending request; cannot be undone (DELETE /request/ID).
    #[command(after_help = REQUESTS_CANCEL_AFTER_HELP)]
    Cancel(IdArgs),
}

const REQUESTS_LIST_AFTER_HELP: &str = "\
Prints {\"data\": [...], \"totalPages\": N} as the API sends it (with --all, every item of every
page as JSON Lines); --table shows id, name, security level, contacts, credential count and
dates, then the page.

Examples:
  humanos requests list
  humanos requests list --table --page-size 50 --page-index 1
  humanos requests list --search ana@example.com | jq -r '.data[].id'
  humanos requests list --all | jq -r .id      # every page, one request per line";

#[derive(Debug, Args)]
pub(crate) struct RequestsListArgs {
    #[command(flatten)]
    pub(crate) page: PageArgs,
    /// Only requests with this `internalId`.
    #[arg(long, value_name = "ID")]
    pub(crate) internal_id: Option<String>,
    /// Only requests created on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) date_from: Option<String>,
    /// Only requests created on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) date_to: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REQUESTS_CREATE_AFTER_HELP: &str = "\
Builds the body of POST /request: one user per --contact and, with --action, one mandate
(type POLICY, scope agent.execute) of that action with the --user-param values. A
--user-param value is read as JSON when it is JSON (10000, true, [\"BOOKS\"], \"0123\"), else as
a string. --data gives the whole body or a base (JSON, @FILE or @-); the flags add to it.
Prints the created request (its id, credentials and subjects with their links).

Examples:
  humanos requests create --contact ana@example.com --action urn:via:action:buy \\
      --user-param maxAmount=10000 --user-param 'allowedCategories=[\"BOOKS\"]'
  humanos requests create --data @request.json
  humanos requests create --data '{\"securityLevel\":\"CONTACT\"}' --contact +351910000000 \\
      --action urn:via:action:buy --max-executions 3 | jq -r .id";

#[derive(Debug, Args)]
pub(crate) struct RequestsCreateArgs {
    /// Email or phone number of a user to ask (repeatable).
    #[arg(long, value_name = "CONTACT")]
    pub(crate) contact: Vec<String>,
    /// Add a mandate of this action (`urn:via:action:...`).
    #[arg(long, value_name = "ACTION_ID")]
    pub(crate) action: Option<String>,
    /// A value of the action's userParams, `NAME=VALUE` (repeatable; VALUE as JSON when it is).
    #[arg(long, value_name = "NAME=VALUE", requires = "action")]
    pub(crate) user_param: Vec<String>,
    /// Name of the mandate (default: "Action mandate").
    #[arg(long, value_name = "NAME", requires = "action")]
    pub(crate) mandate_name: Option<String>,
    /// How many times the mandate may be used.
    #[arg(long, value_name = "N", requires = "action")]
    pub(crate) max_executions: Option<u64>,
    /// End of the mandate's validity (ISO 8601).
    #[arg(long, value_name = "DATE", requires = "action")]
    pub(crate) valid_until: Option<String>,
    /// Security level (CONTACT, ORGANIZATION_KYC, HUMANOS_KYC, HUMANOS_REVALIDATION).
    #[arg(long, value_name = "LEVEL")]
    pub(crate) security_level: Option<String>,
    /// Name of the request.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Your identifier of the request (`internalId`).
    #[arg(long, value_name = "ID")]
    pub(crate) internal_id: Option<String>,
    /// The request body, or a base the flags add to: inline JSON, `@FILE`, or `@-` (stdin).
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REQUESTS_DETAIL_AFTER_HELP: &str = "\
Prints the request with its subjects and credentials (full W3C credentials); --table shows
the request, its subjects and its credentials with their status.

Examples:
  humanos requests detail 66f0c0ffee0000000000abcd
  humanos requests detail 66f0c0ffee0000000000abcd --table
  humanos requests detail \"$REQ\" | jq -r '.credentials[0].id'";

const REQUESTS_CANCEL_AFTER_HELP: &str = "\
Draft credentials are canceled, active ones revoked. Prints {\"success\": true}.

Examples:
  humanos requests cancel 66f0c0ffee0000000000abcd";
