//! HumanCode request signing.
//!
//! HumanCode signs the compact JSON body bytes exactly as sent with the application key:
//! `sign = hex(HMAC-SHA256(APP_KEY, body))`. `app_id` and `sign` travel as query parameters.
//!
//! ```
//! use humanos_signing::app_signature;
//! let body = br#"{"timestamp":"1700000000000","nonce_str":"abcdefgh12345678"}"#;
//! let sign = app_signature::sign(b"app-key", body);
//! assert!(app_signature::verify(b"app-key", body, sign.as_bytes()).is_ok());
//! assert!(app_signature::verify(b"app-key", b"{}", sign.as_bytes()).is_err());
//! ```

use crate::mac::{hmac_sha256_hex, hmac_sha256_matches};
use crate::verify::{SignatureError, parse_signature};

/// Hex HMAC-SHA256 of `body` under the HumanCode `app_key`.
pub fn sign(app_key: &[u8], body: &[u8]) -> String {
    hmac_sha256_hex(app_key, body)
}

/// Checks a `sign` value against `body` in constant time.
pub fn verify(app_key: &[u8], body: &[u8], sign: &[u8]) -> Result<(), SignatureError> {
    let tag = parse_signature(sign)?;
    if hmac_sha256_matches(app_key, &[body], &tag) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}
