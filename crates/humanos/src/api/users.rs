use http::Method;
use humanos_models::{CreateSubjectDto, CreateSubjectEntity, SubjectIssuerEntity, SubjectQuery};

use super::handler;
use crate::call::{Call, decode_json};

handler! {
    /// Users (`client.users` in the official SDK); see
    /// [`HumanosClient::users`](crate::HumanosClient::users).
    UsersHandler
}

impl UsersHandler<'_> {
    /// `POST /user`: imports 1 to 100 users. The answer has one entry per user, each with its
    /// own status (`201`, `409`, ...), so a partly failed import is still `Ok`.
    ///
    /// Not retried after the request was sent unless you set an
    /// [`idempotency_key`](Call::idempotency_key).
    pub fn create(
        &self,
        users: impl IntoIterator<Item = CreateSubjectDto>,
    ) -> Call<Vec<CreateSubjectEntity>> {
        let users: Vec<CreateSubjectDto> = users.into_iter().collect();
        Call::new(
            self.client,
            "users.create",
            Method::POST,
            "/user".into(),
            decode_json,
        )
        .with_body(&users)
    }

    /// `GET /user?contact=..|id=..|internalId=..`: one user, looked up by exactly one of the
    /// members of `query`. `404` when unknown.
    pub fn detail(&self, query: SubjectQuery) -> Call<SubjectIssuerEntity> {
        Call::new(
            self.client,
            "users.detail",
            Method::GET,
            "/user".into(),
            decode_json,
        )
        .with_query(&query)
    }
}
