//! `humanos humancode session | verify-vcode | show-id`.

use clap::{Args, Subcommand};

use super::HumanCodeCredentialArgs;

pub(super) const HUMANCODE_AFTER_HELP: &str = "\
Credentials: HUMANCODE_APP_ID, HUMANCODE_APP_KEY (never printed), HUMANCODE_BASE_URL (point it
at a local emulator or the sandbox), or the matching flags / profile keys.

Examples:
  humanos humancode session --callback https://app.example.com/humancode/callback
  humanos humancode verify-vcode df20ea9666d3401780332e4aa26a460e 413675
  humanos humancode show-id h_5f2c9a";

#[derive(Debug, Subcommand)]
pub(crate) enum HumanCodeCommand {
    /// Create a session (SESSION_ID API); with --callback also print the palm page URL.
    #[command(after_help = SESSION_AFTER_HELP)]
    Session(SessionArgs),
    /// Exchange a callback's vcode for the human_id (VCODE API).
    #[command(after_help = VCODE_AFTER_HELP)]
    VerifyVcode(VerifyVcodeArgs),
    /// The short display id of a human_id (get_show_id API).
    #[command(after_help = SHOW_ID_AFTER_HELP)]
    ShowId(ShowIdArgs),
}

const SESSION_AFTER_HELP: &str = "\
Prints {\"session_id\", \"created_at_ms\", \"expires_at_ms\"} and, with --callback, the
REGISTRATION page URL (or the VERIFICATION page URL with --human-id).

Examples:
  humanos humancode session
  humanos humancode session --callback https://app.example.com/humancode/callback
  humanos humancode session --callback https://app.example.com/cb --human-id h_5f2c9a";

#[derive(Debug, Args)]
pub(crate) struct SessionArgs {
    /// Your callback URL: also print the palm page URL for the new session.
    #[arg(long, value_name = "URL")]
    pub(crate) callback: Option<String>,
    /// A known human_id: print the VERIFICATION page URL instead of REGISTRATION.
    #[arg(long, value_name = "ID", requires = "callback")]
    pub(crate) human_id: Option<String>,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}

const VCODE_AFTER_HELP: &str = "\
Prints {\"human_id\"}. A vcode lives 30 seconds; HumanCode refusals (wrong or expired vcode)
exit with 1 and name the HumanCode code.

Examples:
  humanos humancode verify-vcode df20ea9666d3401780332e4aa26a460e 413675";

#[derive(Debug, Args)]
pub(crate) struct VerifyVcodeArgs {
    /// The session_id the browser's callback carried.
    pub(crate) session_id: String,
    /// The callback's vcode.
    pub(crate) vcode: String,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}

const SHOW_ID_AFTER_HELP: &str = "\
Prints {\"show_id\", \"create_time\"}.

Examples:
  humanos humancode show-id h_5f2c9a";

#[derive(Debug, Args)]
pub(crate) struct ShowIdArgs {
    /// The human_id.
    pub(crate) human_id: String,
    #[command(flatten)]
    pub(crate) credentials: HumanCodeCredentialArgs,
}
