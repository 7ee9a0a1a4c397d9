//! `WebhookHeaders` for actix-web's header map.

use actix_web::http::header::HeaderMap;
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
        lookup_in(self.0.get_all(name).map(|value| value.as_bytes()))
    }
}
