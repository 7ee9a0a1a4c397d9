//! Small helpers: time formatting, ids, HTML escaping, query strings.

use std::num::NonZeroU8;

use percent_encoding::percent_decode_str;
use time::OffsetDateTime;
use time::format_description::well_known::iso8601::{Config, EncodedConfig, TimePrecision};
use time::format_description::well_known::{Iso8601, Rfc3339};

/// RFC 3339 with milliseconds and `Z`, as JavaScript's `Date.prototype.toISOString` writes.
const ISO_MS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: NonZeroU8::new(3),
    })
    .encode();

/// `2026-01-01T00:00:00.000Z` for Unix milliseconds (the last millisecond of 9999 past it).
pub(crate) fn iso(ms: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|dt| dt.format(&Iso8601::<ISO_MS>).ok())
        .unwrap_or_else(|| "9999-12-31T23:59:59.999Z".to_owned())
}

/// Parses RFC 3339 into Unix milliseconds, also accepting the shorter forms the API's
/// examples use: a date alone (`YYYY-MM-DD`, midnight), no seconds (`YYYY-MM-DDTHH:MM`), no
/// zone (UTC).
pub(crate) fn parse_iso(s: &str) -> Option<u64> {
    let (body, zone) = match s.len().checked_sub(1).and_then(|i| s.get(i..)) {
        Some("Z" | "z") => (s.get(..s.len() - 1)?, "Z"),
        _ => match s.get(19..).and_then(|t| t.find(['+', '-'])) {
            Some(i) => s.split_at(19 + i),
            None => (s, "Z"),
        },
    };
    let full = match body.len() {
        10 => format!("{body}T00:00:00{zone}"),
        16 => format!("{body}:00{zone}"),
        _ => format!("{body}{zone}"),
    };
    let dt = OffsetDateTime::parse(&full, &Rfc3339).ok()?;
    u64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// A random RFC 4122 version 4 UUID.
pub(crate) fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A MongoDB-style object id: 24 lowercase hex digits, the Unix seconds of `now_ms` then eight
/// random bytes (the service's action ids have this shape).
pub(crate) fn object_id(now_ms: u64) -> String {
    let seconds = u32::try_from(now_ms / 1000).unwrap_or(u32::MAX);
    format!("{seconds:08x}{}", hex::encode(rand::random::<[u8; 8]>()))
}

/// A random string of `n` ASCII letters and digits.
pub(crate) fn random_token(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A random six-digit one-time code.
pub(crate) fn otp() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

/// Escapes text for HTML element and attribute content.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Decodes a query string into pairs, in order (repeated names kept).
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (d(k), d(v))
        })
        .collect()
}

/// Whether the client asked for a page (a browser navigation) rather than JSON.
pub(crate) fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trips() {
        for ms in [0, 1_767_225_600_000, 1_767_225_600_123, 951_782_400_000] {
            assert_eq!(parse_iso(&iso(ms)), Some(ms));
        }
        assert_eq!(iso(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
        assert_eq!(parse_iso("2026-01-01"), Some(1_767_225_600_000));
    }

    #[test]
    fn uuid_shape() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
