//! Verification of timestamped HMAC signatures (webhook deliveries, and requests on the server
//! side).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretSlice};

use crate::clock::{Clock, SystemClock};
use crate::mac::{SIGNATURE_HEX_LEN, hmac_sha256_matches};
use crate::request::{BodyRule, timestamp_digits};

/// Why a timestamp header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The header is not a plain decimal integer of Unix milliseconds (no sign, no spaces).
    #[error("timestamp is not a non-negative integer of Unix milliseconds")]
    Malformed,
    /// The timestamp is further in the past than the tolerance allows.
    #[error("timestamp is {age_ms} ms old, more than the {tolerance_ms} ms tolerance")]
    TooOld {
        /// How far behind the local clock the timestamp is.
        age_ms: u64,
        /// The configured tolerance.
        tolerance_ms: u64,
    },
    /// The timestamp is further in the future than the tolerance allows (clock skew or forgery).
    #[error("timestamp is {ahead_ms} ms in the future, more than the {tolerance_ms} ms tolerance")]
    InFuture {
        /// How far ahead of the local clock the timestamp is.
        ahead_ms: u64,
        /// The configured tolerance.
        tolerance_ms: u64,
    },
}

/// Why a signature header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not 64 hexadecimal digits.
    #[error("signature is not 64 hexadecimal digits (got {len} bytes)")]
    Malformed {
        /// Length of the header value received.
        len: usize,
    },
    /// The signature does not match the body under any configured secret.
    #[error("signature does not match the body and timestamp")]
    Mismatch,
}

/// A failed verification: either the timestamp or the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The timestamp header is malformed or outside the tolerance window.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
    /// The signature header is malformed or does not match.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// Parses an `X-Timestamp` value: ASCII digits only, at most `u64::MAX`.
fn parse_timestamp(value: &[u8]) -> Result<u64, TimestampError> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(TimestampError::Malformed);
    }
    value.iter().try_fold(0u64, |acc, digit| {
        acc.checked_mul(10)
            .and_then(|acc| acc.checked_add(u64::from(digit - b'0')))
            .ok_or(TimestampError::Malformed)
    })
}

pub(crate) fn parse_signature(value: &[u8]) -> Result<[u8; 32], SignatureError> {
    let mut tag = [0u8; 32];
    if value.len() != SIGNATURE_HEX_LEN || hex::decode_to_slice(value, &mut tag).is_err() {
        return Err(SignatureError::Malformed { len: value.len() });
    }
    Ok(tag)
}

/// Checks `"<timestamp>.<body>"` HMAC-SHA256 signatures within a timestamp window.
///
/// Several secrets may be configured at once, so a secret can be rotated without a window in
/// which valid deliveries are refused; a signature matching any of them is accepted. The
/// comparison is constant time. Secrets are zeroized on drop and never printed.
///
/// ```
/// use std::time::Duration;
/// use humanos_signing::{hmac_sha256_hex, BodyRule, FixedClock, SignatureVerifier, VerifyError, TimestampError};
///
/// let verifier = SignatureVerifier::new("whsec", BodyRule::Webhook)
///     .with_tolerance(Duration::from_secs(300))
///     .with_clock(FixedClock(1_700_000_000_000));
/// let sig = hmac_sha256_hex(b"whsec", b"1700000000000.{\"iv\":\"...\"}");
/// assert_eq!(verifier.verify(b"1700000000000", sig.as_bytes(), b"{\"iv\":\"...\"}"), Ok(1_700_000_000_000));
///
/// let stale = verifier.verify(b"1699999000000", sig.as_bytes(), b"{}");
/// assert!(matches!(stale, Err(VerifyError::Timestamp(TimestampError::TooOld { .. }))));
/// ```
#[derive(Clone)]
pub struct SignatureVerifier {
    secrets: Vec<Arc<SecretSlice<u8>>>,
    tolerance_ms: u64,
    clock: Arc<dyn Clock>,
    rule: BodyRule,
}

impl SignatureVerifier {
    /// Default tolerance: five minutes either way, as the official SDK uses.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

    /// A verifier for one secret, the default tolerance and the system clock.
    pub fn new(secret: impl AsRef<[u8]>, rule: BodyRule) -> Self {
        Self {
            secrets: vec![Arc::new(SecretSlice::from(secret.as_ref().to_vec()))],
            tolerance_ms: Self::DEFAULT_TOLERANCE.as_millis() as u64,
            clock: Arc::new(SystemClock),
            rule,
        }
    }

