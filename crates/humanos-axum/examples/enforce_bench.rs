//! What `MandateLayer` costs and what its local pre-check saves, against an in-process sandbox
//! on 127.0.0.1. Run by `bench/enforcement.sh` (release build); figures in
//! docs/PERFORMANCE.md.
//!
//! 1. **Latency**: the same handler, bare and behind the layer (online verify only, then with
//!    the local pre-check), `N` in-bounds requests each, interleaved one per configuration per
//!    round; the layer's cost is two sandbox calls (issue a presentation, verify it) plus its
//!    own work.
//! 2. **Online calls**: a mix of in-bounds and out-of-bounds requests (half and half) through a
//!    counting proxy in front of the sandbox, without and with the pre-check.
//!
//! With `ENFORCE_BENCH_DELAY_MS=<ms>`, the proxy holds every call that long before forwarding
//! it: an API that far away (the direct configuration stays on loopback, for comparison).
//!
//! ```sh
//! cargo run --release -p humanos-axum --example enforce_bench -- 200
//! ENFORCE_BENCH_DELAY_MS=50 cargo run --release -p humanos-axum --example enforce_bench -- 20
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use humanos::enforce::Enforcer;
use humanos_axum::{Mandate, MandateLayer};
use humanos_sandbox::Sandbox;
use humanos_test_support::enforce::{Fixture, ROUTE, handler_body};
use serde_json::{Value, json};

type Counts = Arc<Mutex<BTreeMap<String, usize>>>;

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    counts: Counts,
    /// Injected latency per call (`ENFORCE_BENCH_DELAY_MS`).
    delay: Duration,
}

