//! The one HMAC-SHA256 helper every signature in this SDK goes through.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Length of a hex-encoded HMAC-SHA256 signature.
pub const SIGNATURE_HEX_LEN: usize = 64;

/// Starts an HMAC-SHA256 over `key`. HMAC accepts keys of any length, so this cannot fail.
pub(crate) fn keyed(key: &[u8]) -> HmacSha256 {
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC hashes long keys and pads short ones: `new_from_slice` never rejects a key.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// HMAC-SHA256 over the concatenation of `parts`, returned as the tag bytes.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Lowercase hex HMAC-SHA256 of `message` under `key`.
///
/// ```
/// // RFC 4231, test case 2.
/// let tag = humanos_signing::hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(tag, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    hex::encode(hmac_sha256(key, &[message]))
}

/// Compares the HMAC of `parts` with `expected` in constant time.
pub(crate) fn hmac_sha256_matches(key: &[u8], parts: &[&[u8]], expected: &[u8]) -> bool {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(expected).is_ok()
}
