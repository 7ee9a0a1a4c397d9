//! `humanos actions list | versions` and `humanos did resolve`.

use clap::{Args, Subcommand};

use super::{ClientArgs, PageArgs};

pub(super) const ACTIONS_AFTER_HELP: &str = "\
Examples:
  humanos actions list --table
  humanos actions versions urn:via:action:buy --table";

#[derive(Debug, Subcommand)]
pub(crate) enum ActionsCommand {
    /// One page of your published actions (GET /actions).
    #[command(after_help = ACTIONS_LIST_AFTER_HELP)]
    List(ActionsListArgs),
    /// One page of an action's versions, newest first (GET /actions/version/ID).
    #[command(after_help = ACTIONS_VERSIONS_AFTER_HELP)]
    Versions(ActionVersionsArgs),
}

const ACTIONS_LIST_AFTER_HELP: &str = "\
Examples:
  humanos actions list
  humanos actions list --table --search purchase
  humanos actions list | jq -r '.data[] | .id + \" \" + .name'";

#[derive(Debug, Args)]
pub(crate) struct ActionsListArgs {
    #[command(flatten)]
    pub(crate) page: PageArgs,
    /// Only active (true) or inactive (false) actions.
    #[arg(long, value_name = "BOOL")]
    pub(crate) active: Option<bool>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const ACTIONS_VERSIONS_AFTER_HELP: &str = "\
Each version has its full `content` (params and rules) and `digestSRI`. An unknown action
gives an empty page.

Examples:
  humanos actions versions urn:via:action:buy
  humanos actions versions urn:via:action:buy --table";

#[derive(Debug, Args)]
pub(crate) struct ActionVersionsArgs {
    /// The action id (`urn:via:action:...`).
    pub(crate) action_id: String,
    #[command(flatten)]
    pub(crate) page: PageArgs,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

pub(super) const DID_AFTER_HELP: &str = "\
Examples:
  humanos did resolve did:web:humanos.tech:org:3f1c...
  humanos did resolve did:key:z6Mk... --table";

#[derive(Debug, Subcommand)]
pub(crate) enum DidCommand {
    /// The DID document of a DID, as served (GET /did/resolve/DID).
    #[command(after_help = DID_RESOLVE_AFTER_HELP)]
    Resolve(DidResolveArgs),
}

const DID_RESOLVE_AFTER_HELP: &str = "\
Prints the document exactly as served; --table shows its id and verification methods.
Unknown or inactive DIDs exit with 1 (HTTP 404).

Examples:
  humanos did resolve did:web:humanos.tech:org:3f1c...
  humanos did resolve \"$ISSUER_DID\" --table";

#[derive(Debug, Args)]
pub(crate) struct DidResolveArgs {
    /// The DID.
    pub(crate) did: String,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}
