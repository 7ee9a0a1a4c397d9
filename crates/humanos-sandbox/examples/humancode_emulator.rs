//! A local HumanCode emulator (this crate's, as the tests use it), to run the login example
//! without the real service.
//!
//! ```sh
//! HUMANCODE_APP_ID=a_local HUMANCODE_APP_KEY=local-key EMULATOR_PORT=8080 \
//!     cargo run -p humanos-sandbox --example humancode_emulator
//! ```
//!
//! It checks `app_id` and the HMAC of every API call and serves REGISTRATION / VERIFICATION
//! pages with a "Scan palm" button that redirect to the callback with a vcode or an error code.

use humanos_sandbox::humancode_emulator as emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app_id = std::env::var("HUMANCODE_APP_ID").unwrap_or_else(|_| "a_local".to_owned());
    let app_key = std::env::var("HUMANCODE_APP_KEY").unwrap_or_else(|_| "local-key".to_owned());
    let port: u16 = std::env::var("EMULATOR_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    // Interactive pages: a "Scan palm" button that succeeds and a "Fail scan" one.
    let emu = emulator::Emulator::start_with_mode(
        &app_id,
        &app_key,
        port,
        emulator::PageMode::Interactive,
    )
    .await?;
    println!(
        "HumanCode emulator on {} for app_id {app_id}",
        emu.base_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
