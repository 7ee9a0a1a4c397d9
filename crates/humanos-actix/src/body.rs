//! What the actix-web adapter hands the core pipelines: the payload as a [`ChunkSource`], the
//! request head, the request put back together for the service, and its response or ours.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::{Error, HttpMessage, HttpRequest};
use bytes::Bytes;
use futures_util::Stream;
use humanos_webhooks::RequestHead;
use humanos_webhooks::answer::Outcome;
use humanos_webhooks::body::{ChunkError, ChunkSource};

use crate::headers::ActixHeaders;
use crate::rejection::respond;

/// An actix-web payload, chunk by chunk, for [`humanos_webhooks::body::read`].
pub(crate) struct ActixPayload<S>(pub(crate) S);

impl<S> ChunkSource for ActixPayload<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ChunkError>>> {
        Pin::new(&mut self.0).poll_next(cx).map(|chunk| {
            chunk.map(|chunk| {
                chunk.map_err(|err| match err {
                    // A limit in front of the middleware (actix-web's own, or another's).
                    PayloadError::Overflow => ChunkError::TooLarge,
                    _ => ChunkError::Broken,
                })
            })
        })
    }
}

/// A [`ServiceRequest`] (its payload taken) as the head the core pipelines read and hand back.
pub(crate) struct Head(pub(crate) ServiceRequest);

impl RequestHead for Head {
    type Headers<'a> = ActixHeaders<'a>;

    fn method(&self) -> &str {
        self.0.method().as_str()
    }

    fn path(&self) -> &str {
        self.0.path()
    }

    fn query(&self) -> Option<&str> {
        Some(self.0.query_string()).filter(|q| !q.is_empty())
    }

    fn headers(&self) -> ActixHeaders<'_> {
        ActixHeaders(self.0.headers())
    }
}

/// Takes the payload out of `req`: the head and the body the pipelines read, and the request
/// to answer with.
pub(crate) fn split(mut req: ServiceRequest) -> (Head, ActixPayload<Payload>, HttpRequest) {
    let payload = ActixPayload(req.take_payload());
    let http_req = req.request().clone();
    (Head(req), payload, http_req)
}

/// The request for the service: the body that was read put back, and what the pipeline
/// decided as an extension.
pub(crate) fn put_back<T: 'static>(head: Head, bytes: Bytes, decided: T) -> ServiceRequest {
    let Head(mut req) = head;
    req.extensions_mut().insert(decided);
    req.set_payload(Payload::from(bytes));
    req
}

/// The service's response, or the pipeline's own answer to `http_req`.
pub(crate) fn answered<B>(
    outcome: Outcome<Result<ServiceResponse<B>, Error>>,
    http_req: HttpRequest,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    match outcome {
        Outcome::Proceed(response) => response.map(ServiceResponse::map_into_left_body),
        Outcome::Answer(answer) => {
            Ok(ServiceResponse::new(http_req, respond(answer)).map_into_right_body())
        }
    }
}
