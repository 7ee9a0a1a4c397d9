use http::Method;
use humanos_models::{
    ActionEntity, ActionListEntity, ActionQuery, ActionVersionDetailEntity, ActionVersionListEntity,
};

use super::handler;
use crate::call::Call;
use crate::page::{Page, decode_page};
use crate::query::segment;

handler! {
    /// Published actions (`client.actions` in the official SDK); see
    /// [`HumanosClient::actions`](crate::HumanosClient::actions).
    ActionsHandler
}

impl ActionsHandler<'_> {
    /// `GET /actions`: one page of your published actions, each with up to its 10 newest
    /// versions, filtered by `query` (`pageIndex`, `pageSize`, `search`, `active`).
    pub fn list(&self, query: ActionQuery) -> Call<Page<ActionEntity>> {
        Call::new(
            self.client,
            "actions.list",
            Method::GET,
            "/actions".into(),
            decode_page::<ActionListEntity>,
        )
        .with_query(&query)
    }

    /// `GET /actions/version/{id}`: one page of an action's published versions, newest first,
    /// with their full `content` and `digestSRI`. An unknown action gives an empty page.
    pub fn versions(
        &self,
        action_id: &str,
        query: ActionQuery,
    ) -> Call<Page<ActionVersionDetailEntity>> {
        Call::new(
            self.client,
            "actions.versions",
            Method::GET,
            format!("/actions/version/{}", segment(action_id)),
            decode_page::<ActionVersionListEntity>,
        )
        .with_query(&query)
    }
}