    /// Also accepts signatures made with `secret` (secret rotation).
    #[must_use]
    pub fn with_additional_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secrets
            .push(Arc::new(SecretSlice::from(secret.as_ref().to_vec())));
        self
    }

    /// Accepts timestamps up to `tolerance` away from the clock, in either direction.
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance_ms = u64::try_from(tolerance.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Reads the time from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Reads the time from a shared clock.
    #[must_use]
    pub fn with_shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The configured tolerance.
    pub fn tolerance(&self) -> Duration {
        Duration::from_millis(self.tolerance_ms)
    }

    /// The clock this verifier reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Parses an `X-Timestamp` header value: ASCII digits only, at most `u64::MAX`.
    ///
    /// ```
    /// use humanos_signing::{SignatureVerifier, TimestampError};
    /// assert_eq!(SignatureVerifier::parse_timestamp(b"1700000000000"), Ok(1_700_000_000_000));
    /// assert_eq!(SignatureVerifier::parse_timestamp(b"+1"), Err(TimestampError::Malformed));
    /// ```
    pub fn parse_timestamp(value: &[u8]) -> Result<u64, TimestampError> {
        parse_timestamp(value)
    }

    /// Checks that `timestamp_ms` is within the tolerance of the clock.
    pub fn check_window(&self, timestamp_ms: u64) -> Result<(), TimestampError> {
        let now = self.clock.now_unix_ms();
        let tolerance_ms = self.tolerance_ms;
        if timestamp_ms < now {
            let age_ms = now - timestamp_ms;
            if age_ms > tolerance_ms {
                return Err(TimestampError::TooOld {
                    age_ms,
                    tolerance_ms,
                });
            }
        } else {
            let ahead_ms = timestamp_ms - now;
            if ahead_ms > tolerance_ms {
                return Err(TimestampError::InFuture {
                    ahead_ms,
                    tolerance_ms,
                });
            }
        }
        Ok(())
    }

    /// Verifies raw header values against `body`, returning the timestamp on success.
    ///
    /// Checks, in order: the timestamp parses, it is inside the window, the signature is 64 hex
    /// digits, and it matches under one of the secrets.
    pub fn verify(
        &self,
        timestamp: &[u8],
        signature: &[u8],
        body: &[u8],
    ) -> Result<u64, VerifyError> {
        let timestamp_ms = parse_timestamp(timestamp)?;
        self.check_window(timestamp_ms)?;
        let tag = parse_signature(signature)?;
        self.check_tag(timestamp_ms, body, &tag)?;
        Ok(timestamp_ms)
    }

    fn check_tag(
        &self,
        timestamp_ms: u64,
        body: &[u8],
        tag: &[u8; 32],
    ) -> Result<(), SignatureError> {
        let mut digits = [0u8; 20];
        let ts = timestamp_digits(timestamp_ms, &mut digits);
        let parts: &[&[u8]] = match self.rule.signed_body(body) {
            Some(body) => &[ts, b".", body],
            None => &[ts],
        };
        // Every secret is tried, matched or not, so timing does not reveal which one matched.
        let matched = self.secrets.iter().fold(false, |found, secret| {
            hmac_sha256_matches(secret.expose_secret(), parts, tag) | found
        });
        if matched {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

impl fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("tolerance_ms", &self.tolerance_ms)
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, hmac_sha256_hex};

    const NOW: u64 = 1_700_000_000_000;

    fn verifier() -> SignatureVerifier {
        SignatureVerifier::new("s1", BodyRule::Webhook).with_clock(FixedClock(NOW))
    }

    fn sig(secret: &str, ts: u64, body: &str) -> String {
        hmac_sha256_hex(secret.as_bytes(), format!("{ts}.{body}").as_bytes())
    }

    #[test]
    fn accepts_exact_tolerance_both_ways_and_rejects_one_past() {
        let v = verifier();
        let tol = 300_000;
        for ts in [NOW - tol, NOW + tol, NOW] {
            let s = sig("s1", ts, "b");
            assert_eq!(
                v.verify(ts.to_string().as_bytes(), s.as_bytes(), b"b"),
                Ok(ts)
            );
        }
        let old = NOW - tol - 1;
        assert_eq!(
            v.verify(
                old.to_string().as_bytes(),
                sig("s1", old, "b").as_bytes(),
                b"b"
            ),
            Err(VerifyError::Timestamp(TimestampError::TooOld {
                age_ms: tol + 1,
                tolerance_ms: tol
            }))
        );
        let new = NOW + tol + 1;
        assert_eq!(
            v.verify(
                new.to_string().as_bytes(),
                sig("s1", new, "b").as_bytes(),
                b"b"
            ),
            Err(VerifyError::Timestamp(TimestampError::InFuture {
                ahead_ms: tol + 1,
                tolerance_ms: tol
            }))
        );
    }

    #[test]
    fn timestamps_must_be_plain_digits() {
        for bad in [
            &b""[..],
            b"-1",
            b"+1700000000000",
            b" 1700000000000",
            b"1700000000000 ",
            b"1.7e12",
            b"0x1",
            b"99999999999999999999999",
            "１７".as_bytes(),
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(TimestampError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(parse_timestamp(b"0"), Ok(0));
        assert_eq!(parse_timestamp(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_timestamp(b"18446744073709551616"),
            Err(TimestampError::Malformed)
        );
    }

    #[test]
    fn signature_format_and_rotation() {
        let v = verifier().with_additional_secret("s2");
        let ts = NOW.to_string();
        let good = sig("s2", NOW, "x");
        assert_eq!(v.verify(ts.as_bytes(), good.as_bytes(), b"x"), Ok(NOW));
        assert_eq!(
            v.verify(ts.as_bytes(), good.to_uppercase().as_bytes(), b"x"),
            Ok(NOW)
        );
        assert_eq!(
            v.verify(ts.as_bytes(), sig("s3", NOW, "x").as_bytes(), b"x"),
            Err(SignatureError::Mismatch.into())
        );
        for bad in [&good[..63], &good[..62], "", "zz", &format!("{good}00")] {
            assert_eq!(
                v.verify(ts.as_bytes(), bad.as_bytes(), b"x"),
                Err(SignatureError::Malformed { len: bad.len() }.into())
            );
        }
        let not_hex = format!("g{}", &good[1..]);
        assert!(matches!(
            v.verify(ts.as_bytes(), not_hex.as_bytes(), b"x"),
            Err(VerifyError::Signature(SignatureError::Malformed {
                len: 64
            }))
        ));
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", verifier().with_additional_secret("topsecret"));
        assert!(
            !text.contains("s1") && !text.contains("topsecret"),
            "{text}"
        );
    }
}
