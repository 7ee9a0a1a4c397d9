//! JSON Canonicalization Scheme (RFC 8785).
//!
//! Backed by the [`serde_jcs`] crate (UTF-16 code-unit key ordering, ECMAScript number
//! formatting through `ryu-js`, minimal string escaping); `tests/jcs_rfc8785.rs` pins it to
//! the examples of RFC 8785.

use serde::Serialize;

/// A value could not be canonicalized (for example a number that is not finite).
#[derive(Debug, thiserror::Error)]
#[error("JSON canonicalization (RFC 8785) failed: {0}")]
pub struct JcsError(String);

/// Canonicalizes any serializable value with RFC 8785 (JCS) and returns the UTF-8 bytes.
///
/// ```
/// let v = serde_json::json!({"b": 1.0, "a": [true, null, "\u{20ac}"]});
/// let bytes = humanos_vc::jcs::canonicalize(&v).unwrap();
/// assert_eq!(String::from_utf8(bytes).unwrap(), r#"{"a":[true,null,"€"],"b":1}"#);
/// ```
pub fn canonicalize<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, JcsError> {
    serde_jcs::to_vec(value).map_err(|e| JcsError(e.to_string()))
}
