//! JSON bytes that survive a JavaScript round trip unchanged.
//!
//! The Humanos server checks a request signature against the body it parsed and serialized
//! again with JavaScript's `JSON.stringify`. A body is therefore safe to sign only if
//! `JSON.stringify(JSON.parse(body))` gives back the very same bytes. This module writes such
//! bytes:
//!
//! - compact: no whitespace between tokens;
//! - strings escaped exactly as `JSON.stringify` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`,
//!   `\r`, `\t`, other control characters as `\u00xx`), everything else raw UTF-8;
//! - object members in insertion order, except that keys which are array indices (`"0"`,
//!   `"42"`) come first in ascending order, because that is the order JavaScript objects
//!   enumerate them in;
//! - numbers as ECMAScript's `Number::toString` writes them: `5000.0` is `5000`, `1e21` is
//!   `1e+21`, `0.000001` is `0.000001` and `1e-7` is `1e-7`.
//!
//! Values JavaScript cannot carry are refused instead of being silently changed: NaN and
//! infinities, and integers beyond ±2^53.
//!
//! ```
//! use humanos_signing::wire_json;
//! use serde_json::json;
//!
//! let body = json!({"name": "Café ☕", "amount": 5000.0, "big": 1e21, "2": true, "1": null});
//! assert_eq!(
//!     String::from_utf8(wire_json::to_vec(&body)?).unwrap(),
//!     r#"{"1":null,"2":true,"name":"Café ☕","amount":5000,"big":1e+21}"#
//! );
//! # Ok::<(), wire_json::WireJsonError>(())
//! ```

use serde::Serialize;
use serde_json::{Map, Number, Value};

/// Why a value cannot be written as wire JSON.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireJsonError {
    /// The value could not be represented as JSON at all (for example a map with non-string
    /// keys, or a `Serialize` implementation that failed).
    #[error("value cannot be serialized as JSON: {0}")]
    Serialize(#[from] serde_json::Error),
    /// NaN or an infinity: JSON has no literal for them and `JSON.stringify` writes `null`.
    #[error("non-finite number: JSON cannot carry NaN or infinity")]
    NonFinite,
    /// An integer beyond ±2^53: a JavaScript server would read, and re-serialize, a different
    /// number than the one written. Send it as a string instead.
    #[error("integer {0} is outside JavaScript's exact integer range (±2^53); send it as a string")]
    UnsafeInteger(String),
    /// The input of [`reencode`] is not valid JSON.
    #[error("input is not valid JSON: {0}")]
    Parse(serde_json::Error),
}

/// Serializes `value` into the exact bytes to send and sign.
///
/// The value is first turned into a [`serde_json::Value`] (request bodies are small; this keeps
/// the writer simple and lets it reorder index-like keys), then written compactly.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WireJsonError> {
    let value = serde_json::to_value(value)?;
    value_to_vec(&value)
}

/// Writes an already built [`Value`] as wire JSON.
pub fn value_to_vec(value: &Value) -> Result<Vec<u8>, WireJsonError> {
    let mut out = Vec::with_capacity(128);
    write_value(value, &mut out, Mode::Send)?;
    Ok(out)
}

/// What `JSON.stringify(JSON.parse(input))` produces, byte for byte.
///
/// This is how a JavaScript server sees a body it re-serializes before checking a signature.
/// Unlike [`to_vec`], integers beyond a double's precision are rounded as JavaScript rounds
/// them, because that is what such a server does.
///
/// ```
/// use humanos_signing::wire_json::reencode;
/// assert_eq!(reencode(br#"{ "a" : 1.50, "b": "\u00e9" }"#)?, r#"{"a":1.5,"b":"é"}"#.as_bytes());
/// assert_eq!(reencode(b"9007199254740993")?, b"9007199254740992");
/// # Ok::<(), humanos_signing::wire_json::WireJsonError>(())
/// ```
pub fn reencode(input: &[u8]) -> Result<Vec<u8>, WireJsonError> {
    let value: Value = serde_json::from_slice(input).map_err(WireJsonError::Parse)?;
    let mut out = Vec::with_capacity(input.len());
    write_value(&value, &mut out, Mode::Reencode)?;
    Ok(out)
}

