//! DID resolution: did:key, static documents, the TTL cache.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::block_on;
use humanos_vc::did::{
    CachingResolver, DidDocument, DidKeyResolver, DidResolver, KeyLookup, ResolveError,
    ResolveFuture, StaticResolver,
};
use humanos_vc::{Ed25519PublicKey, Ed25519SigningKey, KeyError, ProofPurpose};
use serde_json::json;

#[test]
fn did_key_documents() {
    let pk = Ed25519SigningKey::from_bytes(&[3; 32]).public_key();
    let did = pk.did_key();
    let doc = DidKeyResolver::document(&did).unwrap();
    assert_eq!(doc.id, did);
    let vm = pk.did_key_verification_method();
    for purpose in [ProofPurpose::Authentication, ProofPurpose::AssertionMethod] {
        assert_eq!(DidKeyResolver.lookup(&vm, &purpose).unwrap().public_key, pk);
    }
    assert!(matches!(
        DidKeyResolver.lookup(&vm, &ProofPurpose::Unknown("capabilityInvocation".into())),
        Err(ResolveError::MethodNotFound(_) | ResolveError::NotAuthorized { .. })
    ));
    // P-256 multikey (zDn…), wrong prefix, bad base58, not a DID.
    for bad in [
        "did:key:zDnaeTHfhmSaQKBc7CmdL3K7oYg3D6SC7yowe2eBeVd2DH32r",
        "did:key:z0OIl",
        "did:key:",
        "key:z6Mk",
        "did:KEY:z6Mk",
    ] {
        assert!(DidKeyResolver::document(bad).is_err(), "{bad}");
    }
}

#[test]
fn multikey_and_jwk_forms_agree() {
    let pk = Ed25519PublicKey::from_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
        .unwrap();
    assert_eq!(Ed25519PublicKey::from_jwk(&pk.to_jwk()).unwrap(), pk);
    assert_eq!(
        Ed25519PublicKey::from_multibase(&pk.to_multibase()).unwrap(),
        pk
    );
    assert_eq!(pk.to_jwk()["crv"], "Ed25519");
    assert_eq!(
        Ed25519PublicKey::from_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"),
        Err(KeyError::WrongMulticodec { expected: "ed01" })
    );
    assert_eq!(
        Ed25519PublicKey::from_multibase("f6MkrJ"),
        Err(KeyError::NotBase58Btc)
    );
    assert!(Ed25519PublicKey::from_jwk(&json!({"kty": "EC", "crv": "P-256", "x": "AA"})).is_err());
    assert!(
        Ed25519PublicKey::from_jwk(&json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"})).is_err()
    );
    assert!(Ed25519PublicKey::from_jwk(&json!("x")).is_err());
    let sk = Ed25519SigningKey::from_bytes(&[1; 32]);
    let dbg = format!("{sk:?}");
    assert!(dbg.contains("REDACTED") && !dbg.contains("[1, 1"), "{dbg}");
}

#[test]
fn relationships_are_enforced() {
    let pk = Ed25519SigningKey::from_bytes(&[4; 32]).public_key();
    let doc = DidDocument::from_json(json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": "did:web:humanos.example",
        "verificationMethod": [
            {"id": "did:web:humanos.example#live", "type": "Multikey", "controller": "did:web:humanos.example", "publicKeyMultibase": pk.to_multibase()},
            {"id": "#revoked", "type": "Multikey", "controller": "did:web:humanos.example", "publicKeyMultibase": pk.to_multibase()},
            {"id": "#foreign", "type": "Multikey", "controller": "did:web:other.example", "publicKeyMultibase": pk.to_multibase()}
        ],
        "assertionMethod": ["#live", "#foreign"],
        "authentication": null
    }))
    .unwrap();
    let r = StaticResolver::new().document(doc);
    r.lookup(
        "did:web:humanos.example#live",
        &ProofPurpose::AssertionMethod,
    )
    .unwrap();
    assert!(matches!(
        r.lookup(
            "did:web:humanos.example#live",
            &ProofPurpose::Authentication
        ),
        Err(ResolveError::NotAuthorized { .. })
    ));
    assert!(matches!(
        r.lookup(
            "did:web:humanos.example#revoked",
            &ProofPurpose::AssertionMethod
        ),
        Err(ResolveError::NotAuthorized { .. })
    ));
    assert!(matches!(
        r.lookup(
            "did:web:humanos.example#foreign",
            &ProofPurpose::AssertionMethod
        ),
        Err(ResolveError::InvalidDocument(_))
    ));
    assert!(matches!(
        r.lookup(
            "did:web:humanos.example#nope",
            &ProofPurpose::AssertionMethod
        ),
        Err(ResolveError::MethodNotFound(_))
    ));
    assert!(matches!(
        r.lookup("did:web:unknown.example#k", &ProofPurpose::AssertionMethod),
        Err(ResolveError::NotFound(_))
    ));
}

struct Counting {
    calls: AtomicU64,
}

impl DidResolver for Counting {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if did == "did:web:liar.example" {
                return DidDocument::from_json(json!({"id": "did:web:other.example"}));
            }
            DidKeyResolver::document(did)
        })
    }
}

#[test]
fn the_cache_honours_ttl_size_and_identity() {
    let now = Arc::new(AtomicU64::new(1_000_000));
    let clock_now = Arc::clone(&now);
    let inner = Arc::new(Counting {
        calls: AtomicU64::new(0),
    });
    let cache = CachingResolver::new(Arc::clone(&inner), std::time::Duration::from_secs(60))
        .max_entries(2)
        .clock(move || clock_now.load(Ordering::SeqCst));
    let dids: Vec<String> = (1..=3u8)
        .map(|i| {
            Ed25519SigningKey::from_bytes(&[i; 32])
                .public_key()
                .did_key()
        })
        .collect();
    block_on(cache.resolve(&dids[0])).unwrap();
    block_on(cache.resolve(&dids[0])).unwrap();
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        1,
        "second call served from cache"
    );
    now.fetch_add(61_000, Ordering::SeqCst);
    block_on(cache.resolve(&dids[0])).unwrap();
    assert_eq!(
        inner.calls.load(Ordering::SeqCst),
        2,
        "expired after the TTL"
    );
    block_on(cache.resolve(&dids[1])).unwrap();
    block_on(cache.resolve(&dids[2])).unwrap();
    assert_eq!(cache.len(), 2, "bounded");
    // A document for another DID is refused and not cached.
    assert!(matches!(
        block_on(cache.resolve("did:web:liar.example")),
        Err(ResolveError::InvalidDocument(_))
    ));
    assert_eq!(cache.len(), 2);
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn a_resolver_can_be_used_as_a_trait_object() {
    let resolvers: Vec<Box<dyn DidResolver>> =
        vec![Box::new(DidKeyResolver), Box::new(StaticResolver::new())];
    let did = Ed25519SigningKey::from_bytes(&[8; 32])
        .public_key()
        .did_key();
    for r in &resolvers {
        assert_eq!(block_on(r.resolve(&did)).unwrap().id, did);
    }
}
