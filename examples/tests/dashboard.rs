//! The sandbox dashboard in headless Chromium: the whole mandate and webhook lifecycle driven
//! from its pages alone (issue 18). The client's calls (create a request, present and verify)
//! go through the `humanos` client, as an application's would; everything a developer does is
//! a click: add a webhook endpoint, open the request, play the user on the approval page, watch
//! the delivery fail while the receiver is down and then succeed (no reload), resend it, revoke
//! the mandate.
//!
//! `HUMANOS_DASHBOARD_SCREENSHOTS=DIR` saves the home, mandate and webhooks pages there as
//! `dashboard-*.png` (how `docs/img/` was made). See `browser_support` for the driver rules.

mod browser_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use browser_support::{WAIT, api_client, click, run_in_browser, text_of, type_into};
use fantoccini::{Client, Locator};
use humanos::models::{
    ActionDto, CreatePresentationDto, CredentialDto, CredentialStatus, CredentialType,
    GenerateRequestDto, VerifyPresentationDto,
};
use humanos_sandbox::Sandbox;
use humanos_webhooks::WebhookConfig;
use serde_json::{Value, json};

/// Waits until the text of `css` contains `needle` (the page refreshes itself), and returns it.
async fn wait_for_text(browser: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = browser.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
            && text.contains(needle)
        {
            return text;
        }
        assert!(Instant::now() < deadline, "{css} never showed {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(browser: &Client, css: &str) -> usize {
    browser
        .find_all(Locator::Css(css))
        .await
        .map_or(0, |v| v.len())
}

async fn wait_for_count(browser: &Client, css: &str, n: usize) {
    let deadline = Instant::now() + WAIT;
    while count(browser, css).await < n {
        assert!(Instant::now() < deadline, "never {n} of {css}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(browser: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("HUMANOS_DASHBOARD_SCREENSHOTS") {
        // A laptop-wide window, tall enough for the page's main sections, from the top.
        browser.set_window_size(1280, 1300).await.unwrap();
        browser
            .execute("window.scrollTo(0, 0)", vec![])
            .await
            .unwrap();
        let png = browser.screenshot().await.unwrap();
        browser.set_window_size(1280, 900).await.unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("dashboard-{name}.png")),
            png,
        )
        .unwrap();
    }
}

