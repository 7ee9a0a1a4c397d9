//! Header lookup that works with any HTTP stack.

use std::collections::{BTreeMap, HashMap};

/// The result of looking a header up by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLookup<'a> {
    /// The header is absent.
    Missing,
    /// The header appears once, with this value.
    One(&'a [u8]),
    /// The header appears more than once.
    Repeated,
}

/// Read access to the headers of a delivery, independent of the HTTP framework.
///
/// Implemented for `http::HeaderMap` (feature `http`, on by default), for slices and vectors of
/// `(name, value)` pairs, and for `HashMap`/`BTreeMap` of names to values; names are compared
/// ASCII-case-insensitively. Framework adapters (such as `humanos-actix`) implement it for
/// their own header types.
///
/// ```
/// use humanos_webhooks::{HeaderLookup, WebhookHeaders};
/// let headers = [("X-Signature", "abc"), ("x-timestamp", "1")];
/// assert_eq!(headers.lookup("x-signature"), HeaderLookup::One(b"abc"));
/// assert_eq!(headers.lookup("x-other"), HeaderLookup::Missing);
/// ```
pub trait WebhookHeaders {
    /// Looks `name` up; `name` is given in lowercase.
    fn lookup(&self, name: &str) -> HeaderLookup<'_>;
}

impl<T: WebhookHeaders + ?Sized> WebhookHeaders for &T {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        (**self).lookup(name)
    }
}

/// The head of a request as the receive pipelines read it: method, path, query and headers.
/// Implemented for `http::request::Parts` (feature `http`: axum, hyper); a framework adapter
/// implements it once for its own request type, and gets the head back from
/// [`lifecycle::guard`](crate::lifecycle::guard) (and `humanos::enforce::Enforcer::guard`) to
/// rebuild the request for the inner service.
pub trait RequestHead {
    /// The header view [`headers`](Self::headers) returns.
    type Headers<'a>: WebhookHeaders + Sync
    where
        Self: 'a;

    /// The method (`GET`, `POST`, ...).
    fn method(&self) -> &str;

    /// The path, percent-encoded as received.
    fn path(&self) -> &str;

    /// The raw query string without the `?` (`None` when there is none).
    fn query(&self) -> Option<&str>;

    /// The headers.
    fn headers(&self) -> Self::Headers<'_>;
}

/// Folds the values of a header, in any order, into a [`HeaderLookup`].
pub fn lookup_in<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> HeaderLookup<'a> {
    let mut values = values.into_iter();
    match (values.next(), values.next()) {
        (None, _) => HeaderLookup::Missing,
        (Some(value), None) => HeaderLookup::One(value),
        (Some(_), Some(_)) => HeaderLookup::Repeated,
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> WebhookHeaders for [(K, V)] {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        lookup_in(
            self.iter()
                .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_ref()),
        )
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> WebhookHeaders for [(K, V); N] {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        self.as_slice().lookup(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> WebhookHeaders for Vec<(K, V)> {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        self.as_slice().lookup(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, S> WebhookHeaders for HashMap<K, V, S> {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        lookup_in(
            self.iter()
                .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_ref()),
        )
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> WebhookHeaders for BTreeMap<K, V> {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        lookup_in(
            self.iter()
                .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_ref()),
        )
    }
}

#[cfg(feature = "http")]
impl WebhookHeaders for http::HeaderMap {
    fn lookup(&self, name: &str) -> HeaderLookup<'_> {
        // `get_all(&str)` parses the name on every call; the names every delivery is looked up
        // by are given as static names (as `humanos-actix`'s `ActixHeaders` does).
        const SIGNATURE: http::HeaderName = http::HeaderName::from_static("x-signature");
        const TIMESTAMP: http::HeaderName = http::HeaderName::from_static("x-timestamp");
        let values = match name {
            "x-signature" => self.get_all(&SIGNATURE),
            "x-timestamp" => self.get_all(&TIMESTAMP),
            "content-length" => self.get_all(http::header::CONTENT_LENGTH),
            _ => self.get_all(name),
        };
        lookup_in(values.iter().map(http::HeaderValue::as_bytes))
    }
}

#[cfg(feature = "http")]
impl RequestHead for http::request::Parts {
    type Headers<'a> = &'a http::HeaderMap;

    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn path(&self) -> &str {
        self.uri.path()
    }

    fn query(&self) -> Option<&str> {
        self.uri.query()
    }

    fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_pairs_are_case_insensitive_and_count_repeats() {
        let pairs = vec![("X-A", "1"), ("x-a", "2"), ("x-b", "3")];
        assert_eq!(pairs.lookup("x-a"), HeaderLookup::Repeated);
        assert_eq!(pairs.lookup("x-b"), HeaderLookup::One(b"3"));
        let map: HashMap<String, String> = [("X-B".to_owned(), "3".to_owned())].into();
        assert_eq!(map.lookup("x-b"), HeaderLookup::One(b"3"));
        let map: BTreeMap<&str, Vec<u8>> = [("x-B", b"3".to_vec()), ("X-b", b"4".to_vec())].into();
        assert_eq!(map.lookup("x-b"), HeaderLookup::Repeated);
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_header_map() {
        let mut map = http::HeaderMap::new();
        map.append("x-a", http::HeaderValue::from_static("1"));
        assert_eq!(map.lookup("x-a"), HeaderLookup::One(b"1"));
        map.append("X-A", http::HeaderValue::from_static("2"));
        assert_eq!(map.lookup("x-a"), HeaderLookup::Repeated);
        assert_eq!(map.lookup("x-z"), HeaderLookup::Missing);
    }
}
