//! Issue 15's sandbox defaults: the admin token and `Host` check (CSRF, DNS rebinding), the
//! loopback-only bind, the delivery worker (fair per endpoint, dead letters, no redirects), and
//! hostile query values (`pageIndex`, the HumanCode `session_id`).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use humanos_sandbox::{ADMIN_TOKEN_HEADER, Sandbox, SandboxError, SandboxHandle};
use serde_json::{Value, json};
use support::{Client, admin_get, purchase_action};

/// Polls `check` every 50 ms for up to 60 s (a bound against a hang, not a timing claim).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

async fn new_request(sb: &SandboxHandle) -> String {
    let c = Client::new(sb);
    let action = sb.define_action(purchase_action()).await.unwrap();
    let (st, req) = c
        .call("POST", "/request", Some(&json!({"users": [{"contact": "ana@example.com"}], "credentials": [{"type": "POLICY", "name": "Mandate", "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": ["BOOKS"]}}}]})))
        .await;
    assert_eq!(st, 201, "{req}");
    req["id"].as_str().unwrap().to_owned()
}

async fn decision(sb: &SandboxHandle, request_id: &str) -> Value {
    let (_, detail) = Client::new(sb)
        .call("GET", &format!("/request/{request_id}"), None)
        .await;
    detail["credentials"][0]["status"].clone()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn admin_routes_refuse_requests_without_the_token_and_cross_site_posts() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let request_id = new_request(&sb).await;
    let approve = format!("{}/admin/requests/{request_id}/approve", sb.base_url());
    let http = no_redirects();
    no_token_no_admin(&sb, &http, &approve, &request_id).await;
    the_cookie_only_from_the_sandboxs_own_page(&sb, &http, &approve, &request_id).await;
    the_token_header_for_tools(&sb, &request_id).await;
}

