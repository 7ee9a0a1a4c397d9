//! Webhook soak: the sandbox delivers the `credential` events of many requests, each to three
//! contacts who all accept, to three receiver replicas behind a round-robin balancer. The
//! replicas run `humanos-axum`'s handler factory and share one dedup store; one replica is down
//! for part of the run, and some acknowledgements are lost after the handler ran. Checks that
//! every event reaches a handler exactly once (delivered == handled, none twice).
//!
//! ```text
//! cargo run --release -p humanos-sandbox --example webhook_soak
//! ```
//!
//! With `REDIS_URL` set, the replicas share a Redis store instead (`humanos-webhooks-redis`,
//! one connection per replica, as separate processes would have; use an empty database):
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/0 cargo run --release -p humanos-sandbox --example webhook_soak
//! ```
//!
//! Env: `SOAK_EVENTS` (10000, rounded up to whole requests of `SOAK_CONTACTS`), `SOAK_CONTACTS`
//! (3), `SOAK_REPLICAS` (3), `SOAK_DOWN_AT` (fraction handled before replica 0 goes down, 0.3),
//! `SOAK_DOWN_SECS` (5), `SOAK_ACK_LOSS_EVERY` (every Nth handled delivery is answered 503 after
//! the handler ran, as if the acknowledgement were lost; 0 = never; 500), `SOAK_RETRY_BASE_MS`
//! (100), `SOAK_TIMEOUT_SECS` (600).
//!
//! Prints a summary and one `RESULT key=value ...` line; exits 1 when an event was not
//! delivered or reached a handler twice. Run by `bench/soak.sh`; not part of CI.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use humanos_axum::{WebhookState, webhook_handler};
use humanos_sandbox::{Sandbox, SandboxHandle};
use humanos_signing::{RequestSigner, wire_json};
use humanos_webhooks::{Dedup, WebhookEvent};
use humanos_webhooks_redis::RedisDedup;
use serde_json::json;
use tokio::net::TcpListener;
use tower::ServiceExt;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size of this process, in KiB (`VmRSS`, or `VmHWM` for the peak).
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Handler runs per event (`user id` + `credential id`), across all replicas.
type Handled = Arc<Mutex<HashMap<String, u32>>>;

/// One replica: the handler factory over the shared dedup store.
fn replica(state: WebhookState, handled: Handled) -> Router {
    let handler = webhook_handler(state, move |event: WebhookEvent| {
        let handled = handled.clone();
        async move {
            let WebhookEvent::Credential(event) = event else {
                return Err(format!("unexpected {} event", event.event_type()));
            };
            let key = format!("{} {}", event.user.id, event.credential.id);
            *handled
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(key)
                .or_default() += 1;
            Ok(())
        }
    });
    Router::new().route("/webhooks/humanos", post(handler))
}

/// The balancer: round-robin over the replicas, in process; a replica that is down answers 502
/// for its share (a naive balancer), and every Nth handled delivery loses its acknowledgement.
#[derive(Clone)]
struct Balancer {
    replicas: Arc<Vec<Router>>,
    next: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
    acks_lost: Arc<AtomicU64>,
    ack_loss_every: u64,
}

impl Balancer {
    fn new(replicas: Vec<Router>, ack_loss_every: u64) -> Self {
        Self {
            replicas: Arc::new(replicas),
            next: Arc::default(),
            down: Arc::default(),
            answered: Arc::default(),
            acks_lost: Arc::default(),
            ack_loss_every,
        }
    }

    async fn route(self, req: Request) -> Result<Response, Infallible> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.replicas.len();
        if i == 0 && self.down.load(Ordering::Relaxed) {
            return Ok(StatusCode::BAD_GATEWAY.into_response());
        }
        let response = self.replicas[i].clone().oneshot(req).await?;
        if response.status() == StatusCode::OK {
            let n = self.answered.fetch_add(1, Ordering::Relaxed) + 1;
            if self.ack_loss_every > 0 && n.is_multiple_of(self.ack_loss_every) {
                self.acks_lost.fetch_add(1, Ordering::Relaxed);
                return Ok(StatusCode::SERVICE_UNAVAILABLE.into_response());
            }
        }
        Ok(response)
    }
}

