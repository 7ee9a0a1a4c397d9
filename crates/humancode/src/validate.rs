//! Shape checks for the identifiers that travel in URLs and bodies.

use crate::Error;

/// Longest session_id accepted (HumanCode's are 32 hex characters).
pub(crate) const MAX_ID_LEN: usize = 128;
/// Longest vcode accepted (HumanCode's are 6 digits).
pub(crate) const MAX_VCODE_LEN: usize = 64;

fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A session_id or human_id: 1 to 128 characters out of `[A-Za-z0-9_-]`.
pub(crate) fn is_id(value: &str) -> bool {
    !value.is_empty() && value.len() <= MAX_ID_LEN && value.bytes().all(is_id_char)
}

/// A vcode: 1 to 64 ASCII letters or digits, and not the literal `error`.
pub(crate) fn is_vcode(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_VCODE_LEN
        && value != "error"
        && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) fn session_id(value: &str) -> Result<(), Error> {
    if is_id(value) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            field: "session_id",
            reason: "expected 1 to 128 characters out of [A-Za-z0-9_-]",
        })
    }
}

pub(crate) fn human_id(value: &str) -> Result<(), Error> {
    if is_id(value) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            field: "human_id",
            reason: "expected 1 to 128 characters out of [A-Za-z0-9_-]",
        })
    }
}

pub(crate) fn vcode(value: &str) -> Result<(), Error> {
    if is_vcode(value) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            field: "vcode",
            reason: "expected 1 to 64 ASCII letters or digits (not `error`)",
        })
    }
}

/// At most `max` characters of `bytes` (lossy UTF-8), control characters escaped, for error
/// messages about response bodies.
pub(crate) fn snippet(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("df20ea9666d3401780332e4aa26a460e"));
        assert!(is_id("u_a31cad3531f08787a0f00d973882418f"));
        assert!(!is_id(""));
        assert!(!is_id("a b"));
        assert!(!is_id("a&b=c"));
        assert!(!is_id(&"a".repeat(129)));
    }

    #[test]
    fn vcodes() {
        assert!(is_vcode("413675"));
        assert!(!is_vcode("error"));
        assert!(!is_vcode(""));
        assert!(!is_vcode("41 675"));
    }

    #[test]
    fn snippets_are_bounded_and_escaped() {
        assert_eq!(snippet(b"abc", 2), "ab…");
        assert_eq!(snippet(b"a\nb", 10), "a\\nb");
        assert_eq!(snippet(&[0xff, b'x'], 10), "\u{fffd}x");
    }
}
