//! The store protocol against a real Redis 7 (Debian's `redis-server`): each `DedupStore`
//! method's documented semantics, what the keys look like in Redis, and the failure mapping.

mod common;

use std::time::Duration;

use common::RedisServer;
use humanos_webhooks::dedup::{DedupStore, LeaseToken, ReserveOutcome};
use humanos_webhooks::{Dedup, DedupOutcome, IdempotencyKey};
use humanos_webhooks_redis::{DEFAULT_KEY_PREFIX, RedisDedup, RedisDedupError};
use serde_json::json;

fn key(n: u32) -> IdempotencyKey {
    IdempotencyKey::from_value(&json!({"eventType": "test", "requestId": format!("req_{n}")}))
        .expect("key")
}

const LEASE: Duration = Duration::from_secs(30);
const KEEP: Duration = Duration::from_secs(3600);

/// Reserves until the key is free (its lease expired in Redis), without timing anything.
async fn reserve_once_expired(
    store: &RedisDedup,
    key: &IdempotencyKey,
    token: &LeaseToken,
) -> ReserveOutcome {
    for _ in 0..500 {
        let outcome = store.reserve(key, token, LEASE).await.expect("reserve");
        if outcome != ReserveOutcome::InFlight {
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the lease never expired")
}

#[tokio::test]
async fn reserve_complete_duplicate_release() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = common::store(&server).await;
    let (a, b) = (LeaseToken::generate(), LeaseToken::generate());
    assert_eq!(
        store.reserve(&key(1), &a, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    assert_eq!(
        store.reserve(&key(1), &b, LEASE).await,
        Ok(ReserveOutcome::InFlight)
    );
    // Another token can neither renew, release nor complete the reservation.
    assert_eq!(store.renew(&key(1), &b, LEASE).await, Ok(false));
    assert_eq!(store.release(&key(1), &b).await, Ok(false));
    assert_eq!(store.complete(&key(1), &b, KEEP).await, Ok(false));
    assert_eq!(store.renew(&key(1), &a, LEASE).await, Ok(true));
    assert_eq!(store.complete(&key(1), &a, KEEP).await, Ok(true));
    assert_eq!(
        store.reserve(&key(1), &b, LEASE).await,
        Ok(ReserveOutcome::Completed)
    );
    // Completed: nothing ends it but its retention.
    assert_eq!(store.release(&key(1), &a).await, Ok(false));
    assert_eq!(store.renew(&key(1), &a, LEASE).await, Ok(false));
    assert_eq!(store.complete(&key(1), &a, KEEP).await, Ok(false));
    assert_eq!(
        store.reserve(&key(1), &b, LEASE).await,
        Ok(ReserveOutcome::Completed)
    );
    // A released key is free for the retry.
    assert_eq!(
        store.reserve(&key(2), &a, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    assert_eq!(store.release(&key(2), &a).await, Ok(true));
    assert_eq!(
        store.reserve(&key(2), &b, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_and_the_old_token_cannot_touch_the_new_one() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = common::store(&server).await;
    let (dead, next) = (LeaseToken::generate(), LeaseToken::generate());
    let short = Duration::from_millis(200);
    assert_eq!(
        store.reserve(&key(1), &dead, short).await,
        Ok(ReserveOutcome::Reserved)
    );
    // The replica holding `dead` stops renewing: Redis expires the lease, the retry takes it.
    assert_eq!(
        reserve_once_expired(&store, &key(1), &next).await,
        ReserveOutcome::Reserved
    );
    assert_eq!(store.renew(&key(1), &dead, LEASE).await, Ok(false));
    assert_eq!(store.release(&key(1), &dead).await, Ok(false));
    assert_eq!(store.complete(&key(1), &dead, KEEP).await, Ok(false));
    assert_eq!(store.complete(&key(1), &next, KEEP).await, Ok(true));
    assert_eq!(
        store.reserve(&key(1), &dead, LEASE).await,
        Ok(ReserveOutcome::Completed)
    );
}

#[tokio::test]
async fn a_lapsed_lease_nobody_took_can_still_be_completed() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = common::store(&server).await;
    let token = LeaseToken::generate();
    assert_eq!(
        store
            .reserve(&key(1), &token, Duration::from_millis(50))
            .await,
        Ok(ReserveOutcome::Reserved)
    );
    let redis_key = store.redis_key(&key(1));
    for _ in 0..500 {
        if common::command(&server, &["EXISTS", &redis_key]).await == redis::Value::Int(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        common::command(&server, &["EXISTS", &redis_key]).await,
        redis::Value::Int(0)
    );
    assert_eq!(store.complete(&key(1), &token, KEEP).await, Ok(true));
    let other = LeaseToken::generate();
    assert_eq!(
        store.reserve(&key(1), &other, LEASE).await,
        Ok(ReserveOutcome::Completed)
    );
}

#[tokio::test]
async fn keys_in_redis_prefix_token_marker_and_expiries() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = RedisDedup::builder(&server.url())
        .expect("url")
        .key_prefix("app1:")
        .connect()
        .await
        .expect("connect");
    let default = common::store(&server).await;
    assert_eq!(default.key_prefix(), DEFAULT_KEY_PREFIX);
    let k = key(7);
    let redis_key = format!("app1:{}", k.as_str());
    assert_eq!(store.redis_key(&k), redis_key);
    assert_eq!(k.as_str().len(), 64);

    let token = LeaseToken::generate();
    assert_eq!(
        store.reserve(&k, &token, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    assert_eq!(
        common::command(&server, &["GET", &redis_key]).await,
        redis::Value::BulkString(token.as_str().as_bytes().to_vec())
    );
    let redis::Value::Int(pttl) = common::command(&server, &["PTTL", &redis_key]).await else {
        panic!("PTTL")
    };
    assert!(pttl > 0 && pttl <= 30_000, "lease PTTL {pttl}");
    // Another prefix is another namespace: the same event is free there.
    assert_eq!(
        default.reserve(&k, &LeaseToken::generate(), LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );

    let week = Dedup::DEFAULT_RETENTION;
    assert_eq!(store.complete(&k, &token, week).await, Ok(true));
    assert_eq!(
        common::command(&server, &["GET", &redis_key]).await,
        redis::Value::BulkString(b"done".to_vec())
    );
    let redis::Value::Int(pttl) = common::command(&server, &["PTTL", &redis_key]).await else {
        panic!("PTTL")
    };
    let week_ms = i64::try_from(week.as_millis()).expect("ms");
    assert!(
        pttl > week_ms - 60_000 && pttl <= week_ms,
        "retention PTTL {pttl}"
    );
}

#[tokio::test]
async fn the_scripts_are_loaded_again_after_a_script_flush() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let store = common::store(&server).await;
    let t = LeaseToken::generate();
    assert_eq!(
        store.reserve(&key(1), &t, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    // EVALSHA now answers NOSCRIPT: the store falls back to EVAL.
    common::command(&server, &["SCRIPT", "FLUSH"]).await;
    assert_eq!(store.complete(&key(1), &t, KEEP).await, Ok(true));
    common::command(&server, &["SCRIPT", "FLUSH"]).await;
    assert_eq!(
        store.reserve(&key(1), &t, LEASE).await,
        Ok(ReserveOutcome::Completed)
    );
}

#[tokio::test]
async fn concurrent_reserves_reserve_once() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let stores = [
        common::store(&server).await,
        common::store(&server).await,
        common::store(&server).await,
    ];
    for n in 0..50 {
        let tasks: Vec<_> = (0..9)
            .map(|i| {
                let store = stores[i % 3].clone();
                tokio::spawn(
                    async move { store.reserve(&key(n), &LeaseToken::generate(), LEASE).await },
                )
            })
            .collect();
        let mut reserved = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(ReserveOutcome::Reserved) => reserved += 1,
                Ok(ReserveOutcome::InFlight) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(reserved, 1, "event {n}");
    }
}

#[tokio::test]
async fn the_dedup_handle_runs_the_protocol_on_redis() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let dedup = Dedup::new(common::store(&server).await).with_lease(Duration::from_secs(5));
    let k = key(1);
    let DedupOutcome::Process(r) = dedup.begin(&k).await.expect("begin") else {
        panic!("the first delivery runs")
    };
    assert!(matches!(dedup.begin(&k).await, Ok(DedupOutcome::InFlight)));
    assert_eq!(r.renew().await, Ok(true));
    assert_eq!(r.release().await, Ok(true));
    let DedupOutcome::Process(r) = dedup.begin(&k).await.expect("begin") else {
        panic!("a released key runs again")
    };
    assert_eq!(r.complete().await, Ok(true));
    assert!(matches!(dedup.begin(&k).await, Ok(DedupOutcome::Duplicate)));
}

#[tokio::test]
async fn a_dead_redis_is_a_store_error_and_the_store_reconnects() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let store = common::store(&server).await;
    let t = LeaseToken::generate();
    assert_eq!(
        store.reserve(&key(1), &t, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    server.kill();
    for method in 0..4 {
        let result = match method {
            0 => store.reserve(&key(2), &t, LEASE).await.map(|_| true),
            1 => store.renew(&key(1), &t, LEASE).await,
            2 => store.complete(&key(1), &t, KEEP).await,
            _ => store.release(&key(1), &t).await,
        };
        let err = result.expect_err("Redis is down");
        assert!(err.to_string().contains("dedup store unavailable"), "{err}");
    }
    server.restart();
    // Back (empty: the test server persists nothing); the manager reconnects on its own.
    let mut outcome = store.reserve(&key(2), &t, LEASE).await;
    for _ in 0..200 {
        if outcome.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        outcome = store.reserve(&key(2), &t, LEASE).await;
    }
    assert_eq!(outcome, Ok(ReserveOutcome::Reserved));
}

#[tokio::test]
async fn no_password_in_errors_or_debug() {
    let Some(mut server) = RedisServer::start_with(&["--requirepass", "hunter2-secret"]) else {
        return;
    };
    let port = server.port();
    let with = |password: &str| format!("redis://:{password}@127.0.0.1:{port}/0");
    // A wrong password: the connect error does not repeat it.
    let err = RedisDedup::builder(&with("wrong-hunter3"))
        .expect("url")
        .connect()
        .await
        .expect_err("wrong password");
    assert!(matches!(err, RedisDedupError::Connect { .. }), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("hunter"), "{text}");
    }
    // The right one: it works, and neither Debug nor a store error shows it.
    let store = RedisDedup::builder(&with("hunter2-secret"))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let t = LeaseToken::generate();
    assert_eq!(
        store.reserve(&key(1), &t, LEASE).await,
        Ok(ReserveOutcome::Reserved)
    );
    assert!(!format!("{store:?}").contains("hunter2"));
    server.kill();
    let err = store.reserve(&key(2), &t, LEASE).await.expect_err("down");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    // Unreachable from the start: a connect error naming the address only.
    let err = RedisDedup::builder(&with("hunter2-secret"))
        .expect("url")
        .connect()
        .await
        .expect_err("down");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