/// Whether `input` is already in wire form: `JSON.stringify(JSON.parse(input)) == input`.
pub fn is_wire_stable(input: &[u8]) -> bool {
    reencode(input).is_ok_and(|again| again == input)
}

/// How a writer lays out numbers and object members: the wire form of a request body, the
/// wire form of what a JavaScript server re-serializes, or RFC 8785's canonical form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// [`to_vec`]: JavaScript's member order; integers beyond 2^53 refused.
    Send,
    /// [`reencode`]: JavaScript's member order; integers rounded as `JSON.parse` rounds them.
    Reencode,
    /// [`crate::jcs`]: members sorted by UTF-16 code units; integers rounded like JavaScript
    /// (RFC 8785 reads every number as an IEEE 754 double).
    Canonical,
}

impl Mode {
    fn refuses_unsafe_integers(self) -> bool {
        self == Mode::Send
    }
}

pub(crate) fn write_value(
    value: &Value,
    out: &mut Vec<u8>,
    mode: Mode,
) -> Result<(), WireJsonError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n, out, mode)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out, mode)?;
            }
            out.push(b']');
        }
        Value::Object(map) if mode == Mode::Canonical => {
            write_sorted_members(map.iter().map(|(k, v)| (k.as_str(), v)), out)?;
        }
        Value::Object(map) => write_object(map, out, mode)?,
    }
    Ok(())
}

/// Writes `map` with its members in JavaScript's enumeration order.
fn write_object(
    map: &Map<String, Value>,
    out: &mut Vec<u8>,
    mode: Mode,
) -> Result<(), WireJsonError> {
    let members = map.iter().map(|(k, v)| (k.as_str(), v));
    // JavaScript enumerates array-index keys first, in numeric order, then the others in
    // insertion order. Most objects have none, so only sort when there are some.
    let mut indices: Vec<(u32, &str, &Value)> = members
        .clone()
        .filter_map(|(k, v)| array_index(k).map(|i| (i, k, v)))
        .collect();
    if indices.is_empty() {
        return write_members(members, out, mode);
    }
    indices.sort_unstable_by_key(|(i, _, _)| *i);
    let others = members.filter(|(k, _)| array_index(k).is_none());
    write_members(
        indices.into_iter().map(|(_, k, v)| (k, v)).chain(others),
        out,
        mode,
    )
}

/// Writes an object of `members` (distinct names) sorted by the UTF-16 code units of their
/// names, as RFC 8785 section 3.2.3 orders them.
pub(crate) fn write_sorted_members<'a>(
    members: impl IntoIterator<Item = (&'a str, &'a Value)>,
    out: &mut Vec<u8>,
) -> Result<(), WireJsonError> {
    let mut members: Vec<(&str, &Value)> = members.into_iter().collect();
    members.sort_unstable_by(|(a, _), (b, _)| cmp_utf16(a, b));
    write_members(members, out, Mode::Canonical)
}

/// Writes `{"name":value,...}` with the members in the order given.
fn write_members<'a>(
    members: impl IntoIterator<Item = (&'a str, &'a Value)>,
    out: &mut Vec<u8>,
    mode: Mode,
) -> Result<(), WireJsonError> {
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_value(value, out, mode)?;
    }
    out.push(b'}');
    Ok(())
}

/// Orders two strings by their UTF-16 code units (JavaScript's string order). UTF-8 bytes
/// order strings by code point, which agrees except where a character beyond U+FFFF (a
/// surrogate pair, 0xD800..) meets one in U+E000..=U+FFFF; so compare bytes, and only at the
/// first difference, when both sides are non-ASCII, decide on the code units there.
fn cmp_utf16(a: &str, b: &str) -> std::cmp::Ordering {
    let Some(i) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) else {
        return a.len().cmp(&b.len());
    };
    if a.as_bytes()[i].is_ascii() || b.as_bytes()[i].is_ascii() {
        return a.as_bytes()[i].cmp(&b.as_bytes()[i]);
    }
    // Back up to the start of the character the difference lies in (same on both sides: the
    // bytes before `i` are equal), then compare from there in UTF-16.
    let start = (0..=i).rev().find(|&j| a.is_char_boundary(j)).unwrap_or(0);
    a[start..].encode_utf16().cmp(b[start..].encode_utf16())
}

