//! Presentation round trips, one test per denial reason, and hostile input.

#[path = "../common/mod.rs"]
mod common;

mod hostile;
mod known_credentials;
mod reasons;
mod round_trips;

use std::sync::Arc;

use common::*;
use humanos_vc::rules::Rule;
use humanos_vc::{RuleCheck, VerifyFailure, VerifyRequest};
use serde_json::Value;

pub(crate) fn bound() -> VerifyRequest {
    VerifyRequest::new()
        .domain("shop.example")
        .challenge("nonce-1")
}

pub(crate) fn deny(vp: &Value, req: &VerifyRequest) -> VerifyFailure {
    verifier()
        .verify_presentation_with(vp, &keys(), req)
        .unwrap_err()
}

pub(crate) fn purchase_rules(params: Value) -> RuleCheck {
    RuleCheck::new(
        vec![
            Rule::new("executionParams.amount <= userParams.maxAmount"),
            Rule::new("executionParams.category in userParams.allowedCategories"),
        ],
        params,
    )
    .action_id(ACTION_ID)
}

pub(crate) fn list_for(vp_status: &Value) -> Arc<humanos_vc::status::VerifiedStatusList> {
    Arc::new(verifier().verify_status_list(vp_status, &keys()).unwrap())
}
