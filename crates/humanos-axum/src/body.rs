//! Reading a request body the axum way: frames from the `http_body::Body` into the core
//! [`BodyCollector`], which holds the limit and buffering policy shared with actix-web.

use axum::BoxError;
use axum::body::HttpBody;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError};
use humanos_webhooks::body::{BodyCollector, BodyTooLarge};

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// Over the limit: ours, or one a layer in front of the route enforces (`413`).
    TooLarge(BodyTooLarge),
    /// The stream broke (`400`).
    Unreadable,
}

/// Reads the whole body, refusing it as soon as it grows past `limit`. `declared` is the
/// `Content-Length` the sender announced, used only to size the buffer.
pub(crate) async fn read_body<B>(
    body: B,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, ReadError>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut collected = BodyCollector::new(limit, declared);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|err| classify(&err.into(), limit))?;
        // Trailers carry no body bytes.
        if let Ok(data) = frame.into_data() {
            collected.push(data).map_err(ReadError::TooLarge)?;
        }
    }
    Ok(collected.finish())
}

/// A stream error is a `413` when a length limit in front of the route (tower-http's
/// `RequestBodyLimitLayer`, axum's `DefaultBodyLimit`) caused it, possibly wrapped by axum.
fn classify(err: &BoxError, limit: usize) -> ReadError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
    while let Some(e) = source {
        if e.is::<LengthLimitError>() {
            return ReadError::TooLarge(BodyTooLarge { limit });
        }
        source = e.source();
    }
    ReadError::Unreadable
}
