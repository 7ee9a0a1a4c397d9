use http::Method;
use humanos_models::{
    IntelligenceActionEntity, IntelligenceActionQuery, IntelligenceSnapshotEntity,
    IntelligenceSnapshotQuery, IntelligenceWindowEntity, IntelligenceWindowQuery,
};

use super::handler;
use crate::call::{Call, decode_json};

handler! {
    /// Agent intelligence (`client.intelligence` in the official SDK); see
    /// [`HumanosClient::intelligence`](crate::HumanosClient::intelligence).
    IntelligenceHandler
}

impl IntelligenceHandler<'_> {
    /// `GET /intelligence/action?orgDid=..&urn=..`: what an action URN permits (name,
    /// parameters, rules). Another organization's DID needs its sharing grant, else `404`.
    pub fn action(&self, query: IntelligenceActionQuery) -> Call<IntelligenceActionEntity> {
        Call::new(
            self.client,
            "intelligence.action",
            Method::GET,
            "/intelligence/action".into(),
            decode_json,
        )
        .with_query(&query)
    }

    /// `GET /intelligence/snapshot?orgDid=..&did=..[&at=..]`: one agent's risk picture at one
    /// instant (now by default; a past `at` is rebuilt from the signed event history).
    pub fn snapshot(&self, query: IntelligenceSnapshotQuery) -> Call<IntelligenceSnapshotEntity> {
        Call::new(
            self.client,
            "intelligence.snapshot",
            Method::GET,
            "/intelligence/snapshot".into(),
            decode_json,
        )
        .with_query(&query)
    }

    /// `GET /intelligence/window?orgDid=..&did=..&from=..&to=..`: what one agent did over a
    /// period (`from` included, `to` excluded, at most 366 days).
    pub fn window(&self, query: IntelligenceWindowQuery) -> Call<IntelligenceWindowEntity> {
        Call::new(
            self.client,
            "intelligence.window",
            Method::GET,
            "/intelligence/window".into(),
            decode_json,
        )
        .with_query(&query)
    }
}