/// Forwards a request to the sandbox and counts it by method and path shape.
async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let shape = match path {
        p if p.starts_with("/credential/vp/") => "POST /credential/vp/{id}".to_owned(),
        p if p.starts_with("/actions/version/") => "GET /actions/version/{id}".to_owned(),
        p if p.starts_with("/did/resolve/") => "GET /did/resolve/{did}".to_owned(),
        p => format!("{} {p}", parts.method),
    };
    *proxy.counts.lock().unwrap().entry(shape).or_default() += 1;
    if !proxy.delay.is_zero() {
        tokio::time::sleep(proxy.delay).await;
    }
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let mut upstream = proxy
        .http
        .request(
            parts.method.clone(),
            format!("{}{path}{query}", proxy.upstream),
        )
        .body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    match upstream.send().await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
            let headers = answer.headers().clone();
            let bytes: Bytes = answer.bytes().await.unwrap_or_default();
            let mut response = (status, bytes).into_response();
            for (name, value) in &headers {
                if name != "content-length" && name != "transfer-encoding" {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn buy(Mandate(authorized): Mandate) -> Json<Value> {
    Json(handler_body(&authorized))
}

async fn bare() -> Json<Value> {
    Json(json!({"mandate": "none", "amount": 12, "grant": "none"}))
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn gateway(enforcer: Enforcer) -> String {
    serve(
        Router::new()
            .route(ROUTE, post(buy))
            .layer(MandateLayer::new(enforcer)),
    )
    .await
}

/// One purchase of `price` through `url`: its latency.
async fn once(http: &reqwest::Client, url: &str, mandate: &str, price: u64) -> Duration {
    let started = Instant::now();
    let status = http
        .post(format!("{url}{ROUTE}?price_eur={price}"))
        .header("Humanos-Mandate", mandate)
        .send()
        .await
        .unwrap()
        .status();
    let elapsed = started.elapsed();
    assert!(status.is_success(), "{status}");
    elapsed
}

/// The median and mean of `samples`.
fn summary(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    (samples[samples.len() / 2], mean)
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let (fixture, proxy_url, counts) = sandbox_behind_counting_proxy().await;
    let gateways = Gateways::start(&fixture, &proxy_url).await;
    let mandate = fixture.mandate_id.clone();
    let http = reqwest::Client::new();

    // 1. Latency.
    let stats = latencies(&http, &gateways, &mandate, n).await;
    print_latencies(n, stats);

    // 2. Online calls on a half-in, half-out mix.
    let mix: Vec<u64> = (0..n).map(|i| if i % 2 == 0 { 12 } else { 35 }).collect();
    let mut report = Vec::new();
    for (label, url) in [
        ("online only", &gateways.proxied),
        ("with pre-check", &gateways.precheck),
    ] {
        report.push(online_calls(&http, &counts, (label, url), &mandate, &mix).await);
    }
    let ((total_a, verify_a), (total_b, verify_b)) = (report[0], report[1]);
    println!(
        "\npre-check: {verify_b} of {verify_a} verify calls ({:.2}x), {total_b} of {total_a} API calls in all ({:.2}x)",
        verify_b as f64 / verify_a as f64,
        total_b as f64 / total_a as f64
    );
}

/// A sandbox whose public URL is the counting proxy, so status lists are fetched through it
/// too; the proxy's URL and counts.
async fn sandbox_behind_counting_proxy() -> (Fixture, String, Counts) {
    let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy_listener.local_addr().unwrap());
    let fixture = Fixture::start_with(Sandbox::builder().public_url(&proxy_url)).await;
    let counts = Counts::default();
    let delay_ms = std::env::var("ENFORCE_BENCH_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(0);
    println!("proxy: {delay_ms} ms of injected latency per API call");
    let proxy = Proxy {
        upstream: format!("http://{}", fixture.sandbox_addr()),
        http: reqwest::Client::new(),
        counts: counts.clone(),
        delay: Duration::from_millis(delay_ms),
    };
    let router = Router::new().fallback(forward).with_state(proxy);
    tokio::spawn(async move { axum::serve(proxy_listener, router).await.unwrap() });
    (fixture, proxy_url, counts)
}

/// The four configurations compared, each serving the same route.
struct Gateways {
    /// The handler alone.
    bare: String,
    /// Behind the layer, online verify straight to the sandbox.
    online: String,
    /// The same through the counting proxy.
    proxied: String,
    /// Through the proxy, with the local pre-check.
    precheck: String,
}

impl Gateways {
    async fn start(fixture: &Fixture, proxy_url: &str) -> Self {
        let direct = fixture.client.clone();
        let proxied = fixture.client_at(proxy_url);
        Self {
            bare: serve(Router::new().route(ROUTE, post(bare))).await,
            online: gateway(fixture.enforcer_for(direct)).await,
            proxied: gateway(fixture.enforcer_for(proxied.clone())).await,
            precheck: gateway(
                fixture
                    .enforcer_for(proxied.clone())
                    .precheck(fixture.local_check(&proxied)),
            )
            .await,
        }
    }
}

/// Median and mean latency of `n` in-bounds requests to each gateway, in [`Gateways`] order.
async fn latencies(
    http: &reqwest::Client,
    gateways: &Gateways,
    mandate: &str,
    n: usize,
) -> [(Duration, Duration); 4] {
    // Interleaved, one request per configuration per round, so that the machine's load
    // drifts over all of them alike.
    let urls = [
        &gateways.bare,
        &gateways.online,
        &gateways.proxied,
        &gateways.precheck,
    ];
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for round in 0..n + n.min(20) {
        for (i, url) in urls.iter().enumerate() {
            let took = once(http, url, mandate, 12).await;
            if round >= n.min(20) {
                samples[i].push(took); // the first rounds warm up
            }
        }
    }
    samples.map(summary)
}

fn print_latencies(n: usize, [bare, online, px, pre]: [(Duration, Duration); 4]) {
    let ((bare_med, bare_mean), (on_med, on_mean), (px_med, px_mean), (pre_med, pre_mean)) =
        (bare, online, px, pre);
    println!("latency, {n} in-bounds requests each, interleaved (median / mean, µs):");
    println!(
        "  bare route                        {:>8.0} / {:>8.0}",
        us(bare_med),
        us(bare_mean)
    );
    println!(
        "  behind MandateLayer (online)      {:>8.0} / {:>8.0}   {:.1}x the bare route, +{:.0} µs",
        us(on_med),
        us(on_mean),
        us(on_med) / us(bare_med),
        us(on_med) - us(bare_med)
    );
    println!(
        "  the same through the proxy        {:>8.0} / {:>8.0}",
        us(px_med),
        us(px_mean)
    );
    println!(
        "  ... with the local pre-check      {:>8.0} / {:>8.0}   {:.2}x the online layer through the proxy",
        us(pre_med),
        us(pre_mean),
        us(pre_med) / us(px_med)
    );
}

/// Sends the `mix` of prices through `url` and prints the sandbox calls the proxy counted;
/// returns (all calls, verify calls).
async fn online_calls(
    http: &reqwest::Client,
    counts: &Counts,
    (label, url): (&str, &str),
    mandate: &str,
    mix: &[u64],
) -> (usize, usize) {
    let n = mix.len();
    counts.lock().unwrap().clear();
    let started = Instant::now();
    for price in mix {
        http.post(format!("{url}{ROUTE}?price_eur={price}"))
            .header("Humanos-Mandate", mandate)
            .send()
            .await
            .unwrap();
    }
    let elapsed = started.elapsed();
    let seen = counts.lock().unwrap().clone();
    let total: usize = seen.values().sum();
    let verify = seen.get("POST /credential/verify").copied().unwrap_or(0);
    println!(
        "\n{label}: {n} requests (half within the limit), {:.0} µs per request",
        us(elapsed) / n as f64
    );
    for (shape, count) in &seen {
        println!("  {count:>6}  {shape}");
    }
    (total, verify)
}
