//! Several receiver replicas (humanos-axum and humanos-actix, each its own runtime thread and
//! Redis connection, real HTTP on 127.0.0.1) sharing one Redis 7: every event's handler runs
//! exactly once whichever replicas its copies reach, when a replica dies mid-handler, and
//! across a Redis outage.

mod common;

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use common::RedisServer;
use common::replica::{
    Behaviour, Framework, Ledger, Replica, deliver, deliver_to_all, post_delivery,
};
use humanos_test_support::handler::{config, seal, test_event};
use humanos_webhooks::{Dedup, SealedDelivery};

fn delivery(request_id: &str) -> SealedDelivery {
    seal(&config(), &test_event(request_id))
}

/// Three replicas, axum and actix mixed, recording into one ledger.
fn three(url: &str, lease: Duration, ledger: &Ledger) -> Vec<Replica> {
    [Framework::Axum, Framework::Actix, Framework::Axum]
        .into_iter()
        .map(|f| Replica::start(f, url, lease, Behaviour::Record(ledger.clone())))
        .collect()
}

fn addrs(replicas: &[Replica]) -> Vec<SocketAddr> {
    replicas.iter().map(|r| r.addr).collect()
}

/// Delivers each event to every replica at once (each copy retried until acknowledged) and
/// checks that exactly one copy ran the handler.
async fn deliver_each_to_all(client: &reqwest::Client, addrs: &[SocketAddr], ids: &[String]) {
    let all = ids.iter().map(|id| async move {
        let outcomes = deliver_to_all(client, addrs, &delivery(id)).await;
        let ran = outcomes.iter().filter(|o| *o == "ok").count();
        let duplicates = outcomes.iter().filter(|o| *o == "duplicate").count();
        assert_eq!(
            (ran, duplicates),
            (1, addrs.len() - 1),
            "{id}: {outcomes:?}"
        );
    });
    futures_util::future::join_all(all).await;
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}_{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_sharing_redis_run_each_handler_once() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let ledger = Ledger::default();
    let replicas = three(&server.url(), Dedup::DEFAULT_LEASE, &ledger);
    let client = reqwest::Client::new();
    let events = ids("req_mixed", 60);

    deliver_each_to_all(&client, &addrs(&replicas), &events).await;

    for id in &events {
        assert_eq!(ledger.runs(id), 1, "{id}");
    }
    assert_eq!(ledger.total(), events.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_handler_loses_its_lease_and_the_redelivery_runs_once() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let lease = Duration::from_secs(2);
    let ledger = Ledger::default();
    let (started_tx, started) = mpsc::channel();
    let mut dying = Replica::start(
        Framework::Axum,
        &server.url(),
        lease,
        Behaviour::Hang(started_tx),
    );
    let others = [
        Replica::start(
            Framework::Actix,
            &server.url(),
            lease,
            Behaviour::Record(ledger.clone()),
        ),
        Replica::start(
            Framework::Axum,
            &server.url(),
            lease,
            Behaviour::Record(ledger.clone()),
        ),
    ];
    let client = reqwest::Client::new();
    let event = delivery("req_killed");

    // The first copy reaches the replica that is about to die; its handler starts and hangs.
    let first = {
        let (client, addr, event) = (client.clone(), dying.addr, event.clone());
        tokio::spawn(async move { post_delivery(&client, addr, &event).await })
    };
    let id = tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(60)))
        .await
        .expect("join")
        .expect("the handler started");
    assert_eq!(id, "req_killed");
    // Its lease is live: the other replicas answer 409, Humanos retries later.
    for replica in &others {
        let answer = post_delivery(&client, replica.addr, &event)
            .await
            .expect("answer");
        assert_eq!(
            (answer.status, answer.outcome.as_str()),
            (409, "delivery_in_flight")
        );
    }
    assert_eq!(ledger.runs("req_killed"), 0);

    // The replica dies mid-handler: no release, no more renewals; the client sees no answer.
    dying.kill();
    assert!(
        first.await.expect("join").is_none(),
        "a dead replica answers nothing"
    );

    // The redelivery is answered 409 until the lease expires, then runs the handler.
    assert_eq!(deliver(&client, others[0].addr, &event).await, "ok");
    assert_eq!(ledger.runs("req_killed"), 1);

    // After the completion nothing runs it again, on either replica, however often it comes.
    for _ in 0..3 {
        let outcomes = deliver_to_all(&client, &addrs(&others), &event).await;
        assert_eq!(outcomes, ["duplicate", "duplicate"]);
    }
    assert_eq!(ledger.runs("req_killed"), 1);
    assert_eq!(ledger.total(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_is_503_without_running_handlers_and_every_event_runs_once_after() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let ledger = Ledger::default();
    let replicas = three(&server.url(), Dedup::DEFAULT_LEASE, &ledger);
    let addrs = addrs(&replicas);
    let client = reqwest::Client::new();

    let before = ids("req_before", 20);
    deliver_each_to_all(&client, &addrs, &before).await;
    assert_eq!(ledger.total(), before.len());

    // Redis dies (as a crash: SIGKILL). Every delivery is answered 503 with Retry-After, on
    // every replica, and no handler runs without a reservation.
    server.kill();
    let during = ids("req_during", 20);
    for id in &during {
        let event = delivery(id);
        for &addr in &addrs {
            let answer = post_delivery(&client, addr, &event).await.expect("answer");
            assert_eq!(answer.status, 503, "{id} at {addr}: {answer:?}");
            assert_eq!(answer.outcome, "dedup_store_unavailable");
            assert_eq!(answer.retry_after.as_deref(), Some("5"));
        }
    }
    assert_eq!(ledger.total(), before.len());
    for id in &during {
        assert_eq!(ledger.runs(id), 0, "{id} ran without a reservation");
    }

    // Redis is back on the same port (empty: this one persists nothing). The replicas
    // reconnect by themselves; the retried deliveries each run exactly once.
    server.restart();
    deliver_each_to_all(&client, &addrs, &during).await;
    for id in before.iter().chain(&during) {
        assert_eq!(ledger.runs(id), 1, "{id}");
    }
    assert_eq!(ledger.total(), before.len() + during.len());
}
