//! Receiver replicas over real HTTP on 127.0.0.1, each with its own runtime thread and its own
//! connection to the shared Redis, as separate processes would have: humanos-axum's or
//! humanos-actix's handler factory, with a callback that records every handler run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use axum::Router;
use axum::routing::post;
use humanos_test_support::handler::{WEBHOOK_ROUTE, config};
use humanos_webhooks::{Dedup, SealedDelivery, WebhookEvent, WebhookState};
use humanos_webhooks_redis::RedisDedup;

/// Handler runs per request id, across all replicas.
#[derive(Clone, Default)]
pub struct Ledger {
    runs: Arc<Mutex<HashMap<String, usize>>>,
}

impl Ledger {
    /// How many times the handler ran to completion for `request_id`.
    pub fn runs(&self, request_id: &str) -> usize {
        self.lock().get(request_id).copied().unwrap_or(0)
    }

    /// Handler runs in all.
    pub fn total(&self) -> usize {
        self.lock().values().sum()
    }

    fn record(&self, request_id: &str) {
        *self.lock().entry(request_id.to_owned()).or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What a replica's handler does.
#[derive(Clone)]
pub enum Behaviour {
    /// Records the run in the ledger and succeeds.
    Record(Ledger),
    /// Reports the request id on the channel, then never finishes (a replica about to die).
    Hang(mpsc::Sender<String>),
}

impl Behaviour {
    async fn run(self, event: WebhookEvent) -> Result<(), String> {
        let id = event
            .request_id()
            .ok_or("event without request id")?
            .to_owned();
        match self {
            Self::Record(ledger) => ledger.record(&id),
            Self::Hang(started) => {
                let _ = started.send(id);
                std::future::pending::<()>().await;
            }
        }
        Ok(())
    }
}

/// Which framework a replica runs.
#[derive(Clone, Copy, Debug)]
pub enum Framework {
    /// humanos-axum's `webhook_handler`.
    Axum,
    /// humanos-actix's `webhook_handler`.
    Actix,
}

/// A running replica.
pub struct Replica {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<Box<dyn FnOnce() + Send>>,
}

impl Replica {
    /// Starts a replica whose dedup store is Redis at `url`, with this lease.
    pub fn start(framework: Framework, url: &str, lease: Duration, behaviour: Behaviour) -> Self {
        let url = url.to_owned();
        match framework {
            Framework::Axum => axum_replica(url, lease, behaviour),
            Framework::Actix => actix_replica(url, lease, behaviour),
        }
    }

    /// Stops it at once, as a crash would: every task of its runtime, in-flight handlers and
    /// lease renewals included, is dropped; nothing is released.
    pub fn kill(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn state(url: &str, lease: Duration) -> WebhookState {
    let store = RedisDedup::builder(url)
        .expect("url")
        .connect()
        .await
        .expect("connect to redis");
    WebhookState::new(config()).with_shared_dedup(Dedup::new(store).with_lease(lease))
}

fn axum_replica(url: String, lease: Duration, behaviour: Behaviour) -> Replica {
    let (addr_tx, addr_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let state = state(&url, lease).await;
            let handler = humanos_axum::webhook_handler(state, move |event: WebhookEvent| {
                behaviour.clone().run(event)
            });
            let app = Router::new().route(WEBHOOK_ROUTE, post(handler));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            addr_tx
                .send(listener.local_addr().expect("addr"))
                .expect("send");
            tokio::spawn(async move { axum::serve(listener, app).await });
            let _ = stop_rx.await;
        });
        // Drops every task (connections, handlers, renewals) without running them further.
        runtime.shutdown_background();
    });
    let addr = addr_rx.recv().expect("replica started");
    Replica {
        addr,
        stop: Some(Box::new(move || {
            let _ = stop_tx.send(());
            let _ = thread.join();
        })),
    }
}

fn actix_replica(url: String, lease: Duration, behaviour: Behaviour) -> Replica {
    let (addr_tx, addr_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let state = state(&url, lease).await;
            let server = HttpServer::new(move || {
                let behaviour = behaviour.clone();
                let handler =
                    humanos_actix::webhook_handler(state.clone(), move |event: WebhookEvent| {
                        behaviour.clone().run(event)
                    });
                App::new().route(WEBHOOK_ROUTE, web::post().to(handler))
            })
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .expect("bind");
            addr_tx.send(server.addrs()[0]).expect("send");
            let server = server.run();
            let handle = server.handle();
            actix_web::rt::spawn(server);
            let _ = stop_rx.await;
            handle.stop(false).await;
        });
    });
    let addr = addr_rx.recv().expect("replica started");
    Replica {
        addr,
        stop: Some(Box::new(move || {
            let _ = stop_tx.send(());
            let _ = thread.join();
        })),
    }
}

/// One answer of a replica.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
    /// The `status` (200) or `error` member of the JSON body.
    pub outcome: String,
}

/// POSTs `delivery` to the replica at `addr`; `None` if the connection failed (a dead replica).
pub async fn post_delivery(
    client: &reqwest::Client,
    addr: SocketAddr,
    delivery: &SealedDelivery,
) -> Option<Answer> {
    let mut request = client.post(format!("http://{addr}{WEBHOOK_ROUTE}"));
    for (name, value) in delivery.headers() {
        request = request.header(name, value);
    }
    let response = request.body(delivery.body.clone()).send().await.ok()?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: serde_json::Value = response.json().await.ok()?;
    let outcome = body["status"]
        .as_str()
        .or(body["error"].as_str())
        .unwrap_or_default()
        .to_owned();
    Some(Answer {
        status,
        retry_after,
        outcome,
    })
}

/// Delivers as Humanos does: retries on 409 and 503 until a 200; returns its `status`
/// (`ok` when this delivery ran the handler, `duplicate` when another had).
pub async fn deliver(
    client: &reqwest::Client,
    addr: SocketAddr,
    delivery: &SealedDelivery,
) -> String {
    for _ in 0..3000 {
        match post_delivery(client, addr, delivery).await {
            Some(answer) if answer.status == 200 => return answer.outcome,
            Some(answer) if answer.status == 409 || answer.status == 503 => {}
            Some(answer) => panic!("unexpected answer from {addr}: {answer:?}"),
            None => {}
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{addr} never acknowledged the delivery")
}

/// Delivers `delivery` to every replica at once, each retrying until acknowledged; returns
/// the outcomes.
pub async fn deliver_to_all(
    client: &reqwest::Client,
    addrs: &[SocketAddr],
    delivery: &SealedDelivery,
) -> Vec<String> {
    let copies = addrs.iter().map(|&addr| deliver(client, addr, delivery));
    futures_util::future::join_all(copies).await
}
