//! Runs the `agent_gateway` example's own code (compiled in as a module) and checks what the
//! agent saw: allowed within the limit, denied above it naming the rule, denied after the
//! revoke, 503 while the API is down.

#[allow(dead_code)]
#[path = "../agent_gateway.rs"]
mod agent_gateway;

#[tokio::test]
async fn the_agent_acts_only_within_its_mandate() {
    let seen = agent_gateway::run().await.expect("the example runs");
    let statuses: Vec<u16> = seen.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 403, 403, 503], "{seen:?}");

    assert_eq!(seen[0].body["price_eur"], 12);
    assert_eq!(seen[0].body["verified"], true);

    let rule = &seen[1].body;
    assert_eq!(rule["decision"], "deny");
    assert_eq!(rule["reason"], "rule_failed");
    assert!(
        rule["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["rule"] == "amount_within_limit" && e["result"] == "fail"),
        "{rule}"
    );

    assert_eq!(seen[2].body["reason"], "credential_revoked");
    assert_eq!(seen[3].body["error"], "Service Unavailable");
}
