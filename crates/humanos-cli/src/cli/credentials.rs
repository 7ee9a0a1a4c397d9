//! `humanos credentials issue-vp | verify | revoke | detail | events`.

use clap::{Args, Subcommand};

use super::{ClientArgs, IdArgs};

pub(super) const CREDENTIALS_AFTER_HELP: &str = "\
Examples:
  humanos credentials detail urn:via:credential:3f1c... --table
  humanos credentials issue-vp urn:via:credential:3f1c... > vp.json
  humanos credentials verify --vp @vp.json --param amount=5000 --param category=BOOKS
  humanos credentials revoke urn:via:credential:3f1c... --reason user_initiated
  humanos credentials events urn:via:credential:3f1c... --table";

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Issue a short-lived Verifiable Presentation of a mandate (POST /credential/vp/ID).
    #[command(after_help = ISSUE_VP_AFTER_HELP)]
    IssueVp(IssueVpArgs),
    /// Check a presentation against execution parameters: allow or deny (POST /credential/verify).
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Revoke a mandate permanently (DELETE /credential/revoke/ID).
    #[command(after_help = REVOKE_AFTER_HELP)]
    Revoke(RevokeArgs),
    /// A credential with its W3C credential and decisions (GET /credential/ID).
    #[command(after_help = CREDENTIAL_DETAIL_AFTER_HELP)]
    Detail(IdArgs),
    /// A credential's event chain, every event re-verified (GET /credential/ID/events).
    #[command(after_help = EVENTS_AFTER_HELP)]
    Events(IdArgs),
}

const ISSUE_VP_AFTER_HELP: &str = "\
Prints {\"presentation\", \"presentationEncoded\"}: pipe it into `credentials verify --vp @-`.
A revoked mandate is refused (exit 1, `credential_revoked`).

Examples:
  humanos credentials issue-vp urn:via:credential:3f1c... > vp.json
  humanos credentials issue-vp \"$VC\" --target-verifier shop.example | humanos credentials verify --vp @- --param amount=5000";

#[derive(Debug, Args)]
pub(crate) struct IssueVpArgs {
    /// The mandate's credential id (`urn:via:credential:...`).
    pub(crate) credential_id: String,
    /// Domain of the intended verifier (`targetVerifier`).
    #[arg(long, value_name = "DOMAIN")]
    pub(crate) target_verifier: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const VERIFY_AFTER_HELP: &str = "\
The presentation is --vp (the JSON `credentials issue-vp` printed: inline, @FILE or @-),
--encoded (its presentationEncoded), or the body of --data. --param NAME=VALUE adds an
executionParams value (VALUE as JSON when it is JSON, else a string).

Prints the verdict as the API sends it: {\"decision\": \"allow\", \"credentialId\", \"evaluations\"}
or {\"decision\": \"deny\", \"reason\", \"message\", \"evaluations\", ...}; --table shows the
decision, the reason and one line per rule. Exit 0 on allow, 4 on deny, 1 when the API refuses
the request itself (malformed presentation, unknown credential).

Examples:
  humanos credentials verify --vp @vp.json --param amount=5000 --param category=BOOKS
  humanos credentials issue-vp \"$VC\" | humanos credentials verify --vp @- --param amount=5000 --table
  humanos credentials verify --data '{\"presentationEncoded\":\"eyJ...\",\"executionParams\":{\"amount\":1}}'";

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The output of `credentials issue-vp`: inline JSON, `@FILE`, or `@-` (stdin).
    #[arg(long, value_name = "JSON", conflicts_with = "encoded")]
    pub(crate) vp: Option<String>,
    /// The presentation's `presentationEncoded` (base64).
    #[arg(long, value_name = "BASE64")]
    pub(crate) encoded: Option<String>,
    /// An executionParams value, `NAME=VALUE` (repeatable; VALUE as JSON when it is).
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) param: Vec<String>,
    /// The whole body (JSON, `@FILE` or `@-`); the other flags add to it.
    #[arg(long, value_name = "JSON")]
    pub(crate) data: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const REVOKE_AFTER_HELP: &str = "\
Later presentations and verifications of the mandate are denied with `credential_revoked`.
Revoking twice is refused (exit 1, HTTP 409). Prints {\"credentialId\", \"status\", \"revokedAt\"}.

Examples:
  humanos credentials revoke urn:via:credential:3f1c...
  humanos credentials revoke urn:via:credential:3f1c... --reason user_initiated";

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The credential id (`urn:via:credential:...`).
    pub(crate) credential_id: String,
    /// Why (user_initiated, organization_policy, system_expiry, or free text).
    #[arg(long, value_name = "REASON")]
    pub(crate) reason: Option<String>,
    #[command(flatten)]
    pub(crate) client: ClientArgs,
}

const CREDENTIAL_DETAIL_AFTER_HELP: &str = "\
Examples:
  humanos credentials detail urn:via:credential:3f1c...
  humanos credentials detail urn:via:credential:3f1c... | jq .w3cCredential
  humanos credentials detail urn:via:credential:3f1c... --table";

const EVENTS_AFTER_HELP: &str = "\
Prints the audit of the event chain ({\"ok\", \"events\": [...]}); --table shows one line per
event with its checks. Exit 1 when the chain does not verify (`ok` is false).

Examples:
  humanos credentials events urn:via:credential:3f1c...
  humanos credentials events urn:via:credential:3f1c... --table";
