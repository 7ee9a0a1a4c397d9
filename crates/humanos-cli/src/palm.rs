//! `humanos humancode session | verify-vcode | show-id`.

use humancode::{CallbackUrl, Error};
use serde_json::json;

use crate::cli::{HumanCodeCommand, SessionArgs, ShowIdArgs, VerifyVcodeArgs};
use crate::config::Settings;
use crate::error::{CliError, Result};
use crate::output::{pretty, print_out};

/// Maps a HumanCode error to an exit code and a hint. Its messages never contain the APP_KEY.
fn cli_error(err: Error) -> CliError {
    match &err {
        Error::Api { code, .. } => {
            let hint = match code.code() {
                10001 => "signature refused: check HUMANCODE_APP_KEY",
                10002 => "unknown app: check HUMANCODE_APP_ID",
                10010..=10012 | 10020 => {
                    "sessions live 10 minutes and vcodes 30 seconds: start a new session"
                }
                _ => "see the HumanCode error table in docs/humancode.md",
            };
            CliError::refused(format!("{err} ({})", code.message()), hint)
        }
        Error::Config(_) | Error::InvalidCallbackUrl(_) | Error::InvalidInput { .. } => {
            CliError::usage(err, "check the arguments and the HumanCode configuration")
        }
        _ => {
            let hint = if err.is_retryable() {
                "try again; check HUMANCODE_BASE_URL and the network"
            } else {
                "check HUMANCODE_BASE_URL: it must point at HumanCode (or a local emulator)"
            };
            CliError::transport(err, hint)
        }
    }
}

pub(crate) async fn run(settings: &Settings, command: &HumanCodeCommand) -> Result<()> {
    match command {
        HumanCodeCommand::Session(args) => session(settings, args).await,
        HumanCodeCommand::VerifyVcode(args) => verify_vcode(settings, args).await,
        HumanCodeCommand::ShowId(args) => show_id(settings, args).await,
    }
}

async fn session(settings: &Settings, args: &SessionArgs) -> Result<()> {
    let client = settings.humancode_client(&args.credentials)?;
    let callback = args
        .callback
        .as_deref()
        .map(CallbackUrl::parse)
        .transpose()
        .map_err(cli_error)?;
    let session = client.create_session().await.map_err(cli_error)?;
    let mut out = json!({
        "session_id": session.session_id,
        "created_at_ms": session.created_at_ms,
        "expires_at_ms": session.expires_at_ms(),
    });
    if let Some(callback) = callback {
        let (key, url) = match &args.human_id {
            Some(human_id) => (
                "verification_url",
                client.verification_url(&session.session_id, &callback, human_id),
            ),
            None => (
                "registration_url",
                client.registration_url(&session.session_id, &callback),
            ),
        };
        out[key] = json!(url.map_err(cli_error)?);
    }
    print_out(&pretty(&out));
    Ok(())
}

async fn verify_vcode(settings: &Settings, args: &VerifyVcodeArgs) -> Result<()> {
    let client = settings.humancode_client(&args.credentials)?;
    let human_id = client
        .verify_vcode(&args.session_id, &args.vcode)
        .await
        .map_err(cli_error)?;
    print_out(&pretty(&json!({ "human_id": human_id.as_str() })));
    Ok(())
}

async fn show_id(settings: &Settings, args: &ShowIdArgs) -> Result<()> {
    let client = settings.humancode_client(&args.credentials)?;
    let show = client.show_id(&args.human_id).await.map_err(cli_error)?;
    print_out(&pretty(
        &json!({ "show_id": show.show_id, "create_time": show.create_time }),
    ));
    Ok(())
}