/// Creates one request to `contacts` contacts and accepts it as each of them.
async fn request_accepted_by_all(
    sandbox: &SandboxHandle,
    http: &reqwest::Client,
    signer: &RequestSigner,
    action_id: &str,
    n: usize,
    contacts: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let users: Vec<_> = (0..contacts)
        .map(|c| json!({"contact": format!("user{n}-{c}@example.com")}))
        .collect();
    let body = wire_json::to_vec(&json!({
        "users": users,
        "credentials": [{"type": "POLICY", "name": "Soak mandate",
            "action": {"id": action_id, "userParams": {"maxAmount": 10}}}],
    }))?;
    let mut req = http
        .post(format!("{}/request", sandbox.base_url()))
        .header("api-version", humanos_sandbox::API_VERSION);
    for (k, v) in signer.sign_now(&body).iter() {
        req = req.header(k, v);
    }
    let created: serde_json::Value = req
        .body(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = created["id"].as_str().ok_or("request without id")?;
    for _ in 0..contacts {
        sandbox.approve(id).await?;
    }
    Ok(())
}

/// The run's parameters: the `SOAK_*` variables and `REDIS_URL`.
pub(crate) struct Soak {
    pub(crate) contacts: usize,
    pub(crate) events: usize,
    pub(crate) replicas: usize,
    pub(crate) down_at: f64,
    pub(crate) down_secs: u64,
    pub(crate) ack_loss_every: u64,
    pub(crate) retry_base: Duration,
    pub(crate) timeout: Duration,
    pub(crate) redis_url: Option<String>,
}

impl Soak {
    fn from_env() -> Self {
        Self {
            contacts: env("SOAK_CONTACTS", 3).max(1),
            events: env("SOAK_EVENTS", 10_000),
            replicas: env("SOAK_REPLICAS", 3).max(1),
            down_at: env("SOAK_DOWN_AT", 0.3),
            down_secs: env("SOAK_DOWN_SECS", 5),
            ack_loss_every: env("SOAK_ACK_LOSS_EVERY", 500),
            retry_base: Duration::from_millis(env("SOAK_RETRY_BASE_MS", 100)),
            timeout: Duration::from_secs(env("SOAK_TIMEOUT_SECS", 600)),
            redis_url: std::env::var("REDIS_URL").ok(),
        }
    }
}

/// What the run counted.
pub(crate) struct Outcome {
    pub(crate) sent: usize,
    pub(crate) delivered: usize,
    pub(crate) handler_runs: u64,
    pub(crate) twice: usize,
    pub(crate) pending: usize,
    pub(crate) acks_lost: u64,
}

impl Outcome {
    /// Counts the handler runs per event.
    fn count(sent: usize, handled: &Handled, pending: usize, acks_lost: u64) -> Self {
        let handled = handled.lock().unwrap_or_else(|p| p.into_inner());
        Self {
            sent,
            delivered: handled.len(),
            handler_runs: handled.values().map(|&n| u64::from(n)).sum(),
            twice: handled.values().filter(|&&n| n > 1).count(),
            pending,
            acks_lost,
        }
    }

    /// Every event reached a handler exactly once and nothing is left to deliver.
    pub(crate) fn ok(&self) -> bool {
        self.delivered == self.sent
            && self.pending == 0
            && self.twice == 0
            && self.handler_runs == self.sent as u64
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if !run(Soak::from_env()).await?.ok() {
        println!("FAILED: every event must reach a handler exactly once");
        std::process::exit(1);
    }
    Ok(())
}

/// Runs the soak and prints its summary and `RESULT` line.
pub(crate) async fn run(soak: Soak) -> Result<Outcome, Box<dyn std::error::Error>> {
    let requests = soak.events.div_ceil(soak.contacts);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (sandbox, action_id) = start_sandbox(port, soak.retry_base).await?;
    let handled: Handled = Arc::default();
    let routers = replicas_sharing_one_store(&sandbox, &soak, &handled).await?;
    let balancer = Balancer::new(routers, soak.ack_loss_every);
    let front = balancer.clone();
    let app = Router::new().fallback(move |req: Request<Body>| front.clone().route(req));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let rss_start = rss_kib("VmRSS:");

    let started = Instant::now();
    let sent = requests * soak.contacts;
    let outage = take_replica_0_down(
        &balancer,
        &handled,
        soak.down_at * sent as f64,
        soak.down_secs,
    );
    queue_events(&sandbox, &action_id, requests, soak.contacts).await?;
    println!(
        "{requests} requests x {contacts} contacts accepted: {sent} events queued in {:.2} s",
        started.elapsed().as_secs_f64(),
        contacts = soak.contacts,
    );
    wait_until_delivered(&sandbox, &handled, &outage, sent, started, soak.timeout).await?;
    let down_for = if outage.is_finished() {
        outage.await?
    } else {
        outage.abort();
        Duration::ZERO
    };
    let measured = Measured {
        took: started.elapsed(),
        down_for,
        rss: (rss_start, rss_kib("VmRSS:"), rss_kib("VmHWM:")),
        answered: balancer.answered.load(Ordering::Relaxed),
    };
    let outcome = Outcome::count(
        sent,
        &handled,
        sandbox.pending_deliveries()?,
        balancer.acks_lost.load(Ordering::Relaxed),
    );
    server.abort();
    sandbox.shutdown().await;
    print_summary(&soak, &outcome, &measured);
    Ok(outcome)
}

/// A sandbox delivering to the balancer on `port`, and the action the requests use.
async fn start_sandbox(
    port: u16,
    retry_base: Duration,
) -> Result<(SandboxHandle, String), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder()
        .webhook_endpoint(format!("http://127.0.0.1:{port}/webhooks/humanos"))
        .webhook_retry_base(retry_base)
        .build()
        .await?;
    let action = sandbox
        .define_action(json!({"name": "Soak", "description": "soak",
            "userParams": {"maxAmount": {"type": "number", "description": "limit"}},
            "executionParams": {"amount": {"type": "number"}},
            "rules": [{"name": "within", "expression": "executionParams.amount <= userParams.maxAmount"}]}))
        .await?;
    Ok((sandbox, action.id))
}

/// One dedup store shared by every replica: Redis with REDIS_URL (a connection per replica),
/// else one in-memory store.
async fn replicas_sharing_one_store(
    sandbox: &SandboxHandle,
    soak: &Soak,
    handled: &Handled,
) -> Result<Vec<Router>, Box<dyn std::error::Error>> {
    let memory = Dedup::in_memory(soak.events.max(1) * 2);
    let config = sandbox.webhook_secrets().config()?;
    let mut routers = Vec::with_capacity(soak.replicas);
    for _ in 0..soak.replicas {
        let dedup = match &soak.redis_url {
            Some(url) => Dedup::new(RedisDedup::builder(url)?.connect().await?),
            None => memory.clone(),
        };
        let state = WebhookState::new(config.clone()).with_shared_dedup(dedup);
        routers.push(replica(state, handled.clone()));
    }
    Ok(routers)
}

/// Replica 0 goes down once `threshold` events are handled, while requests are still being
/// created and delivered (deliveries start as soon as the first request is accepted), and
/// comes back after `down_secs`. The task returns how long it was down.
fn take_replica_0_down(
    balancer: &Balancer,
    handled: &Handled,
    threshold: f64,
    down_secs: u64,
) -> tokio::task::JoinHandle<Duration> {
    let (down, handled) = (balancer.down.clone(), handled.clone());
    tokio::spawn(async move {
        loop {
            let done = distinct(&handled);
            if done as f64 >= threshold {
                println!("replica 0 down after {done} events, for {down_secs} s");
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        down.store(true, Ordering::Relaxed);
        let since = Instant::now();
        tokio::time::sleep(Duration::from_secs(down_secs)).await;
        down.store(false, Ordering::Relaxed);
        since.elapsed()
    })
}

/// Creates `requests` requests and accepts each as every contact: one event per contact.
async fn queue_events(
    sandbox: &SandboxHandle,
    action_id: &str,
    requests: usize,
    contacts: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let (http, signer) = (
        reqwest::Client::new(),
        RequestSigner::new(sandbox.api_key(), sandbox.signature_secret()),
    );
    for n in 0..requests {
        request_accepted_by_all(sandbox, &http, &signer, action_id, n, contacts).await?;
    }
    Ok(())
}

/// Events handled so far (distinct).
fn distinct(handled: &Handled) -> usize {
    handled.lock().unwrap_or_else(|p| p.into_inner()).len()
}

/// Waits until every event is handled, the outage is over and nothing is pending, or the
/// timeout.
async fn wait_until_delivered(
    sandbox: &SandboxHandle,
    handled: &Handled,
    outage: &tokio::task::JoinHandle<Duration>,
    sent: usize,
    started: Instant,
    timeout: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    loop {
        if distinct(handled) >= sent && outage.is_finished() && sandbox.pending_deliveries()? == 0 {
            return Ok(());
        }
        if started.elapsed() > timeout {
            println!("timed out after {} s", timeout.as_secs());
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the run measured besides the [`Outcome`].
struct Measured {
    took: Duration,
    down_for: Duration,
    /// RSS at the start, at the end and the peak, in KiB.
    rss: (u64, u64, u64),
    /// 200 answers: handled plus duplicates.
    answered: u64,
}

fn print_summary(soak: &Soak, outcome: &Outcome, measured: &Measured) {
    let Outcome {
        sent,
        delivered,
        handler_runs,
        twice,
        pending,
        acks_lost,
    } = outcome;
    let Measured {
        took,
        down_for,
        rss: (rss_start, rss_end, rss_peak),
        answered,
    } = measured;
    let store = if soak.redis_url.is_some() {
        "redis"
    } else {
        "memory"
    };
    println!("dedup store shared by the replicas    {store}");
    println!("events (credential, one per contact)  {sent}");
    println!("handled (distinct events)             {delivered}");
    println!("handler runs                          {handler_runs}");
    println!("events handled more than once         {twice}");
    println!("still pending in the sandbox          {pending}");
    println!("200 answers (handled + duplicates)    {answered}");
    println!("acknowledgements lost on purpose      {acks_lost}");
    println!(
        "replica 0 down for                    {:.2} s",
        down_for.as_secs_f64()
    );
    println!(
        "time until all delivered              {:.2} s",
        took.as_secs_f64()
    );
    println!("RSS start / end / peak (KiB)          {rss_start} / {rss_end} / {rss_peak}");
    println!(
        "RESULT redis={} sent={sent} delivered={delivered} handler_runs={handler_runs} twice={twice} pending={pending} \
         answered={answered} acks_lost={acks_lost} replicas={replicas} down_s={:.2} seconds={:.2} \
         rss_start_kib={rss_start} rss_end_kib={rss_end} rss_peak_kib={rss_peak}",
        u8::from(soak.redis_url.is_some()),
        down_for.as_secs_f64(),
        took.as_secs_f64(),
        replicas = soak.replicas,
    );
}
