//! The Chromium harness of the browser tests: chromedriver on a free 127.0.0.1 port, a headless
//! session, a screenshot on failure, and waits for elements.
//!
//! Needs `chromedriver` and Chromium (Debian: `apt-get install chromium chromium-driver`). The
//! driver is `$CHROMEDRIVER` or `chromedriver` on `PATH`; the browser is `$CHROME_BIN`, else
//! `/usr/bin/chromium` when it exists, else whatever chromedriver finds. Without a driver each
//! test prints why and passes, unless `HUMANOS_BROWSER_TESTS=1` (set by `.ci/run`), which makes
//! a missing driver a failure.
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Set to `1` to make a missing chromedriver a failure instead of a skip.
pub const REQUIRED_ENV: &str = "HUMANOS_BROWSER_TESTS";
/// How long to wait for a page element.
pub const WAIT: Duration = Duration::from_secs(30);

/// A chromedriver process, killed when dropped.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn chromedriver() -> Option<PathBuf> {
    match std::env::var_os("CHROMEDRIVER") {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path("chromedriver"),
    }
}

/// Starts chromedriver and a headless Chromium session; `None` (after saying why) when there is
/// no chromedriver and `HUMANOS_BROWSER_TESTS` is not `1`.
pub async fn browser(test: &str) -> Option<(Client, Driver)> {
    let Some(driver_path) = chromedriver() else {
        let required = std::env::var(REQUIRED_ENV).as_deref() == Ok("1");
        assert!(
            !required,
            "{REQUIRED_ENV}=1 but chromedriver was not found ($CHROMEDRIVER or PATH): \
             apt-get install chromium chromium-driver"
        );
        // Straight to the process's stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: chromedriver not found ($CHROMEDRIVER or PATH; Debian: apt-get \
             install chromium chromium-driver). Set {REQUIRED_ENV}=1 to make this a failure."
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut driver = Driver(
        Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_path.display())),
    );
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if let Ok(Some(status)) = driver.0.try_wait() {
            panic!("{} exited with {status}", driver_path.display());
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen in {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut options = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--window-size=1280,900"]
    });
    let binary = std::env::var_os("CHROME_BIN")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()));
    if let Some(binary) = binary {
        options["binary"] = json!(binary.to_string_lossy());
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("no Chromium session from {}: {e}", driver_path.display()));
    Some((client, driver))
}

/// Runs `flow` in the browser, then closes the browser whatever happened, then passes on the
/// flow's panic, if any, so a failed assertion leaves no Chromium behind.
pub async fn run_in_browser<F, Fut>(test: &str, flow: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((client, driver)) = browser(test).await else {
        return;
    };
    let started = Instant::now();
    let outcome = tokio::spawn(flow(client.clone())).await;
    if outcome.is_err()
        && let Ok(png) = client.screenshot().await
    {
        let path = std::env::temp_dir().join(format!("{test}.png"));
        if std::fs::write(&path, png).is_ok() {
            let _ = writeln!(
                std::io::stderr(),
                "{test}: screenshot at {}",
                path.display()
            );
        }
    }
    let _ = client.close().await;
    drop(driver);
    let _ = writeln!(
        std::io::stderr(),
        "{test}: browser flow took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

pub async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
        .text()
        .await
        .unwrap()
}

pub async fn click(browser: &Client, css: &str) {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} to click: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits for the field `css`, then types `text` into it.
pub async fn type_into(browser: &Client, css: &str, text: &str) {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} to type into: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// A `humanos` client with the sandbox's credentials.
pub fn api_client(sandbox: &humanos_sandbox::SandboxHandle) -> humanos::HumanosClient {
    humanos::HumanosClient::builder()
        .base_url(sandbox.base_url())
        .api_key(sandbox.api_key())
        .signature_secret(sandbox.signature_secret())
        .build()
        .expect("a client for the sandbox")
}