/// A webhook receiver on `listener` that checks the seal and counts the events it accepts.
fn serve_receiver(
    listener: tokio::net::TcpListener,
    config: WebhookConfig,
    hits: Arc<AtomicUsize>,
) {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (config, hits) = (config.clone(), hits.clone());
            async move {
                match config.process_as::<Value>(&headers, &body) {
                    Ok(_) => {
                        hits.fetch_add(1, Ordering::SeqCst);
                        StatusCode::OK
                    }
                    Err(_) => StatusCode::UNAUTHORIZED,
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_chromium_walks_the_mandate_and_webhook_lifecycle() {
    let sandbox = Sandbox::builder()
        .webhook_retry_base(Duration::from_millis(500))
        .build()
        .await
        .unwrap();
    let api = api_client(&sandbox);
    let action = sandbox
        .define_action(json!({
            "name": "Purchase",
            "userParams": {"maxAmount": {"type": "number"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": [{"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"}]
        }))
        .await
        .unwrap();
    // The receiver's address, not listening yet: the first attempt fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let hits = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver {
        port,
        config: sandbox.webhook_secrets().config().unwrap(),
        hits: hits.clone(),
    };
    let (base, admin_url, issuer) = (
        sandbox.base_url().to_owned(),
        sandbox.admin_url(),
        sandbox.issuer_did().to_owned(),
    );
    let client = api.clone();
    let done = Arc::new(std::sync::Mutex::new(None::<String>));
    let finished = done.clone();

    run_in_browser(
        "dashboard_in_chromium_walks_the_mandate_and_webhook_lifecycle",
        move |b| async move {
            open_the_printed_link(&b, &admin_url, &issuer).await;
            add_webhook_endpoint(&b, &receiver.url()).await;
            open_a_new_request(&b, &client, &action.id).await;
            let mandate = accept_as_the_user(&b).await;
            let row_id = delivery_fails_then_succeeds(&b, &base, &receiver, &mandate).await;
            resend_the_delivery(&b, &row_id, &receiver.hits).await;
            present_allow_and_deny(&client, &mandate).await;
            revoke_from_the_mandate_page(&b, &base, &mandate).await;
            *finished.lock().unwrap() = Some(mandate);
        },
    )
    .await;
    let Some(mandate) = done.lock().unwrap().clone() else {
        return; // skipped: no browser
    };
    let detail = api.credentials().detail(&mandate).await.unwrap();
    assert_eq!(detail.status, CredentialStatus::Inactive);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    sandbox.shutdown().await;
}

/// The webhook receiver the test starts late: its port, the seal it checks, its count.
struct Receiver {
    port: u16,
    config: WebhookConfig,
    hits: Arc<AtomicUsize>,
}

impl Receiver {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }
}

/// The printed link: the token becomes a cookie, the page is the home page.
async fn open_the_printed_link(b: &Client, admin_url: &str, issuer: &str) {
    b.goto(admin_url).await.unwrap();
    assert_eq!(text_of(b, "#issuer-did").await, issuer);
    assert_eq!(b.current_url().await.unwrap().path(), "/admin");
}

/// Step 1: A webhook endpoint pointing at the (still down) receiver.
async fn add_webhook_endpoint(b: &Client, hook: &str) {
    click(b, "header a[href='/admin/webhooks']").await;
    type_into(b, "#endpoint-url", hook).await;
    click(b, "#add").await;
    wait_for_text(b, "#endpoints", hook).await;
}

/// Step 2: The client makes a request; it appears on the home page without a reload.
async fn open_a_new_request(b: &Client, client: &humanos::HumanosClient, action_id: &str) {
    click(b, "header a[href='/admin']").await;
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("requests"))
        .await
        .unwrap();
    let request = client
        .requests()
        .create(
            GenerateRequestDto::new(vec!["ana@example.com".into()]).credentials(vec![
                CredentialDto::new(CredentialType::Policy, "Book budget")
                    .action(ActionDto::new(action_id).user_param("maxAmount", 25)),
            ]),
        )
        .await
        .unwrap();
    wait_for_text(b, "#requests", &request.id).await;
    click(b, "#requests tr.request a").await;
    assert_eq!(text_of(b, "#request-id").await, request.id);
}

/// Step 3: Play the user: the approval link and the code, both from the request page.
/// Returns the mandate's id.
async fn accept_as_the_user(b: &Client) -> String {
    let otp = text_of(b, "code.otp").await;
    click(b, "a.approval-link").await;
    type_into(b, "#otp", &otp).await;
    click(b, "#accept").await;
    assert!(text_of(b, "#result").await.contains("Accepted"));
    text_of(b, "code.credential").await
}

/// Step 4: The delivery: a failed attempt while the receiver is down, then success once it is
/// up, shown without a reload; the decrypted payload on demand. Returns the delivery's row id.
async fn delivery_fails_then_succeeds(
    b: &Client,
    base: &str,
    receiver: &Receiver,
    mandate: &str,
) -> String {
    b.goto(&format!("{base}/admin/webhooks")).await.unwrap();
    wait_for_count(b, "tr.delivery .attempt.fail", 1).await;
    let row = b.find(Locator::Css("tr.delivery")).await.unwrap();
    let row_id = row.attr("id").await.unwrap().unwrap();
    assert_eq!(
        text_of(b, &format!("#{row_id} .event-type")).await,
        "credential"
    );
    assert!(
        text_of(b, &format!("#{row_id} .state"))
            .await
            .contains("pending")
    );
    // ...then success once it is up, shown without a reload.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", receiver.port))
        .await
        .unwrap();
    serve_receiver(listener, receiver.config.clone(), receiver.hits.clone());
    wait_for_text(b, &format!("#{row_id} .state"), "delivered").await;
    let attempts = text_of(b, &format!("#{row_id} .attempts")).await;
    assert!(
        attempts.contains("transport") && attempts.contains("HTTP 200"),
        "{attempts}"
    );
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 1);
    // The decrypted payload on demand.
    let delivery = delivery_id(&row_id);
    click(b, &format!("#payload-{delivery} summary")).await;
    wait_for_text(b, &format!("#payload-{delivery} pre"), mandate).await;
    row_id
}

/// The delivery id in a row id `delivery-<id>`.
fn delivery_id(row_id: &str) -> &str {
    &row_id["delivery-".len()..]
}

/// Step 5: Resend: a second successful attempt.
async fn resend_the_delivery(b: &Client, row_id: &str, received: &AtomicUsize) {
    let delivery = delivery_id(row_id);
    click(b, &format!("#resend-{delivery}")).await;
    wait_for_count(b, &format!("#{row_id} .attempt.ok"), 2).await;
    wait_for_text(b, &format!("#{row_id} .state"), "delivered").await;
    assert_eq!(received.load(Ordering::SeqCst), 2);
    click(b, &format!("#payload-{delivery} summary")).await;
    screenshot(b, "webhooks").await;
}

/// Step 6: The client presents the mandate twice: an allow and a deny.
async fn present_allow_and_deny(client: &humanos::HumanosClient, mandate: &str) {
    for amount in [20, 90] {
        let vp = client
            .credentials()
            .issue_vp(mandate, CreatePresentationDto::new())
            .await
            .unwrap();
        client
            .credentials()
            .verify(VerifyPresentationDto::from_presentation(&vp).execution_param("amount", amount))
            .await
            .unwrap();
    }
}

/// Step 7: The mandate page, from the home page: then revoke it.
async fn revoke_from_the_mandate_page(b: &Client, base: &str, mandate: &str) {
    b.goto(&format!("{base}/admin")).await.unwrap();
    wait_for_text(b, "#mandates", "ACTIVE").await;
    screenshot(b, "home").await;
    click(b, "#mandates tr.mandate a").await;
    assert_eq!(text_of(b, "#credential-id").await, mandate);
    assert_eq!(text_of(b, "#chain-result").await, "chain verifies");
    let checks = text_of(b, "#presentations").await;
    assert!(
        checks.contains("allow") && checks.contains("deny") && checks.contains("rule_failed"),
        "{checks}"
    );
    assert!(text_of(b, "#status").await.contains("ACTIVE"));
    screenshot(b, "mandate").await;
    click(b, "#revoke").await;
    wait_for_text(b, "#status", "INACTIVE").await;
    wait_for_text(b, "#events", "REVOKE").await;
}