/// Without the token (a hostile page's POST, plain GETs, a wrong token) nothing is served and
/// nothing decided.
async fn no_token_no_admin(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    approve: &str,
    request_id: &str,
) {
    // What a hostile page's `fetch(url, {method: "POST", mode: "no-cors"})` sends.
    let r = http
        .post(approve)
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    for path in [
        "/admin".to_owned(),
        format!("/admin/requests/{request_id}/otp"),
        "/admin/webhooks".to_owned(),
        "/".to_owned(),
    ] {
        let r = http
            .get(format!("{}{path}", sb.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    let wrong = http
        .post(approve)
        .header(ADMIN_TOKEN_HEADER, "sat_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(decision(sb, request_id).await, "DRAFT");
}

/// The admin link's cookie, which counts only on a same-origin POST.
async fn the_cookie_only_from_the_sandboxs_own_page(
    sb: &SandboxHandle,
    http: &reqwest::Client,
    approve: &str,
    request_id: &str,
) {
    // The printed link sets an HttpOnly, SameSite=Strict cookie and drops the token from the URL.
    let r = http.get(sb.admin_url()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/admin");
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    // The cookie alone on a cross-site POST (a browser would not even send it): refused.
    let r = http
        .post(approve)
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(decision(sb, request_id).await, "DRAFT");
    // From the sandbox's own page: accepted.
    let r = http
        .post(approve)
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, sb.base_url())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(decision(sb, request_id).await, "ACTIVE");
}

async fn the_token_header_for_tools(sb: &SandboxHandle, request_id: &str) {
    // The header works for tools, through the handle's client too.
    let r = sb
        .admin_client()
        .get(format!("{}/admin/requests/{request_id}/otp", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(sb.env_lines().contains(&format!(
        "export HUMANOS_SANDBOX_ADMIN_TOKEN={}\n",
        sb.admin_token()
    )));
}

#[tokio::test]
async fn a_host_the_sandbox_does_not_serve_is_refused() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let request_id = new_request(&sb).await;
    let port = sb.addr().port();
    let otp_url = format!("{}/admin/requests/{request_id}/otp", sb.base_url());
    // A DNS-rebound page reads with its own name as Host, even holding the token.
    for host in [format!("evil.example:{port}"), "127.0.0.1".to_owned()] {
        let r = sb
            .admin_client()
            .get(&otp_url)
            .header(header::HOST, &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(
            !r.text()
                .await
                .unwrap()
                .contains(&sb.otp(&request_id, "ana@example.com").unwrap())
        );
    }
    let r = reqwest::Client::new()
        .get(format!("{}/status/1", sb.base_url()))
        .header(header::HOST, format!("evil.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = sb
            .admin_client()
            .get(&otp_url)
            .header(header::HOST, &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
    }
}

#[tokio::test]
async fn a_non_loopback_address_needs_allow_remote() {
    let any = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
    let refused = Sandbox::builder().bind(any).build().await;
    assert!(matches!(refused, Err(SandboxError::NotLoopback(a)) if a == any));
    let sb = Sandbox::builder()
        .bind(any)
        .allow_remote(true)
        .build()
        .await
        .unwrap();
    assert!(sb.addr().ip().is_unspecified());
    sb.shutdown().await;
}

/// A receiver on 127.0.0.1 counting the POSTs it gets and answering `status` (with `location`
/// when given).
async fn receiver(status: StatusCode, location: Option<String>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let (h, location) = (h.clone(), location.clone());
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                let mut headers = HeaderMap::new();
                if let Some(l) = location {
                    headers.insert(header::LOCATION, l.parse().unwrap());
                }
                (status, headers)
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

/// A URL nothing listens on.
fn closed_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/hook")
}

async fn deliveries(sb: &SandboxHandle) -> Vec<Value> {
    admin_get(sb, "/admin/webhooks").await["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_with_a_failing_backlog_does_not_starve_another() {
    let sb = Sandbox::builder()
        .webhook_endpoint(closed_url())
        .webhook_retry_base(Duration::from_secs(30))
        .build()
        .await
        .unwrap();
    for _ in 0..300 {
        sb.send_test_event().unwrap();
    }
    let (healthy, hits) = receiver(StatusCode::OK, None).await;
    sb.add_webhook_endpoint(&healthy);
    sb.send_test_event().unwrap();
    eventually("the healthy endpoint gets its event", async || {
        hits.load(Ordering::SeqCst) == 1
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_dead_lettered_after_the_last_attempt_and_can_be_resent() {
    let down = closed_url();
    let sb = Sandbox::builder()
        .webhook_endpoint(&down)
        .webhook_retry_base(Duration::from_millis(10))
        .webhook_max_attempts(3)
        .build()
        .await
        .unwrap();
    sb.send_test_event().unwrap();
    eventually("dead-lettered", async || {
        deliveries(&sb).await[0]["state"] == "dead"
    })
    .await;
    assert_eq!(sb.pending_deliveries().unwrap(), 0);
    let d = &deliveries(&sb).await[0];
    assert_eq!(d["attempts"], 3);
    assert!(
        d["nextAttemptAt"].is_null() && d["deadLetteredAt"].is_string(),
        "{d}"
    );
    let id = d["id"].as_i64().unwrap();
    let detail = admin_get(&sb, &format!("/admin/webhooks/deliveries/{id}")).await;
    let log = detail["attemptLog"].as_array().unwrap();
    assert_eq!(log.len(), 3, "{detail}");
    assert!(log.iter().all(|a| a["status"].is_null()
        && a["error"].as_str().unwrap().starts_with("transport")));
    assert_eq!(detail["event"]["eventType"], "test");

    // No more attempts happen on their own; a resend starts again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(deliveries(&sb).await[0]["attempts"], 3);
    let r = sb
        .admin_client()
        .post(format!(
            "{}/admin/webhooks/deliveries/{id}/resend",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    eventually("dead again after three more", async || {
        let d = &deliveries(&sb).await[0];
        d["state"] == "dead" && d["attempts"] == 3
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed() {
    let (target, target_hits) = receiver(StatusCode::OK, None).await;
    let (redirecting, hits) = receiver(StatusCode::TEMPORARY_REDIRECT, Some(target)).await;
    let sb = Sandbox::builder()
        .webhook_endpoint(&redirecting)
        .webhook_max_attempts(1)
        .build()
        .await
        .unwrap();
    sb.send_test_event().unwrap();
    eventually("the redirect is a failure", async || {
        deliveries(&sb).await[0]["state"] == "dead"
    })
    .await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        target_hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    let d = &deliveries(&sb).await[0];
    assert!(d["lastError"].as_str().unwrap().contains("307"), "{d}");
}

#[tokio::test]
async fn a_huge_page_index_is_a_validation_error() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let (st, body) = c.call("GET", "/request?pageIndex=1e300", None).await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(
        body["message"][0],
        "pageIndex must be a non-negative integer"
    );
    let (st, body) = c
        .call(
            "GET",
            "/request?pageIndex=9007199254740991&pageSize=100",
            None,
        )
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["data"], json!([]));
}

#[tokio::test]
async fn the_palm_page_redirect_encodes_the_session_id() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let scan = |session: &str| {
        format!(
            "{}/humancode/scan?session_id={session}&callback_url=http%3A%2F%2F127.0.0.1%3A9%2Fcb&mode=registration&outcome=13",
            sb.base_url()
        )
    };
    let http = no_redirects();
    let r = http.get(scan("abc%26vcode%3Dforged")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[header::LOCATION],
        "http://127.0.0.1:9/cb?session_id=abc%26vcode%3Dforged&vcode=error&error_code=13"
    );
    // A line break is no header injection (nor a panic).
    let r = http
        .get(scan("a%0D%0ASet-Cookie%3Ax"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[header::LOCATION],
        "http://127.0.0.1:9/cb?session_id=a%0D%0ASet-Cookie%3Ax&vcode=error&error_code=13"
    );
}
