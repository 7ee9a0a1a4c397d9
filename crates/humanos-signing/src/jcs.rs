//! The JSON Canonicalization Scheme (JCS, RFC 8785): the bytes Data Integrity proofs
//! (`eddsa-jcs-2022`) hash and sign.
//!
//! JCS is `JSON.stringify` with every object's members sorted by the UTF-16 code units of their
//! names, so it shares [`wire_json`](crate::wire_json)'s writer: the same string escaping and
//! the same ECMAScript number layout (`4.50` is `4.5`, `1E30` is `1e+30`). Integers beyond 2^53
//! are rounded as JavaScript rounds them, because RFC 8785 reads every number as an IEEE 754
//! double. A [`Value`] without serde_json's `arbitrary_precision` feature cannot hold a number
//! JCS refuses (NaN, infinity), so with it these functions only fail on such numbers.
//!
//! ```
//! use humanos_signing::jcs;
//! use serde_json::json;
//!
//! let doc = json!({"b": 1.0, "a": [true, null, "\u{20ac}"], "\u{1f600}": 0, "\u{fb33}": 0});
//! assert_eq!(
//!     String::from_utf8(jcs::to_vec(&doc)?).unwrap(),
//!     "{\"a\":[true,null,\"€\"],\"b\":1,\"\u{1f600}\":0,\"\u{fb33}\":0}"
//! );
//! # Ok::<(), humanos_signing::wire_json::WireJsonError>(())
//! ```

use serde_json::Value;

use crate::wire_json::{Mode, WireJsonError, write_sorted_members, write_value};

/// The canonical (RFC 8785) bytes of `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, WireJsonError> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out, Mode::Canonical)?;
    Ok(out)
}

/// The canonical bytes of the object with these `members`, which must have distinct names.
///
/// For a document seen with a member left out or replaced (a proof's `proofValue` dropped,
/// its `@context` swapped in) without copying the document first.
///
/// ```
/// use humanos_signing::jcs;
/// use serde_json::json;
///
/// let doc = json!({"type": "DataIntegrityProof", "proofValue": "z3FXQ"});
/// let without = doc.as_object().unwrap().iter().filter(|(k, _)| *k != "proofValue");
/// assert_eq!(
///     jcs::object_to_vec(without.map(|(k, v)| (k.as_str(), v)))?,
///     br#"{"type":"DataIntegrityProof"}"#
/// );
/// # Ok::<(), humanos_signing::wire_json::WireJsonError>(())
/// ```
pub fn object_to_vec<'a>(
    members: impl IntoIterator<Item = (&'a str, &'a Value)>,
) -> Result<Vec<u8>, WireJsonError> {
    let mut out = Vec::with_capacity(256);
    write_sorted_members(members, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jcs(v: &Value) -> String {
        String::from_utf8(to_vec(v).unwrap()).unwrap()
    }

    #[test]
    fn members_sort_by_utf16_code_units_at_every_depth() {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16, after it by code point.
        let doc =
            json!({"z": {"\u{fb33}": 1, "\u{1f600}": 2, "é": 3, "e": 4, "": 5}, "10": 0, "9": 0});
        assert_eq!(
            jcs(&doc),
            "{\"10\":0,\"9\":0,\"z\":{\"\":5,\"e\":4,\"é\":3,\"\u{1f600}\":2,\"\u{fb33}\":1}}"
        );
    }

    #[test]
    fn prefixes_and_shared_multibyte_starts() {
        let doc = json!({"ab": 0, "a": 0, "a\u{ffff}": 0, "a\u{10000}": 0, "a\u{e000}x": 0});
        // "a" is a prefix of the others; then 'b' (0x62) < D800 DC00 < E000 < FFFF.
        assert_eq!(
            jcs(&doc),
            "{\"a\":0,\"ab\":0,\"a\u{10000}\":0,\"a\u{e000}x\":0,\"a\u{ffff}\":0}"
        );
    }

    #[test]
    fn big_integers_round_like_javascript() {
        assert_eq!(jcs(&json!(9007199254740993_u64)), "9007199254740992");
        assert_eq!(jcs(&json!(u64::MAX)), "18446744073709552000");
        assert_eq!(jcs(&json!(-9007199254740993_i64)), "-9007199254740992");
    }
}
