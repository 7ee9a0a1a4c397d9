//! W3C Bitstring Status List v1.0: revocation and suspension bits.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::read::GzDecoder;
use serde_json::{Map, Value};

/// Default cap on a decompressed status list: 2 MiB (16,777,216 entries).
pub const DEFAULT_MAX_STATUS_LIST_BYTES: usize = 2 * 1024 * 1024;

/// Longest `encodedList` string accepted before decoding (4 MiB).
const MAX_ENCODED_LEN: usize = 4 * 1024 * 1024;

/// Why a status list or status entry is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The `encodedList` is not (multibase) base64url.
    #[error("encodedList is not base64url")]
    NotBase64Url,
    /// The payload is not GZIP or does not inflate.
    #[error("encodedList is not a valid GZIP stream")]
    NotGzip,
    /// Inflating would exceed the configured cap.
    #[error("decompressed status list exceeds the {0}-byte limit")]
    TooLarge(usize),
    /// A member of the status list credential or entry is missing or malformed.
    #[error("malformed status {0}")]
    Malformed(&'static str),
    /// `statusListIndex` points past the end of the list.
    #[error("statusListIndex {index} is outside the list of {len} entries")]
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// Number of entries in the list.
        len: u64,
    },
    /// The entry's purpose differs from the list's.
    #[error("entry purpose `{entry}` does not match the status list purpose `{list}`")]
    PurposeMismatch {
        /// Purpose of the credential's entry.
        entry: String,
        /// Purpose of the status list.
        list: String,
    },
    /// Status entries wider than one bit (`statusSize` > 1) are not supported.
    #[error("statusSize {0} is not supported (only 1-bit statuses)")]
    UnsupportedStatusSize(u64),
}

/// A decoded bitstring (index 0 is the most significant bit of the first byte).
#[derive(Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Bitstring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bitstring")
            .field("entries", &self.len())
            .finish()
    }
}

impl Bitstring {
    /// Wraps raw (uncompressed) bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self { bytes }
    }

    /// A list of `entries` zero bits (rounded up to whole bytes).
    pub fn zeros(entries: usize) -> Self {
        Self {
            bytes: vec![0; entries.div_ceil(8)],
        }
    }

    /// Decodes an `encodedList`: multibase base64url (`u…`, as in Bitstring Status List
    /// v1.0) or bare base64url (StatusList2021), GZIP-compressed, inflated up to `max_bytes`.
    pub fn decode(encoded: &str, max_bytes: usize) -> Result<Self, StatusError> {
        if encoded.len() > MAX_ENCODED_LEN {
            return Err(StatusError::TooLarge(max_bytes));
        }
        let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok();
        // A GZIP stream starts 0x1f 0x8b, i.e. "H4sI" in base64url: a leading 'u' is the
        // multibase prefix when what follows decodes to GZIP.
        let compressed = match encoded.strip_prefix('u').and_then(decode) {
            Some(b) if b.starts_with(&[0x1f, 0x8b]) => b,
            _ => decode(encoded).ok_or(StatusError::NotBase64Url)?,
        };
        let mut out = Vec::new();
        let limit = u64::try_from(max_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        GzDecoder::new(compressed.as_slice())
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|_| StatusError::NotGzip)?;
        if out.len() > max_bytes {
            return Err(StatusError::TooLarge(max_bytes));
        }
        Ok(Self { bytes: out })
    }

    /// Encodes as multibase base64url of the GZIP-compressed bytes (`uH4sI…`).
    pub fn encode(&self) -> String {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing to a Vec cannot fail.
        let compressed = enc
            .write_all(&self.bytes)
            .and_then(|()| enc.finish())
            .unwrap_or_default();
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Number of entries (bits).
    pub fn len(&self) -> u64 {
        (self.bytes.len() as u64).saturating_mul(8)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index`, or `None` past the end.
    pub fn get(&self, index: u64) -> Option<bool> {
        let byte = self.bytes.get(usize::try_from(index / 8).ok()?)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index`; returns `false` (and changes nothing) past the end.
    pub fn set(&mut self, index: u64, value: bool) -> bool {
        let Some(byte) = usize::try_from(index / 8)
            .ok()
            .and_then(|i| self.bytes.get_mut(i))
        else {
            return false;
        };
        let mask = 0x80u8 >> (index % 8);
        if value {
            *byte |= mask
        } else {
            *byte &= !mask
        }
        true
    }
}

/// A `BitstringStatusListEntry` of a credential's `credentialStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusEntry {
    /// `statusPurpose` (`revocation`, `suspension`, …).
    pub status_purpose: String,
    /// `statusListIndex`, parsed.
    pub status_list_index: u64,
    /// `statusListCredential`: URL of the status list credential.
    pub status_list_credential: String,
}

impl StatusEntry {
    /// Reads the entries of a credential's `credentialStatus` (object or array). Entries of
    /// other types are skipped; a malformed `BitstringStatusListEntry` is an error.
    pub fn from_credential(
        credential: &Map<String, Value>,
    ) -> Result<Vec<StatusEntry>, StatusError> {
        let items: &[Value] = match credential.get("credentialStatus") {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(v) => std::slice::from_ref(v),
        };
        let mut out = Vec::new();
        for item in items {
            let obj = item
                .as_object()
                .ok_or(StatusError::Malformed("credentialStatus"))?;
            let t = obj.get("type").and_then(Value::as_str).unwrap_or_default();
            if t != "BitstringStatusListEntry" && t != "StatusList2021Entry" {
                continue;
            }
            if let Some(size) = obj.get("statusSize") {
                let size = size
                    .as_u64()
                    .or_else(|| size.as_str().and_then(|s| s.parse().ok()))
                    .ok_or(StatusError::Malformed("statusSize"))?;
                if size != 1 {
                    return Err(StatusError::UnsupportedStatusSize(size));
                }
            }
            let purpose = obj
                .get("statusPurpose")
                .and_then(Value::as_str)
                .ok_or(StatusError::Malformed("statusPurpose"))?;
            let index = match obj.get("statusListIndex") {
                Some(Value::String(s)) => s.parse::<u64>().ok(),
                Some(Value::Number(n)) => n.as_u64(),
                _ => None,
            }
            .ok_or(StatusError::Malformed("statusListIndex"))?;
            let url = obj
                .get("statusListCredential")
                .and_then(Value::as_str)
                .ok_or(StatusError::Malformed("statusListCredential"))?;
            out.push(StatusEntry {
                status_purpose: purpose.to_owned(),
                status_list_index: index,
                status_list_credential: url.to_owned(),
            });
        }
        Ok(out)
    }
}

/// A status list credential whose proof, issuer and validity have been checked
/// (see [`Verifier::verify_status_list`](crate::Verifier::verify_status_list)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedStatusList {
    /// The credential's `id` (the URL entries point to).
    pub id: String,
    /// Its issuer.
    pub issuer: String,
    /// `credentialSubject.statusPurpose`.
    pub status_purpose: String,
    /// `validUntil`, Unix ms, if any (checked again at each use).
    pub valid_until_ms: Option<i64>,
    /// The decoded bits.
    pub bits: Bitstring,
}

/// Builds the `credentialSubject` of a status list credential (for issuers and the sandbox).
pub fn status_list_subject(id: &str, purpose: &str, bits: &Bitstring) -> Value {
    serde_json::json!({
        "id": id,
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": bits.encode(),
    })
}
