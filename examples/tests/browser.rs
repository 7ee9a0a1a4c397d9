//! Browser tests: a person's clicks in headless Chromium, driven through chromedriver
//! (WebDriver) with `fantoccini`, against servers on 127.0.0.1 started in this process.
//!
//! - The sandbox's hosted approval page: see the request, type the emailed (here: logged) code,
//!   Accept, and the mandate is active through the API.
//! - The `humancode_login` example with the HumanCode emulator, as the example starts it when
//!   no credentials are set: "Prove I am a Human", "Scan palm" on the emulator's registration
//!   page, back to the callback showing the human_id; then "Verify me" with that human_id.
//!
//! Needs `chromedriver` and Chromium (Debian: `apt-get install chromium chromium-driver`). The
//! driver is `$CHROMEDRIVER` or `chromedriver` on `PATH`; the browser is `$CHROME_BIN`, else
//! `/usr/bin/chromium` when it exists, else whatever chromedriver finds. Without a driver each
//! test prints why and passes, unless `HUMANOS_BROWSER_TESTS=1` (set by `.ci/run`), which makes
//! a missing driver a failure.

// The example is compiled into this test as a module, rather than run as a binary, so the test
// drives its very router (`app`) and emulator start-up (`start_local_emulator`) on ports it
// chooses, with no `cargo run` inside a test and no path to a built example to guess; its
// `main` and environment handling are not used here.
#[allow(dead_code)]
#[path = "../humancode_login.rs"]
mod humancode_login;

mod browser_support;

use browser_support::{api_client, click, run_in_browser, text_of, type_into};
use fantoccini::Client;
use humancode::CallbackUrl;
use humanos::models::{
    ActionDto, CredentialDto, CredentialStatus, CredentialType, GenerateRequestDto,
};
use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_page_in_chromium_accept_with_the_code_makes_the_mandate_active() {
    let sandbox = Sandbox::start_ephemeral().await.unwrap();
    let api = api_client(&sandbox);
    let contact = "ana@example.com";
    let request = purchase_request(&sandbox, &api, contact).await;
    let link = request.subjects[0].link.clone().expect("an approval link");
    let otp = sandbox.otp(&request.id, contact).expect("an OTP");
    let request_id = request.id.clone();

    let shown = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let issued = shown.clone();
    run_in_browser(
        "approval_page_in_chromium_accept_with_the_code_makes_the_mandate_active",
        move |browser| async move {
            browser.goto(&link).await.unwrap();
            the_page_shows_the_request(&browser, contact).await;
            a_wrong_code_is_refused(&browser).await;
            // The right code (emailed by Humanos, logged by the sandbox), then Accept.
            browser.goto(&link).await.unwrap();
            type_into(&browser, "#otp", &otp).await;
            click(&browser, "#accept").await;
            let result = text_of(&browser, "#result").await;
            assert!(result.contains("Accepted"), "{result}");
            *issued.lock().unwrap() = text_of(&browser, "code.credential").await;
        },
    )
    .await;
    let shown = shown.lock().unwrap().clone();
    if shown.is_empty() {
        return; // skipped: no browser
    }

    let detail = api.requests().detail(&request_id).await.unwrap();
    assert_eq!(detail.credentials.len(), 1);
    assert_eq!(detail.credentials[0].status, CredentialStatus::Active);
    assert_eq!(detail.credentials[0].id, shown);
    sandbox.shutdown().await;
}

/// A request to `contact` for a "Book budget" mandate of a purchase action (25, BOOKS).
async fn purchase_request(
    sandbox: &SandboxHandle,
    api: &humanos::HumanosClient,
    contact: &str,
) -> humanos::models::GenerateRequestEntity {
    let action = sandbox
        .define_action(json!({
            "name": "Purchase",
            "userParams": {"maxAmount": {"type": "number"}, "allowedCategories": {"type": "array<string>"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": ["executionParams.amount <= userParams.maxAmount"]
        }))
        .await
        .unwrap();
    api.requests()
        .create(
            GenerateRequestDto::new(vec![contact.into()]).credentials(vec![
                CredentialDto::new(CredentialType::Policy, "Book budget").action(
                    ActionDto::new(&action.id)
                        .user_param("maxAmount", 25)
                        .user_param("allowedCategories", json!(["BOOKS"])),
                ),
            ]),
        )
        .await
        .unwrap()
}

async fn the_page_shows_the_request(browser: &Client, contact: &str) {
    let page = text_of(browser, "body").await;
    for expected in [
        "Review and decide",
        "Book budget",
        "Purchase",
        "maxAmount",
        "25",
        contact,
    ] {
        assert!(
            page.contains(expected),
            "{expected:?} not on the page: {page}"
        );
    }
}

/// A wrong code is refused; the page says so.
async fn a_wrong_code_is_refused(browser: &Client) {
    type_into(browser, "#otp", "000000").await;
    click(browser, "#accept").await;
    let error = text_of(browser, "#error").await;
    assert!(error.contains("Wrong security code"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn humancode_login_example_in_chromium_registers_then_verifies_with_the_palm_page() {
    let (emulator, humancode) = humancode_login::start_local_emulator().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_url = format!("http://{}", listener.local_addr().unwrap());
    let callback = CallbackUrl::parse(&format!("{app_url}/callback")).unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, humancode_login::app(humancode, callback))
            .await
            .unwrap();
    });
    let emulator_url = emulator.base_url();

    run_in_browser(
        "humancode_login_example_in_chromium_registers_then_verifies_with_the_palm_page",
        move |browser| async move {
            // Register: the app's button, the emulator's page, "Scan palm", back to the callback.
            browser.goto(&format!("{app_url}/")).await.unwrap();
            click(&browser, "#register").await;
            // `#session` is only on the emulator's page: the navigation is done.
            assert!(!text_of(&browser, "#session").await.is_empty());
            assert_eq!(text_of(&browser, "h1").await, "HumanCode registration");
            let at = browser.current_url().await.unwrap();
            assert!(
                at.as_str()
                    .starts_with(&format!("{emulator_url}/registration/index.html?")),
                "{at}"
            );
            click(&browser, "#scan").await;
            let human_id = text_of(&browser, "#human_id").await;
            assert!(human_id.starts_with("u_"), "{human_id}");
            let show_id = text_of(&browser, "#show_id").await;
            assert_ne!(show_id, "-");
            let at = browser.current_url().await.unwrap();
            assert!(
                at.as_str().starts_with(&format!("{app_url}/callback?")),
                "{at}"
            );
            let page = text_of(&browser, "body").await;
            assert!(page.contains("Proof of humanity succeeded"), "{page}");

            // Verify: the same human, through the VERIFICATION page.
            browser.goto(&format!("{app_url}/")).await.unwrap();
            type_into(&browser, "input[name=human_id]", &human_id).await;
            click(&browser, "#verify").await;
            assert!(!text_of(&browser, "#session").await.is_empty());
            assert_eq!(text_of(&browser, "h1").await, "HumanCode verification");
            click(&browser, "#scan").await;
            assert_eq!(text_of(&browser, "#human_id").await, human_id);
        },
    )
    .await;
    server.abort();
}
