use http::Method;
use humanos_models::{GroupEntity, GroupsEntity, ResourceEntity, ResourceQuery, ResourcesEntity};

use super::handler;
use crate::call::Call;
use crate::page::{Page, decode_page};

handler! {
    /// Approvals and workflows (`client.approval` in the official SDK); see
    /// [`HumanosClient::approval`](crate::HumanosClient::approval).
    ApprovalHandler
}

impl ApprovalHandler<'_> {
    /// `GET /approvals`: one page of your approvals (`FORM`, `DOCUMENT`, `JSON`, `POLICY`),
    /// filtered by `query` (`pageIndex`, `pageSize`, `search`, `active`, `types`, `internalId`).
    pub fn list(&self, query: ResourceQuery) -> Call<Page<ResourceEntity>> {
        Call::new(
            self.client,
            "approval.list",
            Method::GET,
            "/approvals".into(),
            decode_page::<ResourcesEntity>,
        )
        .with_query(&query)
    }

    /// `GET /approvals/workflow`: one page of your workflows with their approvals, filtered by
    /// `query` (same members as [`list`](Self::list)).
    pub fn workflows(&self, query: ResourceQuery) -> Call<Page<GroupEntity>> {
        Call::new(
            self.client,
            "approval.workflows",
            Method::GET,
            "/approvals/workflow".into(),
            decode_page::<GroupsEntity>,
        )
        .with_query(&query)
    }
}
