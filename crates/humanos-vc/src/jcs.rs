//! JSON Canonicalization Scheme (RFC 8785), the canonical form `eddsa-jcs-2022` hashes.
//!
//! The writer is [`humanos_signing::jcs`]: JCS is `JSON.stringify` with sorted members, so it
//! shares the wire-JSON writer's string escaping and ECMAScript number layout.
//! `tests/jcs_rfc8785.rs` pins it to the examples of RFC 8785, and `humanos-signing`'s tests
//! compare it with a JavaScript canonicalizer on 5,000 random documents.

use humanos_signing::wire_json::WireJsonError;
use serde_json::Value;

/// A value could not be canonicalized: a number JCS refuses (NaN, infinity), which a
/// [`Value`] can only hold with serde_json's `arbitrary_precision` feature.
#[derive(Debug, thiserror::Error)]
#[error("JSON canonicalization (RFC 8785) failed: {0}")]
pub struct JcsError(#[from] WireJsonError);

/// Canonicalizes a JSON value with RFC 8785 (JCS) and returns the UTF-8 bytes.
///
/// ```
/// let v = serde_json::json!({"b": 1.0, "a": [true, null, "\u{20ac}"]});
/// let bytes = humanos_vc::jcs::canonicalize(&v).unwrap();
/// assert_eq!(String::from_utf8(bytes).unwrap(), r#"{"a":[true,null,"€"],"b":1}"#);
/// ```
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, JcsError> {
    Ok(humanos_signing::jcs::to_vec(value)?)
}

/// Canonicalizes the object made of `members` (distinct names), for a document seen with a
/// member left out or replaced, without copying it.
pub fn canonicalize_object<'a>(
    members: impl IntoIterator<Item = (&'a str, &'a Value)>,
) -> Result<Vec<u8>, JcsError> {
    Ok(humanos_signing::jcs::object_to_vec(members)?)
}
