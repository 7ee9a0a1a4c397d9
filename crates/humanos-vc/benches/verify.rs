//! Local verification throughput: realistic VPs carrying one Humanos mandate, verified
//! synchronously with keys at hand (VP proof + mandate proof + validity + status bit).

use std::hint::black_box;
use std::sync::Arc;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group};
use humanos_signing::FixedClock;
use humanos_vc::did::StaticResolver;
use humanos_vc::rules::Rule;
use humanos_vc::status::{Bitstring, status_list_subject};
use humanos_vc::{Ed25519SigningKey, RuleCheck, Signer, Verifier, VerifyRequest, issue};
use serde_json::{Value, json};

const NOW: u64 = 1_780_272_000_000;
const STATUS_URL: &str = "https://api.humanos.example/status/1";

type VpGroup<'a> = BenchmarkGroup<'a, WallTime>;

/// The VP, a way to sign fresh VPs for the same mandate, the keys and the status list.
fn fixture() -> (
    Value,
    impl Fn(u64) -> Value,
    StaticResolver,
    Arc<humanos_vc::status::VerifiedStatusList>,
) {
    let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]));
    let holder = Signer::did_key(Ed25519SigningKey::from_bytes(&[9; 32]));
    let present = presenter(holder.clone(), mandate(&issuer, &holder));
    let vp = present(0);
    // Keys at hand: both did:key methods pre-parsed.
    let keys = StaticResolver::new()
        .key(issuer.verification_method(), issuer.key().public_key())
        .and_then(|k| k.key(holder.verification_method(), holder.key().public_key()))
        .expect("keys");
    let list = status_list(&issuer, &keys);
    (vp, present, keys, list)
}

/// A Humanos mandate for `holder`: an action with two user parameters, evidence, a status
/// entry.
fn mandate(issuer: &Signer, holder: &Signer) -> Value {
    issuer
        .sign_credential(
            &json!({
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/via/v0.2"],
                "id": "urn:via:credential:8d1f6c7e-4a55-4b7e-9d1c-2f0a9b3c7e11",
                "type": ["VerifiableCredential", "ViaMandateCredential"],
                "specVersion": "0.2",
                "issuer": issuer.did(),
                "validFrom": "2026-05-01T00:00:00Z",
                "validUntil": "2026-12-31T23:59:59Z",
                "credentialSubject": {
                    "id": holder.did(),
                    "mandate": {
                        "grantor": "did:via:user:6a1e0c",
                        "scope": "agent.execute",
                        "context": {"authorizedDIDs": [holder.did()]},
                        "action": {
                            "id": "urn:via:action:5f0c2a7e-purchase:v3",
                            "digestSRI": "sha256-2dXHoFZ0m2k0nS0XKc8v2JrYk0uKMg8u3tQm9G7hU1M",
                            "location": "https://api.humanos.example/actions/version/purchase"
                        },
                        "userParams": {
                            "maxAmount": {"description": "Largest amount per purchase", "value": 10000},
                            "allowedCategories": {"description": "Categories", "value": ["BOOKS", "OFFICE"]}
                        },
                        "maxExecutions": 20
                    }
                },
                "evidence": [{
                    "id": "urn:via:evidence:consent:1",
                    "type": ["ConsentEvidence"],
                    "digestSRI": "sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
                    "location": "https://api.humanos.example/evidence/1"
                }],
                "credentialStatus": {
                    "id": format!("{STATUS_URL}#94567"),
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "94567",
                    "statusListCredential": STATUS_URL
                }
            }),
            NOW - 86_400_000,
        )
        .expect("sign mandate")
}

