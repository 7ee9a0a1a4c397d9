//! Opening and sealing deliveries: signature check, envelope, AES-256-GCM.

use std::borrow::Cow;
use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, Generate, Nonce};
use base64::Engine;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::config::{BASE64, WebhookConfig};
use crate::error::{SealError, WebhookError};
use crate::event::{WebhookEvent, WebhookPayload};
use crate::headers::{HeaderLookup, WebhookHeaders};
use humanos_signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// A string field of the envelope, borrowed from the body when it has no escapes.
struct Field<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Field(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Field(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(FieldVisitor)
    }
}

/// The body of a delivery: `{"iv": b64, "data": b64, "tag": b64}`.
/// A field that is absent is `None`; one that is present must be a string (even `null` is an
/// error, reported as "not a string").
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    iv: Option<Field<'a>>,
    #[serde(borrow, default, deserialize_with = "present")]
    data: Option<Field<'a>>,
    #[serde(borrow, default, deserialize_with = "present")]
    tag: Option<Field<'a>>,
}

fn present<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Field<'a>>, D::Error> {
    Field::deserialize(deserializer).map(Some)
}

#[derive(Serialize)]
struct SealedEnvelope<'a> {
    iv: &'a str,
    data: &'a str,
    tag: &'a str,
}

fn parse_envelope(body: &[u8]) -> Result<RawEnvelope<'_>, WebhookError> {
    // Fast path: plain serde_json borrows the (large) `data` string from the body. Only a
    // failure is parsed again with path tracking, to name the offending field.
    serde_json::from_slice(body).map_err(|_| envelope_error(body))
}

/// Names what is wrong with a body that does not parse as an envelope.
fn envelope_error(body: &[u8]) -> WebhookError {
    let mut de = serde_json::Deserializer::from_slice(body);
    let Err(err) = serde_path_to_error::deserialize::<_, RawEnvelope<'_>>(&mut de) else {
        // The envelope itself parsed: the failure is trailing data after it.
        return WebhookError::EnvelopeNotJson;
    };
    let field = match err.path().to_string().as_str() {
        "iv" => "iv",
        "data" => "data",
        "tag" => "tag",
        _ => return WebhookError::EnvelopeNotJson,
    };
    if err.inner().is_data() {
        WebhookError::FieldNotString(field)
    } else {
        WebhookError::EnvelopeNotJson
    }
}

fn decode_field(field: Option<Field<'_>>, name: &'static str) -> Result<Vec<u8>, WebhookError> {
    let field = field.ok_or(WebhookError::MissingField(name))?;
    BASE64
        .decode(field.0.as_bytes())
        .map_err(|_| WebhookError::InvalidBase64(name))
}

fn header<'a>(
    headers: &'a impl WebhookHeaders,
    name: &'static str,
) -> Result<&'a [u8], WebhookError> {
    match headers.lookup(name) {
        HeaderLookup::One(value) => Ok(value),
        HeaderLookup::Missing => Err(WebhookError::MissingHeader(name)),
        HeaderLookup::Repeated => Err(WebhookError::DuplicateHeader(name)),
    }
}

/// Checks that `x-signature` and `x-timestamp` are each present exactly once, without looking at
/// their values: what a receiver checks before it reads (and buffers) a body, so a request
/// without them is refused first. [`WebhookConfig::process`] makes the same check again.
///
/// ```
/// use humanos_webhooks::{WebhookError, check_signature_headers};
/// let headers: [(&str, &[u8]); 1] = [("x-timestamp", b"1767225600000")];
/// assert_eq!(
///     check_signature_headers(&headers),
///     Err(WebhookError::MissingHeader("x-signature"))
/// );
/// ```
pub fn check_signature_headers(headers: &impl WebhookHeaders) -> Result<(), WebhookError> {
    header(headers, SIGNATURE_HEADER)?;
    header(headers, TIMESTAMP_HEADER)?;
    Ok(())
}

impl WebhookConfig {
    /// Checks the `x-timestamp` window and the `x-signature` HMAC of a delivery, returning its
    /// timestamp (Unix milliseconds). `body` must be the raw bytes received.
    pub fn verify_signature(
        &self,
        headers: &impl WebhookHeaders,
        body: &[u8],
    ) -> Result<u64, WebhookError> {
        let signature = header(headers, SIGNATURE_HEADER)?;
        let timestamp = header(headers, TIMESTAMP_HEADER)?;
        Ok(self.verifier().verify(timestamp, signature, body)?)
    }

