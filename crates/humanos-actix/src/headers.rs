//! `WebhookHeaders` for actix-web's header map.

use actix_web::http::header::{CONTENT_LENGTH, HeaderMap, HeaderName};
use humanos_webhooks::{HeaderLookup, WebhookHeaders, lookup_in};

/// actix-web's [`HeaderMap`] seen through [`WebhookHeaders`], so
/// [`WebhookConfig::process`](humanos_webhooks::WebhookConfig::process) can read it.
///
/// ```
/// use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
/// use humanos_actix::ActixHeaders;
/// use humanos_webhooks::{HeaderLookup, WebhookHeaders};
/// let mut map = HeaderMap::new();
/// map.insert(HeaderName::from_static("x-timestamp"), HeaderValue::from_static("1"));
/// assert_eq!(ActixHeaders(&map).lookup("x-timestamp"), HeaderLookup::One(b"1"));
/// assert_eq!(ActixHeaders(&map).lookup("x-signature"), HeaderLookup::Missing);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ActixHeaders<'a>(pub &'a HeaderMap);

impl WebhookHeaders for ActixHeaders<'_> {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        // actix-web's `get_all(&str)` parses the name on every call and copies a non-standard
        // one into a new allocation: the names the pipelines look up on every delivery are
        // given as static names (four allocations less per delivery).
        const SIGNATURE: HeaderName = HeaderName::from_static("x-signature");
        const TIMESTAMP: HeaderName = HeaderName::from_static("x-timestamp");
        let values = match name {
            "x-signature" => self.0.get_all(&SIGNATURE),
            "x-timestamp" => self.0.get_all(&TIMESTAMP),
            "content-length" => self.0.get_all(CONTENT_LENGTH),
            _ => self.0.get_all(name),
        };
        lookup_in(values.map(|value| value.as_bytes()))
    }
}
