//! One API call: building, signing every attempt, retrying, decoding.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method};
use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::{HumanosClient, header_value};
use crate::config::{RequestOptions, RetryConfig};
use crate::error::ClientConfigError;
use crate::{Error, Result, query};

mod send;

use send::{Attempts, Exchange, retry_after};

/// The `api-version` header.
pub(crate) const API_VERSION_HEADER: &str = "api-version";
/// The `X-SDK-Language` header and its value.
pub(crate) const SDK_LANGUAGE_HEADER: &str = "x-sdk-language";
pub(crate) const SDK_LANGUAGE: &str = "rust";
/// The `Idempotency-Key` header.
pub(crate) const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// The calls whose `Idempotency-Key` the API honours: the API description gives the
/// `idempotency_key` parameter to these three only. On any other call a key would make the
/// client retry a request the API does not deduplicate, so it is refused.
pub(crate) const IDEMPOTENT_ENDPOINTS: [&str; 3] =
    ["requests.create", "requests.resend_otp", "users.create"];

/// The raw answer of the last attempt, handed to the endpoint's decoder.
pub(crate) struct Answer {
    pub(crate) endpoint: &'static str,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `pageIndex` of the request (0 when absent).
    pub(crate) page_index: u64,
}

impl Answer {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// This answer as an [`Error::Api`].
    pub(crate) fn into_error(self) -> Error {
        let retry_after = retry_after(&self.headers, SystemTime::now());
        Error::api(self.status, self.body, retry_after)
    }

    /// The body as JSON of type `T`, with the JSON path of any failure.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| Error::decode(self.endpoint, self.status, &self.body, e))?;
        de.end().map_err(|e| {
            Error::decode_at(self.endpoint, self.status, &self.body, ".".to_owned(), e)
        })?;
        Ok(value)
    }
}

/// Turns the last answer into the call's result.
pub(crate) type Decoder<T> = fn(Answer) -> Result<T>;

/// A `2xx` answer as JSON of type `T`; anything else is an [`Error::Api`].
pub(crate) fn decode_json<T: DeserializeOwned>(answer: Answer) -> Result<T> {
    if answer.is_success() {
        answer.json()
    } else {
        Err(answer.into_error())
    }
}