/// The n-th presentation of the mandate: its own `id`, so its own signature.
fn presenter(holder: Signer, mandate: Value) -> impl Fn(u64) -> Value {
    move |n: u64| {
        let mut unsigned = issue::presentation(holder.did(), vec![mandate.clone()]);
        unsigned["id"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{n:012}"));
        holder
            .sign_presentation(
                &unsigned,
                NOW - 1_000,
                Some("shop.example"),
                Some("nonce-1"),
            )
            .expect("sign vp")
    }
}

/// The issuer's revocation list (nothing revoked), verified once.
fn status_list(
    issuer: &Signer,
    keys: &StaticResolver,
) -> Arc<humanos_vc::status::VerifiedStatusList> {
    let list = issuer
        .sign_credential(
            &json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "id": STATUS_URL,
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": issuer.did(),
                "validFrom": "2026-05-31T00:00:00Z",
                "credentialSubject": status_list_subject("urn:list", "revocation", &Bitstring::zeros(131_072)),
            }),
            NOW,
        )
        .expect("sign list");
    let verifier = Verifier::new().clock(FixedClock(NOW));
    Arc::new(verifier.verify_status_list(&list, keys).expect("list"))
}

fn bench(c: &mut Criterion) {
    let (vp, present, keys, list) = fixture();
    let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]));
    let verifier = Verifier::new()
        .clock(FixedClock(NOW))
        .trusted_issuers([issuer.did()]);
    let request = VerifyRequest::new()
        .domain("shop.example")
        .challenge("nonce-1")
        .status_list(list);
    verifier
        .verify_presentation_with(&vp, &keys, &request)
        .expect("fixture verifies");

    let setup = Setup {
        verifier,
        keys,
        request,
        vp,
    };
    let mut g = c.benchmark_group("vp");
    g.throughput(Throughput::Elements(1));
    bench_signature_paths(&mut g, &setup, &present);
    bench_cel_rules(&mut g, &setup);
    g.finish();
    bench_parts(c, &setup.vp);
}

/// What every `vp` bench verifies with.
struct Setup {
    verifier: Verifier,
    keys: StaticResolver,
    request: VerifyRequest,
    vp: Value,
}

/// Verifying a VP with the signature cache off, a fresh VP, and the same VP again.
fn bench_signature_paths(g: &mut VpGroup<'_>, setup: &Setup, present: &impl Fn(u64) -> Value) {
    let Setup {
        verifier,
        keys,
        request,
        vp,
    } = setup;
    // Cold: every Ed25519 signature checked (signature cache off).
    let cold = verifier.clone().signature_cache(0);
    g.bench_function("verify_vp_one_mandate_cold", |b| {
        b.iter(|| {
            cold.verify_presentation_with(black_box(vp), keys, request)
                .is_ok()
        })
    });
    // The normal case: a fresh VP (signed for this request) carrying a mandate verified
    // before. The VP's Ed25519 check runs; the mandate, kept by the verified-signature cache
    // when it verified, is recognized and its kept canonical bytes hashed into the VP's;
    // validity and status are checked. Signing the fresh VP and dropping it (the caller's
    // value) are outside the measurement.
    let mut n = 0;
    g.bench_function("verify_fresh_vp_known_mandate", |b| {
        b.iter_batched_ref(
            || {
                n += 1;
                present(n)
            },
            |fresh| {
                verifier
                    .verify_presentation_with(black_box(&*fresh), keys, request)
                    .is_ok()
            },
            criterion::BatchSize::SmallInput,
        )
    });
    // The same VP again: both Ed25519 checks are cache hits; what is left is canonicalization,
    // hashing, validity and status. (A replayed VP; the challenge is what a server checks.)
    g.bench_function("verify_same_vp_again", |b| {
        b.iter(|| {
            verifier
                .verify_presentation_with(black_box(vp), keys, request)
                .is_ok()
        })
    });
}

