//! Ed25519 keys as Multikey (`publicKeyMultibase`, `z6Mk…`), as JWK, and as signing keys.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint `0xed 0x01`).
pub const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 secret key (`ed25519-priv`, varint `0x80 0x26`).
pub const ED25519_PRIV_MULTICODEC: [u8; 2] = [0x80, 0x26];

/// Longest multibase string accepted for a key (an Ed25519 key needs 48 characters).
const MAX_KEY_MULTIBASE_LEN: usize = 128;

/// Why key material could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The multibase string does not start with `z` (base58btc).
    #[error("key is not base58btc multibase (expected a leading 'z')")]
    NotBase58Btc,
    /// The base58 payload does not decode.
    #[error("key multibase does not decode as base58btc")]
    BadBase58,
    /// The multicodec prefix is not the expected Ed25519 one.
    #[error("key is not an Ed25519 multikey (expected multicodec prefix 0x{expected})")]
    WrongMulticodec {
        /// Hex of the expected prefix.
        expected: &'static str,
    },
    /// The key has the wrong number of bytes.
    #[error("Ed25519 key must be 32 bytes, got {0}")]
    WrongLength(usize),
    /// The bytes are not a valid Ed25519 point.
    #[error("bytes are not a valid Ed25519 public key")]
    InvalidPoint,
    /// The JWK is not an Ed25519 OKP key.
    #[error("JWK is not an Ed25519 key: {0}")]
    BadJwk(&'static str),
}

/// An Ed25519 public key, as found in a verification method.
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519PublicKey(VerifyingKey);

impl std::fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Ed25519PublicKey")
            .field(&self.to_multibase())
            .finish()
    }
}

impl Ed25519PublicKey {
    /// Builds a key from its 32 raw bytes, rejecting bytes that are not a curve point.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        VerifyingKey::from_bytes(&arr)
            .map(Self)
            .map_err(|_| KeyError::InvalidPoint)
    }

    /// Decodes a Multikey `publicKeyMultibase` value (`z6Mk…`: base58btc of `0xed01 ‖ key`).
    pub fn from_multibase(s: &str) -> Result<Self, KeyError> {
        let bytes = decode_multikey(s, ED25519_PUB_MULTICODEC, "ed01")?;
        Self::from_bytes(&bytes)
    }

    /// Decodes a legacy `publicKeyBase58` value (raw base58btc of the 32 key bytes).
    pub fn from_base58(s: &str) -> Result<Self, KeyError> {
        if s.len() > MAX_KEY_MULTIBASE_LEN {
            return Err(KeyError::BadBase58);
        }
        let bytes = bs58::decode(s)
            .into_vec()
            .map_err(|_| KeyError::BadBase58)?;
        Self::from_bytes(&bytes)
    }

    /// Decodes an Ed25519 public JWK (`{"kty":"OKP","crv":"Ed25519","x":"<base64url>"}`).
    /// A private member `d`, if present, is ignored.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or(KeyError::BadJwk("not a JSON object"))?;
        if obj.get("kty").and_then(Value::as_str) != Some("OKP") {
            return Err(KeyError::BadJwk("kty must be \"OKP\""));
        }
        if obj.get("crv").and_then(Value::as_str) != Some("Ed25519") {
            return Err(KeyError::BadJwk("crv must be \"Ed25519\""));
        }
        let x = obj
            .get("x")
            .and_then(Value::as_str)
            .ok_or(KeyError::BadJwk("missing \"x\""))?;
        if x.len() > 64 {
            return Err(KeyError::BadJwk("\"x\" is too long"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(x.trim_end_matches('='))
            .map_err(|_| KeyError::BadJwk("\"x\" is not base64url"))?;
        Self::from_bytes(&bytes)
    }

    /// The raw 32 key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// The Multikey `publicKeyMultibase` form (`z6Mk…`).
    pub fn to_multibase(&self) -> String {
        let mut buf = Vec::with_capacity(34);
        buf.extend_from_slice(&ED25519_PUB_MULTICODEC);
        buf.extend_from_slice(self.0.as_bytes());
        format!("z{}", bs58::encode(buf).into_string())
    }

    /// The public JWK form.
    pub fn to_jwk(&self) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(self.0.as_bytes())})
    }

    /// The `did:key` DID of this key (`did:key:z6Mk…`).
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.to_multibase())
    }

    /// The `did:key` verification method id (`did:key:z6Mk…#z6Mk…`).
    pub fn did_key_verification_method(&self) -> String {
        let mb = self.to_multibase();
        format!("did:key:{mb}#{mb}")
    }

    /// A `Multikey` verification method object for a DID document.
    pub fn to_multikey_method(&self, id: &str, controller: &str) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), id.into());
        m.insert("type".into(), "Multikey".into());
        m.insert("controller".into(), controller.into());
        m.insert("publicKeyMultibase".into(), self.to_multibase().into());
        Value::Object(m)
    }

    /// Strict Ed25519 verification (RFC 8032 with the checks that make signatures
    /// strongly unforgeable: canonical `S`, no small-order keys or `R`).
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = Signature::from_bytes(signature);
        self.0.verify_strict(message, &sig).is_ok()
    }

    /// The underlying `ed25519-dalek` key.
    pub fn as_dalek(&self) -> &VerifyingKey {
        &self.0
    }
}

fn decode_multikey(
    s: &str,
    prefix: [u8; 2],
    hex: &'static str,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if s.len() > MAX_KEY_MULTIBASE_LEN {
        return Err(KeyError::BadBase58);
    }
    let rest = s.strip_prefix('z').ok_or(KeyError::NotBase58Btc)?;
    let bytes = Zeroizing::new(
        bs58::decode(rest)
            .into_vec()
            .map_err(|_| KeyError::BadBase58)?,
    );
    match bytes.get(..2) {
        Some(p) if p == prefix => {}
        _ => return Err(KeyError::WrongMulticodec { expected: hex }),
    }
    Ok(Zeroizing::new(bytes.get(2..).unwrap_or_default().to_vec()))
}

/// An Ed25519 signing key (for issuing credentials and presentations, e.g. in the sandbox).
///
/// The secret is zeroized on drop and never printed: `Debug` shows only the public key.
#[derive(Clone)]
pub struct Ed25519SigningKey {
    key: SigningKey,
}

impl std::fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519SigningKey")
            .field("public_key", &self.public_key().to_multibase())
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Ed25519SigningKey {
    /// Builds a key from a 32-byte secret seed.
    pub fn from_bytes(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// Generates a fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut())?;
        Ok(Self::from_bytes(&seed))
    }

    /// Decodes a multibase secret key (`z3u2…`: base58btc of `0x8026 ‖ seed`), the form the
    /// W3C test vectors use (`secretKeyMultibase`).
    pub fn from_multibase(s: &str) -> Result<Self, KeyError> {
        let bytes = decode_multikey(s, ED25519_PRIV_MULTICODEC, "8026")?;
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| KeyError::WrongLength(bytes.len()))?,
        );
        Ok(Self::from_bytes(&seed))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey(self.key.verifying_key())
    }

    /// Signs `message` with pure Ed25519 (deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}
