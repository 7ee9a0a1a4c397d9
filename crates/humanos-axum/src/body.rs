//! What the axum adapter hands the core pipelines: the body as a [`ChunkSource`], the request
//! put back together for the inner service, and the inner service's answer or ours.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::{Body, HttpBody};
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::Response;
use bytes::Bytes;
use http_body_util::LengthLimitError;
use humanos_webhooks::answer::Outcome;
use humanos_webhooks::body::{ChunkError, ChunkSource};

use crate::rejection::respond;

/// An axum body, frame by frame, for [`humanos_webhooks::body::read`].
pub(crate) struct AxumBody(pub(crate) Body);

impl ChunkSource for AxumBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ChunkError>>> {
        loop {
            let frame = match ready!(Pin::new(&mut self.0).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Err(err)) => return Poll::Ready(Some(Err(classify(&err)))),
                Some(Ok(frame)) => frame,
            };
            // Trailers carry no body bytes.
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}

/// A stream error is a `413` when a length limit in front of the route (tower-http's
/// `RequestBodyLimitLayer`, axum's `DefaultBodyLimit`) caused it, possibly wrapped by axum.
fn classify(err: &axum::Error) -> ChunkError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<LengthLimitError>() {
            return ChunkError::TooLarge;
        }
        source = e.source();
    }
    ChunkError::Broken
}

/// The request for the inner service: the head, the body that was read, and what the pipeline
/// decided as an extension.
pub(crate) fn put_back<T>(parts: Parts, bytes: Bytes, decided: T) -> Request<Body>
where
    T: Clone + Send + Sync + 'static,
{
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(decided);
    req
}

/// The inner service's response, or the pipeline's own answer.
pub(crate) fn answered(
    outcome: Outcome<Result<Response, Infallible>>,
) -> Result<Response, Infallible> {
    match outcome {
        Outcome::Proceed(response) => response,
        Outcome::Answer(answer) => Ok(respond(answer)),
    }
}

/// Whether the inner service succeeded (a 2xx): the dedup reservation is then completed.
pub(crate) fn succeeded(response: &Result<Response, Infallible>) -> bool {
    response.as_ref().is_ok_and(|r| r.status().is_success())
}

/// Any body the layers are given, as axum's.
pub(crate) fn axum_body<B>(body: B) -> AxumBody
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    AxumBody(Body::new(body))
}