/// `Some(i)` when `key` is the canonical decimal form of an integer in `0..=2^32 - 2`
/// (ECMAScript's definition of an array index).
fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n <= u64::from(u32::MAX - 1) {
        u32::try_from(n).ok()
    } else {
        None
    }
}

fn write_number(n: &Number, out: &mut Vec<u8>, mode: Mode) -> Result<(), WireJsonError> {
    // Beyond 2^53 a double skips integers and `Number::toString` rounds the digits
    // (2^60 prints as 1152921504606847000), so only this range is sent as written.
    const MAX_EXACT: u64 = 1 << 53;
    let integer = n.as_u64().map(|u| (u as f64, u <= MAX_EXACT)).or_else(|| {
        n.as_i64()
            .map(|i| (i as f64, i.unsigned_abs() <= MAX_EXACT))
    });
    let f = match integer {
        Some((_, false)) if mode.refuses_unsafe_integers() => {
            return Err(WireJsonError::UnsafeInteger(n.to_string()));
        }
        Some((f, _)) => f,
        None => n.as_f64().ok_or(WireJsonError::NonFinite)?,
    };
    write_f64(f, out)
}

/// Appends ECMAScript's `Number::toString(x)` for a finite `x`.
fn write_f64(x: f64, out: &mut Vec<u8>) -> Result<(), WireJsonError> {
    if !x.is_finite() {
        return Err(WireJsonError::NonFinite);
    }
    out.extend_from_slice(format_number(x).as_bytes());
    Ok(())
}

/// ECMAScript's `Number::toString(x)` (ECMA-262, 6.1.6.1.20) for finite `x`.
///
/// The digits come from Ryū, which yields the shortest digit string that reads back as `x` and,
/// among those, the closest to `x`: the `s` the specification asks for. (Rust's own `{:e}` is
/// shortest but not always closest: it writes `1257744880880304.3` where JavaScript writes
/// `…304.2`.) This function lays those digits out the way ECMAScript does.
///
/// ```
/// use humanos_signing::wire_json::format_number;
/// assert_eq!(format_number(5000.0), "5000");
/// assert_eq!(format_number(-0.0), "0");
/// assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(format_number(1e21), "1e+21");
/// assert_eq!(format_number(1.5e-7), "1.5e-7");
/// assert_eq!(format_number(123e-20), "1.23e-18");
/// ```
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let (digits, n) = shortest_digits(x.abs());
    let k = digits.len() as i32;
    let mut s = String::with_capacity(k.max(n).unsigned_abs() as usize + 8);
    if x < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if n > 0 { '+' } else { '-' });
        s.push_str(&(n - 1).abs().to_string());
    }
    s
}

/// The shortest, closest decimal digits of a finite positive `x` and the exponent `n` with
/// `x = 0.d1d2…dk × 10^n`.
fn shortest_digits(x: f64) -> (String, i32) {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(x);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = int.chars().chain(frac.chars()).collect();
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_start_matches('0').trim_end_matches('0');
    let n = int.len() as i32 + exponent - leading as i32;
    if digits.is_empty() {
        ("0".to_owned(), 1)
    } else {
        (digits.to_owned(), n)
    }
}