/// The same VP again with CEL rules, kept (compiled once) and fresh.
fn bench_cel_rules(g: &mut VpGroup<'_>, setup: &Setup) {
    let Setup {
        verifier,
        keys,
        request,
        vp,
    } = setup;
    let rule_check = || {
        RuleCheck::new(
            vec![
                Rule::new("executionParams.amount <= userParams.maxAmount"),
                Rule::new("executionParams.category in userParams.allowedCategories"),
            ],
            json!({"amount": 5000, "category": "BOOKS"}),
        )
    };
    // The rules kept per action (the normal case): compiled on the first call, reused after.
    let rules = request.clone().rules(rule_check());
    g.bench_function("verify_same_vp_again_with_cel_rules", |b| {
        b.iter(|| {
            verifier
                .verify_presentation_with(black_box(vp), keys, &rules)
                .is_ok()
        })
    });
    // Fresh rules on every call: each expression is parsed again (the cost before rules
    // kept their compiled program).
    g.bench_function("verify_same_vp_again_with_fresh_cel_rules", |b| {
        b.iter_batched(
            || request.clone().rules(rule_check()),
            |fresh| {
                verifier
                    .verify_presentation_with(black_box(vp), keys, &fresh)
                    .is_ok()
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

/// Where the time goes: canonicalizing, one Ed25519 check, the CEL pre-check alone.
fn bench_parts(c: &mut Criterion, vp: &Value) {
    // Canonicalizing the whole VP once, and one strict Ed25519 check.
    let mut parts = c.benchmark_group("parts");
    parts.bench_function("jcs_vp", |b| {
        b.iter(|| humanos_vc::jcs::canonicalize(black_box(vp)).map(|v| v.len()))
    });
    // The same with serde_jcs, which this crate used before humanos-signing's writer.
    parts.bench_function("jcs_vp_serde_jcs", |b| {
        b.iter(|| serde_jcs::to_vec(black_box(vp)).map(|v| v.len()))
    });
    let key = Ed25519SigningKey::from_bytes(&[1; 32]);
    let sig = key.sign(&[0u8; 64]);
    let pk = key.public_key();
    parts.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| pk.verify_strict(black_box(&[0u8; 64]), &sig))
    });
    // The CEL rule pre-check alone: two rules kept (compiled once) against fresh ones.
    let user = json!({"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"]});
    let user = user.as_object().cloned().unwrap_or_default();
    let exec = json!({"amount": 5000, "category": "BOOKS"});
    let kept = vec![
        Rule::new("executionParams.amount <= userParams.maxAmount"),
        Rule::new("executionParams.category in userParams.allowedCategories"),
    ];
    parts.bench_function("cel_two_rules_kept", |b| {
        b.iter(|| humanos_vc::rules::evaluate_rules(black_box(&kept), &user, &exec))
    });
    parts.bench_function("cel_two_rules_fresh", |b| {
        b.iter_batched(
            || {
                kept.iter()
                    .map(|r| Rule::new(r.expression.clone()))
                    .collect::<Vec<_>>()
            },
            |fresh| humanos_vc::rules::evaluate_rules(black_box(&fresh), &user, &exec),
            criterion::BatchSize::SmallInput,
        )
    });
    parts.finish();
}

/// One fresh VP of a known mandate verified, for the probe.
#[inline(never)]
fn probe_fresh_vp(setup: &Setup, fresh: &Value) -> bool {
    setup
        .verifier
        .verify_presentation_with(black_box(fresh), &setup.keys, &setup.request)
        .is_ok()
}

/// One strict Ed25519 check of a 64-byte message (what `eddsa-jcs-2022` signs), for the probe.
#[inline(never)]
fn probe_ed25519(pk: &humanos_vc::Ed25519PublicKey, sig: &[u8; 64]) -> bool {
    pk.verify_strict(black_box(&[0u8; 64]), sig)
}

/// `n` fresh VPs of a known mandate and `n` Ed25519 checks, each in a function of its own, for
/// an instruction count of each under `valgrind --tool=callgrind` (bench/vp_profile.sh).
fn probe(n: u64) {
    let (vp, present, keys, list) = fixture();
    let issuer = Signer::did_key(Ed25519SigningKey::from_bytes(&[7; 32]));
    let setup = Setup {
        verifier: Verifier::new()
            .clock(FixedClock(NOW))
            .trusted_issuers([issuer.did()]),
        keys,
        request: VerifyRequest::new()
            .domain("shop.example")
            .challenge("nonce-1")
            .status_list(list),
        vp,
    };
    let known = setup
        .verifier
        .verify_presentation_with(&setup.vp, &setup.keys, &setup.request);
    assert!(known.is_ok(), "the mandate is now known");
    let fresh: Vec<Value> = (1..=n).map(&present).collect();
    let key = Ed25519SigningKey::from_bytes(&[1; 32]);
    let sig = key.sign(&[0u8; 64]);
    let pk = key.public_key();
    // Each VP and the checks after it timed back to back, so that the machine's load weighs on
    // all alike: first the presentations built ahead (cold in the caches, as criterion's batches
    // are), then each parsed from its JSON just before (as a service receives it). After each
    // VP, the fixed check (the criterion bench's) and one of a signature never checked before
    // (as the VP's own is: the branch predictor has not learnt its scalars).
    let texts: Vec<String> = (n + 1..=2 * n).map(|i| present(i).to_string()).collect();
    let others: Vec<([u8; 64], [u8; 64])> = (0..2 * n)
        .map(|i| {
            let mut msg = [0u8; 64];
            msg[..8].copy_from_slice(&i.to_le_bytes());
            (msg, key.sign(&msg))
        })
        .collect();
    let mut others = others.iter();
    let mut timed = |vp: &Value, times: &mut [Vec<u128>; 3]| {
        let (msg, other) = others.next().expect("one per VP");
        let start = std::time::Instant::now();
        assert!(probe_fresh_vp(&setup, vp));
        let vp_done = std::time::Instant::now();
        assert!(probe_ed25519(&pk, &sig));
        let fixed_done = std::time::Instant::now();
        assert!(probe_ed25519_other(&pk, msg, other));
        times[0].push(vp_done.duration_since(start).as_nanos());
        times[1].push(fixed_done.duration_since(vp_done).as_nanos());
        times[2].push(fixed_done.elapsed().as_nanos());
    };
    let mut times = Default::default();
    for vp in &fresh {
        timed(vp, &mut times);
    }
    report("built ahead", n, times);
    drop(fresh);
    let mut times = Default::default();
    let mut drops = Vec::new();
    for text in &texts {
        let vp: Value = serde_json::from_str(text).expect("a presentation");
        timed(&vp, &mut times);
        // What criterion's `iter_batched` timed with the verification: dropping the caller's VP.
        let start = std::time::Instant::now();
        drop(black_box(vp));
        drops.push(start.elapsed().as_nanos());
    }
    report("parsed just before", n, times);
    drops.sort_unstable();
    let drop_ns = drops.get(drops.len() / 2).copied().unwrap_or_default();
    println!(
        "median of {n}: dropping a parsed VP {:.1} us",
        drop_ns as f64 / 1e3
    );
}

/// A strict Ed25519 check of a signature not checked before, for the probe.
#[inline(never)]
fn probe_ed25519_other(pk: &humanos_vc::Ed25519PublicKey, msg: &[u8; 64], sig: &[u8; 64]) -> bool {
    pk.verify_strict(black_box(msg), sig)
}

/// Prints the medians of the probe's timings (VP, fixed check, other check) and the ratios.
fn report(what: &str, n: u64, mut times: [Vec<u128>; 3]) {
    let [vp, fixed, other] = times.each_mut().map(|v| {
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or_default() as f64
    });
    println!(
        "median of {n}, {what}: fresh VP, known mandate {:.1} us; verify_strict {:.1} us, ratio {:.2}x; \
         verify_strict of a signature not seen before {:.1} us, ratio {:.2}x",
        vp / 1e3,
        fixed / 1e3,
        vp / fixed.max(1.0),
        other / 1e3,
        vp / other.max(1.0)
    );
}

criterion_group!(benches, bench);

fn main() {
    if let Some(n) = std::env::var("HUMANOS_VC_PROBE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return probe(n);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
