//! The sandbox soak (examples/webhook_soak.rs), short, with the replicas sharing a real Redis
//! (Debian's `redis-server`, started on a free loopback port and stopped afterwards): the
//! `credential` events of multi-contact requests delivered round-robin to three humanos-axum
//! replicas, one of them down for part of the run, some acknowledgements lost; every event
//! reaches a handler exactly once. The 10,000-event run is `bench/soak.sh` / docs/PERFORMANCE.md.

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/webhook_soak.rs"]
mod webhook_soak;

use std::time::Duration;

use humanos_webhooks_redis::test_util::RedisServer;
use webhook_soak::{Soak, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_300_events_to_three_replicas_sharing_redis_one_down_for_a_while() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let outcome = run(Soak {
        contacts: 3,
        events: 300,
        replicas: 3,
        down_at: 0.3,
        down_secs: 1,
        ack_loss_every: 40,
        retry_base: Duration::from_millis(50),
        timeout: Duration::from_secs(300),
        redis_url: Some(server.url()),
    })
    .await
    .expect("soak");
    assert_eq!(outcome.sent, 300);
    assert_eq!(outcome.delivered, outcome.sent, "every event delivered");
    assert_eq!(outcome.twice, 0, "no event handled twice");
    assert_eq!(outcome.handler_runs, 300);
    assert_eq!(outcome.pending, 0);
    assert!(
        outcome.acks_lost > 0,
        "the run lost acknowledgements on purpose"
    );
    assert!(outcome.ok());
}