/// Appends `s` quoted and escaped as `JSON.stringify` does (ECMA-262 `QuoteJSONString`).
pub(crate) fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(v: &Value) -> String {
        String::from_utf8(value_to_vec(v).unwrap()).unwrap()
    }

    #[test]
    fn numbers_follow_ecmascript() {
        for (x, expected) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (5000.0, "5000"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.2345e-7, "1.2345e-7"),
            (123456.789, "123456.789"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (9007199254740993.0, "9007199254740992"),
            (123456789012345680000.0, "123456789012345680000"),
            // Two shortest candidates: JavaScript takes the closer one (Rust's `{:e}` does not).
            // (the literal is the double 1257744880880304.25, halfway between .2 and .3)
            (1257744880880304.2, "1257744880880304.2"),
        ] {
            assert_eq!(format_number(x), expected, "{x:e}");
        }
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        let s = "q\"b\\\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}/é€😀\u{2028}";
        assert_eq!(
            wire(&json!(s)),
            "\"q\\\"b\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\u{7f}/é€😀\u{2028}\""
        );
    }

    #[test]
    fn index_keys_come_first() {
        let mut map = Map::new();
        for k in [
            "b",
            "10",
            "a",
            "2",
            "01",
            "-1",
            "4294967294",
            "4294967295",
            "1.5",
        ] {
            map.insert(k.to_owned(), json!(0));
        }
        assert_eq!(
            wire(&Value::Object(map)),
            r#"{"2":0,"10":0,"4294967294":0,"b":0,"a":0,"01":0,"-1":0,"4294967295":0,"1.5":0}"#
        );
    }

    #[test]
    fn refuses_what_javascript_cannot_carry() {
        assert!(matches!(
            to_vec(&json!({"n": 9007199254740993_u64})),
            Err(WireJsonError::UnsafeInteger(n)) if n == "9007199254740993"
        ));
        assert!(matches!(
            to_vec(&u64::MAX),
            Err(WireJsonError::UnsafeInteger(_))
        ));
        assert!(matches!(
            to_vec(&i64::MAX),
            Err(WireJsonError::UnsafeInteger(_))
        ));
        assert!(matches!(
            to_vec(&i64::MIN),
            Err(WireJsonError::UnsafeInteger(_))
        ));
        assert!(matches!(
            to_vec(&(1_u64 << 60)),
            Err(WireJsonError::UnsafeInteger(_))
        ));
        assert_eq!(to_vec(&9007199254740992_u64).unwrap(), b"9007199254740992");
        assert_eq!(
            to_vec(&-9007199254740992_i64).unwrap(),
            b"-9007199254740992"
        );
        assert_eq!(
            reencode(b"1152921504606846976").unwrap(),
            b"1152921504606847000"
        );
        // serde_json turns non-finite floats into null when building a Value.
        assert_eq!(to_vec(&f64::NAN).unwrap(), b"null");
        let mut out = Vec::new();
        assert!(matches!(
            write_f64(f64::INFINITY, &mut out),
            Err(WireJsonError::NonFinite)
        ));
    }

    #[test]
    fn struct_field_order_is_kept() {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Dto {
            zeta: u8,
            alpha_beta: Option<&'static str>,
            amount: f64,
        }
        let dto = Dto {
            zeta: 1,
            alpha_beta: Some("x"),
            amount: 10000.0,
        };
        assert_eq!(
            to_vec(&dto).unwrap(),
            br#"{"zeta":1,"alphaBeta":"x","amount":10000}"#
        );
    }

    #[test]
    fn reencode_matches_javascript_semantics() {
        assert_eq!(
            reencode(b" [1.0, -0, 1E2, \"\\u0041\\/\"] ").unwrap(),
            br#"[1,0,100,"A/"]"#
        );
        // Duplicate keys: the last value wins, at the first position, as JSON.parse does.
        assert_eq!(
            reencode(br#"{"a":1,"b":2,"a":3}"#).unwrap(),
            br#"{"a":3,"b":2}"#
        );
        assert!(is_wire_stable(r#"{"a":[1,2,{"b":"é"}]}"#.as_bytes()));
        assert!(!is_wire_stable(br#"{"a": 1}"#));
        assert!(!is_wire_stable(br#"{"a":"\u00e9"}"#));
        assert!(matches!(reencode(b"{"), Err(WireJsonError::Parse(_))));
    }
}