/// One API call, ready to be sent: await it (or call [`send`](Self::send)).
///
/// Every endpoint method returns a `Call`; before awaiting it you can override, for this call
/// only, the API version, the timeout, the retry policy, or add an idempotency key:
///
/// ```no_run
/// # async fn run(client: humanos::HumanosClient, vp: humanos::models::PresentationEntity) -> Result<(), humanos::Error> {
/// use std::time::Duration;
/// use humanos::models::VerifyPresentationDto;
///
/// let verdict = client
///     .credentials()
///     .verify(VerifyPresentationDto::from_presentation(&vp).execution_param("amount", 5000))
///     .api_version("2025-12-01") // replaces the default `api-version` header for this call
///     .timeout(Duration::from_secs(5))
///     .await?;
/// # let _ = verdict; Ok(()) }
/// ```
///
/// A `Call` holds a clone of the client (an `Arc`), so it is `'static` and `Send`: it can be
/// spawned or stored.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    client: HumanosClient,
    endpoint: &'static str,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Bytes>,
    pending_error: Option<Error>,
    options: RequestOptions,
    decode: Decoder<T>,
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("endpoint", &self.endpoint)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<T> Call<T> {
    pub(crate) fn new(
        client: &HumanosClient,
        endpoint: &'static str,
        method: Method,
        path: String,
        decode: Decoder<T>,
    ) -> Self {
        Self {
            client: client.clone(),
            endpoint,
            method,
            path,
            query: Vec::new(),
            body: None,
            pending_error: None,
            options: RequestOptions::default(),
            decode,
        }
    }

    /// Adds the members of a query type of the models crate, by wire name.
    pub(crate) fn with_query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Self {
        match query::pairs(query) {
            Ok(pairs) => self.query.extend(pairs),
            Err(e) => self.pending_error = Some(e),
        }
        self
    }

    /// Sets the body: the wire JSON of `body`, encoded once, signed and sent on every attempt.
    pub(crate) fn with_body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match humanos_signing::wire_json::to_vec(body) {
            Ok(bytes) => self.body = Some(Bytes::from(bytes)),
            Err(e) => self.pending_error = Some(Error::Encode(e)),
        }
        self
    }

    /// The dated API version (`YYYY-MM-DD`) of this call. It **replaces** the client's
    /// `api-version` header; exactly one is sent.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.options.api_version = Some(version.into());
        self
    }

    /// The timeout of each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The retry policy of this call ([`RetryConfig::disabled`] for a single attempt).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.options.retry = Some(retry);
        self
    }

    /// Sends an `Idempotency-Key` header; the call is then retried like a `GET` (see
    /// [`RetryConfig`]). Use a fresh unique value per logical operation and the same value when
    /// you retry it yourself. Only `requests().create`, `requests().resend_otp` and
    /// `users().create` take one (the calls the API deduplicates); on any other call sending
    /// fails with [`Error::Config`] before anything goes out.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }

    /// Applies a set of overrides (those set in `options` win).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options.merge(options);
        self
    }

    /// The endpoint name, as the official SDK groups it (`requests.list`, `credentials.verify`).
    pub fn endpoint(&self) -> &'static str {
        self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path (percent-encoded), without the base URL and query.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The body bytes that will be signed and sent, if the endpoint has a body.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The query pairs (wire names), in order.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    pub(crate) fn page_index(&self) -> u64 {
        self.query
            .iter()
            .find(|(k, _)| k == "pageIndex")
            .and_then(|(_, v)| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map_or(0, |v| v as u64)
    }

    /// A copy of this call for another page, unless construction failed.
    pub(crate) fn at_page(&self, index: u64) -> Option<Self> {
        if self.pending_error.is_some() {
            return None;
        }
        let mut query: Vec<(String, String)> = self
            .query
            .iter()
            .filter(|(k, _)| k != "pageIndex")
            .cloned()
            .collect();
        query.insert(0, ("pageIndex".to_owned(), index.to_string()));
        Some(Self {
            client: self.client.clone(),
            endpoint: self.endpoint,
            method: self.method.clone(),
            path: self.path.clone(),
            query,
            body: self.body.clone(),
            pending_error: None,
            options: self.options.clone(),
            decode: self.decode,
        })
    }

    /// Sends the call, retrying as configured, and decodes the answer.
    pub async fn send(self) -> Result<T> {
        let decode = self.decode;
        let answer = self.execute().await?;
        decode(answer)
    }

    /// Sends the call like [`send`](Self::send) and also returns the body of the answer that
    /// was decoded, byte for byte as served: for tools that print the API's own JSON (the
    /// `humanos` command line) while using the typed result.
    pub async fn send_with_body(self) -> Result<(T, Bytes)> {
        let decode = self.decode;
        let answer = self.execute().await?;
        let body = answer.body.clone();
        decode(answer).map(|value| (value, body))
    }

    async fn execute(self) -> Result<Answer> {
        if let Some(error) = self.pending_error {
            return Err(error);
        }
        let inner = &self.client.inner;
        let retry = self.options.retry.unwrap_or(inner.retry);
        let attempt_timeout = self.options.timeout.unwrap_or(inner.timeouts.attempt());
        if attempt_timeout.is_zero() {
            return Err(ClientConfigError::ZeroTimeout.into());
        }
        let api_version = match &self.options.api_version {
            Some(v) => header_value("API version", v)?,
            None => inner.api_version.clone(),
        };
        let idempotency_key = self.checked_idempotency_key()?;
        let url = self.url()?;
        let exchange = Exchange {
            client: &self.client,
            method: &self.method,
            url: &url,
            body: self.body.as_ref(),
            api_version: &api_version,
            idempotency_key: idempotency_key.as_ref(),
        };
        let attempts = Attempts {
            retry,
            attempt_timeout,
            replay_safe: self.method == Method::GET || idempotency_key.is_some(),
        };
        let span = tracing::info_span!(
            "humanos",
            endpoint = self.endpoint,
            method = %self.method,
            path = %self.path,
            api_version = api_version.to_str().unwrap_or_default(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let (status, headers, body) = attempts
            .run(&exchange, &span)
            .instrument(span.clone())
            .await?;
        Ok(Answer {
            endpoint: self.endpoint,
            status,
            headers,
            body,
            page_index: self.page_index(),
        })
    }

    /// The `Idempotency-Key` to send, refused on a call whose key the API does not honour.
    fn checked_idempotency_key(&self) -> Result<Option<HeaderValue>> {
        match &self.options.idempotency_key {
            Some(_) if !IDEMPOTENT_ENDPOINTS.contains(&self.endpoint) => {
                Err(ClientConfigError::IdempotencyKeyNotHonoured {
                    endpoint: self.endpoint,
                    honoured: IDEMPOTENT_ENDPOINTS.join(", "),
                }
                .into())
            }
            Some(k) => Ok(Some(header_value("idempotency key", k)?)),
            None => Ok(None),
        }
    }

    fn url(&self) -> Result<url::Url> {
        let raw = format!("{}{}", self.client.inner.base, self.path);
        let mut url =
            url::Url::parse(&raw).map_err(|e| ClientConfigError::RequestUrl(e.to_string()))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The endpoints that take a key are exactly those the vendored API description gives an
    /// `idempotency_key` parameter (the official SDK's endpoint names, grouped as this client
    /// groups them).
    #[test]
    fn idempotent_endpoints_are_the_api_descriptions() {
        // Read at run time, not with `include_str!`: the spec is outside this crate's package
        // (xtask/tests/workspace_rules.rs), and this test runs only in the repository.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/humanos-api-2026-09-01.json"
        );
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut from_spec: Vec<String> = spec["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["params"].get("idempotency_key").is_some())
            .map(|e| {
                let group = match e["api"].as_str().unwrap() {
                    "RequestsApi" => "requests",
                    "UserApi" => "users",
                    other => panic!("an idempotent endpoint in {other}: map its group"),
                };
                format!("{group}.{}", e["method_name"].as_str().unwrap())
            })
            .collect();
        from_spec.sort();
        assert_eq!(from_spec, IDEMPOTENT_ENDPOINTS);
    }
}
