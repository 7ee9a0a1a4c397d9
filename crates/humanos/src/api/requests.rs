use http::Method;
use humanos_models::{
    GenerateRequestDto, GenerateRequestEntity, RequestDetailEntity, RequestEntity, RequestQuery,
    RequestsEntity, SubjectQuery, SuccessEntity,
};

use super::handler;
use crate::call::{Call, decode_json};
use crate::page::{Page, decode_page};
use crate::query::segment;

handler! {
    /// Credential requests (`client.requests` in the official SDK); see
    /// [`HumanosClient::requests`](crate::HumanosClient::requests).
    RequestsHandler
}

impl RequestsHandler<'_> {
    /// `GET /request`: one page of your credential requests, filtered by `query` (`pageIndex`,
    /// `pageSize`, `search`, `dateFrom`, `dateTo`, `subject`, `internalId`, `securityLevel`).
    /// Use `.stream()` on the returned call to walk every page.
    pub fn list(&self, query: RequestQuery) -> Call<Page<RequestEntity>> {
        Call::new(
            self.client,
            "requests.list",
            Method::GET,
            "/request".into(),
            decode_page::<RequestsEntity>,
        )
        .with_query(&query)
    }

    /// `POST /request`: asks one or more users to approve credentials (mandates, consents,
    /// documents); sends them an OTP by email or SMS. `201` → [`GenerateRequestEntity`];
    /// `400`, `402` (billing) and `409` are [`Error::Api`](crate::Error::Api).
    ///
    /// Not retried after the request was sent unless you set an
    /// [`idempotency_key`](Call::idempotency_key).
    pub fn create(&self, request: GenerateRequestDto) -> Call<GenerateRequestEntity> {
        Call::new(
            self.client,
            "requests.create",
            Method::POST,
            "/request".into(),
            decode_json,
        )
        .with_body(&request)
    }

    /// `GET /request/{requestId}`: the request with its credentials (full W3C credentials),
    /// subjects and their latest decisions. `400` (malformed id) and `404` are errors.
    pub fn detail(&self, request_id: &str) -> Call<RequestDetailEntity> {
        Call::new(
            self.client,
            "requests.detail",
            Method::GET,
            format!("/request/{}", segment(request_id)),
            decode_json,
        )
    }

    /// `DELETE /request/{requestId}`: cancels a pending request (draft credentials are
    /// canceled, active ones revoked). Cannot be undone.
    pub fn cancel(&self, request_id: &str) -> Call<SuccessEntity> {
        Call::new(
            self.client,
            "requests.cancel",
            Method::DELETE,
            format!("/request/{}", segment(request_id)),
            decode_json,
        )
    }

    /// `PATCH /request/resend/{requestId}`: sends the OTP again to one subject of the request,
    /// identified by exactly one of `contact`, `id` or `internalId` in `subject`.
    /// `402` (billing), `403` (limit reached) and `404` are errors.
    pub fn resend_otp(&self, request_id: &str, subject: SubjectQuery) -> Call<SuccessEntity> {
        Call::new(
            self.client,
            "requests.resend_otp",
            Method::PATCH,
            format!("/request/resend/{}", segment(request_id)),
            decode_json,
        )
        .with_query(&subject)
    }
}