    /// Decrypts the envelope of a delivery **without** checking its signature, returning the
    /// plaintext JSON bytes. Use [`open`](Self::open) unless the signature was already checked.
    pub fn decrypt(&self, body: &[u8]) -> Result<Vec<u8>, WebhookError> {
        let envelope = parse_envelope(body)?;
        let iv = decode_field(envelope.iv, "iv")?;
        let tag = decode_field(envelope.tag, "tag")?;
        let mut data = decode_field(envelope.data, "data")?;
        let nonce = Nonce::<Aes256Gcm>::try_from(iv.as_slice())
            .map_err(|_| WebhookError::InvalidIvLength(iv.len()))?;
        let tag = aes_gcm::Tag::try_from(tag.as_slice())
            .map_err(|_| WebhookError::InvalidTagLength(tag.len()))?;
        // AES-GCM checks the tag before it decrypts, so a failed attempt leaves `data` intact
        // for the next key of a rotation.
        let opened = self.ciphers().any(|cipher| {
            cipher
                .decrypt_inout_detached(&nonce, b"", data.as_mut_slice().into(), &tag)
                .is_ok()
        });
        if !opened {
            return Err(WebhookError::DecryptionFailed);
        }
        Ok(data)
    }

    /// Verifies and decrypts a delivery, returning the plaintext JSON bytes.
    pub fn open(
        &self,
        headers: &impl WebhookHeaders,
        body: &[u8],
    ) -> Result<Vec<u8>, WebhookError> {
        self.verify_signature(headers, body)?;
        self.decrypt(body)
    }

    /// Verifies, decrypts and decodes a delivery into a [`WebhookEvent`].
    ///
    /// Checks run in this order, and the first failure is returned: headers present once,
    /// timestamp well-formed and within the tolerance, signature well-formed and matching,
    /// envelope well-formed, IV and tag of the right length, AES-GCM tag valid, plaintext JSON,
    /// payload of the shape its `eventType` declares.
    pub fn process(
        &self,
        headers: &impl WebhookHeaders,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        self.process_as(headers, body)
    }

    /// Like [`process`](Self::process), decoding into any [`WebhookPayload`] (one event struct,
    /// a `serde_json::Value`, or your own type).
    pub fn process_as<E: WebhookPayload>(
        &self,
        headers: &impl WebhookHeaders,
        body: &[u8],
    ) -> Result<E, WebhookError> {
        let plaintext = self.open(headers, body)?;
        E::from_plaintext(&plaintext)
    }

    /// Encrypts and signs `event` as Humanos does, timestamped now. For tests, local tools and
    /// the sandbox.
    pub fn seal(&self, event: &impl Serialize) -> Result<SealedDelivery, SealError> {
        let plaintext = humanos_signing::wire_json::to_vec(event)?;
        let now = self.verifier().clock().now_unix_ms();
        self.seal_plaintext(&plaintext, now)
    }

    /// Encrypts `plaintext` with a fresh random 12-byte IV and signs the envelope at
    /// `timestamp_ms` with the (first) signature secret.
    pub fn seal_plaintext(
        &self,
        plaintext: &[u8],
        timestamp_ms: u64,
    ) -> Result<SealedDelivery, SealError> {
        let nonce = Nonce::<Aes256Gcm>::generate();
        let mut data = plaintext.to_vec();
        let tag = self
            .cipher()
            .encrypt_inout_detached(&nonce, b"", data.as_mut_slice().into())
            .map_err(|_| SealError::TooLarge)?;
        let (iv, data, tag) = (
            BASE64.encode(nonce),
            BASE64.encode(&data),
            BASE64.encode(tag),
        );
        let body = serde_json::to_vec(&SealedEnvelope {
            iv: &iv,
            data: &data,
            tag: &tag,
        })
        .map_err(humanos_signing::wire_json::WireJsonError::from)?;
        let signature = humanos_signing::timestamped_signature(
            self.signing_secret(),
            timestamp_ms,
            &body,
            humanos_signing::BodyRule::Webhook,
        );
        Ok(SealedDelivery {
            body,
            timestamp: timestamp_ms,
            signature,
        })
    }
}

/// A sealed delivery: the body to `POST` and its two headers.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SealedDelivery {
    /// The JSON body `{"iv","data","tag"}`.
    pub body: Vec<u8>,
    /// The `x-timestamp` value (Unix milliseconds).
    pub timestamp: u64,
    /// The `x-signature` value (hex HMAC-SHA256).
    pub signature: String,
}

impl SealedDelivery {
    /// The headers to send: `content-type`, `x-signature`, `x-timestamp`.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("content-type", "application/json".to_owned()),
            (SIGNATURE_HEADER, self.signature.clone()),
            (TIMESTAMP_HEADER, self.timestamp.to_string()),
        ]
    }
}

impl fmt::Debug for SealedDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedDelivery")
            .field("body_len", &self.body.len())
            .field("timestamp", &self.timestamp)
            .field("signature", &self.signature)
            .finish()
    }
}
